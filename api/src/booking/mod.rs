//! Booking: offers on listings (appointments, classes, memberships), their availability
//! in the city's time zone, and bookings that never overbook.

pub mod api;
pub mod availability;
pub mod idempotency;
pub mod offers;
pub mod service;
pub mod waitlist;
