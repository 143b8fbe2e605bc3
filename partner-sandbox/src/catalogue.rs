//! The sandbox's offers and the slots they generate, in the catalogue's time zone.
//!
//! Slots are computed from weekly rules whenever they are asked for, never stored, so
//! the calendar always covers the coming weeks. Local times are turned into instants with
//! the tz database, so sessions keep their wall-clock time across DST changes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::model::{Confirmation, MembershipPlan, Offer, OfferKind, ResidentField};

/// What the sandbox offers.
#[derive(Clone, Debug)]
pub struct Catalogue {
    /// The time zone the weekly rules are in.
    pub time_zone: Tz,
    /// How far ahead slots exist, in weeks from now.
    pub weeks_ahead: u32,
    /// The offers.
    pub offers: Vec<CatalogueOffer>,
}

/// One offer and its schedule.
#[derive(Clone, Debug)]
pub struct CatalogueOffer {
    /// The offer id in the API (`A-Za-z0-9._-`).
    pub id: String,
    /// The name residents see.
    pub name: String,
    /// A longer description.
    pub description: Option<String>,
    /// Whether a confirmation must carry the resident's email address (besides the
    /// name, which it always carries).
    pub needs_email: bool,
    /// Whether a confirmation must carry the resident's phone number.
    pub needs_phone: bool,
    /// When it can be booked.
    pub schedule: Schedule,
}

/// When an offer can be booked.
#[derive(Clone, Debug)]
pub enum Schedule {
    /// Appointments or class sessions at weekly times.
    Sessions {
        /// [`OfferKind::Appointment`] or [`OfferKind::Class`].
        kind: OfferKind,
        /// Weekday and local start time of each weekly session.
        weekly: Vec<(Weekday, NaiveTime)>,
        /// Length of each session.
        duration_minutes: u32,
        /// Seats per session (parallel places for appointments).
        capacity: u32,
        /// Whether bookings need the business's approval.
        confirmation: Confirmation,
    },
    /// A membership plan; bookings always need approval.
    Membership {
        /// The plan's name.
        plan: String,
        /// Length of one period in months.
        period_months: u32,
        /// The price as display text.
        price_text: String,
        /// The possible start dates.
        starts: MembershipStarts,
        /// New members per start date.
        capacity: u32,
    },
}

/// The possible start dates of a membership.
#[derive(Clone, Copy, Debug)]
pub enum MembershipStarts {
    /// Every such weekday.
    Weekly(Weekday),
    /// This day of every month (1–28).
    MonthDay(u32),
}

/// A slot as computed from the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawSlot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub capacity: u32,
}

impl CatalogueOffer {
    /// The offer's kind.
    pub fn kind(&self) -> OfferKind {
        match &self.schedule {
            Schedule::Sessions { kind, .. } => *kind,
            Schedule::Membership { .. } => OfferKind::Membership,
        }
    }

    /// Instant or on approval.
    pub fn confirmation(&self) -> Confirmation {
        match &self.schedule {
            Schedule::Sessions { confirmation, .. } => *confirmation,
            Schedule::Membership { .. } => Confirmation::Approval,
        }
    }

    /// The resident data a confirmation of it carries: the name, and the email address
    /// and phone number when it needs them.
    pub fn resident_fields(&self) -> Vec<ResidentField> {
        let mut fields = vec![ResidentField::Name];
        if self.needs_email {
            fields.push(ResidentField::Email);
        }
        if self.needs_phone {
            fields.push(ResidentField::Phone);
        }
        fields
    }

    /// The offer as the API describes it.
    pub fn to_api(&self) -> Offer {
        let resident_fields = self.resident_fields();
        let (duration_minutes, membership) = match &self.schedule {
            Schedule::Sessions {
                duration_minutes, ..
            } => (Some(*duration_minutes), None),
            Schedule::Membership {
                plan,
                period_months,
                price_text,
                ..
            } => (
                None,
                Some(MembershipPlan {
                    plan: plan.clone(),
                    period: if period_months % 12 == 0 {
                        format!("P{}Y", period_months / 12)
                    } else {
                        format!("P{period_months}M")
                    },
                    price_text: price_text.clone(),
                }),
            ),
        };
        Offer {
            offer_id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            kind: self.kind(),
            confirmation: self.confirmation(),
            duration_minutes,
            membership,
            resident_fields,
        }
    }
}

impl Catalogue {
    /// The offer with this id.
    pub fn offer(&self, id: &str) -> Option<&CatalogueOffer> {
        self.offers.iter().find(|o| o.id == id)
    }

    /// The offer's slots starting in `[from, to)`, after `now` and within the horizon,
    /// in ascending order.
    pub fn slots(
        &self,
        offer: &CatalogueOffer,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<RawSlot> {
        let horizon = now + Duration::weeks(i64::from(self.weeks_ahead));
        let lo = from.max(now);
        let hi = to.min(horizon);
        if lo >= hi {
            return Vec::new();
        }
        let tz = self.time_zone;
        let first = lo.with_timezone(&tz).date_naive();
        let last = hi.with_timezone(&tz).date_naive();
        let mut out = Vec::new();
        let mut day = first;
        while day <= last {
            match &offer.schedule {
                Schedule::Sessions {
                    weekly,
                    duration_minutes,
                    capacity,
                    ..
                } => {
                    let mut times: Vec<NaiveTime> = weekly
                        .iter()
                        .filter(|(wd, _)| *wd == day.weekday())
                        .map(|(_, t)| *t)
                        .collect();
                    times.sort();
                    for t in times {
                        if let Some(start) = self.local(day, t) {
                            out.push(RawSlot {
                                start,
                                end: start + Duration::minutes(i64::from(*duration_minutes)),
                                capacity: *capacity,
                            });
                        }
                    }
                }
                Schedule::Membership {
                    starts,
                    period_months,
                    capacity,
                    ..
                } => {
                    let starts_today = match starts {
                        MembershipStarts::Weekly(wd) => day.weekday() == *wd,
                        MembershipStarts::MonthDay(d) => day.day() == *d,
                    };
                    let end_day = day.checked_add_months(chrono::Months::new(*period_months));
                    if let (true, Some(start), Some(end)) = (
                        starts_today,
                        self.local(day, NaiveTime::MIN),
                        end_day.and_then(|d| self.local(d, NaiveTime::MIN)),
                    ) {
                        out.push(RawSlot {
                            start,
                            end,
                            capacity: *capacity,
                        });
                    }
                }
            }
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        out.retain(|s| s.start >= lo && s.start < hi);
        out
    }

    /// The offer's slot starting exactly at `start`, if it is bookable now.
    pub fn slot_at(
        &self,
        offer: &CatalogueOffer,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<RawSlot> {
        self.slots(offer, start, start + Duration::seconds(1), now)
            .into_iter()
            .find(|s| s.start == start)
    }

    fn local(&self, day: NaiveDate, t: NaiveTime) -> Option<DateTime<Utc>> {
        // A time skipped by a DST change has no slot that day; a repeated one takes the
        // first occurrence.
        self.time_zone
            .from_local_datetime(&day.and_time(t))
            .earliest()
            .map(|d| d.with_timezone(&Utc))
    }

    /// The demo gym: weekly classes, trainer appointments and two membership plans in
    /// Europe/Helsinki time, six weeks ahead.
    pub fn sandbox_gym() -> Catalogue {
        let at = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
        use Weekday::*;
        Catalogue {
            time_zone: chrono_tz::Europe::Helsinki,
            // Six weeks always include the first of a month (annual memberships).
            weeks_ahead: 6,
            offers: vec![
                CatalogueOffer {
                    id: "sandbox-gym.yoga".into(),
                    name: "Morning yoga".into(),
                    description: Some(
                        "A calm hour of yoga for every level. Mats are provided.".into(),
                    ),
                    needs_email: false,
                    needs_phone: false,
                    schedule: Schedule::Sessions {
                        kind: OfferKind::Class,
                        weekly: vec![(Mon, at(7, 30)), (Wed, at(7, 30)), (Fri, at(7, 30))],
                        duration_minutes: 60,
                        capacity: 12,
                        confirmation: Confirmation::Instant,
                    },
                },
                CatalogueOffer {
                    id: "sandbox-gym.spinning".into(),
                    name: "Spinning".into(),
                    description: Some("45 minutes of indoor cycling to music.".into()),
                    needs_email: false,
                    needs_phone: false,
                    schedule: Schedule::Sessions {
                        kind: OfferKind::Class,
                        weekly: vec![(Tue, at(18, 0)), (Thu, at(18, 0))],
                        duration_minutes: 45,
                        capacity: 16,
                        confirmation: Confirmation::Instant,
                    },
                },
                CatalogueOffer {
                    id: "sandbox-gym.kettlebell".into(),
                    name: "Kettlebell basics".into(),
                    description: Some(
                        "Technique first: swings, goblet squats and get-ups in a small group."
                            .into(),
                    ),
                    needs_email: true,
                    needs_phone: false,
                    schedule: Schedule::Sessions {
                        kind: OfferKind::Class,
                        weekly: vec![(Sat, at(10, 0))],
                        duration_minutes: 50,
                        capacity: 8,
                        confirmation: Confirmation::Instant,
                    },
                },
                CatalogueOffer {
                    id: "sandbox-gym.intro".into(),
                    name: "Intro session with a trainer".into(),
                    description: Some(
                        "A personal tour of the gym and a training plan to start with.".into(),
                    ),
                    needs_email: false,
                    needs_phone: true,
                    schedule: Schedule::Sessions {
                        kind: OfferKind::Appointment,
                        weekly: [Mon, Tue, Wed, Thu, Fri]
                            .into_iter()
                            .flat_map(|d| [(d, at(12, 0)), (d, at(13, 0)), (d, at(14, 0))])
                            .collect(),
                        duration_minutes: 30,
                        capacity: 1,
                        confirmation: Confirmation::Instant,
                    },
                },
                CatalogueOffer {
                    id: "sandbox-gym.monthly".into(),
                    name: "Monthly membership".into(),
                    description: Some(
                        "All classes and the gym floor, cancellable monthly. Starts on a Monday."
                            .into(),
                    ),
                    needs_email: true,
                    needs_phone: true,
                    schedule: Schedule::Membership {
                        plan: "Monthly membership".into(),
                        period_months: 1,
                        price_text: "49 € / month".into(),
                        starts: MembershipStarts::Weekly(Mon),
                        capacity: 50,
                    },
                },
                CatalogueOffer {
                    id: "sandbox-gym.annual".into(),
                    name: "Annual membership".into(),
                    description: Some(
                        "Twelve months for the price of ten. Starts on the first of a month."
                            .into(),
                    ),
                    needs_email: true,
                    needs_phone: true,
                    schedule: Schedule::Membership {
                        plan: "Annual membership".into(),
                        period_months: 12,
                        price_text: "490 € / year".into(),
                        starts: MembershipStarts::MonthDay(1),
                        capacity: 50,
                    },
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn sessions_keep_wall_clock_time_across_dst() {
        let cat = Catalogue::sandbox_gym();
        let yoga = cat.offer("sandbox-gym.yoga").unwrap();
        // Finland moves to summer time on Sunday 2025-03-30.
        let now = utc("2025-03-20T00:00:00Z");
        let slots = cat.slots(
            yoga,
            utc("2025-03-24T00:00:00Z"),
            utc("2025-04-01T00:00:00Z"),
            now,
        );
        let local: Vec<String> = slots
            .iter()
            .map(|s| s.start.with_timezone(&cat.time_zone).to_rfc3339())
            .collect();
        assert_eq!(
            local,
            [
                "2025-03-24T07:30:00+02:00",
                "2025-03-26T07:30:00+02:00",
                "2025-03-28T07:30:00+02:00",
                "2025-03-31T07:30:00+03:00",
            ]
        );
        assert_eq!(slots[3].end - slots[3].start, Duration::minutes(60));
    }

    #[test]
    fn no_past_slots_and_nothing_beyond_the_horizon() {
        let cat = Catalogue::sandbox_gym();
        let intro = cat.offer("sandbox-gym.intro").unwrap();
        let now = utc("2025-06-02T10:30:00Z"); // Monday 13:30 in Helsinki
        let slots = cat.slots(
            intro,
            now - Duration::days(3),
            now + Duration::days(60),
            now,
        );
        assert_eq!(
            slots[0].start.with_timezone(&cat.time_zone).to_rfc3339(),
            "2025-06-02T14:00:00+03:00"
        );
        assert!(slots.iter().all(|s| s.start < now + Duration::weeks(6)));
        // The rest of Monday, four weekdays, five full weeks, Monday until 13:30.
        assert_eq!(slots.len(), 1 + 4 * 3 + 5 * 15 + 2);
        assert!(cat.slot_at(intro, slots[5].start, now).is_some());
        assert!(cat
            .slot_at(intro, slots[5].start + Duration::minutes(1), now)
            .is_none());
    }

    #[test]
    fn memberships_start_on_their_days_and_last_a_period() {
        let cat = Catalogue::sandbox_gym();
        let annual = cat.offer("sandbox-gym.annual").unwrap();
        let now = utc("2025-01-10T00:00:00Z");
        let slots = cat.slots(annual, now, now + Duration::days(40), now);
        assert_eq!(slots.len(), 1);
        assert_eq!(
            slots[0].start.with_timezone(&cat.time_zone).to_rfc3339(),
            "2025-02-01T00:00:00+02:00"
        );
        assert_eq!(
            slots[0].end.with_timezone(&cat.time_zone).to_rfc3339(),
            "2026-02-01T00:00:00+02:00"
        );
        let monthly = cat.offer("sandbox-gym.monthly").unwrap().to_api();
        assert_eq!(monthly.membership.unwrap().period, "P1M");
        assert_eq!(annual.to_api().membership.unwrap().period, "P1Y");
    }
}
