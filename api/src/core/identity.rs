//! Who is acting: the authenticated caller and their city staff role.

use uuid::Uuid;

use crate::core::scope::{Scope, ScopeSet};

/// A city staff role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffRole {
    Editor,
    Admin,
}

impl StaffRole {
    pub fn parse(s: &str) -> Option<StaffRole> {
        match s {
            "editor" => Some(StaffRole::Editor),
            "admin" => Some(StaffRole::Admin),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Editor => "editor",
            StaffRole::Admin => "admin",
        }
    }
}

/// How the caller authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    Session,
    Token(Uuid),
    /// An OAuth access token an app holds for the resident (see [`AppGrant`]).
    App(AppGrant),
}

/// The app a resident let act for them, and with which scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppGrant {
    pub client_id: Uuid,
    pub client_name: String,
    pub scopes: ScopeSet,
}

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub staff_role: Option<StaffRole>,
    /// The account has a staff role, held back until a city login at the level the
    /// city asks of staff (then `staff_role` is `None`).
    pub staff_step_up: bool,
    pub via: Via,
    /// Whether the account's email address is verified (booking needs it).
    pub email_verified: bool,
    /// The assurance level (`acr`) of the city login that began the session, if one
    /// did.
    pub acr: Option<String>,
    /// When that login authenticated at the provider (its `auth_time`), if it said.
    pub acr_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether the session was begun by the city login.
    pub city_login: bool,
}

impl AuthUser {
    /// City staff (editor or admin) of this city.
    pub fn is_staff(&self) -> bool {
        self.staff_role.is_some()
    }

    /// Whether the caller may do what `scope` covers: the session and personal API
    /// tokens may do everything, an app only what the resident granted it.
    pub fn allows(&self, scope: Scope) -> bool {
        match &self.via {
            Via::App(app) => app.scopes.contains(scope),
            Via::Session | Via::Token(_) => true,
        }
    }
}
