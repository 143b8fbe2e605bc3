//! The portal as an OAuth 2.0 authorization server (RFC 6749, 7636, 8414, 7009, 9207,
//! following RFC 9700): the city registers apps and modules as clients; a module gets
//! tokens of its own (client credentials); an app gets a resident's consent and then
//! tokens that act for them with the scopes they agreed to (authorization code with
//! PKCE); refresh tokens rotate, and a reused one or a reused code revokes the tokens
//! that came from it.

pub mod api;
pub mod error;
pub mod pages;
pub mod protocol;
pub mod service;

pub use api::OAuthClientsApi;
