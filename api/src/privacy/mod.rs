//! Privacy: every read of a resident's data by someone else (city staff, an
//! organization, a module) is recorded, and the resident can see the record.

pub mod api;
pub mod log;
pub mod service;
pub mod writer;
