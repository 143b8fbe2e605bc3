//! The business side of booking in the dashboard: a listing's offers
//! (`/manage/listings/{id}/offers`), the offer editor for the three kinds with errors
//! next to their fields (and, for an organization with booking systems, the choice of
//! the portal's calendar or a partner's offer, listed live from the partner), and an
//! offer's bookings with approve/reject, no-show and
//! completed. Showing the bookings writes each resident's access log (that is the point
//! of the log). Plain forms with CSRF tokens.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Request, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::booking::availability::recurring_sessions;
use crate::booking::error::BookingError;
use crate::booking::model::OfferKind;
use crate::booking::offers::{
    self, AppointmentDetails, ClassDetails, Confirmation, MembershipDetails, MembershipPeriod,
    OfferInput, OfferStatus, PartnerLink, SessionRule,
};
use crate::booking::pages::support::{
    self as support, date_param, error_page, flash, localized, see_other,
};
use crate::booking::service::{self, Decision};
use crate::core::error::{ErrorCode, FieldMessage};
use crate::core::identity::AuthUser;
use crate::core::locale::Locale;
use crate::core::message::Message;
use crate::listings::hours::HourMinute;
use crate::listings::model::{
    LocalizedInput, LocalizedList, OpeningException, OpeningHoursInput, OpeningRule, Weekday,
};
use crate::listings::pages::form::{self, FormData, Rows, BLANK_EXCEPTIONS, INTERVALS};
use crate::listings::service::{self as listings, IfMatch};
use crate::msg;
use crate::web::extract::{protected_form, CheckedForm, PageUser};
use crate::web::pages::{render, PageCtx};
use crate::web::state::AppState;
use entities::{listing, offer, offer_slot};

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mo, "mo"),
    (Weekday::Tu, "tu"),
    (Weekday::We, "we"),
    (Weekday::Th, "th"),
    (Weekday::Fr, "fr"),
    (Weekday::Sa, "sa"),
    (Weekday::Su, "su"),
];
/// The number fields of the offer form that a partner offer has too (the others belong
/// to its times, seats and plan, which the partner keeps).
const PARTNER_OFFER_NUMBERS: [&str; 4] = [
    "cancel_deadline_minutes",
    "max_active_per_resident",
    "lead_time_minutes",
    "horizon_days",
];
/// The form fields of an offer's booking system: a partner connection of the listing's
/// organization (empty: the portal's own calendar) and the partner's offer reference.
const PARTNER_CONNECTION: &str = "partner_connection_id";
const PARTNER_REF: &str = "partner_offer_ref";
/// Blank rows for class sessions and membership start dates besides the existing ones.
const BLANK_ROWS: usize = 3;
/// At most this many rows of one kind are read from a form.
const MAX_ROWS: usize = 500;

const PERIODS: [(MembershipPeriod, &str); 4] = [
    (MembershipPeriod::Month, "month"),
    (MembershipPeriod::Quarter, "quarter"),
    (MembershipPeriod::HalfYear, "half_year"),
    (MembershipPeriod::Year, "year"),
];

/// A listing this user may edit; others get what the API answers them (see
/// [`listings::editable`]).
async fn editable_listing(
    state: &AppState,
    u: &AuthUser,
    id: &str,
) -> Result<listing::Model, BookingError> {
    Ok(listings::editable(&state.db, state.city.id, u, id)
        .await?
        .model)
}

/// An offer of a listing this user may edit.
async fn editable_offer(
    state: &AppState,
    u: &AuthUser,
    id: &str,
) -> Result<(offer::Model, listing::Model), BookingError> {
    let id = Uuid::parse_str(id).map_err(|_| BookingError::not_found("offer"))?;
    let (o, l) = offers::find_with_listing(&state.db, state.city.id, id)
        .await?
        .ok_or_else(|| BookingError::not_found("offer"))?;
    if !listings::can_edit(&state.db, u, &l)
        .await
        .map_err(BookingError::from)?
    {
        return Err(BookingError::not_found("offer"));
    }
    Ok((o, l))
}

/// `/manage/listings/{id}/offers`: a listing's offers and the way to add one.
#[handler]
pub async fn offers_page(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    let l = pc.locale;
    let listing = match editable_listing(&state, &u, &id).await {
        Ok(x) => x,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let found = offer::Entity::find()
        .filter(offer::Column::ListingId.eq(listing.id))
        .order_by_asc(offer::Column::CreatedAt)
        .order_by_asc(offer::Column::Id)
        .all(&state.db)
        .await
        .unwrap_or_default();
    render(
        &state,
        &pc,
        req,
        "offers_manage.html",
        StatusCode::OK,
        context! {
            listing => listing_ctx(l, &listing),
            offers => found.iter().map(|o| context! {
                id => o.id.to_string(),
                name => localized(l, &o.name_de, &o.name_en),
                kind => o.kind.clone(),
                kind_line => support::kind_line(&state, l, o),
                status => o.status.clone(),
            }).collect::<Vec<_>>(),
            done => flash(req),
        },
    )
}

fn listing_ctx(l: Locale, m: &listing::Model) -> minijinja::Value {
    context! {
        id => m.id.to_string(),
        name => localized(l, &m.name_de, &m.name_en),
        status => m.status.clone(),
        public_url => format!("/{}/{}", if m.kind == "municipal_service" { "services" } else { "listings" }, m.slug),
    }
}

/// A submitted offer form, turned into the API's input.
struct Parsed {
    input: OfferInput,
    /// Where each submitted availability rule and exception came from.
    rows: Rows,
    /// The form row of each submitted class session.
    sessions: Vec<String>,
    /// Type errors found while reading the form.
    pre: Vec<FieldMessage>,
}

fn bad(pre: &mut Vec<FieldMessage>, field: &str, message: Message) {
    pre.push(FieldMessage {
        field: field.into(),
        message,
    });
}

/// A whole number field; `None` when empty.
fn number(f: &FormData, id: &str, pre: &mut Vec<FieldMessage>) -> Option<u32> {
    let v = f.get(id);
    if v.is_empty() {
        return None;
    }
    match v.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            bad(pre, id, msg!("v-booking-whole-number"));
            None
        }
    }
}

fn date(f: &FormData, id: &str, pre: &mut Vec<FieldMessage>) -> Option<NaiveDate> {
    let v = f.get(id);
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            bad(pre, id, msg!("v-date"));
            None
        }
    }
}

fn opt(f: &FormData, id: &str) -> Option<String> {
    Some(f.get(id)).filter(|v| !v.is_empty())
}

/// Rows `{prefix}{i}...` present in the form, in order (each row has a field
/// `{prefix}{i}` or `{prefix}{i}_...`).
fn row_ids(f: &FormData, prefix: &str) -> Vec<String> {
    (0..MAX_ROWS)
        .map(|i| format!("{prefix}{i}"))
        .take_while(|id| {
            f.0.iter()
                .any(|(k, _)| k == id || k.starts_with(&format!("{id}_")))
        })
        .collect()
}

fn parse_form(f: &FormData, kind: OfferKind) -> Parsed {
    let mut pre = Vec::new();
    let mut rows = Rows::default();
    let mut sessions = Vec::new();
    let status = match f.get("status").as_str() {
        "draft" => OfferStatus::Draft,
        "archived" => OfferStatus::Archived,
        _ => OfferStatus::Active,
    };
    let confirmation = if f.get("confirmation") == "approval" {
        Confirmation::Approval
    } else {
        Confirmation::Instant
    };
    let cancel_deadline_minutes = number(f, "cancel_deadline_minutes", &mut pre);
    let max_active_per_resident = number(f, "max_active_per_resident", &mut pre);
    let lead_time_minutes = number(f, "lead_time_minutes", &mut pre);
    let horizon_days = number(f, "horizon_days", &mut pre);
    let appointment = (kind == OfferKind::Appointment).then(|| {
        let mut weekly = Vec::new();
        for (d, (wd, _)) in WEEKDAYS.iter().enumerate() {
            for n in 0..INTERVALS {
                let id = format!("h{d}_{n}");
                let (o, c) = (
                    f.get(&format!("{id}_opens")),
                    f.get(&format!("{id}_closes")),
                );
                if o.is_empty() && c.is_empty() {
                    continue;
                }
                weekly.push(OpeningRule {
                    weekday: *wd,
                    opens: o,
                    closes: c,
                });
                rows.rules.push(id);
            }
        }
        let mut exceptions = Vec::new();
        for id in row_ids(f, "x") {
            let Some(day) = date(f, &format!("{id}_date"), &mut pre) else {
                continue;
            };
            exceptions.push(OpeningException {
                date: day,
                closed: !f.get(&format!("{id}_closed")).is_empty(),
                opens: opt(f, &format!("{id}_opens")),
                closes: opt(f, &format!("{id}_closes")),
                note: opt(f, &format!("{id}_note")),
            });
            rows.exceptions.push(id);
        }
        AppointmentDetails {
            duration_minutes: number(f, "duration_minutes", &mut pre).unwrap_or(0),
            parallel: number(f, "parallel", &mut pre).unwrap_or(1),
            availability: OpeningHoursInput { weekly, exceptions },
            closed_on_holidays: !f.get("closed_on_holidays").is_empty(),
        }
    });
    let class = (kind == OfferKind::Class).then(|| {
        let mut list = Vec::new();
        for id in row_ids(f, "s") {
            let v = f.get(&id);
            if v.is_empty() {
                continue;
            }
            let parsed = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|fmt| NaiveDateTime::parse_from_str(&v, fmt).ok());
            match parsed {
                Some(t) => {
                    list.push(t);
                    sessions.push(id);
                }
                None => bad(&mut pre, &id, msg!("v-booking-date-time")),
            }
        }
        let days: Vec<Weekday> = f
            .all("rw")
            .iter()
            .filter_map(|v| WEEKDAYS.iter().find(|(_, s)| s == v).map(|(w, _)| *w))
            .collect();
        let (time, from, until) = (f.get("r_time"), f.get("r_from"), f.get("r_until"));
        let recurrence =
            if days.is_empty() && time.is_empty() && from.is_empty() && until.is_empty() {
                None
            } else {
                let from = date(f, "r_from", &mut pre);
                let until = date(f, "r_until", &mut pre);
                if f.get("r_from").is_empty() {
                    bad(&mut pre, "r_from", msg!("v-booking-required"));
                }
                if f.get("r_until").is_empty() {
                    bad(&mut pre, "r_until", msg!("v-booking-required"));
                }
                match (from, until) {
                    (Some(from), Some(until)) => Some(SessionRule {
                        weekdays: days,
                        time,
                        from,
                        until,
                    }),
                    _ => None,
                }
            };
        ClassDetails {
            seats: number(f, "seats", &mut pre).unwrap_or(0),
            duration_minutes: number(f, "class_duration_minutes", &mut pre).unwrap_or(0),
            sessions: list,
            recurrence,
        }
    });
    let membership = (kind == OfferKind::Membership).then(|| {
        let mut start_dates = Vec::new();
        for id in row_ids(f, "d") {
            if let Some(d) = date(f, &id, &mut pre) {
                start_dates.push(d);
            }
        }
        MembershipDetails {
            period: PERIODS
                .iter()
                .find(|(_, s)| *s == f.get("period"))
                .map(|(p, _)| *p)
                .unwrap_or(MembershipPeriod::Month),
            price: f.get("price"),
            start_dates,
            cancel_anytime: !f.get("cancel_anytime").is_empty(),
        }
    });
    let input = OfferInput {
        kind,
        name: LocalizedInput {
            de: opt(f, "name_de"),
            en: opt(f, "name_en"),
        },
        description: Some(LocalizedInput {
            de: opt(f, "description_de"),
            en: opt(f, "description_en"),
        }),
        price: Some(LocalizedInput {
            de: opt(f, "offer_price_de"),
            en: opt(f, "offer_price_en"),
        }),
        what_to_bring: LocalizedList {
            de: form_lines(&f.get("bring_de")),
            en: form_lines(&f.get("bring_en")),
        },
        status: Some(status),
        confirmation: Some(confirmation),
        cancel_deadline_minutes,
        max_active_per_resident,
        collect_email: !f.get("collect_email").is_empty(),
        collect_phone: !f.get("collect_phone").is_empty(),
        lead_time_minutes,
        horizon_days,
        appointment,
        class,
        membership,
        partner: None,
    };
    Parsed {
        input,
        rows,
        sessions,
        pre,
    }
}

/// A text area's non-empty lines, trimmed.
fn form_lines(v: &str) -> Vec<String> {
    v.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The form id an offer field path (`appointment.availability.weekly[0].opens`,
/// `class.sessions[2]`, ...) belongs to.
fn offer_field(path: &str, rows: &Rows, sessions: &[String]) -> String {
    if let Some(rest) = path.strip_prefix("appointment.availability") {
        // The availability editor is the listing hours editor.
        return form::form_field(&format!("opening_hours{rest}"), rows);
    }
    if let Some(rest) = path.strip_prefix("class.sessions[") {
        let i: Option<usize> = rest.split(']').next().and_then(|n| n.parse().ok());
        return i
            .and_then(|i| sessions.get(i).cloned())
            .unwrap_or_else(|| "s0".into());
    }
    match path {
        "name" | "name.de" => "name_de",
        "name.en" => "name_en",
        "description.de" => "description_de",
        "description.en" => "description_en",
        "price.de" => "offer_price_de",
        "price.en" => "offer_price_en",
        p if p.starts_with("what_to_bring.de") => "bring_de",
        p if p.starts_with("what_to_bring.en") => "bring_en",
        "appointment.duration_minutes" => "duration_minutes",
        "appointment.parallel" => "parallel",
        "appointment" => "duration_minutes",
        "class.seats" | "class" => "seats",
        "class.duration_minutes" => "class_duration_minutes",
        "class.sessions" => "s0",
        "class.recurrence.time" => "r_time",
        "class.recurrence.weekdays" => "rw_mo",
        "class.recurrence.from" => "r_from",
        "class.recurrence.until" => "r_until",
        "membership.price" | "membership" => "price",
        "membership.period" => "period",
        "membership.start_dates" => "d0",
        // A partner link's (the kind only differs from the stored one for a partner's
        // offer of another kind).
        "partner" | "partner.connection_id" => PARTNER_CONNECTION,
        "partner.offer_ref" | "kind" => PARTNER_REF,
        other => return other.replace(['.', '[', ']'], "_"),
    }
    .to_string()
}

/// The class sessions that were given one by one: future open sessions that the weekly
/// rule did not make.
async fn single_sessions(
    state: &AppState,
    o: &offer::Model,
    rule: Option<&SessionRule>,
    duration: u32,
) -> Vec<NaiveDateTime> {
    let tz = state.city.timezone;
    let generated: Vec<chrono::DateTime<Utc>> = rule
        .and_then(|r| {
            let t = HourMinute::parse(r.time.trim())?;
            let days: Vec<chrono::Weekday> = r.weekdays.iter().map(|w| w.to_chrono()).collect();
            Some(
                recurring_sessions(&days, t, duration, tz, r.from, r.until)
                    .into_iter()
                    .map(|s| s.start)
                    .collect(),
            )
        })
        .unwrap_or_default();
    offer_slot::Entity::find()
        .filter(offer_slot::Column::OfferId.eq(o.id))
        .filter(offer_slot::Column::Status.eq("open"))
        .filter(offer_slot::Column::StartsAt.gt(Utc::now()))
        .order_by_asc(offer_slot::Column::StartsAt)
        .all(&state.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|s| !generated.contains(&s.starts_at))
        .map(|s| s.starts_at.with_timezone(&tz).naive_local())
        .collect()
}

/// The form values of a stored offer.
async fn offer_values(state: &AppState, o: &offer::Model) -> HashMap<String, String> {
    let api = offers::to_api(o);
    let mut v = HashMap::new();
    let mut put = |k: &str, val: String| {
        if !val.is_empty() {
            v.insert(k.to_string(), val);
        }
    };
    put("name_de", api.name.de.clone());
    put("name_en", api.name.en.clone());
    put("description_de", api.description.de.clone());
    put("description_en", api.description.en.clone());
    put("offer_price_de", api.price.de.clone());
    put("offer_price_en", api.price.en.clone());
    put("bring_de", api.what_to_bring.de.join("\n"));
    put("bring_en", api.what_to_bring.en.join("\n"));
    put("status", api.status.as_str().into());
    put("confirmation", api.confirmation.as_str().into());
    put(
        "cancel_deadline_minutes",
        api.cancel_deadline_minutes.to_string(),
    );
    put(
        "max_active_per_resident",
        api.max_active_per_resident.to_string(),
    );
    put("lead_time_minutes", api.lead_time_minutes.to_string());
    put("horizon_days", api.horizon_days.to_string());
    if api.collect_email {
        put("collect_email", "1".into());
    }
    if api.collect_phone {
        put("collect_phone", "1".into());
    }
    if let Some(a) = &api.appointment {
        put("duration_minutes", a.duration_minutes.to_string());
        put("parallel", a.parallel.to_string());
        if a.closed_on_holidays {
            put("closed_on_holidays", "1".into());
        }
        for (d, (wd, _)) in WEEKDAYS.iter().enumerate() {
            let day: Vec<&OpeningRule> = a
                .availability
                .weekly
                .iter()
                .filter(|r| r.weekday == *wd)
                .collect();
            for (n, r) in day.iter().take(INTERVALS).enumerate() {
                put(&format!("h{d}_{n}_opens"), r.opens.clone());
                put(&format!("h{d}_{n}_closes"), r.closes.clone());
            }
        }
        for (i, e) in a.availability.exceptions.iter().enumerate() {
            put(&format!("x{i}_date"), e.date.to_string());
            if e.closed {
                put(&format!("x{i}_closed"), "1".into());
            }
            put(&format!("x{i}_opens"), e.opens.clone().unwrap_or_default());
            put(
                &format!("x{i}_closes"),
                e.closes.clone().unwrap_or_default(),
            );
            put(&format!("x{i}_note"), e.note.clone().unwrap_or_default());
        }
    }
    if let Some(c) = &api.class {
        put("seats", c.seats.to_string());
        put("class_duration_minutes", c.duration_minutes.to_string());
        if let Some(r) = &c.recurrence {
            let days: Vec<&str> = WEEKDAYS
                .iter()
                .filter(|(w, _)| r.weekdays.contains(w))
                .map(|(_, s)| *s)
                .collect();
            put("rw", days.join(","));
            put("r_time", r.time.clone());
            put("r_from", r.from.to_string());
            put("r_until", r.until.to_string());
        }
        let singles = single_sessions(state, o, c.recurrence.as_ref(), c.duration_minutes).await;
        for (i, s) in singles.iter().enumerate() {
            put(&format!("s{i}"), s.format("%Y-%m-%dT%H:%M").to_string());
        }
    }
    if let Some(m) = &api.membership {
        put(
            "period",
            PERIODS
                .iter()
                .find(|(p, _)| *p == m.period)
                .map(|(_, s)| s.to_string())
                .unwrap_or_default(),
        );
        put("price", m.price.clone());
        for (i, d) in m.start_dates.iter().enumerate() {
            put(&format!("d{i}"), d.to_string());
        }
        if m.cancel_anytime {
            put("cancel_anytime", "1".into());
        }
    }
    if let Some(c) = o.partner_connection_id {
        put(PARTNER_CONNECTION, c.to_string());
        put(PARTNER_REF, o.partner_offer_ref.clone().unwrap_or_default());
    }
    v.insert("version".into(), o.version.to_string());
    v
}

/// How many rows `{prefix}{i}` the values fill (up to the last one not empty).
fn rows_in(values: &HashMap<String, String>, prefix: &str, suffix: &str) -> usize {
    (0..MAX_ROWS)
        .map(|i| values.get(&format!("{prefix}{i}{suffix}")))
        .take_while(Option::is_some)
        .enumerate()
        .filter(|(_, v)| v.is_some_and(|v| !v.trim().is_empty()))
        .map(|(i, _)| i + 1)
        .last()
        .unwrap_or(0)
}

/// The partner link a submitted form asks for (`None`: the portal's own calendar), with
/// the errors of its fields. A form without the booking system field (the offer was
/// saved by an older page) keeps the stored link.
fn form_link(
    f: &FormData,
    stored: Option<PartnerLink>,
) -> (Option<PartnerLink>, Vec<FieldMessage>) {
    let mut errors = Vec::new();
    if !f.0.iter().any(|(k, _)| k == PARTNER_CONNECTION) {
        return (stored, errors);
    }
    let connection = f.get(PARTNER_CONNECTION);
    let offer_ref = f.get(PARTNER_REF).trim().to_string();
    if connection.trim().is_empty() {
        if !offer_ref.is_empty() {
            bad(
                &mut errors,
                "partner.connection_id",
                msg!("v-booking-choose-connection"),
            );
        }
        return (None, errors);
    }
    let Ok(connection_id) = Uuid::parse_str(connection.trim()) else {
        bad(
            &mut errors,
            "partner.connection_id",
            msg!("v-booking-partner-connection"),
        );
        return (None, errors);
    };
    if offer_ref.is_empty() {
        bad(&mut errors, "partner.offer_ref", msg!("v-booking-required"));
    }
    (
        Some(PartnerLink {
            connection_id,
            offer_ref,
        }),
        errors,
    )
}

/// A field message of the offer form or service in the page's language (the kind of a
/// partner's offer in words).
fn message(state: &AppState, l: Locale, m: &Message) -> String {
    if m.key == "v-booking-partner-kind" {
        if let Some(kind) = m.args.get("kind") {
            let kind = state.i18n.t(l, &format!("pc-kind-{kind}"), None);
            return state
                .i18n
                .message(l, &msg!("v-booking-partner-kind", kind = kind));
        }
    }
    state.i18n.message(l, m)
}

/// The organization's booking systems for the editor: its connections, the offers of
/// the editor's kind that each active one has now (asked live), and the words to show
/// when one of them did not answer (then the reference is typed in).
#[derive(Default)]
struct PartnerChoices {
    /// id, name, whether it is active.
    connections: Vec<(String, String, bool)>,
    groups: Vec<OfferGroup>,
    down: Option<String>,
}

/// The offers of the editor's kind one connection lists.
struct OfferGroup {
    connection_id: String,
    name: String,
    /// Reference and name of each.
    offers: Vec<(String, String)>,
}

async fn partner_choices(
    state: &AppState,
    u: &AuthUser,
    l: Locale,
    listing: &listing::Model,
    kind: OfferKind,
) -> PartnerChoices {
    use crate::partners::connections;
    use partner_contract::model::OfferKind as PKind;
    let mut choices = PartnerChoices::default();
    let Some(org) = listing.organization_id else {
        return choices;
    };
    let list = connections::list(&state.db, state.city.id, u, org)
        .await
        .unwrap_or_default();
    let mut failed = Vec::new();
    for m in &list {
        let active = m.status == "active";
        choices
            .connections
            .push((m.id.to_string(), m.name.clone(), active));
        if !active {
            continue;
        }
        let answer = match connections::open(&state.partners, m) {
            Ok(c) => connections::partner_offers_for_editor(&state.partners, &c)
                .await
                .map_err(|e| {
                    tracing::warn!(connection = %m.id, error = %e, "listing partner offers failed");
                })
                .ok(),
            Err(_) => None,
        };
        let Some(answer) = answer else {
            failed.push(m.name.clone());
            continue;
        };
        let offers = answer
            .offers
            .into_iter()
            .filter(|o| {
                let k = match o.kind {
                    PKind::Appointment => OfferKind::Appointment,
                    PKind::Class => OfferKind::Class,
                    PKind::Membership => OfferKind::Membership,
                };
                k == kind
            })
            .map(|o| (o.offer_id, o.name))
            .collect();
        choices.groups.push(OfferGroup {
            connection_id: m.id.to_string(),
            name: m.name.clone(),
            offers,
        });
    }
    if !failed.is_empty() {
        choices.down = Some(support::t(
            state,
            l,
            "offer-partner-down",
            &[("names", failed.join(", "))],
        ));
    }
    choices
}

/// Renders the offer editor.
#[allow(clippy::too_many_arguments)]
fn editor(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    status: StatusCode,
    kind: OfferKind,
    action: String,
    listing: &listing::Model,
    existing: Option<&offer::Model>,
    choices: &PartnerChoices,
    values: HashMap<String, String>,
    summary: Vec<(String, String)>,
) -> Response {
    let l = pc.locale;
    let chosen = values.get(PARTNER_CONNECTION).cloned().unwrap_or_default();
    let chosen_ref = values.get(PARTNER_REF).cloned().unwrap_or_default();
    // A reference the chosen system does not list (mistyped, or no longer offered) stays
    // selected, so that it is shown with its error and not silently replaced.
    let listed = choices
        .groups
        .iter()
        .any(|g| g.connection_id == chosen && g.offers.iter().any(|(r, _)| *r == chosen_ref));
    // The times, seats and plan are the partner's while the offer stays linked; a form
    // switching to the portal's calendar (or a new offer) shows them.
    let partner = existing.filter(|_| !chosen.is_empty()).and_then(|o| {
        o.partner_connection_id.map(|c| {
            context! {
                connection_id => c.to_string(),
                offer_ref => o.partner_offer_ref.clone().unwrap_or_default(),
            }
        })
    });
    let mut field_errors = HashMap::new();
    for (id, msg) in &summary {
        field_errors
            .entry(id.clone())
            .or_insert_with(|| msg.clone());
    }
    let rw: Vec<String> = values
        .get("rw")
        .map(|v| v.split(',').map(String::from).collect())
        .unwrap_or_default();
    let day_name = |d: usize| state.i18n.t(l, &format!("day-{d}"), None);
    render(
        state,
        pc,
        req,
        "offer_form.html",
        status,
        context! {
            kind => kind.as_str(),
            action,
            listing => listing_ctx(l, listing),
            offer => existing.map(|o| context! {
                id => o.id.to_string(),
                name => localized(l, &o.name_de, &o.name_en),
            }),
            partner,
            connections => choices.connections.iter().map(|(id, name, active)| context! {
                id, name, active => *active, selected => *id == chosen,
            }).collect::<Vec<_>>(),
            partner_groups => choices.groups.iter().map(|g| context! {
                name => g.name.clone(),
                offers => g.offers.iter().map(|(offer_ref, name)| context! {
                    offer_ref,
                    name,
                    selected => g.connection_id == chosen && *offer_ref == chosen_ref,
                }).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            partner_other_ref => (!listed && !chosen_ref.is_empty()).then_some(chosen_ref.clone()),
            partner_down => choices.down.clone(),
            days => (0..7).map(|d| context! { d, name => day_name(d) }).collect::<Vec<_>>(),
            weekdays => WEEKDAYS.iter().enumerate().map(|(d, (_, s))| context! {
                value => *s,
                name => day_name(d),
                checked => rw.iter().any(|x| x == s),
            }).collect::<Vec<_>>(),
            periods => PERIODS.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
            intervals => (0..INTERVALS).collect::<Vec<_>>(),
            exception_rows => (0..rows_in(&values, "x", "_date") + BLANK_EXCEPTIONS).collect::<Vec<_>>(),
            session_rows => (0..rows_in(&values, "s", "") + BLANK_ROWS).collect::<Vec<_>>(),
            date_rows => (0..rows_in(&values, "d", "") + BLANK_ROWS).collect::<Vec<_>>(),
            v => values,
            e => field_errors,
            errors => summary.into_iter().map(|(field, message)| context! { field, message }).collect::<Vec<_>>(),
            done => flash(req),
        },
    )
}

fn kind_param(req: &Request) -> OfferKind {
    crate::web::pages::query_param(req, "kind")
        .and_then(|k| OfferKind::parse(&k))
        .unwrap_or(OfferKind::Appointment)
}

/// `/manage/listings/{id}/offers/new?kind=`: the editor for a new offer.
#[handler]
pub async fn new_offer_form(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    let listing = match editable_listing(&state, &u, &id).await {
        Ok(x) => x,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let kind = kind_param(req);
    let mut values = HashMap::from([
        ("confirmation".to_string(), "instant".to_string()),
        ("status".to_string(), "active".to_string()),
        ("horizon_days".to_string(), "60".to_string()),
        ("cancel_deadline_minutes".to_string(), "0".to_string()),
        ("lead_time_minutes".to_string(), "0".to_string()),
        ("max_active_per_resident".to_string(), "0".to_string()),
    ]);
    if kind == OfferKind::Appointment {
        values.insert("parallel".into(), "1".into());
    }
    let choices = partner_choices(&state, &u, pc.locale, &listing, kind).await;
    editor(
        &state,
        &pc,
        req,
        StatusCode::OK,
        kind,
        format!("/manage/listings/{}/offers", listing.id),
        &listing,
        None,
        &choices,
        values,
        Vec::new(),
    )
}

/// Validates a submitted offer form; on failure, the errors by form id in order. An
/// offer booked through a partner (the form's link, or `stored` when the form has no
/// booking system field) leaves out its times, seats and plan: the partner keeps them,
/// and its confirmation and the data it shares.
fn validated(
    state: &AppState,
    l: Locale,
    f: &FormData,
    kind: OfferKind,
    stored: Option<PartnerLink>,
) -> Result<OfferInput, Vec<(String, String)>> {
    let mut parsed = parse_form(f, kind);
    let (link, link_errors) = form_link(f, stored);
    if let Some(link) = link {
        parsed.input.partner = Some(link);
        parsed.input.appointment = None;
        parsed.input.class = None;
        parsed.input.membership = None;
        parsed
            .pre
            .retain(|e| PARTNER_OFFER_NUMBERS.contains(&e.field.as_str()));
    }
    let mut all = link_errors;
    all.append(&mut parsed.pre);
    if let Err(e) = parsed.input.clone().validate(state.city.timezone) {
        // One message per field: the form's own check of a field comes first.
        let more: Vec<FieldMessage> = e
            .fields()
            .iter()
            .filter(|e| !all.iter().any(|a| a.field == e.field))
            .cloned()
            .collect();
        all.extend(more);
    }
    if all.is_empty() {
        return Ok(parsed.input);
    }
    Err(all
        .into_iter()
        .map(|e| {
            (
                offer_field(&e.field, &parsed.rows, &parsed.sessions),
                message(state, l, &e.message),
            )
        })
        .collect())
}

/// Problems of the service as errors of the editor (a validation problem by field; a
/// booking system that did not answer, or a link that cannot change under running
/// bookings, next to the booking system), with the status to answer; `None` for
/// problems shown as a page of their own.
fn placed(
    state: &AppState,
    l: Locale,
    e: &BookingError,
) -> Option<(StatusCode, Vec<(String, String)>)> {
    let status = StatusCode::from_u16(e.status()).ok()?;
    match e.status() {
        422 if e.fields().is_empty() => {
            let (title, text) = support::error_texts(state, l, e);
            Some((
                status,
                vec![("name_de".into(), if text.is_empty() { title } else { text })],
            ))
        }
        422 => Some((
            status,
            e.fields()
                .iter()
                .map(|f| {
                    (
                        offer_field(&f.field, &Rows::default(), &[]),
                        message(state, l, &f.message),
                    )
                })
                .collect(),
        )),
        _ if matches!(e, BookingError::OfferHasBookings { .. }) => Some((
            status,
            vec![(
                PARTNER_CONNECTION.into(),
                state.i18n.message(l, &e.message()),
            )],
        )),
        503 => Some((
            status,
            vec![(
                PARTNER_REF.into(),
                state.i18n.t(l, "offer-partner-unchecked", None),
            )],
        )),
        _ => None,
    }
}

/// `POST /manage/listings/{id}/offers`: creates an offer.
#[handler]
pub async fn create_offer(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(f): CheckedForm<FormData>,
) -> Response {
    let listing = match editable_listing(&state, &u, &id).await {
        Ok(x) => x,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let kind = OfferKind::parse(&f.get("kind")).unwrap_or(OfferKind::Appointment);
    let (status, summary) = match validated(&state, pc.locale, &f, kind, None) {
        Err(summary) => (StatusCode::UNPROCESSABLE_ENTITY, summary),
        Ok(input) => {
            let c = state.booking_ctx();
            match offers::create(
                &state.db,
                &c.partners,
                c.city_id,
                c.tz,
                &u,
                &listing.id.to_string(),
                input,
            )
            .await
            {
                Ok(_) => {
                    return see_other(format!(
                        "/manage/listings/{}/offers?done=offer-created",
                        listing.id
                    ))
                }
                Err(p) => match placed(&state, pc.locale, &p) {
                    Some(x) => x,
                    None => return error_page(&state, &pc, req, &p),
                },
            }
        }
    };
    let choices = partner_choices(&state, &u, pc.locale, &listing, kind).await;
    editor(
        &state,
        &pc,
        req,
        status,
        kind,
        format!("/manage/listings/{}/offers", listing.id),
        &listing,
        None,
        &choices,
        f.values(),
        summary,
    )
}

/// `/manage/offers/{id}`: the editor of an offer.
#[handler]
pub async fn edit_offer_form(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    let (o, listing) = match editable_offer(&state, &u, &id).await {
        Ok(x) => x,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let values = offer_values(&state, &o).await;
    let kind = OfferKind::parse(&o.kind).unwrap_or(OfferKind::Appointment);
    let choices = partner_choices(&state, &u, pc.locale, &listing, kind).await;
    editor(
        &state,
        &pc,
        req,
        StatusCode::OK,
        kind,
        format!("/manage/offers/{}", o.id),
        &listing,
        Some(&o),
        &choices,
        values,
        Vec::new(),
    )
}

/// `POST /manage/offers/{id}`: saves an offer (refused when someone saved it meanwhile).
#[handler]
pub async fn update_offer(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(f): CheckedForm<FormData>,
) -> Response {
    let (o, listing) = match editable_offer(&state, &u, &id).await {
        Ok(x) => x,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let kind = OfferKind::parse(&o.kind).unwrap_or(OfferKind::Appointment);
    let link = match (o.partner_connection_id, &o.partner_offer_ref) {
        (Some(connection_id), Some(offer_ref)) => Some(PartnerLink {
            connection_id,
            offer_ref: offer_ref.clone(),
        }),
        _ => None,
    };
    let mut values = f.values();
    if !values.contains_key(PARTNER_CONNECTION) {
        if let Some(link) = &link {
            values.insert(PARTNER_CONNECTION.into(), link.connection_id.to_string());
            values.insert(PARTNER_REF.into(), link.offer_ref.clone());
        }
    }
    let version = f.get("version").parse::<i32>().unwrap_or(0);
    let (status, summary) = match validated(&state, pc.locale, &f, kind, link) {
        Err(summary) => (StatusCode::UNPROCESSABLE_ENTITY, summary),
        Ok(input) => {
            let c = state.booking_ctx();
            match offers::update(
                &state.db,
                &c.partners,
                c.city_id,
                c.tz,
                &u,
                o.id,
                Some(&IfMatch::Versions(vec![version])),
                input,
            )
            .await
            {
                Ok(m) => return see_other(format!("/manage/offers/{}?done=offer-saved", m.id)),
                Err(BookingError::StaleVersion { .. }) => {
                    values.insert("version".into(), version.to_string());
                    let msg = pc.t(&state, "offer-error-stale");
                    (
                        StatusCode::PRECONDITION_FAILED,
                        vec![("name_de".into(), msg)],
                    )
                }
                Err(p) => match placed(&state, pc.locale, &p) {
                    Some(x) => x,
                    None => return error_page(&state, &pc, req, &p),
                },
            }
        }
    };
    let choices = partner_choices(&state, &u, pc.locale, &listing, kind).await;
    editor(
        &state,
        &pc,
        req,
        status,
        kind,
        format!("/manage/offers/{}", o.id),
        &listing,
        Some(&o),
        &choices,
        values,
        summary,
    )
}

/// The dates of the bookings view: `from` (default today) to `to` (default two weeks
/// on), at most 92 days.
fn range(req: &Request, tz: chrono_tz::Tz) -> (NaiveDate, NaiveDate) {
    let from = date_param(req, "from").unwrap_or_else(|| crate::booking::model::today(tz));
    let to = date_param(req, "to")
        .filter(|t| *t >= from)
        .unwrap_or(from + Duration::days(13))
        .min(from + Duration::days(91));
    (from, to)
}

/// `/manage/offers/{id}/bookings?from=&to=`: an offer's bookings with the data each
/// shares. Every booking shown is written to its resident's access log.
#[handler]
pub async fn bookings_page(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    let l = pc.locale;
    let (o, listing) = match editable_offer(&state, &u, &id).await {
        Ok(x) => x,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let c = state.booking_ctx();
    let (from, to) = range(req, c.tz);
    let views = match service::for_business(
        &state.db,
        &c,
        &u,
        o.id,
        crate::booking::model::day_start(c.tz, from),
        crate::booking::model::day_start(c.tz, to + Duration::days(1)),
    )
    .await
    {
        Ok(v) => v,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let now = Utc::now();
    let items: Vec<minijinja::Value> = views
        .iter()
        .map(|v| {
            let b = &v.booking;
            // The contact reaches the business when the resident confirms, not before.
            let shared = v.is_shared();
            context! {
                id => b.id.to_string(),
                when => support::when(&state, l, &o.kind, b.starts_at, b.ends_at),
                status => b.status.clone(),
                status_text => state.i18n.t(l, &format!("offer-booking-status-{}", b.status), None),
                shared,
                name => shared.then(|| b.contact_name.clone()),
                email => shared.then(|| b.contact_email.clone()).flatten(),
                phone => shared.then(|| b.contact_phone.clone()).flatten(),
                can_decide => b.status == "requested",
                can_finish => b.status == "confirmed" && b.starts_at <= now,
            }
        })
        .collect();
    render(
        &state,
        &pc,
        req,
        "offer_bookings.html",
        StatusCode::OK,
        context! {
            listing => listing_ctx(l, &listing),
            offer => context! {
                id => o.id.to_string(),
                name => localized(l, &o.name_de, &o.name_en),
                kind_line => support::kind_line(&state, l, &o),
            },
            from => from.to_string(),
            to => to.to_string(),
            range_text => support::t(&state, l, "offer-bookings-range", &[
                ("from", crate::core::i18n::format_date(l, from)),
                ("to", crate::core::i18n::format_date(l, to)),
            ]),
            items,
            done => flash(req),
        },
    )
}

#[derive(serde::Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

protected_form!(DecisionForm);

/// `POST /manage/bookings/{id}/decision`: approve, reject, no-show or completed.
#[handler]
pub async fn decide(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(f): CheckedForm<DecisionForm>,
) -> Response {
    let decision = match f.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        "no_show" => Decision::NoShow,
        "completed" => Decision::Completed,
        _ => return error_page(&state, &pc, req, &BookingError::UnknownDecision),
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(&state, &pc, req, &BookingError::not_found("booking"));
    };
    match service::decide(&state.db, &state.booking_ctx(), &u, id, decision).await {
        Ok(v) => {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, val) in [("from", &f.from), ("to", &f.to)] {
                if val.parse::<NaiveDate>().is_ok() {
                    q.append_pair(k, val);
                }
            }
            q.append_pair("done", &format!("decided-{}", f.decision.replace('_', "-")));
            see_other(format!(
                "/manage/offers/{}/bookings?{}#b-{}",
                v.offer.id,
                q.finish(),
                v.booking.id
            ))
        }
        Err(p) => error_page(&state, &pc, req, &p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn an_appointment_form_becomes_input_and_its_errors_find_their_fields() {
        let f = form(&[
            ("name_de", "Termin"),
            ("duration_minutes", "30"),
            ("parallel", ""),
            ("h1_0_opens", "09:00"),
            ("h1_0_closes", "12:00"),
            ("h3_1_opens", "14:00"),
            ("h3_1_closes", "13:00"),
            ("x0_date", "2026-12-24"),
            ("x0_closed", "1"),
            ("x1_date", ""),
            ("horizon_days", "x"),
        ]);
        let p = parse_form(&f, OfferKind::Appointment);
        assert_eq!(p.pre.len(), 1);
        assert_eq!(p.pre[0].field, "horizon_days");
        assert_eq!(p.rows.rules, vec!["h1_0", "h3_1"]);
        assert_eq!(p.rows.exceptions, vec!["x0"]);
        let a = p.input.appointment.clone().unwrap();
        assert_eq!((a.duration_minutes, a.parallel), (30, 1));
        let Err(err) = p.input.validate(chrono_tz::Europe::Berlin) else {
            panic!("invalid on purpose")
        };
        let ids: Vec<String> = err
            .fields()
            .iter()
            .map(|e| offer_field(&e.field, &p.rows, &p.sessions))
            .collect();
        assert!(ids.contains(&"h3_1_closes".to_string()), "{ids:?}");
    }

    #[test]
    fn class_and_membership_forms() {
        let f = form(&[
            ("name_en", "Yoga"),
            ("seats", "12"),
            ("class_duration_minutes", "60"),
            ("s0", ""),
            ("s1", "2027-03-28T02:30"),
            ("s2", "nonsense"),
            ("rw", "mo"),
            ("rw", "we"),
            ("r_time", "18:00"),
            ("r_from", "2027-01-04"),
            ("r_until", "2027-01-31"),
        ]);
        let p = parse_form(&f, OfferKind::Class);
        assert_eq!(p.pre.len(), 1, "{:?}", p.pre);
        assert_eq!(p.pre[0].field, "s2");
        assert_eq!(p.sessions, vec!["s1"]);
        let c = p.input.class.clone().unwrap();
        assert_eq!(
            c.recurrence.unwrap().weekdays,
            vec![Weekday::Mo, Weekday::We]
        );
        // 02:30 on that day does not exist in Berlin: the error goes to its row.
        let Err(err) = p.input.validate(chrono_tz::Europe::Berlin) else {
            panic!("invalid on purpose")
        };
        assert_eq!(
            offer_field(&err.fields()[0].field, &p.rows, &p.sessions),
            "s1"
        );

        let f = form(&[
            ("name_de", "Mitgliedschaft"),
            ("period", "quarter"),
            ("price", "99 €"),
            ("d0", "2027-01-01"),
            ("d1", ""),
            ("cancel_anytime", "1"),
        ]);
        let m = parse_form(&f, OfferKind::Membership)
            .input
            .membership
            .unwrap();
        assert_eq!(m.period, MembershipPeriod::Quarter);
        assert_eq!(m.start_dates.len(), 1);
        assert!(m.cancel_anytime);
        assert_eq!(
            offer_field("membership.start_dates", &Rows::default(), &[]),
            "d0"
        );
    }
}
