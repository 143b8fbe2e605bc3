//! Notifications: emails to residents about their bookings, each with the booking as an
//! RFC 5545 `.ics`; the `.ics` download; and the personal calendar feed.
//!
//! The consumer [`CONSUMER`] reads the outbox like the search indexer does (its own
//! delivery rows, claimed in order with `FOR UPDATE SKIP LOCKED` on PostgreSQL, retried
//! with backoff, never dropped; see [`crate::core::outbox::Deliveries`]) and sends a
//! confirmation, a "request received", a reschedule notice, a cancellation (also for
//! rejected and expired bookings) and, for `waitlist.offered`, the offer of a freed seat.
//! For a booking request and a resident's cancellation, the business's members get an
//! email too ([`business`]). A periodic job sends each confirmed booking one reminder `REMINDER_HOURS` before it
//! starts; the row it claims in `notifications_sent` first keeps a second server from
//! sending it again. Messages go out by SMTP when `SMTP_URL` is set and to the log
//! otherwise.

pub mod api;
pub mod business;
pub mod error;
pub mod export;
pub mod feed;
pub mod ics;
pub mod mailer;
pub mod message;
pub mod service;

pub use error::NotificationError;
pub use service::{
    spawn, Batch, Failure, Notifier, CONSUMER, DELIVERIES, REMINDER_AFTER_BATCH, REMINDER_INTERVAL,
};
