//! Listings: what residents find — businesses and municipal services.

pub mod api;
pub mod cache;
pub mod form;
pub mod hours;
pub mod manage;
pub mod model;
pub mod pages;
pub mod service;
pub mod taxonomy;
