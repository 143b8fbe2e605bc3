//! The foundation every capability builds on; it imports no capability and no web code.

pub mod city;
pub mod config;
pub mod db;
pub mod email;
pub mod error;
pub mod holidays;
pub mod i18n;
pub mod identity;
pub mod locale;
pub mod message;
pub mod metrics;
pub mod outbox;
pub mod param;
pub mod problem;
pub mod rate;
pub mod scope;
pub mod secrets;
pub mod slug;
pub mod store;
pub mod validate;
