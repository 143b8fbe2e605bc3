//! The sandbox's bookings, idempotency records and the rules of the booking lifecycle.
//!
//! Everything lives in memory behind one mutex: each operation runs start to end under
//! the lock, so capacity checks and idempotency records never race.
//!
//! A booking's resident data arrives with its confirmation, never with the hold: a held
//! booking has none, and a confirmed or pending one has exactly the fields its offer
//! asks for.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use poem::http::StatusCode;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use crate::catalogue::{Catalogue, CatalogueOffer};
use crate::config::SandboxConfig;
use crate::delivery::Outgoing;
use crate::errors::SandboxProblem;
use crate::model::{
    AvailabilityRequest, AvailabilityResponse, Booking, BookingEventData, BookingStatus,
    ConfirmRequest, Confirmation, EventType, HoldRequest, OfferAvailability, Resident,
    ResidentField, Slot, WebhookEvent,
};
use crate::problem::Problem;

/// How long idempotency records are kept.
const IDEMPOTENCY_RETENTION: Duration = Duration::hours(24);
/// The widest availability window.
const MAX_WINDOW_DAYS: i64 = 62;

/// The result of a write, as stored for idempotent replays.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    /// 201 with the new booking.
    Created(Booking),
    /// 200 with the booking.
    Ok(Booking),
    /// An error problem.
    Failed(Problem),
}

struct IdempotencyRecord {
    fingerprint: Value,
    outcome: Outcome,
    at: DateTime<Utc>,
}

struct Record {
    booking: Booking,
    client_id: String,
    confirmation: Confirmation,
    approve_at: Option<DateTime<Utc>>,
    /// The resident's data, from the confirmation; `None` while held (and for a hold
    /// that was never confirmed).
    resident: Option<Resident>,
}

/// Bookings and idempotency records.
pub(crate) struct Store {
    bookings: HashMap<String, Record>,
    /// Creation order, so sweeps emit events in a stable order.
    order: Vec<String>,
    by_client_token: HashMap<(String, String), String>,
    idempotency: HashMap<(String, String), IdempotencyRecord>,
    events: UnboundedSender<Outgoing>,
}

impl Store {
    pub(crate) fn new(events: UnboundedSender<Outgoing>) -> Store {
        Store {
            bookings: HashMap::new(),
            order: Vec::new(),
            by_client_token: HashMap::new(),
            idempotency: HashMap::new(),
            events,
        }
    }

    /// Runs `op` once per (client, key): a repeat with the same fingerprint gets the
    /// first outcome again (`true` = replayed); with another fingerprint, a 422 problem.
    pub(crate) fn idempotent(
        &mut self,
        client_id: &str,
        key: &str,
        fingerprint: Value,
        now: DateTime<Utc>,
        op: impl FnOnce(&mut Store) -> Outcome,
    ) -> (Outcome, bool) {
        self.idempotency
            .retain(|_, r| now - r.at < IDEMPOTENCY_RETENTION);
        let id = (client_id.to_string(), key.to_string());
        if let Some(rec) = self.idempotency.get(&id) {
            if rec.fingerprint == fingerprint {
                return (rec.outcome.clone(), true);
            }
            let p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "The Idempotency-Key was used for another request",
            )
            .detail(
                "This Idempotency-Key was already used with a different operation or body; \
                 use a new key for a new request.",
            );
            return (Outcome::Failed(p), false);
        }
        let outcome = op(self);
        self.idempotency.insert(
            id,
            IdempotencyRecord {
                fingerprint,
                outcome: outcome.clone(),
                at: now,
            },
        );
        (outcome, false)
    }

    fn emit(&self, cat: &Catalogue, b: &Booking, ty: EventType, prev: Option<BookingStatus>) {
        let now = Utc::now().with_timezone(&cat.time_zone).fixed_offset();
        let event = WebhookEvent {
            type_: ty,
            timestamp: now,
            data: BookingEventData {
                booking_id: b.booking_id.clone(),
                client_token: b.client_token.clone(),
                offer_id: b.offer_id.clone(),
                status: b.status,
                previous_status: prev,
                start: b.start,
                end: b.end,
                seats: b.seats,
                status_reason: b.status_reason.clone(),
            },
        };
        // The receiver lives as long as the sandbox.
        let _ = self.events.send(Outgoing::Event(event));
    }

    /// Moves a booking to `status` and announces it.
    fn transition(
        &mut self,
        cat: &Catalogue,
        id: &str,
        status: BookingStatus,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Booking {
        let rec = self.bookings.get_mut(id).expect("known booking");
        let prev = rec.booking.status;
        rec.booking.status = status;
        if status != BookingStatus::Held {
            rec.booking.hold_expires_at = None;
        }
        if reason.is_some() {
            rec.booking.status_reason = reason;
        }
        if status != BookingStatus::Pending {
            rec.approve_at = None;
        }
        rec.booking.updated_at = local(cat, now);
        // A booking that will not take place keeps no resident data.
        if matches!(
            status,
            BookingStatus::Cancelled | BookingStatus::Rejected | BookingStatus::Expired
        ) {
            rec.resident = None;
        }
        let b = rec.booking.clone();
        self.emit(cat, &b, EventType::for_status(status), Some(prev));
        b
    }

    /// Expires lapsed holds and approves pending bookings whose time has come.
    pub(crate) fn sweep(&mut self, cat: &Catalogue, now: DateTime<Utc>) {
        let mut due = Vec::new();
        for id in &self.order {
            let rec = &self.bookings[id];
            match rec.booking.status {
                BookingStatus::Held
                    if rec
                        .booking
                        .hold_expires_at
                        .is_some_and(|t| t.with_timezone(&Utc) <= now) =>
                {
                    due.push((id.clone(), BookingStatus::Expired));
                }
                BookingStatus::Pending if rec.approve_at.is_some_and(|t| t <= now) => {
                    due.push((id.clone(), BookingStatus::Confirmed));
                }
                _ => {}
            }
        }
        for (id, status) in due {
            self.transition(cat, &id, status, None, now);
        }
    }

    fn seats_taken(&self, offer_id: &str, start: DateTime<Utc>, except: Option<&str>) -> u32 {
        self.bookings
            .values()
            .filter(|r| {
                r.booking.offer_id == offer_id
                    && r.booking.start == start
                    && r.booking.status.occupies_seats()
                    && Some(r.booking.booking_id.as_str()) != except
            })
            .map(|r| r.booking.seats)
            .sum()
    }

    fn own(&self, client_id: &str, id: &str) -> Result<&Record, Problem> {
        self.bookings
            .get(id)
            .filter(|r| r.client_id == client_id)
            .ok_or_else(|| Problem::not_found("booking"))
    }

    /// The availability of several offers.
    pub(crate) fn availability(
        &mut self,
        cfg: &SandboxConfig,
        req: &AvailabilityRequest,
        now: DateTime<Utc>,
    ) -> Result<AvailabilityResponse, Problem> {
        let cat = &cfg.catalogue;
        self.sweep(cat, now);
        let from = req.from.with_timezone(&Utc);
        let to = req.to.with_timezone(&Utc);
        if to <= from {
            return Err(Problem::invalid("to", "must be after `from`"));
        }
        if to - from > Duration::days(MAX_WINDOW_DAYS) {
            return Err(Problem::invalid(
                "to",
                format!("the window may be at most {MAX_WINDOW_DAYS} days"),
            ));
        }
        let mut offers = Vec::new();
        let mut unknown = Vec::new();
        for id in &req.offer_ids {
            let Some(offer) = cat.offer(id) else {
                if !unknown.contains(id) {
                    unknown.push(id.clone());
                }
                continue;
            };
            let slots = cat
                .slots(offer, from, to, now)
                .into_iter()
                .map(|s| Slot {
                    start: local(cat, s.start),
                    end: local(cat, s.end),
                    capacity: s.capacity,
                    remaining: s
                        .capacity
                        .saturating_sub(self.seats_taken(&offer.id, s.start, None)),
                })
                .collect();
            offers.push(OfferAvailability {
                offer_id: offer.id.clone(),
                kind: offer.kind(),
                time_zone: cat.time_zone.name().to_string(),
                slots,
            });
        }
        Ok(AvailabilityResponse {
            offers,
            unknown_offer_ids: unknown,
        })
    }

    /// Holds seats.
    pub(crate) fn hold(
        &mut self,
        cfg: &SandboxConfig,
        client_id: &str,
        req: HoldRequest,
        now: DateTime<Utc>,
    ) -> Outcome {
        let cat = &cfg.catalogue;
        self.sweep(cat, now);
        let offer = match check_hold(cat, &req) {
            Ok(o) => o,
            Err(p) => return Outcome::Failed(p),
        };
        let start = req.start.with_timezone(&Utc);
        let Some(slot) = cat.slot_at(offer, start, now) else {
            return Outcome::Failed(Problem::invalid(
                "start",
                format!(
                    "`{}` has no bookable slot starting at {}; take a `start` from availability",
                    offer.id,
                    req.start.to_rfc3339()
                ),
            ));
        };
        let token_key = (client_id.to_string(), req.client_token.clone());
        if let Some(existing) = self.by_client_token.get(&token_key) {
            return Outcome::Failed(Problem::conflict(
                "duplicate-client-token",
                "This client_token already has a booking",
                format!("Booking {existing} was made with this client_token."),
            ));
        }
        let taken = self.seats_taken(&offer.id, slot.start, None);
        let left = slot.capacity.saturating_sub(taken);
        if req.seats > left {
            return Outcome::Failed(slot_full(left));
        }
        let id = format!("bk_{}", uuid::Uuid::new_v4().simple());
        let ttl = Duration::from_std(cfg.hold_ttl).unwrap_or(Duration::minutes(10));
        let booking = Booking {
            booking_id: id.clone(),
            client_token: req.client_token.clone(),
            offer_id: offer.id.clone(),
            status: BookingStatus::Held,
            start: local(cat, slot.start),
            end: local(cat, slot.end),
            seats: req.seats,
            hold_expires_at: Some(local(cat, now + ttl)),
            status_reason: None,
            created_at: local(cat, now),
            updated_at: local(cat, now),
        };
        self.bookings.insert(
            id.clone(),
            Record {
                booking: booking.clone(),
                client_id: client_id.to_string(),
                confirmation: offer.confirmation(),
                approve_at: None,
                resident: None,
            },
        );
        self.order.push(id.clone());
        self.by_client_token.insert(token_key, id);
        self.emit(cat, &booking, EventType::BookingHeld, None);
        Outcome::Created(booking)
    }

    /// Confirms a held booking with the resident's data (`body`, read against the
    /// offer's `resident_fields`): `confirmed`, or `pending` for offers on approval. The
    /// resident is stored here and only here.
    pub(crate) fn confirm(
        &mut self,
        cfg: &SandboxConfig,
        client_id: &str,
        id: &str,
        body: Option<&Value>,
        now: DateTime<Utc>,
    ) -> Outcome {
        let cat = &cfg.catalogue;
        self.sweep(cat, now);
        let rec = match self.own(client_id, id) {
            Ok(r) => r,
            Err(p) => return Outcome::Failed(p),
        };
        let fields = cat
            .offer(&rec.booking.offer_id)
            .map(CatalogueOffer::resident_fields)
            .unwrap_or_else(|| vec![ResidentField::Name]);
        let req = match ConfirmRequest::from_body(body, &fields) {
            Ok(r) => r,
            Err(errors) => return Outcome::Failed(Problem::validation(errors)),
        };
        match rec.booking.status {
            BookingStatus::Held => {
                self.bookings.get_mut(id).expect("known booking").resident = Some(req.resident);
                let rec = &self.bookings[id];
                if rec.confirmation == Confirmation::Approval {
                    let b = self.transition(cat, id, BookingStatus::Pending, None, now);
                    let rec = self.bookings.get_mut(id).expect("known booking");
                    rec.approve_at = cfg
                        .approval_delay
                        .and_then(|d| Duration::from_std(d).ok())
                        .map(|d| now + d);
                    Outcome::Ok(b)
                } else {
                    Outcome::Ok(self.transition(cat, id, BookingStatus::Confirmed, None, now))
                }
            }
            BookingStatus::Pending | BookingStatus::Confirmed => Outcome::Ok(rec.booking.clone()),
            BookingStatus::Expired => Outcome::Failed(Problem::conflict(
                "hold-expired",
                "The hold has expired",
                "The hold lapsed before it was confirmed and its seats were released; \
                 make a new hold.",
            )),
            s => Outcome::Failed(invalid_transition(s, "confirmed")),
        }
    }

    /// Cancels a booking.
    pub(crate) fn cancel(
        &mut self,
        cfg: &SandboxConfig,
        client_id: &str,
        id: &str,
        now: DateTime<Utc>,
        deadline: Option<std::time::Duration>,
    ) -> Outcome {
        let cat = &cfg.catalogue;
        self.sweep(cat, now);
        let rec = match self.own(client_id, id) {
            Ok(r) => r,
            Err(p) => return Outcome::Failed(p),
        };
        let too_late = deadline
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .is_some_and(|d| rec.booking.start.with_timezone(&Utc) - now < d);
        match rec.booking.status {
            BookingStatus::Pending | BookingStatus::Confirmed if too_late => {
                Outcome::Failed(Problem::conflict(
                    "cancellation-deadline-passed",
                    "Too late to cancel",
                    "The booking starts too soon to be cancelled.".to_string(),
                ))
            }
            BookingStatus::Held | BookingStatus::Pending | BookingStatus::Confirmed => {
                Outcome::Ok(self.transition(cat, id, BookingStatus::Cancelled, None, now))
            }
            BookingStatus::Cancelled => Outcome::Ok(rec.booking.clone()),
            s => Outcome::Failed(invalid_transition(s, "cancelled")),
        }
    }

    /// Moves a booking to another slot of its offer.
    pub(crate) fn reschedule(
        &mut self,
        cfg: &SandboxConfig,
        client_id: &str,
        id: &str,
        new_start: DateTime<FixedOffset>,
        now: DateTime<Utc>,
    ) -> Outcome {
        let cat = &cfg.catalogue;
        self.sweep(cat, now);
        let rec = match self.own(client_id, id) {
            Ok(r) => r,
            Err(p) => return Outcome::Failed(p),
        };
        let status = rec.booking.status;
        if status.is_final() {
            return Outcome::Failed(invalid_transition(status, "rescheduled"));
        }
        let Some(offer) = cat.offer(&rec.booking.offer_id) else {
            return Outcome::Failed(Problem::conflict(
                "invalid-transition",
                "The booking cannot be rescheduled",
                "Its offer no longer exists.",
            ));
        };
        let start = new_start.with_timezone(&Utc);
        if start == rec.booking.start.with_timezone(&Utc) {
            return Outcome::Ok(rec.booking.clone());
        }
        let Some(slot) = cat.slot_at(offer, start, now) else {
            return Outcome::Failed(Problem::invalid(
                "start",
                format!(
                    "`{}` has no bookable slot starting at {}",
                    offer.id,
                    new_start.to_rfc3339()
                ),
            ));
        };
        let seats = rec.booking.seats;
        let left = slot
            .capacity
            .saturating_sub(self.seats_taken(&offer.id, slot.start, Some(id)));
        if seats > left {
            return Outcome::Failed(slot_full(left));
        }
        let rec = self.bookings.get_mut(id).expect("known booking");
        rec.booking.start = local(cat, slot.start);
        rec.booking.end = local(cat, slot.end);
        rec.booking.updated_at = local(cat, now);
        let b = rec.booking.clone();
        self.emit(cat, &b, EventType::BookingRescheduled, Some(status));
        Outcome::Ok(b)
    }

    /// A booking of this client.
    pub(crate) fn get(
        &mut self,
        cfg: &SandboxConfig,
        client_id: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, Problem> {
        self.sweep(&cfg.catalogue, now);
        self.own(client_id, id).map(|r| r.booking.clone())
    }

    /// Every booking, oldest first.
    pub(crate) fn all(&self) -> Vec<Booking> {
        self.order
            .iter()
            .map(|id| self.bookings[id].booking.clone())
            .collect()
    }

    /// Every booking with the resident data stored for it, oldest first.
    pub(crate) fn all_with_residents(&self) -> Vec<(Booking, Option<Resident>)> {
        self.order
            .iter()
            .map(|id| {
                let r = &self.bookings[id];
                (r.booking.clone(), r.resident.clone())
            })
            .collect()
    }

    /// The business's decision on a booking, or expiry of a hold: moves it to `status`
    /// if the lifecycle allows.
    pub(crate) fn decide(
        &mut self,
        cfg: &SandboxConfig,
        id: &str,
        status: BookingStatus,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Booking, String> {
        let cat = &cfg.catalogue;
        self.sweep(cat, now);
        let current = self
            .bookings
            .get(id)
            .ok_or_else(|| format!("no booking {id}"))?
            .booking
            .status;
        let allowed = match status {
            BookingStatus::Confirmed => current == BookingStatus::Pending,
            BookingStatus::Rejected => {
                matches!(current, BookingStatus::Pending | BookingStatus::Held)
            }
            BookingStatus::Expired => current == BookingStatus::Held,
            BookingStatus::Cancelled => !current.is_final(),
            _ => false,
        };
        if !allowed {
            return Err(format!(
                "booking {id} is {} and cannot become {}",
                current.as_str(),
                status.as_str()
            ));
        }
        Ok(self.transition(cat, id, status, reason, now))
    }
}

fn check_hold<'a>(cat: &'a Catalogue, req: &HoldRequest) -> Result<&'a CatalogueOffer, Problem> {
    let offer = cat
        .offer(&req.offer_id)
        .ok_or_else(|| Problem::invalid("offer_id", "no such offer"))?;
    if offer.kind() == crate::model::OfferKind::Membership && req.seats != 1 {
        return Err(Problem::invalid("seats", "a membership is for one person"));
    }
    Ok(offer)
}

fn slot_full(left: u32) -> Problem {
    Problem::conflict(
        "slot-full",
        "Not enough seats left",
        if left == 0 {
            "The slot is full.".to_string()
        } else {
            format!("Only {left} seat(s) left in this slot.")
        },
    )
}

fn invalid_transition(status: BookingStatus, to: &str) -> Problem {
    Problem::conflict(
        "invalid-transition",
        "The booking's status does not allow this",
        format!("The booking is {} and cannot be {to}.", status.as_str()),
    )
}

/// An instant in the catalogue's time zone, with its offset.
pub(crate) fn local(cat: &Catalogue, t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&cat.time_zone).fixed_offset()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn held(store: &mut Store, cfg: &SandboxConfig, offer: &str, now: DateTime<Utc>) -> String {
        let o = cfg.catalogue.offer(offer).unwrap();
        let slot = cfg
            .catalogue
            .slots(o, now, now + Duration::days(40), now)
            .remove(0);
        let req = HoldRequest {
            offer_id: offer.into(),
            start: local(&cfg.catalogue, slot.start),
            seats: 1,
            client_token: uuid::Uuid::new_v4().to_string(),
        };
        match store.hold(cfg, "portal", req, now) {
            Outcome::Created(b) => b.booking_id,
            o => panic!("{o:?}"),
        }
    }

    fn named(outcome: Outcome) -> Vec<String> {
        match outcome {
            Outcome::Failed(p) => {
                assert_eq!((p.status, p.code()), (422, "validation"), "{p:?}");
                p.errors.into_iter().map(|e| e.field).collect()
            }
            o => panic!("not refused: {o:?}"),
        }
    }

    #[test]
    fn a_confirmation_without_the_offers_resident_fields_is_refused_and_changes_nothing() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let mut store = Store::new(tx);
        let cfg = SandboxConfig::default();
        let now = Utc::now();
        // The trainer intro asks for the name and a phone number.
        let id = held(&mut store, &cfg, "sandbox-gym.intro", now);
        assert!(store.bookings[&id].resident.is_none(), "a hold has none");
        let confirm = |store: &mut Store, body: Option<Value>| {
            store.confirm(&cfg, "portal", &id, body.as_ref(), now)
        };
        assert_eq!(named(confirm(&mut store, None)), ["resident"]);
        assert_eq!(
            named(confirm(
                &mut store,
                Some(json!({"resident": {"name": "Aino"}}))
            )),
            ["resident.phone"]
        );
        assert_eq!(
            named(confirm(
                &mut store,
                Some(
                    json!({"resident": {"name": "Aino", "phone": "+358401234567", "email": "a@example.org"}})
                )
            )),
            ["resident.email"]
        );
        let rec = &store.bookings[&id];
        assert_eq!(rec.booking.status, BookingStatus::Held);
        assert!(rec.resident.is_none());

        let ok = confirm(
            &mut store,
            Some(json!({"resident": {"name": "Aino", "phone": "+358401234567"}})),
        );
        assert!(matches!(ok, Outcome::Ok(ref b) if b.status == BookingStatus::Confirmed));
        assert_eq!(
            store.bookings[&id].resident,
            Some(Resident {
                name: "Aino".into(),
                email: None,
                phone: Some("+358401234567".into()),
            })
        );
    }
}
