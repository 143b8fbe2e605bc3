//! The demo city: reference data (the category taxonomy), the city's own services, and
//! businesses imported from the real OpenStreetMap extract of Helsinki.

pub mod generate;
pub mod gym;
pub mod osm;
pub mod seed;
pub mod services;
