//! Listings: what residents find — businesses and municipal services.

pub mod api;
pub mod cache;
pub mod error;
pub mod hours;
pub mod model;
pub mod pages;
pub mod review;
pub mod service;
pub mod taxonomy;

pub use error::ListingError;
