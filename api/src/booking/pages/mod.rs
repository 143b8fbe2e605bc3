//! The resident's booking pages: the "Book" section of listing and service pages, an
//! offer's times (`/offers/{id}`), the hold and its review (what is shared with whom,
//! until when the time is kept), "my bookings" with cancel and reschedule. Plain forms
//! with CSRF tokens; no script needed.
//!
//! A time is held through a form whose Idempotency-Key is made when the form is
//! rendered (a hidden field) and scoped to the choice submitted: pressing the same
//! button twice books once and shows the same review page.

pub mod manage;
pub mod support;

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Request, Response};
use poem_openapi::types::ToJSON;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use self::support::{day_label, error_page, flash, localized, see_other, t};
use crate::booking::error::BookingError;
use crate::booking::idempotency::{self, Begin};
use crate::booking::model::{self, BookingInput, BookingView, ContactInput};
use crate::booking::offers;
use crate::booking::service;
use crate::booking::waitlist::{self, WaitlistInput};
use crate::core::error::{ErrorCode, FieldMessage, Invalid};
use crate::core::identity::AuthUser;
use crate::core::locale::Locale;
use crate::core::message::Message;
use crate::msg;
use crate::web::extract::{protected_form, CheckedForm, PageUser, TokenOnly};
use crate::web::pages::{render, PageCtx};
use crate::web::state::AppState;
use entities::{listing, offer};

/// The public page of a listing.
fn listing_url(l: &listing::Model) -> String {
    let prefix = if l.kind == "municipal_service" {
        "services"
    } else {
        "listings"
    };
    format!("/{prefix}/{}", l.slug)
}

/// One offer as the pages show it: name, kind and size, policy in words.
async fn offer_card(
    state: &AppState,
    l: Locale,
    o: &offer::Model,
    listing: &listing::Model,
) -> minijinja::Value {
    let who = support::recipient(&state.db, listing).await;
    // A paused (or removed) module's appointments are shown, but not bookable.
    let paused = match o.partner_connection_id {
        Some(c) => entities::partner_connection::Entity::find_by_id(c)
            .one(&state.db)
            .await
            .ok()
            .flatten()
            .is_some_and(|c| c.module_id.is_some() && c.status != "active"),
        None => false,
    };
    context! {
        paused,
        id => o.id.to_string(),
        kind => o.kind.clone(),
        name => localized(l, &o.name_de, &o.name_en),
        description => localized(l, &o.description_de, &o.description_en),
        kind_line => support::kind_line(state, l, o),
        price => support::price_line(state, l, o),
        bring => support::bring(l, o),
        policy => support::policy(state, l, o, &who),
        shared_with => who,
        listing_name => localized(l, &listing.name_de, &listing.name_en),
        listing_url => listing_url(listing),
        url => format!("/offers/{}", o.id),
    }
}

/// The "Book" section of a published listing's page: its active offers with their
/// policy in plain words (empty when it has none).
pub async fn offers_section(
    state: &AppState,
    l: Locale,
    listing: &listing::Model,
) -> Vec<minijinja::Value> {
    let found = offer::Entity::find()
        .filter(offer::Column::ListingId.eq(listing.id))
        .filter(offer::Column::Status.eq("active"))
        .order_by_asc(offer::Column::CreatedAt)
        .order_by_asc(offer::Column::Id)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let mut out = Vec::new();
    for o in &found {
        out.push(offer_card(state, l, o, listing).await);
    }
    out
}

/// The public holidays (date and name in the page's language) in `window` on which the
/// listing's appointments are closed: those of the city's region, when an active
/// appointment offer of the listing follows them.
pub async fn holiday_closures(
    state: &AppState,
    l: Locale,
    listing: &listing::Model,
    window: (NaiveDate, NaiveDate),
) -> Vec<(NaiveDate, String)> {
    let Some(region) = state.config.city.holidays else {
        return Vec::new();
    };
    let follows = offer::Entity::find()
        .filter(offer::Column::ListingId.eq(listing.id))
        .filter(offer::Column::Status.eq("active"))
        .filter(offer::Column::Kind.eq("appointment"))
        .all(&state.db)
        .await
        .unwrap_or_default()
        .iter()
        .any(|o| offers::appointment_of(o).is_some_and(|a| a.closed_on_holidays));
    if !follows {
        return Vec::new();
    }
    region
        .between(window.0, window.1)
        .into_iter()
        .map(|h| (h.date, localized(l, h.name_de, h.name_en)))
        .collect()
}

/// What the time picker is for.
enum Pick<'a> {
    /// A new booking (a hold first).
    Book,
    /// Another time for this booking.
    Reschedule(&'a BookingView),
}

/// A rejected or answered form, to show again with its messages.
#[derive(Default)]
struct Shown {
    status: Option<StatusCode>,
    /// (form id, message) for the error summary, in order.
    errors: Vec<(String, String)>,
    values: HashMap<String, String>,
}

impl Shown {
    fn field_errors(&self) -> HashMap<String, String> {
        let mut m = HashMap::new();
        for (id, msg) in &self.errors {
            m.entry(id.clone()).or_insert_with(|| msg.clone());
        }
        m
    }
}

/// The form id a booking field error belongs to.
fn pick_field(field: &str) -> &'static str {
    match field {
        "contact.email" => "email",
        "contact.phone" => "phone",
        _ => "times",
    }
}

/// A refused booking as the hold form stores it for a repeated press (only the page
/// replays it: the API's requests have another hash): its status, its message and the
/// message of each field.
#[derive(serde::Serialize, serde::Deserialize)]
struct Refusal {
    status: u16,
    message: Message,
    fields: Vec<(String, Message)>,
}

impl Refusal {
    fn of(e: &BookingError) -> Refusal {
        Refusal {
            status: e.status(),
            message: e.message(),
            fields: e
                .fields()
                .iter()
                .map(|f| (f.field.clone(), f.message.clone()))
                .collect(),
        }
    }

    /// A refusal stored before pages stored them (a problem): its status alone.
    fn stored(status: u16, body: &str) -> Refusal {
        serde_json::from_str(body).unwrap_or(Refusal {
            status,
            message: msg!("problem-internal"),
            fields: Vec::new(),
        })
    }
}

/// A booking error as form errors of the time picker.
fn pick_errors(state: &AppState, l: Locale, r: &Refusal) -> Vec<(String, String)> {
    if r.fields.is_empty() {
        return vec![("times".into(), state.i18n.message(l, &r.message))];
    }
    r.fields
        .iter()
        .map(|(field, message)| {
            (
                pick_field(field).to_string(),
                state.i18n.message(l, message),
            )
        })
        .collect()
}

/// The first day of the shown week: `week=` (not before today), else today.
fn week_from(req: &Request, tz: chrono_tz::Tz) -> NaiveDate {
    let today = crate::booking::model::today(tz);
    support::date_param(req, "week")
        .filter(|d| *d >= today && *d <= today + Duration::days(400))
        .unwrap_or(today)
}

/// Renders the time picker of an offer for the week starting `from`.
#[allow(clippy::too_many_arguments)]
async fn pick_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    u: &AuthUser,
    o: &offer::Model,
    listing: &listing::Model,
    pick: Pick<'_>,
    from: NaiveDate,
    shown: Shown,
) -> Response {
    let l = pc.locale;
    let tz = state.city.timezone;
    let membership = o.kind == "membership";
    let today = crate::booking::model::today(tz);
    let to = if membership {
        today + Duration::days(800)
    } else {
        from + Duration::days(6)
    };
    let times = match service::bookable_times(&state.db, &state.booking_ctx(), o, from, to).await {
        Ok(t) => t,
        Err(p) => return error_page(state, pc, req, &p),
    };
    let current = match &pick {
        Pick::Reschedule(v) => Some(v.booking.starts_at),
        Pick::Book => None,
    };
    // Full times can be waited for (appointments and classes, when booking anew); the
    // times this resident already waits for say so.
    let waitlist = matches!(pick, Pick::Book) && !membership;
    let waiting: Vec<DateTime<Utc>> = if waitlist {
        waitlist::list_mine(&state.db, &state.booking_ctx(), u)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.offer_id == o.id && (e.status == "waiting" || e.status == "offered"))
            .map(|e| e.starts_at.with_timezone(&Utc))
            .collect()
    } else {
        Vec::new()
    };
    let mut days: Vec<(NaiveDate, Vec<minijinja::Value>)> = Vec::new();
    for s in &times {
        let date = s.start.with_timezone(&tz).date_naive();
        let day = day_label(state, l, date);
        let label = if membership {
            t(state, l, "booking-start-on", &[("date", day.clone())])
        } else {
            support::time_range(tz, s.start, s.end)
        };
        let seats = s.remaining.map(|n| {
            if n == 0 {
                state.i18n.t(l, "booking-full", None)
            } else {
                t(state, l, "booking-seats-left", &[("n", n.to_string())])
            }
        });
        let item = context! {
            value => if membership {
                date.to_string()
            } else {
                s.start.with_timezone(&tz).fixed_offset().to_rfc3339()
            },
            label,
            day,
            seats,
            full => s.remaining == Some(0),
            current => current == Some(s.start),
            waiting => waiting.contains(&s.start),
        };
        match days.last_mut() {
            Some((d, items)) if *d == date => items.push(item),
            _ => days.push((date, vec![item])),
        }
    }
    let horizon_end = today + Duration::days(o.horizon_days.max(1) as i64);
    let week_url = |d: NaiveDate| format!("{}?week={d}", req.uri().path());
    let (action, mode, booking) = match &pick {
        Pick::Book => (format!("/offers/{}/hold", o.id), "book", None),
        Pick::Reschedule(v) => (
            format!("/account/bookings/{}/reschedule", v.booking.id),
            "reschedule",
            Some(context! {
                id => v.booking.id.to_string(),
                when => support::when(state, l, &o.kind, v.booking.starts_at, v.booking.ends_at),
            }),
        ),
    };
    let e = shown.field_errors();
    let mut values = shown.values;
    values
        .entry("email".into())
        .or_insert_with(|| u.email.clone());
    let status = shown.status.unwrap_or(StatusCode::OK);
    render(
        state,
        pc,
        req,
        "booking_pick.html",
        status,
        context! {
            offer => offer_card(state, l, o, listing).await,
            mode,
            booking,
            action,
            // A new key for every rendered form (see the module's comment).
            key => Uuid::new_v4().simple().to_string(),
            week => from.to_string(),
            membership,
            contact_name => u.display_name.clone(),
            collect_email => o.collect_email && matches!(pick, Pick::Book),
            collect_phone => o.collect_phone && matches!(pick, Pick::Book),
            waitlist,
            waitlist_action => format!("/offers/{}/waitlist", o.id),
            days => days.into_iter().map(|(date, times)| context! {
                label => day_label(state, l, date),
                times,
            }).collect::<Vec<_>>(),
            week_label => (!membership).then(|| t(state, l, "booking-week-of", &[
                ("from", crate::core::i18n::format_date(l, from)),
                ("to", crate::core::i18n::format_date(l, from + Duration::days(6))),
            ])),
            prev_url => (!membership && from > today).then(|| week_url((from - Duration::days(7)).max(today))),
            next_url => (!membership && from + Duration::days(7) <= horizon_end).then(|| week_url(from + Duration::days(7))),
            v => values,
            e,
            errors => shown.errors.iter().map(|(field, message)| context! { field, message }).collect::<Vec<_>>(),
        },
    )
}

/// An offer residents may book, or the reason why not.
async fn bookable_offer(
    state: &AppState,
    user: Option<&AuthUser>,
    id: &str,
) -> Result<(offer::Model, listing::Model), BookingError> {
    let id = Uuid::parse_str(id).map_err(|_| BookingError::not_found("offer"))?;
    let (o, l) = offers::get(&state.db, state.city.id, user, id).await?;
    if !offers::is_public(&o, &l) {
        return Err(BookingError::not_found("offer"));
    }
    Ok((o, l))
}

/// `/offers/{id}`: the times of a week (or a membership's start dates) to choose from.
#[handler]
pub async fn offer_page(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    if !u.email_verified {
        return crate::accounts::pages::verify_first(&state, &pc, req, &u.email);
    }
    match bookable_offer(&state, Some(&u), &id).await {
        Ok((o, l)) => {
            let from = week_from(req, state.city.timezone);
            pick_page(
                &state,
                &pc,
                req,
                &u,
                &o,
                &l,
                Pick::Book,
                from,
                Shown::default(),
            )
            .await
        }
        Err(p) => error_page(&state, &pc, req, &p),
    }
}

/// The time picker's form.
#[derive(serde::Deserialize, Default)]
pub struct PickForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    week: String,
}

protected_form!(PickForm);

impl PickForm {
    /// The chosen start, or a form error.
    fn choice(
        &self,
    ) -> (
        Option<DateTime<FixedOffset>>,
        Option<NaiveDate>,
        Vec<FieldMessage>,
    ) {
        let mut errors = Vec::new();
        let starts_at = match self.starts_at.trim() {
            "" => None,
            s => match DateTime::parse_from_rfc3339(s) {
                Ok(t) => Some(t),
                Err(_) => {
                    errors.push(FieldMessage {
                        field: "starts_at".into(),
                        message: msg!("v-booking-choose-time"),
                    });
                    None
                }
            },
        };
        let start_date = match self.start_date.trim() {
            "" => None,
            s => match s.parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldMessage {
                        field: "start_date".into(),
                        message: msg!("v-booking-choose-time"),
                    });
                    None
                }
            },
        };
        if starts_at.is_none() && start_date.is_none() && errors.is_empty() {
            errors.push(FieldMessage {
                field: "starts_at".into(),
                message: msg!("v-booking-choose-time"),
            });
        }
        (starts_at, start_date, errors)
    }

    fn week(&self, tz: chrono_tz::Tz) -> NaiveDate {
        let today = crate::booking::model::today(tz);
        self.week
            .parse::<NaiveDate>()
            .ok()
            .filter(|d| *d >= today)
            .unwrap_or(today)
    }

    fn values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("email".to_string(), self.email.trim().to_string()),
            ("phone".to_string(), self.phone.trim().to_string()),
        ])
    }
}

/// The booking id in a stored `201` answer.
fn booking_id_of(body: &str) -> Option<Uuid> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get("id")?
        .as_str()?
        .parse()
        .ok()
}

/// A form key as rendered: 1-64 letters and digits.
fn form_key(k: &str) -> Option<&str> {
    let k = k.trim();
    (!k.is_empty() && k.len() <= 64 && k.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(k)
}

/// `POST /offers/{id}/hold`: keeps the chosen time for the resident (a hold), then
/// shows what the booking shares before it is confirmed.
#[handler]
pub async fn hold(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(f): CheckedForm<PickForm>,
) -> Response {
    if !u.email_verified {
        return crate::accounts::pages::verify_first(&state, &pc, req, &u.email);
    }
    let (o, l) = match bookable_offer(&state, Some(&u), &id).await {
        Ok(x) => x,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let tz = state.city.timezone;
    let week = f.week(tz);
    let again = |r: Refusal| Shown {
        status: StatusCode::from_u16(r.status).ok(),
        errors: pick_errors(&state, pc.locale, &r),
        values: f.values(),
    };
    let (starts_at, start_date, pre) = f.choice();
    if !pre.is_empty() {
        let shown = again(Refusal::of(&Invalid(pre).into()));
        return pick_page(&state, &pc, req, &u, &o, &l, Pick::Book, week, shown).await;
    }
    let nonblank = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let input = BookingInput {
        offer_id: o.id,
        starts_at,
        start_date,
        hold: true,
        contact: ContactInput {
            name: None,
            email: if o.collect_email {
                nonblank(&f.email)
            } else {
                None
            },
            phone: if o.collect_phone {
                nonblank(&f.phone)
            } else {
                None
            },
        },
    };
    let path = format!("/offers/{}/hold", o.id);
    let hash = idempotency::request_hash("POST", &path, &input.to_json().unwrap_or_default());
    // The rendered form's key, scoped to this choice: the same button pressed twice
    // is one booking; another time chosen on the same form is another.
    let base = form_key(&f.key)
        .map(String::from)
        .unwrap_or_else(|| Uuid::new_v4().simple().to_string());
    let key = format!("page-{base}-{}", &hash[..16]);
    let c = state.booking_ctx();
    // A second press while the first is still running waits for its answer (bounded).
    for _ in 0..100 {
        match idempotency::begin(&state.db, u.id, &key, &hash).await {
            Ok(Begin::Proceed(claim)) => {
                return match service::create(&state.db, &c, &u, &input, Some(&claim)).await {
                    Ok((view, _)) => see_other(format!("/account/bookings/{}", view.booking.id)),
                    Err(e) if e.status() < 500 => {
                        let r = Refusal::of(&e);
                        let json = serde_json::to_string(&r).unwrap_or_default();
                        if let Err(e) =
                            idempotency::finish(&state.db, &claim, r.status, &json).await
                        {
                            tracing::warn!(error = %e, "storing a refused booking's answer");
                        }
                        pick_page(&state, &pc, req, &u, &o, &l, Pick::Book, week, again(r)).await
                    }
                    Err(e) => {
                        idempotency::abandon(&state.db, &claim).await;
                        error_page(&state, &pc, req, &e)
                    }
                };
            }
            Ok(Begin::Replay { status, body }) => {
                if status == 201 {
                    if let Some(id) = booking_id_of(&body) {
                        return see_other(format!("/account/bookings/{id}"));
                    }
                }
                let r = Refusal::stored(status, &body);
                return pick_page(&state, &pc, req, &u, &o, &l, Pick::Book, week, again(r)).await;
            }
            Err(BookingError::IdempotencyKeyInFlight) => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(p) => return error_page(&state, &pc, req, &p),
        }
    }
    see_other("/account/bookings?done=pending")
}

/// `POST /offers/{id}/waitlist`: joins the waitlist of a full time, with the contact
/// details a booking of it would share.
#[handler]
pub async fn join_waitlist(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(f): CheckedForm<PickForm>,
) -> Response {
    if !u.email_verified {
        return crate::accounts::pages::verify_first(&state, &pc, req, &u.email);
    }
    let (o, l) = match bookable_offer(&state, Some(&u), &id).await {
        Ok(x) => x,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let week = f.week(state.city.timezone);
    let again = |e: BookingError| Shown {
        status: StatusCode::from_u16(e.status()).ok(),
        errors: pick_errors(&state, pc.locale, &Refusal::of(&e)),
        values: f.values(),
    };
    let (starts_at, _, pre) = f.choice();
    let Some(starts_at) = starts_at.filter(|_| pre.is_empty()) else {
        let shown = again(Invalid(pre).into());
        return pick_page(&state, &pc, req, &u, &o, &l, Pick::Book, week, shown).await;
    };
    let nonblank = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let input = WaitlistInput {
        offer_id: o.id,
        starts_at,
        contact: ContactInput {
            name: None,
            email: nonblank(&f.email).filter(|_| o.collect_email),
            phone: nonblank(&f.phone).filter(|_| o.collect_phone),
        },
    };
    match waitlist::join(&state.db, &state.booking_ctx(), &u, &input).await {
        Ok(e) => see_other(format!("/account/bookings?done=waitlist-joined#w-{}", e.id)),
        Err(e) if e.status() < 500 => {
            pick_page(&state, &pc, req, &u, &o, &l, Pick::Book, week, again(e)).await
        }
        Err(p) => error_page(&state, &pc, req, &p),
    }
}

/// `POST /account/waitlist/{id}/leave`: leaves a waitlist (a place held for the
/// resident goes to the next in line).
#[handler]
pub async fn leave_waitlist(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(&state, &pc, req, &BookingError::not_found("waitlist entry"));
    };
    match waitlist::leave(&state.db, &state.booking_ctx(), &u, id).await {
        Ok(()) => see_other("/account/bookings?done=waitlist-left"),
        Err(p) => error_page(&state, &pc, req, &p),
    }
}

/// A waitlist entry as my bookings show it.
fn waitlist_item(state: &AppState, l: Locale, e: &waitlist::WaitlistEntry) -> minijinja::Value {
    let status_text = match (e.status.as_str(), e.position, e.offered_until) {
        ("waiting", Some(n), _) => t(
            state,
            l,
            "booking-waitlist-position",
            &[("n", n.to_string())],
        ),
        ("offered", _, Some(until)) => t(
            state,
            l,
            "booking-waitlist-offered",
            &[(
                "until",
                support::date_time(state, l, until.with_timezone(&Utc)),
            )],
        ),
        (s, _, _) => state.i18n.t(l, &format!("booking-waitlist-{s}"), None),
    };
    context! {
        id => e.id.to_string(),
        status => e.status.clone(),
        status_text,
        when => support::when(state, l, "class", e.starts_at.with_timezone(&Utc), None),
        offer_name => localized(l, &e.offer_name.de, &e.offer_name.en),
        listing_name => localized(l, &e.listing_name.de, &e.listing_name.en),
        listing_url => format!("/listings/{}", e.listing_slug),
        booking_id => e.booking_id.filter(|_| e.status == "offered").map(|b| b.to_string()),
    }
}

/// A booking as the resident's pages show it.
fn booking_item(state: &AppState, l: Locale, v: &BookingView) -> minijinja::Value {
    let b = &v.booking;
    let o = &v.offer;
    let now = Utc::now();
    let until = model::cancellable_until(b, o);
    let open = until.filter(|u| *u > now);
    let held = b.status == "held";
    let lapsed = held && b.hold_expires_at.is_none_or(|t| t <= now);
    let status = if lapsed { "expired" } else { b.status.as_str() };
    context! {
        id => b.id.to_string(),
        status,
        status_text => state.i18n.t(l, &format!("booking-status-{status}"), None),
        when => support::when(state, l, &o.kind, b.starts_at, b.ends_at),
        offer_id => o.id.to_string(),
        offer_name => localized(l, &o.name_de, &o.name_en),
        kind => o.kind.clone(),
        kind_line => support::kind_line(state, l, o),
        // Under its own heading: the price alone (a membership's is in its kind line).
        price => offers::price_of(o, l.as_str()).filter(|_| o.kind != "membership"),
        bring => support::bring(l, o),
        listing_name => localized(l, &v.listing.name_de, &v.listing.name_en),
        listing_url => listing_url(&v.listing),
        shared_with => b.shared.get("with").and_then(|w| w.as_str()).unwrap_or_default().to_string(),
        contact => context! {
            name => b.contact_name.clone(),
            email => b.contact_email.clone(),
            phone => b.contact_phone.clone(),
        },
        held => held && !lapsed,
        hold_until => b.hold_expires_at.map(|t| support::clock(state.city.timezone, t)),
        // Whole minutes left, rounded up: "3 minutes" while 2:10 remain.
        hold_left => b.hold_expires_at.filter(|_| held && !lapsed).map(|t| {
            let secs = (t - now).num_seconds().max(0);
            support::span(state, l, ((secs + 59) / 60) as i32)
        }),
        hold_extendable => v.hold_extendable(),
        hold_extended => b.hold_extended_at.is_some(),
        approval => o.confirmation == "approval",
        cancellable => open.is_some() && !lapsed,
        cancellable_until => open.map(|t| support::date_time(state, l, t)),
        cancel_closed => match until {
            Some(at) if at <= now && b.starts_at > now => Some(t(state, l, "booking-cancel-closed", &[("until", support::date_time(state, l, at))])),
            _ => None,
        },
        can_reschedule => open.is_some() && !lapsed && b.slot_id.is_some() && !held,
        // The calendar file of `GET /api/v1/bookings/{id}.ics` (the session cookie is
        // enough), for bookings that are or may become real.
        ics_url => (b.status == "confirmed" || b.status == "requested").then(|| format!("/api/v1/bookings/{}.ics", b.id)),
    }
}

/// Whether a booking is still to come (held, requested or confirmed, not started).
fn is_upcoming(v: &BookingView) -> bool {
    let b = &v.booking;
    let now = Utc::now();
    let lapsed = b.status == "held" && b.hold_expires_at.is_none_or(|t| t <= now);
    b.starts_at > now && model::ACTIVE.contains(&b.status.as_str()) && !lapsed
}

/// `/account/bookings`: upcoming and past bookings.
#[handler]
pub async fn my_bookings(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
) -> Response {
    let l = pc.locale;
    let c = state.booking_ctx();
    let mut all = Vec::new();
    let mut after = None;
    // Bounded: at most 1,000 bookings are shown.
    for _ in 0..10 {
        match service::list_mine(&state.db, &c, &u, after, 100).await {
            Ok((views, more)) => {
                after = views.last().map(|v| v.booking.id);
                all.extend(views);
                if !more {
                    break;
                }
            }
            Err(p) => return error_page(&state, &pc, req, &p),
        }
    }
    all.sort_by_key(|v| v.booking.starts_at);
    let (upcoming, mut past): (Vec<_>, Vec<_>) = all.iter().partition(|v| is_upcoming(v));
    past.reverse();
    let upcoming: Vec<_> = upcoming
        .iter()
        .map(|v| booking_item(&state, l, v))
        .collect();
    let past: Vec<_> = past.iter().map(|v| booking_item(&state, l, v)).collect();
    let waiting: Vec<_> = match waitlist::list_mine(&state.db, &c, &u).await {
        Ok(entries) => entries
            .iter()
            .filter(|e| e.status == "waiting" || e.status == "offered")
            .map(|e| waitlist_item(&state, l, e))
            .collect(),
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    render(
        &state,
        &pc,
        req,
        "my_bookings.html",
        StatusCode::OK,
        context! { upcoming, past, waitlist => waiting, done => flash(req) },
    )
}

fn parse_booking_id(id: &str) -> Result<Uuid, BookingError> {
    Uuid::parse_str(id).map_err(|_| BookingError::not_found("booking"))
}

/// `/account/bookings/{id}`: one booking; while it is held, the review before
/// confirming: exactly what is shared with whom, and until when the time is kept.
#[handler]
pub async fn booking_page(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    let v = match parse_booking_id(&id) {
        Ok(id) => service::mine(&state.db, &state.booking_ctx(), &u, id).await,
        Err(p) => Err(p),
    };
    match v {
        Ok(v) => show_booking(&state, &pc, req, &v, StatusCode::OK, None).await,
        Err(p) => error_page(&state, &pc, req, &p),
    }
}

async fn show_booking(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    v: &BookingView,
    status: StatusCode,
    problem: Option<&BookingError>,
) -> Response {
    let l = pc.locale;
    let who = v
        .booking
        .shared
        .get("with")
        .and_then(|w| w.as_str())
        .unwrap_or_default()
        .to_string();
    let errors: Vec<minijinja::Value> = problem
        .map(|p| {
            let (title, text) = support::error_texts(state, l, p);
            vec![context! { field => "booking-actions", message => if text.is_empty() { title } else { text } }]
        })
        .unwrap_or_default();
    render(
        state,
        pc,
        req,
        "booking.html",
        status,
        context! {
            b => booking_item(state, l, v),
            policy => support::policy(state, l, &v.offer, &who),
            errors,
            done => flash(req),
        },
    )
}

/// Confirm or cancel: runs `act`, then goes to my bookings, or shows the booking with
/// the problem.
async fn act_on_booking<F, Fut>(
    state: &AppState,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    id: &str,
    act: F,
) -> Response
where
    F: FnOnce(AuthUser, Uuid) -> Fut,
    Fut: std::future::Future<Output = Result<(BookingView, &'static str), BookingError>>,
{
    let id = match parse_booking_id(id) {
        Ok(id) => id,
        Err(p) => return error_page(state, &pc, req, &p),
    };
    match act(u.clone(), id).await {
        Ok((_, done)) => see_other(format!("/account/bookings?done={done}")),
        Err(p) if p.status() == 409 => {
            match service::mine(&state.db, &state.booking_ctx(), &u, id).await {
                Ok(v) => show_booking(state, &pc, req, &v, StatusCode::CONFLICT, Some(&p)).await,
                Err(p) => error_page(state, &pc, req, &p),
            }
        }
        Err(p) => error_page(state, &pc, req, &p),
    }
}

/// `POST /account/bookings/{id}/confirm`: the resident confirms a hold.
#[handler]
pub async fn confirm(
    state: Data<&AppState>,
    req: &Request,
    visitor: PageUser,
    Path(id): Path<String>,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    let c = state.booking_ctx();
    let db = state.db.clone();
    act_on_booking(&state, req, visitor, &id, |u, id| async move {
        let v = service::confirm(&db, &c, &u, id).await?;
        let done = if v.booking.status == "requested" {
            "requested"
        } else {
            "confirmed"
        };
        Ok((v, done))
    })
    .await
}

/// `POST /account/bookings/{id}/extend`: keeps the held time longer, once; then the
/// review again, saying until when.
#[handler]
pub async fn extend(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    let c = state.booking_ctx();
    let id = match parse_booking_id(&id) {
        Ok(id) => id,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    match service::extend_hold(&state.db, &c, &u, id).await {
        Ok(v) => see_other(format!("/account/bookings/{}?done=extended", v.booking.id)),
        Err(p) if p.status() == 409 => match service::mine(&state.db, &c, &u, id).await {
            Ok(v) => show_booking(&state, &pc, req, &v, StatusCode::CONFLICT, Some(&p)).await,
            Err(p) => error_page(&state, &pc, req, &p),
        },
        Err(p) => error_page(&state, &pc, req, &p),
    }
}

/// `GET /account/bookings/{id}/cancel`: asks before cancelling (what is given up, who is
/// told), with the form that cancels and a way back; no script needed. A booking that
/// can no longer be cancelled shows its page, which says why.
#[handler]
pub async fn cancel_page(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    let v = match parse_booking_id(&id) {
        Ok(id) => service::mine(&state.db, &state.booking_ctx(), &u, id).await,
        Err(p) => Err(p),
    };
    let v = match v {
        Ok(v) => v,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let b = booking_item(&state, pc.locale, &v);
    if !b.get_attr("cancellable").is_ok_and(|c| c.is_true()) {
        return see_other(format!("/account/bookings/{}", v.booking.id));
    }
    render(
        &state,
        &pc,
        req,
        "booking_cancel.html",
        StatusCode::OK,
        context! { b },
    )
}

/// `POST /account/bookings/{id}/cancel`: cancels a booking, or releases a hold.
#[handler]
pub async fn cancel(
    state: Data<&AppState>,
    req: &Request,
    visitor: PageUser,
    Path(id): Path<String>,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    let c = state.booking_ctx();
    let db = state.db.clone();
    act_on_booking(&state, req, visitor, &id, |u, id| async move {
        let held = service::mine(&db, &c, &u, id).await?.booking.status == "held";
        let v = service::cancel(&db, &c, &u, id).await?;
        Ok((v, if held { "released" } else { "cancelled" }))
    })
    .await
}

/// A booking of this resident that can still move, with its offer's listing.
async fn movable(state: &AppState, u: &AuthUser, id: &str) -> Result<BookingView, BookingError> {
    let v = service::mine(&state.db, &state.booking_ctx(), u, parse_booking_id(id)?).await?;
    let open = model::cancellable_until(&v.booking, &v.offer).is_some_and(|t| t > Utc::now());
    if v.booking.slot_id.is_none() || v.booking.status == "held" || !open {
        return Err(BookingError::NotMovable);
    }
    Ok(v)
}

/// `/account/bookings/{id}/reschedule`: another time of the same offer.
#[handler]
pub async fn reschedule_page(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    match movable(&state, &u, &id).await {
        Ok(v) => {
            let from = week_from(req, state.city.timezone);
            pick_page(
                &state,
                &pc,
                req,
                &u,
                &v.offer,
                &v.listing,
                Pick::Reschedule(&v),
                from,
                Shown::default(),
            )
            .await
        }
        Err(p) => error_page(&state, &pc, req, &p),
    }
}

/// `POST /account/bookings/{id}/reschedule`.
#[handler]
pub async fn reschedule(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(f): CheckedForm<PickForm>,
) -> Response {
    let v = match movable(&state, &u, &id).await {
        Ok(v) => v,
        Err(p) => return error_page(&state, &pc, req, &p),
    };
    let week = f.week(state.city.timezone);
    let shown = |e: BookingError| Shown {
        status: StatusCode::from_u16(e.status()).ok(),
        errors: pick_errors(&state, pc.locale, &Refusal::of(&e)),
        values: HashMap::new(),
    };
    let (starts_at, _, pre) = f.choice();
    let result = match starts_at {
        Some(t) if pre.is_empty() => {
            service::reschedule(&state.db, &state.booking_ctx(), &u, v.booking.id, t).await
        }
        _ => Err(Invalid(pre).into()),
    };
    match result {
        Ok(_) => see_other("/account/bookings?done=rescheduled"),
        Err(p) if p.status() < 500 => {
            pick_page(
                &state,
                &pc,
                req,
                &u,
                &v.offer,
                &v.listing,
                Pick::Reschedule(&v),
                week,
                shown(p),
            )
            .await
        }
        Err(p) => error_page(&state, &pc, req, &p),
    }
}
