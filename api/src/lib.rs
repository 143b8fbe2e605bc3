//! City Portal: one place for residents to find and book everything local.
//!
//! This crate is the server: configuration, the HTTP API (poem-openapi), the
//! server-rendered pages, accounts, and the demo city. One folder per capability.

pub mod accounts;
pub mod api_tags;
pub mod app;
pub mod auth;
pub mod booking;
pub mod config;
pub mod db;
pub mod demo;
pub mod health;
pub mod i18n;
pub mod json_body;
pub mod listings;
pub mod notifications;
pub mod organizations;
pub mod outbox;
pub mod pages;
pub mod partners;
pub mod privacy;
pub mod problem;
pub mod search;
pub mod state;
pub mod store;
