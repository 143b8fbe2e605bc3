//! The city's places, found locally (no outside geocoder): street addresses, streets,
//! squares and districts read from the OpenStreetMap extract its listings come from.
//! The search page's place field, the API's `near` and the listing editor's address
//! search resolve typed text to a point through [`service::find`].

pub mod api;
pub mod error;
pub mod service;

pub use error::PlaceError;
pub use service::{find, resolve, Place, PlaceKind, PlaceText};
