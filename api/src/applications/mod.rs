//! Applications to the city through its e-government modules (issue 16, part 2): the
//! form a module's service asks residents to fill in ([`form`]: a documented subset of
//! JSON Schema, parsed, rendered and validated), the files residents attach
//! ([`upload`]: sniffed, named safely; [`multipart`]: read within limits) and a submission sealed to a module's key
//! ([`seal`]: compact JWE, RSA-OAEP-256 with A256GCM, as FIT-Connect does).
//!
//! [`service`] keeps the cases (draft → submitted → the module's states, the timeline,
//! the files), [`pages`] are the resident's (apply, review, My applications) and [`api`]
//! the module's side (`/api/v1/module/applications`). Delivery to the modules is
//! `modules::delivery`.

pub mod api;
pub mod error;
pub mod form;
pub mod multipart;
pub mod notify;
pub mod pages;
pub mod seal;
pub mod service;
pub mod upload;

#[cfg(test)]
mod tests;
