//! Search across businesses and municipal services: the database engine
//! ([`service`]), the choice between it and Meilisearch ([`engine`]), the API and the
//! search page.

pub mod api;
pub mod engine;
pub mod error;
pub mod pages;
pub mod service;

pub use error::SearchError;
pub use service::{
    distance_m, highlight, repair_fts, search_db, tokens, FacetCount, Facets, Hit, SearchQuery,
    SearchResult, Sort,
};
