//! The public page of one listing: `/listings/{slug}`.

use chrono::Datelike;
use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Request, Response};

use super::hours::OpenState;
use super::service;
use super::taxonomy;
use crate::pages::{locale, not_found, render, strings};
use crate::state::AppState;

#[handler]
pub async fn listing_page(
    state: Data<&AppState>,
    req: &Request,
    Path(slug): Path<String>,
) -> Response {
    let rec = match service::find(&state.db, state.city.id, &slug).await {
        Ok(Some(r)) if r.model.status == "published" => r,
        Ok(_) => return not_found(&state, req),
        Err(p) => {
            tracing::error!(detail = ?p.detail, "listing page");
            return not_found(&state, req);
        }
    };
    let l = locale(req, state.config.default_locale).as_str();
    let t = strings(locale(req, state.config.default_locale));
    let api = rec.to_api();
    let categories: Vec<String> = api
        .categories
        .iter()
        .filter_map(|k| taxonomy::find(k))
        .map(|c| if l == "en" { c.label_en } else { c.label_de }.to_string())
        .collect();

    let now = chrono::Utc::now()
        .with_timezone(&state.city.timezone)
        .naive_local();
    let open_state = match rec.hours.state_at(now) {
        OpenState::Unknown => None,
        OpenState::OpenUntil(t_close) => Some(format!(
            "{} {}",
            t["open_until"].as_str().unwrap_or(""),
            t_close
        )),
        OpenState::OpensAt(date, at) => {
            let day = if date == now.date() {
                String::new()
            } else {
                format!(
                    "{} ",
                    t["days"][date.weekday().num_days_from_monday() as usize]
                        .as_str()
                        .unwrap_or("")
                )
            };
            Some(format!(
                "{} {day}{at}",
                t["opens_at"].as_str().unwrap_or("")
            ))
        }
        OpenState::Closed => Some(t["closed"].as_str().unwrap_or("").to_string()),
    };
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
                    day => t["days"][d as usize].as_str().unwrap_or(""),
                    times => if times.is_empty() { t["closed_day"].as_str().unwrap_or("").to_string() } else { times.join(", ") },
                }
            })
            .collect()
    };
    let address = [
        api.address.street.clone(),
        match (&api.address.postcode, &api.address.city) {
            (Some(p), Some(c)) => Some(format!("{p} {c}")),
            (Some(p), None) => Some(p.clone()),
            (None, c) => c.clone(),
        },
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let service = api.service.as_ref().map(|s| {
        context! {
            eligibility => s.eligibility.get(l),
            what_to_bring => if l == "en" && !s.what_to_bring.en.is_empty() || s.what_to_bring.de.is_empty() { s.what_to_bring.en.clone() } else { s.what_to_bring.de.clone() },
            fees => s.fees.get(l),
            processing_time => s.processing_time.get(l),
            channels => s.channels.iter().map(|c| {
                let key = serde_json::to_value(c).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
                t["channel"][key.as_str()].as_str().unwrap_or("").to_string()
            }).collect::<Vec<_>>(),
            online_url => s.online_url.clone(),
        }
    });
    render(
        &state,
        req,
        "listing.html",
        StatusCode::OK,
        context! {
            name => api.name.get(l),
            description => api.description.get(l),
            categories,
            open_state,
            hours,
            hours_osm => api.opening_hours.osm.clone(),
            address,
            phone => api.contact.phone.clone(),
            email => api.contact.email.clone(),
            website => api.contact.website.clone(),
            wheelchair => api.wheelchair.map(|w| t[w.as_str()].as_str().unwrap_or("").to_string()),
            service,
            osm => api.source.starts_with("osm:"),
        },
    )
}
