//! Integration tests: real HTTP against a sandbox spawned on a free port.

mod booking;
mod check;
mod control;
mod faults;
mod helpers;
mod oauth;
mod spec;
mod webhooks;
