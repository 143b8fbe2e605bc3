//! Issue reports (issue 16, part 3): residents and third-party apps report a problem at a
//! place (a pothole, a broken street light) to a municipal service that a module with the
//! `report` capability serves; the module posts status changes and comments back.
//!
//! [`service`] holds the logic (reports, updates, API keys), [`open311`] speaks Open311
//! GeoReport v2 with FixMyStreet's `servicerequestupdates` at `/open311/v2`, [`api`] is
//! the Module API's `/api/v1/module/reports`, [`pages`] the residents' and admins'
//! pages, and [`photo`] takes what cameras write beside the picture out of a photo.

pub mod api;
pub mod error;
pub mod open311;
pub mod pages;
pub mod photo;
pub mod service;
