//! `GET /api/v1/places`: the city's places matching typed text, for a place field's
//! suggestions.

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::service::{self, Place, PlaceKind, PlaceText};
use super::PlaceError;
use crate::core::error::Invalid;
use crate::core::problem::ApiError;
use crate::listings::model::GeoPoint;
use crate::msg;
use crate::web::api_tags::ApiTags;
use crate::web::state::AppState;

/// A place of the city.
#[derive(Object)]
pub struct PlaceOut {
    /// `district`, `square`, `street` or `address`.
    pub kind: PlaceKind,
    /// `Mannerheimintie 5`.
    pub name: String,
    /// The name with its district, as a page shows it: `Mannerheimintie 5, Kluuvi`.
    pub label: String,
    /// The district it lies in (none for a district).
    pub district: Option<String>,
    pub location: GeoPoint,
}

impl From<Place> for PlaceOut {
    fn from(p: Place) -> PlaceOut {
        PlaceOut {
            kind: p.kind,
            label: p.label(),
            location: GeoPoint {
                lat: p.lat,
                lng: p.lng,
            },
            name: p.name,
            district: p.district,
        }
    }
}

/// Places matching the typed text.
#[derive(Object)]
pub struct Places {
    pub places: Vec<PlaceOut>,
}

pub struct PlacesApi;

#[OpenApi(tag = "ApiTags::Listings")]
impl PlacesApi {
    /// Find places
    ///
    /// Street addresses, streets, squares and districts of the city whose name is or
    /// begins with the typed text (folded as the search folds: case, accents and `ä` =
    /// `ae` do not matter), best first: whole names, then districts, squares, streets
    /// and addresses. Found locally, from the OpenStreetMap data the city's listings
    /// were imported from; no outside geocoder is asked. An empty list when nothing
    /// matches. A place's `location` can be given to the search as `near`.
    #[oai(path = "/places", method = "get", operation_id = "find_places")]
    async fn places(
        &self,
        state: Data<&AppState>,
        /// What has been typed (1-200 characters, not only spaces), e.g.
        /// `Mannerheimintie 5` or `Kluuvi`.
        #[oai(validator(
            max_length = 200,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        ))]
        q: Query<String>,
        /// At most this many places (1-20, default 8).
        #[oai(validator(minimum(value = "1"), maximum(value = "20")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<Places>, ApiError> {
        let mut errors = crate::core::validate::Errors::default();
        let text = PlaceText::parse(&q.0).map_err(|m| errors.add("q", m)).ok();
        let limit = limit.0.unwrap_or(8);
        if !(1..=20).contains(&limit) {
            errors.add("limit", msg!("v-search-between", min = 1, max = 20));
        }
        let text = errors.into_result(text).map_err(PlaceError::from)?;
        let Some(text) = text else {
            return Err(PlaceError::Invalid(Invalid::field(
                "q",
                msg!("v-place-text", max = service::MAX_TEXT),
            ))
            .into());
        };
        let found = service::find(&state.db, state.city.id, &text, u64::from(limit)).await?;
        Ok(Json(Places {
            places: found.into_iter().map(PlaceOut::from).collect(),
        }))
    }
}
