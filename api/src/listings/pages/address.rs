//! The listing editor's address search: the owner types a street address and the
//! server finds it among the city's places (no outside geocoder), filling street,
//! district and coordinates; with several candidates it offers them as buttons. Plain
//! form posts (`intent=find-address`, or `address_pick` naming a candidate), so it
//! works without script; nothing is saved until the owner saves.

use std::collections::HashMap;

use poem::http::StatusCode;
use search_indexer::text::fold_search;

use super::form::FormData;
use crate::core::locale::Locale;
use crate::msg;
use crate::places::{self, PlaceKind, PlaceText};
use crate::web::state::AppState;

/// The form's field for the typed address.
pub const FIELD: &str = "address_search";

/// Candidates offered at most.
const CHOICES: u64 = 6;

/// What the editor shows after a lookup: its status, the form's values (street,
/// district and coordinates filled when one place was found; `address_found` its
/// label, `address_choices` the candidates' names, one per line), errors by form id,
/// and the error summary.
pub type Lookup = (
    StatusCode,
    HashMap<String, String>,
    HashMap<String, String>,
    Vec<(String, String)>,
);

/// `None` when the form was not sent to look up an address (a save).
pub async fn lookup(state: &AppState, l: Locale, f: &FormData) -> Option<Lookup> {
    let pick = f.get("address_pick");
    if pick.is_empty() && f.get("intent") != "find-address" {
        return None;
    }
    let mut values = f.values();
    values.remove("intent");
    values.remove("address_pick");
    let typed = if pick.is_empty() { f.get(FIELD) } else { pick };
    values.insert(FIELD.into(), typed.clone());
    let reject = |values, m| {
        let text = super::field_text(state, l, &m);
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            values,
            HashMap::from([(FIELD.to_string(), text.clone())]),
            vec![(FIELD.to_string(), text)],
        ))
    };
    let text = match PlaceText::parse(&typed) {
        Ok(t) => t,
        Err(m) => return reject(values, m),
    };
    let found = match places::find(&state.db, state.city.id, &text, CHOICES).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = ?e, "address lookup failed");
            return reject(values, msg!("problem-unavailable-places"));
        }
    };
    let exact = found
        .first()
        .filter(|p| found.len() == 1 || fold_search(&p.name) == fold_search(text.as_str()));
    match exact {
        Some(p) => {
            if matches!(p.kind, PlaceKind::Address | PlaceKind::Street) {
                values.insert("street".into(), p.name.clone());
            }
            let district = match p.kind {
                PlaceKind::District => Some(p.name.clone()),
                _ => p.district.clone(),
            };
            if let Some(d) = district {
                values.insert("district".into(), d);
            }
            values.insert("lat".into(), format!("{:.6}", p.lat));
            values.insert("lng".into(), format!("{:.6}", p.lng));
            values.insert(FIELD.into(), p.name.clone());
            values.insert("address_found".into(), p.label());
            Some((StatusCode::OK, values, HashMap::new(), Vec::new()))
        }
        None if found.is_empty() => reject(values, msg!("v-place-unknown", place = typed)),
        None => {
            let names: Vec<String> = found.iter().map(|p| p.name.clone()).collect();
            values.insert("address_choices".into(), names.join("\n"));
            Some((StatusCode::OK, values, HashMap::new(), Vec::new()))
        }
    }
}
