//! sea-orm entities of City Portal: the data model (and its seeded category
//! taxonomy), no logic.
//!
//! Written by hand to match `migration/`; the migration tests check both agree by
//! reading and writing every table on SQLite and PostgreSQL.

pub mod access_record;
pub mod account_token;
pub mod api_token;
pub mod application;
pub mod application_event;
pub mod application_file;
pub mod booking;
pub mod calendar_feed;
pub mod category;
pub mod city;
pub mod idempotency_key;
pub mod listing;
pub mod listing_category;
pub mod membership;
pub mod module;
pub mod module_delivery;
pub mod module_service;
pub mod module_version;
pub mod notification_sent;
pub mod oauth_client;
pub mod oauth_client_secret;
pub mod oauth_code;
pub mod oauth_grant;
pub mod oauth_token;
pub mod offer;
pub mod offer_slot;
pub mod open311_key;
pub mod opening_hours_exception;
pub mod opening_hours_rule;
pub mod organization;
pub mod outbox_delivery;
pub mod outbox_event;
pub mod partner_connection;
pub mod partner_webhook_event;
pub mod place;
pub mod report;
pub mod report_photo;
pub mod report_update;
pub mod staff_role;
pub mod taxonomy;
pub mod user;
pub mod user_identity;
pub mod waitlist_entry;
