//! Booking: offers on listings (appointments, classes, memberships), their availability
//! in the city's time zone, and bookings that never overbook.

pub mod api;
pub mod availability;
pub mod idempotency;
pub mod manage_pages;
pub mod offers;
pub mod pages;
pub mod pages_support;
pub mod service;
pub mod waitlist;
