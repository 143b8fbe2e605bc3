//! Search across businesses and municipal services: the database engine
//! ([`service`], with what it looks for in [`plan`], the city's words for typo
//! corrections in [`vocabulary`] and its highlights and snippets in [`text`]), the
//! choice between it and Meilisearch ([`engine`]), the API and the search page.

pub mod api;
pub mod engine;
pub mod error;
pub mod pages;
pub mod plan;
pub mod service;
pub mod text;
pub mod vocabulary;

pub use error::SearchError;
pub use service::{
    distance_m, optimize_fts, repair_fts, search_db, search_db_with, tokens, FacetCount, Facets,
    Hit, SearchQuery, SearchResult, Sort,
};
pub use text::highlight;
