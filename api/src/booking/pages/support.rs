//! What the booking pages (`pages`, `pages::manage`) share: an offer's bookable
//! times in a window, who receives what a booking shares, dates and policies in words,
//! errors in the page's language (booking's and partners'), and error pages.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use fluent_bundle::FluentArgs;
use poem::Request;
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::booking::model::OfferKind;
use crate::booking::offers;
use crate::core::error::ErrorCode;
use crate::core::i18n;
use crate::core::locale::Locale;
use crate::web::state::AppState;
use entities::{listing, offer, organization};

/// Who receives the data a booking shares: the listing's organization, else the
/// listing (as the booking service records it).
pub async fn recipient(db: &DatabaseConnection, l: &listing::Model) -> String {
    if let Some(org) = l.organization_id {
        if let Ok(Some(o)) = organization::Entity::find_by_id(org).one(db).await {
            return o.name;
        }
    }
    crate::booking::model::listing_name(l)
}

/// A name in the page's language (else the other one).
pub fn localized(l: Locale, de: &str, en: &str) -> String {
    if l == Locale::En && !en.is_empty() || de.is_empty() {
        en.to_string()
    } else {
        de.to_string()
    }
}

fn args(pairs: &[(&str, String)]) -> FluentArgs<'static> {
    let mut a = FluentArgs::new();
    for (k, v) in pairs {
        match v.parse::<i64>() {
            Ok(n) => a.set(k.to_string(), n),
            Err(_) => a.set(k.to_string(), v.clone()),
        }
    }
    a
}

/// The message `key` with arguments.
pub fn t(state: &AppState, l: Locale, key: &str, pairs: &[(&str, String)]) -> String {
    state.i18n.t(l, key, Some(&args(pairs)))
}

/// "Montag, 01.12.2026" / "Monday, 1 Dec 2026".
pub fn day_label(state: &AppState, l: Locale, d: NaiveDate) -> String {
    let day = state.i18n.t(
        l,
        &format!("day-{}", d.weekday().num_days_from_monday()),
        None,
    );
    format!("{day}, {}", i18n::format_date(l, d))
}

/// "18:00" in the city's time.
pub fn clock(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

/// "18:00–19:00", or "18:00" without an end.
pub fn time_range(tz: Tz, start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> String {
    match end {
        Some(e) => format!("{}–{}", clock(tz, start), clock(tz, e)),
        None => clock(tz, start),
    }
}

/// When a booking takes place: "Montag, 01.12.2026, 18:00–19:00", or for a
/// membership its start date alone.
pub fn when(
    state: &AppState,
    l: Locale,
    kind: &str,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
) -> String {
    let tz = state.city.timezone;
    let day = day_label(state, l, start.with_timezone(&tz).date_naive());
    if kind == "membership" {
        t(state, l, "booking-starts-on", &[("date", day)])
    } else {
        format!("{day}, {}", time_range(tz, start, end))
    }
}

pub use crate::web::pages::date_time;

/// A span of minutes in words: "2 days", "3 hours", "90 minutes".
pub fn span(state: &AppState, l: Locale, minutes: i32) -> String {
    let m = minutes.max(0);
    if m > 0 && m % 1440 == 0 {
        t(state, l, "booking-days", &[("n", (m / 1440).to_string())])
    } else if m > 0 && m % 60 == 0 {
        t(state, l, "booking-hours", &[("n", (m / 60).to_string())])
    } else {
        t(state, l, "booking-minutes", &[("n", m.to_string())])
    }
}

/// The key of the words for what a booking shares.
pub fn shares_key(email: bool, phone: bool) -> &'static str {
    match (email, phone) {
        (false, false) => "booking-shares-name",
        (true, false) => "booking-shares-name-email",
        (false, true) => "booking-shares-name-phone",
        (true, true) => "booking-shares-all",
    }
}

/// An offer's kind and size in words: "Appointment, 30 minutes", "Class, 60 minutes,
/// up to 12 people", "Membership, 39 € / month (monthly)". What a partner-kept offer does
/// not tell is left out rather than shown as 0.
pub fn kind_line(state: &AppState, l: Locale, o: &offer::Model) -> String {
    let size = offers::size_of(o);
    let duration = size.duration_minutes.map(|d| span(state, l, d as i32));
    match (OfferKind::parse(&o.kind), duration) {
        (Some(OfferKind::Appointment), Some(d)) => t(
            state,
            l,
            "booking-kind-appointment-line",
            &[("duration", d)],
        ),
        (Some(OfferKind::Appointment), None) => state.i18n.t(l, "appt-kind-appointment", None),
        (Some(OfferKind::Class), d) => match (d, size.seats) {
            (Some(d), Some(n)) => t(
                state,
                l,
                "booking-kind-class-line",
                &[("duration", d), ("seats", n.to_string())],
            ),
            (Some(d), None) => t(state, l, "appt-kind-class-duration", &[("duration", d)]),
            (None, _) => state.i18n.t(l, "appt-kind-class", None),
        },
        _ => {
            let period = size
                .period
                .map(|p| state.i18n.t(l, &format!("period-{}", period_str(p)), None));
            match (offers::price_of(o, l.as_str()), period) {
                (Some(price), Some(period)) => t(
                    state,
                    l,
                    "booking-kind-membership-line",
                    &[("price", price), ("period", period)],
                ),
                (Some(price), None) => {
                    t(state, l, "appt-kind-membership-price", &[("price", price)])
                }
                (None, Some(period)) => t(
                    state,
                    l,
                    "appt-kind-membership-period",
                    &[("period", period)],
                ),
                (None, None) => state.i18n.t(l, "appt-kind-membership", None),
            }
        }
    }
}

/// The price of an offer that is not a membership (a membership's is in its kind line).
pub fn price_line(state: &AppState, l: Locale, o: &offer::Model) -> Option<String> {
    if o.kind == "membership" {
        return None;
    }
    offers::price_of(o, l.as_str()).map(|p| t(state, l, "appt-price", &[("price", p)]))
}

/// What to bring to an offer, in the page's language (else the other one).
pub fn bring(l: Locale, o: &offer::Model) -> Vec<String> {
    let list = offers::what_to_bring_of(o);
    let (first, second) = if l == Locale::En {
        (list.en, list.de)
    } else {
        (list.de, list.en)
    };
    if first.is_empty() {
        second
    } else {
        first
    }
}

/// The stored name of a membership period.
pub fn period_str(p: offers::MembershipPeriod) -> &'static str {
    match p {
        offers::MembershipPeriod::Month => "month",
        offers::MembershipPeriod::Quarter => "quarter",
        offers::MembershipPeriod::HalfYear => "half_year",
        offers::MembershipPeriod::Year => "year",
    }
}

/// An offer's booking policy in plain words, one sentence each.
pub fn policy(state: &AppState, l: Locale, o: &offer::Model, recipient: &str) -> Vec<String> {
    let mut out = Vec::new();
    out.push(if o.confirmation == "approval" {
        t(
            state,
            l,
            "booking-policy-approval",
            &[("who", recipient.to_string())],
        )
    } else {
        state.i18n.t(l, "booking-policy-instant", None)
    });
    if o.kind == "membership" {
        let anytime = offers::membership_of(o).is_some_and(|m| m.cancel_anytime);
        out.push(state.i18n.t(
            l,
            if anytime {
                "booking-policy-membership-anytime"
            } else {
                "booking-policy-membership-period"
            },
            None,
        ));
    }
    out.push(if o.cancel_deadline_minutes <= 0 {
        state.i18n.t(l, "booking-policy-cancel-until-start", None)
    } else {
        t(
            state,
            l,
            "booking-policy-cancel-until",
            &[("span", span(state, l, o.cancel_deadline_minutes))],
        )
    });
    if o.lead_time_minutes > 0 {
        out.push(t(
            state,
            l,
            "booking-policy-lead-time",
            &[("span", span(state, l, o.lead_time_minutes))],
        ));
    }
    if o.max_active_per_resident > 0 {
        out.push(t(
            state,
            l,
            "booking-policy-limit",
            &[("n", o.max_active_per_resident.to_string())],
        ));
    }
    out.push(t(
        state,
        l,
        "booking-policy-shares",
        &[
            ("who", recipient.to_string()),
            (
                "what",
                state
                    .i18n
                    .t(l, shares_key(o.collect_email, o.collect_phone), None),
            ),
        ],
    ));
    out
}

/// An error's title and explanation in the page's language (see
/// [`crate::web::pages::error_texts`]).
pub fn error_texts<E: ErrorCode + ?Sized>(state: &AppState, l: Locale, e: &E) -> (String, String) {
    let (title, text) = crate::web::pages::error_texts(state, l, e);
    (title, text.unwrap_or_default())
}

pub use crate::web::pages::error_page;
pub use crate::web::pages::see_other;

/// A `done=` flash of a redirect: a short word, nothing else.
pub fn flash(req: &Request) -> Option<String> {
    crate::web::pages::query_param(req, "done")
        .filter(|v| v.len() < 40 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// A local date from a query parameter.
pub fn date_param(req: &Request, name: &str) -> Option<NaiveDate> {
    crate::web::pages::query_param(req, name).and_then(|v| v.parse().ok())
}
