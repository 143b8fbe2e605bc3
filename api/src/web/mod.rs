//! The web layer: application state, extractors, rendering and the HTTP wiring.

pub mod api_locale;
pub mod api_tags;
pub mod app;
pub mod assets;
pub mod auth;
pub mod edge;
pub mod extract;
pub mod health;
pub mod json_body;
pub mod limits;
pub mod module_spec;
pub mod pages;
pub mod spec_patterns;
pub mod state;
pub mod strict_json;
pub mod trust;
