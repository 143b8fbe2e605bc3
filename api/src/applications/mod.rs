//! Applications to the city through its e-government modules (issue 16, part 2): the
//! form a module's service asks residents to fill in ([`form`]: a documented subset of
//! JSON Schema, parsed, rendered and validated), the files residents attach
//! ([`upload`]: sniffed, named safely; [`multipart`]: read within limits) and a submission sealed to a module's key
//! ([`seal`]: compact JWE, RSA-OAEP-256 with A256GCM, as FIT-Connect does).
//!
//! This is a capability library: the application pages (submit page → store → deliver)
//! call it; it knows no page, route or table.

pub mod form;
pub mod multipart;
pub mod seal;
pub mod upload;

#[cfg(test)]
mod tests;
