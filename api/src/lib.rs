//! City Portal: one place for residents to find and book everything local.
//!
//! This crate is the server, in three layers (see the README's "Architecture"):
//! [`core`] (configuration, database, outbox, problems, translations; it imports no
//! capability), the capabilities (`listings`, `organizations`, `accounts`, `booking`,
//! `partners`, `notifications`, `search`, `privacy`, `modules`), and [`web`] (the application
//! state, extractors, rendering and the HTTP wiring).

pub mod core;
pub mod web;

pub mod accounts;
pub mod applications;
pub mod booking;
pub mod demo;
pub mod listings;
pub mod modules;
pub mod notifications;
pub mod oauth;
pub mod organizations;
pub mod partners;
pub mod places;
pub mod privacy;
pub mod reports;
pub mod search;
