//! Booking: offers on listings (appointments, classes, memberships), their availability
//! in the city's time zone, and bookings that never overbook, kept by the portal
//! (native) or by a business's own booking system (partner).
//!
//! - [`model`]: statuses, inputs, views, the booking context.
//! - [`ledger`]: the steps every booking shares (transitions, seats, waitlist seats).
//! - [`partner`]: the partner side of creating, confirming, cancelling and moving.
//! - [`service`]: the one façade that chooses between native and partner.
//! - [`reconcile`]: settles bookings whose partner outcome was unknown.
//! - [`partner_webhook`]: the partner's signed status changes.

pub mod api;
pub mod availability;
pub mod erasure;
pub mod error;
pub mod export;
pub mod idempotency;
pub mod ledger;
pub mod model;
pub mod offers;
pub mod pages;
pub mod partner;
pub mod partner_webhook;
pub mod reconcile;
pub mod service;
pub mod waitlist;

pub use error::BookingError;
