//! Integration tests: each test spawns the real server on port 0 with a fresh database,
//! on SQLite and on PostgreSQL, and talks HTTP to it.

mod helpers;

mod account_basics;
mod accounts;
mod applications;
mod appointments;
mod booking;
mod booking_pages;
mod business_mail;
mod config;
mod erasure;
mod example_modules;
mod faults;
mod generate;
mod health;
mod languages;
mod limits;
mod listings;
mod mailbox;
mod meili;
mod migrations;
mod module_appointments;
mod module_check;
mod modules;
mod notifications;
mod oauth;
mod oidc;
mod openapi;
mod ops;
mod osm_import;
mod outbox;
mod partner_pages;
mod partners;
mod places;
mod pool;
mod problems;
mod reports;
mod review;
mod search;
mod trust;
mod web;
