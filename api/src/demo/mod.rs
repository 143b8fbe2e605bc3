//! The demo city: reference data (the category taxonomy), the city's own services, and
//! businesses imported from the real OpenStreetMap extract of Helsinki.

// The example modules (parking permits, street defects) run in-process: only with the
// feature `demo-modules` (a default one).
#[cfg(feature = "demo-modules")]
pub mod examples;
#[cfg(not(feature = "demo-modules"))]
#[path = "examples_without_modules.rs"]
pub mod examples;
pub mod generate;
// The demo gym books through the sandbox partner, run in-process: only with the feature
// `demo-partner` (a default one); without it a stand-in says the gym is left out.
#[cfg(feature = "demo-partner")]
pub mod gym;
#[cfg(not(feature = "demo-partner"))]
#[path = "gym_without_partner.rs"]
pub mod gym;
pub mod osm;
pub mod osm_places;
pub mod seed;
pub mod services;
