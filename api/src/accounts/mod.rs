//! Accounts: register, log in, log out, the caller's profile and personal API tokens,
//! and the resident's own data: export everything, delete the account.

pub mod api;
pub mod error;
pub mod identities;
pub mod mail;
pub mod oidc;
pub mod oidc_pages;
pub mod pages;
pub mod service;

pub use api::{AccountsApi, MyDataApi};
pub use error::AccountError;
pub use service::create_admin;
