//! E-government modules: systems the city runs for its services (a permit workflow, a
//! street-defect tracker, an appointment system), each described by a manifest
//! (`openapi/module-manifest.schema.json`), reviewed and approved by the city's admins,
//! given an OAuth client with exactly the approved scopes, and listed in a public
//! register with exactly the resident data each receives.

pub mod api;
pub mod appointments;
pub mod check;
pub mod delivery;
pub mod error;
pub mod events;
pub mod manifest;
pub mod pages;
pub mod service;
