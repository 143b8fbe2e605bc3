//! The public pages of one listing: `/listings/{slug}` (a business) and
//! `/services/{slug}` (a municipal service), with schema.org JSON-LD; and how the
//! pages of listings and organizations word an error in the page's language.

pub mod address;
pub mod form;
pub mod manage;

use chrono::{Datelike, Utc};
use fluent_bundle::FluentArgs;
use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Path, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::hours::{HourMinute, OpenState};
use super::model::{Channel, Listing, ListingKind, ServiceDetails};
use super::service::ListingRecord;
use super::taxonomy;
use crate::core::error::ErrorCode;
use crate::core::i18n;
use crate::core::locale::Locale;
use crate::core::message::Message;
use crate::web::pages::{not_found, render, PageCtx};
use crate::web::state::AppState;
use entities::{listing, listing_category, organization};

/// Each invalid field of an error and its message in the page's language.
pub fn field_texts(state: &AppState, l: Locale, e: &dyn ErrorCode) -> Vec<(String, String)> {
    e.fields()
        .iter()
        .map(|f| (f.field.clone(), field_text(state, l, &f.message)))
        .collect()
}

/// A field message in the page's language.
pub fn field_text(state: &AppState, l: Locale, m: &Message) -> String {
    state.i18n.message(l, m)
}

const SCHEMA_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn schema_time(t: HourMinute) -> String {
    if t.minutes() >= 1440 {
        "23:59".to_string()
    } else {
        t.to_string()
    }
}

/// schema.org JSON-LD for a listing, safe to place inside a `<script>` element.
pub fn json_ld(
    rec: &ListingRecord,
    api: &Listing,
    page_url: &str,
    site_url: &str,
    city: &str,
    department: Option<&str>,
    l: Locale,
) -> String {
    let lang = l.as_str();
    let hours: Vec<serde_json::Value> = rec
        .hours
        .weekly
        .iter()
        .map(|r| {
            serde_json::json!({
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": format!("https://schema.org/{}", SCHEMA_DAYS[r.weekday.num_days_from_monday() as usize]),
                "opens": schema_time(r.opens),
                "closes": schema_time(r.closes),
            })
        })
        .chain(rec.hours.exceptions.iter().map(|e| {
            let (opens, closes) = match e.hours {
                Some((o, c)) => (schema_time(o), schema_time(c)),
                None => ("00:00".to_string(), "00:00".to_string()),
            };
            serde_json::json!({
                "@type": "OpeningHoursSpecification",
                "validFrom": e.date.to_string(),
                "validThrough": e.date.to_string(),
                "opens": opens,
                "closes": closes,
            })
        }))
        .collect();
    let address = serde_json::json!({
        "@type": "PostalAddress",
        "streetAddress": api.address.street,
        "postalCode": api.address.postcode,
        "addressLocality": api.address.city.clone().unwrap_or_else(|| city.to_string()),
    });
    let mut doc = match api.kind {
        ListingKind::Business => serde_json::json!({
            "@context": "https://schema.org",
            "@type": "LocalBusiness",
            "@id": page_url,
            "url": page_url,
            "name": api.name.get(lang),
            "address": address,
            "openingHoursSpecification": hours,
        }),
        ListingKind::MunicipalService => serde_json::json!({
            "@context": "https://schema.org",
            "@type": "GovernmentService",
            "@id": page_url,
            "url": page_url,
            "name": api.name.get(lang),
            "areaServed": { "@type": "City", "name": city },
            // The city provides every city service; its department operates it.
            "provider": { "@type": "GovernmentOrganization", "name": city, "url": site_url },
            "availableChannel": {
                "@type": "ServiceChannel",
                "serviceUrl": api.service.as_ref().and_then(|s| s.online_url.clone()),
                "serviceLocation": { "@type": "Place", "address": address, "openingHoursSpecification": hours },
            },
        }),
    };
    let desc = api.description.get(lang);
    if !desc.is_empty() {
        doc["description"] = desc.into();
    }
    if let Some(p) = api.location {
        let geo =
            serde_json::json!({ "@type": "GeoCoordinates", "latitude": p.lat, "longitude": p.lng });
        if api.kind == ListingKind::Business {
            doc["geo"] = geo;
        } else {
            doc["availableChannel"]["serviceLocation"]["geo"] = geo;
        }
    }
    if let Some(v) = &api.contact.phone {
        doc["telephone"] = v.clone().into();
    }
    if let Some(v) = &api.contact.email {
        doc["email"] = v.clone().into();
    }
    if let (ListingKind::MunicipalService, Some(d)) = (api.kind, department) {
        doc["serviceOperator"] =
            serde_json::json!({ "@type": "GovernmentOrganization", "name": d });
    }
    if api.kind == ListingKind::Business {
        if let Some(v) = &api.contact.website {
            doc["sameAs"] = v.clone().into();
        }
    }
    // "<" escaped so that no text can close the script element.
    serde_json::to_string(&doc)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

async fn show(state: &AppState, req: &Request, slug: &str, want: ListingKind) -> Response {
    let rec = match crate::listings::cache::find_cached(
        &state.listing_cache,
        &state.db,
        state.city.id,
        slug,
    )
    .await
    {
        Ok(Some(r)) if r.model.status == "published" => r,
        Ok(_) => return not_found(state, req).await,
        Err(e) => {
            tracing::error!(error = ?e, "listing page");
            return not_found(state, req).await;
        }
    };
    if rec.kind() != want {
        let prefix = if rec.kind() == ListingKind::MunicipalService {
            "services"
        } else {
            "listings"
        };
        return Redirect::permanent(format!("/{prefix}/{}", rec.model.slug)).into_response();
    }
    let pc = PageCtx::new(state, req).await;
    page(state, req, &pc, &rec, false).await
}

/// A listing's page: the public one, or (`preview`) the same page of a listing that may
/// not be public, for its organization's members and city staff: marked as not public,
/// kept out of search engines (`noindex`, and no schema.org data to pick up).
async fn page(
    state: &AppState,
    req: &Request,
    pc: &PageCtx,
    rec: &ListingRecord,
    preview: bool,
) -> Response {
    let want = rec.kind();
    let l = pc.locale;
    let lang = l.as_str();
    let t = |k: &str| state.i18n.t(l, k, None);
    let api = rec.to_api();

    let now = Utc::now().with_timezone(&state.city.timezone).naive_local();
    let day_name = |d: usize| t(&format!("day-{d}"));
    let open_state = match rec.hours.state_at(now) {
        OpenState::Unknown => None,
        OpenState::OpenUntil(until) => {
            let mut a = FluentArgs::new();
            a.set("time", until.to_string());
            Some(state.i18n.t(l, "open-until", Some(&a)))
        }
        OpenState::OpensAt(date, at) => {
            let mut a = FluentArgs::new();
            a.set("time", at.to_string());
            if date == now.date() {
                Some(state.i18n.t(l, "opens-today", Some(&a)))
            } else {
                a.set(
                    "day",
                    day_name(date.weekday().num_days_from_monday() as usize),
                );
                Some(state.i18n.t(l, "opens-on", Some(&a)))
            }
        }
        OpenState::Closed => Some(t("closed-now")),
    };
    let today = now.weekday().num_days_from_monday();
    let hours: Vec<_> = if rec.hours.weekly.is_empty() {
        Vec::new()
    } else {
        (0..7)
            .map(|d| {
                let times: Vec<String> = rec
                    .hours
                    .weekly
                    .iter()
                    .filter(|r| r.weekday.num_days_from_monday() == d)
                    .map(|r| format!("{}–{}", r.opens, r.closes))
                    .collect();
                context! {
                    day => day_name(d as usize),
                    today => d == today,
                    times => if times.is_empty() { t("closed-day") } else { times.join(", ") },
                }
            })
            .collect()
    };
    let window = (now.date(), now.date() + chrono::Duration::days(90));
    let mut exceptions: Vec<_> = rec
        .hours
        .exceptions
        .iter()
        .filter(|e| e.date >= window.0 && e.date <= window.1)
        .map(|e| {
            (e.date, context! {
                date => i18n::format_date(l, e.date),
                times => match e.hours { Some((o, c)) => format!("{o}–{c}"), None => t("closed-day") },
                note => e.note.clone(),
            })
        })
        .collect();
    // The public holidays its appointments close on are closures too.
    for (date, name) in crate::booking::pages::holiday_closures(state, l, &rec.model, window).await
    {
        if !rec.hours.exceptions.iter().any(|e| e.date == date) {
            exceptions.push((
                date,
                context! {
                    date => i18n::format_date(l, date),
                    times => t("closed-day"),
                    note => name,
                },
            ));
        }
    }
    exceptions.sort_by_key(|(d, _)| *d);
    let exceptions: Vec<_> = exceptions.into_iter().map(|(_, v)| v).collect();
    let categories: Vec<String> = api
        .categories
        .iter()
        .filter_map(|k| taxonomy::find(k))
        .map(|c| {
            if l == Locale::En {
                c.label_en
            } else {
                c.label_de
            }
            .to_string()
        })
        .collect();
    let department = match rec.model.organization_id {
        Some(id) if want == ListingKind::MunicipalService => organization::Entity::find_by_id(id)
            .one(&state.db)
            .await
            .ok()
            .flatten()
            .map(|o| o.name),
        _ => None,
    };
    let related = if want == ListingKind::MunicipalService {
        related_services(state, rec, l).await
    } else {
        Vec::new()
    };
    let offers = crate::booking::pages::offers_section(state, l, &rec.model).await;
    // A service a module takes reports for offers its report form.
    let report_url = if want == ListingKind::MunicipalService {
        let ctx = crate::reports::service::Ctx {
            db: &state.db,
            city_id: state.city.id,
        };
        crate::reports::service::service_of_listing(ctx, rec.model.id)
            .await
            .ok()
            .flatten()
            .map(|s| format!("/services/{}/report", s.code))
    } else {
        None
    };
    // A module takes applications for it online: the form is one link away.
    let apply_url = if want == ListingKind::MunicipalService
        && crate::applications::service::offered(&state.db, rec.model.id)
            .await
            .unwrap_or(false)
    {
        Some(format!("/services/{}/apply", rec.model.slug))
    } else {
        None
    };
    // A module books its appointments: its offers are one link away.
    let book_url = if want == ListingKind::MunicipalService && !offers.is_empty() {
        use sea_orm::PaginatorTrait;
        let by_module = entities::module_service::Entity::find()
            .filter(entities::module_service::Column::ListingId.eq(rec.model.id))
            .filter(entities::module_service::Column::Capability.eq("appointment"))
            .count(&state.db)
            .await
            .unwrap_or(0);
        (by_module > 0).then_some("#h-book")
    } else {
        None
    };
    let service = api.service.as_ref().map(|s| {
        let bring =
            if l == Locale::En && !s.what_to_bring.en.is_empty() || s.what_to_bring.de.is_empty() {
                s.what_to_bring.en.clone()
            } else {
                s.what_to_bring.de.clone()
            };
        context! {
            eligibility => s.eligibility.get(lang),
            what_to_bring => bring,
            fees => s.fees.get(lang),
            processing_time => s.processing_time.get(lang),
            how_to_apply => how_to_apply(state, l, &api, s, department.as_deref()),
            online_url => s.online_url.clone(),
        }
    });
    let page_url = format!(
        "{}{}",
        state
            .config
            .server
            .public_url
            .as_str()
            .trim_end_matches('/'),
        req.uri().path()
    );
    let ld = json_ld(
        rec,
        &api,
        &page_url,
        state.config.server.public_url.as_str(),
        &state.city.name,
        department.as_deref(),
        l,
    );
    let languages: Vec<String> = api.languages.iter().map(|c| c.to_uppercase()).collect();
    let preview = preview.then(|| {
        let status = rec.status();
        context! {
            status => status.as_str(),
            edit_url => format!("/manage/listings/{}", rec.model.id),
        }
    });
    let mut resp = render(
        state,
        pc,
        req,
        "listing.html",
        StatusCode::OK,
        context! {
            preview,
            kind => api.kind.as_str(),
            name => api.name.get(lang),
            description => api.description.get(lang),
            categories,
            open_state,
            hours,
            exceptions,
            hours_osm => api.opening_hours.osm.clone(),
            street => api.address.street.clone(),
            postcode_city => match (&api.address.postcode, &api.address.city) {
                (Some(p), Some(c)) => Some(format!("{p} {c}")),
                (Some(p), None) => Some(p.clone()),
                (None, c) => c.clone(),
            },
            district => api.district.clone(),
            location => api.location.map(|p| context! { lat => p.lat, lng => p.lng }),
            map_points => api.location.map(|p| serde_json::json!([{ "lat": p.lat, "lng": p.lng, "name": api.name.get(lang) }]).to_string()),
            osm_map_url => api.location.map(|p| format!("https://www.openstreetmap.org/?mlat={:.5}&mlon={:.5}#map=18/{:.5}/{:.5}", p.lat, p.lng, p.lat, p.lng)),
            tile_url => state.config.theme.map_tile_url.clone(),
            tile_host => crate::web::trust::tile_host(&state.config.theme.map_tile_url),
            phone => api.contact.phone.clone(),
            email => api.contact.email.clone(),
            website => api.contact.website.clone(),
            wheelchair => api.wheelchair.map(|w| t(&format!("wheelchair-{}", w.as_str()))),
            languages,
            service,
            department,
            related,
            from_osm => api.source.starts_with("osm:"),
            json_ld => ld,
            offers,
            report_url,
            apply_url,
            book_url,
        },
    );
    if preview.is_some() {
        resp.headers_mut().insert(
            "x-robots-tag",
            poem::http::HeaderValue::from_static("noindex"),
        );
    }
    resp
}

/// How to apply for a municipal service, one sentence per way it accepts: where to go
/// in person or write to, whom to call or email. An online application shows its link;
/// one with no application online yet says so rather than linking nowhere.
fn how_to_apply(
    state: &AppState,
    l: Locale,
    api: &Listing,
    s: &ServiceDetails,
    department: Option<&str>,
) -> Vec<minijinja::Value> {
    let mut place: Vec<String> = department.map(String::from).into_iter().collect();
    if let Some(street) = &api.address.street {
        place.push(street.clone());
    }
    match (&api.address.postcode, &api.address.city) {
        (Some(p), Some(c)) => place.push(format!("{p} {c}")),
        (Some(p), None) => place.push(p.clone()),
        (None, Some(c)) => place.push(c.clone()),
        (None, None) => {}
    }
    let place = place.join(", ");
    let say = |key: &str, name: &str, value: &str| {
        let mut a = FluentArgs::new();
        a.set(name.to_string(), value.to_string());
        state.i18n.t(l, key, Some(&a))
    };
    let mut out = Vec::new();
    for c in &s.channels {
        let item = match c {
            Channel::InPerson => context! {
                channel => "in_person",
                text => say("appt-apply-in-person", "where", &place),
            },
            Channel::Post => context! {
                channel => "post",
                text => say("appt-apply-post", "where", &place),
            },
            Channel::Phone => match &api.contact.phone {
                Some(p) => context! {
                    channel => "phone",
                    text => say("appt-apply-phone", "phone", p),
                    href => format!("tel:{}", p.replace(' ', "")),
                    link => p.clone(),
                },
                None => continue,
            },
            Channel::Email => match &api.contact.email {
                Some(e) => context! {
                    channel => "email",
                    text => say("appt-apply-email", "email", e),
                    href => format!("mailto:{e}"),
                    link => e.clone(),
                },
                None => continue,
            },
            Channel::Online => match &s.online_url {
                Some(u) => context! {
                    channel => "online",
                    text => state.i18n.t(l, "appt-apply-online", None),
                    href => u.clone(),
                    link => state.i18n.t(l, "apply-online", None),
                },
                None => context! {
                    channel => "online",
                    text => state.i18n.t(l, "appt-apply-online-missing", None),
                },
            },
        };
        out.push(item);
    }
    out
}

async fn related_services(
    state: &AppState,
    rec: &ListingRecord,
    l: Locale,
) -> Vec<minijinja::Value> {
    let Some(cat) = rec.categories.first() else {
        return Vec::new();
    };
    let ids: Vec<uuid::Uuid> = listing_category::Entity::find()
        .filter(listing_category::Column::CategoryKey.eq(cat.as_str()))
        .filter(listing_category::Column::ListingId.ne(rec.model.id))
        .limit(20)
        .all(&state.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.listing_id)
        .collect();
    let name_col = if l == Locale::En {
        listing::Column::NameEn
    } else {
        listing::Column::NameDe
    };
    listing::Entity::find()
        .filter(listing::Column::Id.is_in(ids))
        .filter(listing::Column::Kind.eq("municipal_service"))
        .filter(listing::Column::Status.eq("published"))
        .order_by_asc(name_col)
        .limit(6)
        .all(&state.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let name = if l == Locale::En && !m.name_en.is_empty() {
                m.name_en
            } else {
                m.name_de
            };
            context! { url => format!("/services/{}", m.slug), name }
        })
        .collect()
}

#[handler]
pub async fn listing_page(
    state: Data<&AppState>,
    req: &Request,
    Path(slug): Path<String>,
) -> Response {
    show(&state, req, &slug, ListingKind::Business).await
}

/// `GET /manage/listings/{id}/preview`: the page of a listing as residents would see it,
/// for the members of its organization and city staff (who approve what waits for
/// review) even when it is not public; anyone else gets the 404 of a listing that does
/// not exist.
#[handler]
pub async fn preview_page(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
) -> Response {
    let pc = PageCtx::new(&state, req).await;
    match super::service::previewable(&state.db, state.city.id, pc.user.as_ref(), &id).await {
        Ok(rec) => page(&state, req, &pc, &rec, true).await,
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!(code = e.code(), error = ?e.internal(), "listing preview");
            }
            not_found(&state, req).await
        }
    }
}

#[handler]
pub async fn service_page(
    state: Data<&AppState>,
    req: &Request,
    Path(slug): Path<String>,
) -> Response {
    show(&state, req, &slug, ListingKind::MunicipalService).await
}
