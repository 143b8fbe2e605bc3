//! Organizations: a business registers one, its owners add and remove members.

pub mod api;
pub mod error;
pub mod service;

pub use api::OrganizationsApi;
pub use error::OrganizationError;
pub use service::{create, my_membership, MemberRole, OrganizationKind};
