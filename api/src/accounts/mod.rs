//! Accounts: register, log in, log out, the caller's profile and personal API tokens,
//! and the resident's own data: export everything, delete the account.

pub mod pages;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::core::identity::Via;
use crate::core::problem::{ApiError, Problem};
use crate::core::validate::{is_valid_email, normalize_email, Errors};
use crate::web::api_tags::ApiTags;
use crate::web::auth::{self, Auth, LoginGate};
use crate::web::state::AppState;
use entities::{api_token, membership, organization, staff_role, user};

/// A new account.
#[derive(Object)]
pub struct Registration {
    /// Your email address; it is your login.
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    /// How the portal greets you, 1-120 characters.
    pub display_name: String,
}

/// Email and password.
#[derive(Object)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// An organization the caller belongs to.
#[derive(Object)]
pub struct MyMembership {
    pub organization_id: Uuid,
    pub organization_name: String,
    /// `owner` or `staff`.
    pub role: String,
}

/// The caller's account.
#[derive(Object)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// `editor` or `admin` when the caller is city staff.
    pub staff_role: Option<String>,
    pub memberships: Vec<MyMembership>,
}

/// A request for a personal API token.
#[derive(Object)]
pub struct NewToken {
    /// What it is for, 1-100 characters.
    pub name: String,
    /// Lifetime in days, 1-365; without it the token lives until revoked.
    pub expires_in_days: Option<u32>,
}

/// A personal API token as listed (the secret is never shown again).
#[derive(Object)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    /// The first characters, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

/// A newly created token: `token` is shown this once.
#[derive(Object)]
pub struct CreatedToken {
    /// Send as `Authorization: Bearer <token>`. Store it now; it cannot be shown again.
    pub token: String,
    #[oai(flatten)]
    pub info: TokenInfo,
}

#[derive(ApiResponse)]
pub enum SessionStarted {
    /// Registered and logged in; the session cookie is set.
    #[oai(status = 201)]
    Created(Json<Me>, #[oai(header = "Set-Cookie")] String),
    /// Logged in; a new session cookie is set.
    #[oai(status = 200)]
    Ok(Json<Me>, #[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
pub enum LoggedOut {
    /// Logged out; the session cookie is cleared.
    #[oai(status = 204)]
    NoContent(#[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
pub enum TokenCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<CreatedToken>),
}

#[derive(ApiResponse)]
pub enum Revoked {
    /// Revoked.
    #[oai(status = 204)]
    NoContent,
}

fn token_info(t: &api_token::Model) -> TokenInfo {
    TokenInfo {
        id: t.id,
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        expires_at: t.expires_at,
        revoked: t.revoked_at.is_some(),
    }
}

/// The caller's profile with memberships.
pub async fn me(db: &DatabaseConnection, city_id: Uuid, user_id: Uuid) -> Result<Me, Problem> {
    let u = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(Problem::unauthorized)?;
    let role = staff_role::Entity::find()
        .filter(staff_role::Column::UserId.eq(user_id))
        .filter(staff_role::Column::CityId.eq(city_id))
        .one(db)
        .await?;
    let memberships = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .find_also_related_org(db)
        .await?;
    Ok(Me {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        staff_role: role.map(|r| r.role),
        memberships,
    })
}

trait FindAlsoOrg {
    async fn find_also_related_org(
        self,
        db: &DatabaseConnection,
    ) -> Result<Vec<MyMembership>, Problem>;
}

impl FindAlsoOrg for sea_orm::Select<membership::Entity> {
    async fn find_also_related_org(
        self,
        db: &DatabaseConnection,
    ) -> Result<Vec<MyMembership>, Problem> {
        let ms = self
            .order_by_asc(membership::Column::CreatedAt)
            .all(db)
            .await?;
        let ids: Vec<Uuid> = ms.iter().map(|m| m.organization_id).collect();
        let orgs = organization::Entity::find()
            .filter(organization::Column::Id.is_in(ids))
            .all(db)
            .await?;
        Ok(ms
            .into_iter()
            .filter_map(|m| {
                orgs.iter()
                    .find(|o| o.id == m.organization_id)
                    .map(|o| MyMembership {
                        organization_id: o.id,
                        organization_name: o.name.clone(),
                        role: m.role.clone(),
                    })
            })
            .collect())
    }
}

/// Validates and creates a user; the email must be new.
pub async fn register(db: &DatabaseConnection, r: &Registration) -> Result<user::Model, Problem> {
    let mut errors = Errors::default();
    let email = normalize_email(&r.email);
    if !is_valid_email(&email) {
        errors.add_en("email", "must be an email address");
    }
    let pw_len = r.password.chars().count();
    if pw_len < 10 {
        errors.add_en("password", "must be at least 10 characters");
    } else if pw_len > 256 {
        errors.add_en("password", "must be at most 256 characters");
    }
    let name = r.display_name.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        errors.add_en(
            "display_name",
            "must be 1-120 characters without control characters",
        );
    }
    errors.into_result(())?;
    // Argon2 takes tens of milliseconds of CPU: not on the request threads.
    let password = r.password.clone();
    let hash = tokio::task::spawn_blocking(move || crate::core::secrets::hash_password(&password))
        .await
        .map_err(|_| Problem::internal())?
        .map_err(|_| Problem::internal())?;
    let now = Utc::now();
    let created = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        password_hash: Set(hash),
        display_name: Set(name.to_string()),
        locale: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await;
    match created {
        Ok(u) => Ok(u),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(Problem::conflict(
                "email-taken",
                "An account with this email exists; log in instead.",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub struct AccountsApi;

#[OpenApi(prefix_path = "/accounts", tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// Register an account
    ///
    /// Creates the account and logs it in (sets the session cookie).
    #[oai(path = "/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        body: Json<Registration>,
    ) -> Result<SessionStarted, ApiError> {
        let u = register(&state.db, &body.0).await?;
        let sid = auth::create_session(&state, u.id).await?;
        let me = me(&state.db, state.city.id, u.id).await?;
        Ok(SessionStarted::Created(
            Json(me),
            auth::session_cookie(&state, &sid),
        ))
    }

    /// Log in
    ///
    /// Starts a new session (a fresh session id, whatever cookie was sent). After 10
    /// failed attempts for an account or from an address within 15 minutes, answers 429
    /// with `Retry-After`.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        body: Json<Credentials>,
    ) -> Result<SessionStarted, ApiError> {
        let email = normalize_email(&body.0.email);
        let ip = auth::client_ip(req);
        if let LoginGate::Closed { retry_after } = auth::login_gate(&state, &email, &ip).await? {
            return Err(ApiError::rate_limited(
                retry_after.as_secs(),
                "Too many failed logins. Wait before trying again.",
            ));
        }
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(email.clone()))
            .one(&state.db)
            .await?;
        let password = body.0.password.clone();
        let hash = found
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| crate::core::secrets::dummy_hash().to_string());
        // argon2 is deliberately slow: keep it off the async workers.
        let valid = tokio::task::spawn_blocking(move || {
            crate::core::secrets::verify_password(&password, &hash)
        })
        .await
        .unwrap_or(false);
        let Some(u) = found.filter(|_| valid) else {
            auth::record_login_failure(&state, &email, &ip).await?;
            return Err(Problem::new(
                poem::http::StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "Email or password is wrong",
            )
            .into());
        };
        // A new session id on every login defeats session fixation.
        if let Some(old) = auth::session_id_from(req) {
            auth::destroy_session(&state, &old).await?;
        }
        let sid = auth::create_session(&state, u.id).await?;
        let me = me(&state.db, state.city.id, u.id).await?;
        Ok(SessionStarted::Ok(
            Json(me),
            auth::session_cookie(&state, &sid),
        ))
    }

    /// Log out
    ///
    /// Ends the current session.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: Auth,
    ) -> Result<LoggedOut, ApiError> {
        if auth.user().via == Via::Session {
            if let Some(sid) = auth::session_id_from(req) {
                auth::destroy_session(&state, &sid).await?;
            }
        }
        Ok(LoggedOut::NoContent(auth::clear_session_cookie(&state)))
    }

    /// Delete my account
    ///
    /// Deletes the account with its memberships, tokens and access log. Confirm with
    /// your password. The last owner of an organization must hand it over first.
    #[oai(path = "/me", method = "delete", operation_id = "delete_my_account")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: Auth,
        body: Json<DeleteAccount>,
    ) -> Result<LoggedOut, ApiError> {
        delete_account(&state.db, state.city.id, auth.user().id, &body.0.password).await?;
        if let Some(sid) = auth::session_id_from(req) {
            auth::destroy_session(&state, &sid).await?;
        }
        Ok(LoggedOut::NoContent(auth::clear_session_cookie(&state)))
    }

    /// Read my account
    #[oai(path = "/me", method = "get", operation_id = "get_me")]
    async fn me(&self, state: Data<&AppState>, auth: Auth) -> Result<Json<Me>, ApiError> {
        Ok(Json(me(&state.db, state.city.id, auth.user().id).await?))
    }

    /// Create a personal API token
    ///
    /// For members of an organization and city staff. The token is shown once; only its
    /// hash is stored.
    #[oai(path = "/me/tokens", method = "post", operation_id = "create_token")]
    async fn create_token(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewToken>,
    ) -> Result<TokenCreated, ApiError> {
        let user = auth.user();
        let is_member = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user.id))
            .one(&state.db)
            .await?
            .is_some();
        if !is_member && !user.is_staff() {
            return Err(Problem::forbidden(
                "API tokens are for members of an organization and city staff.",
            )
            .into());
        }
        let mut errors = Errors::default();
        let name = body.0.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            errors.add_en("name", "must be 1-100 characters");
        }
        if let Some(d) = body.0.expires_in_days {
            if !(1..=365).contains(&d) {
                errors.add_en("expires_in_days", "must be between 1 and 365");
            }
        }
        errors.into_result(())?;
        let secret = format!("cpt_{}", crate::core::secrets::random_secret());
        let now = Utc::now();
        let t = api_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user.id),
            name: Set(name),
            token_hash: Set(crate::core::secrets::sha256_hex(&secret)),
            prefix: Set(secret.chars().take(10).collect()),
            created_at: Set(now),
            last_used_at: Set(None),
            expires_at: Set(body
                .0
                .expires_in_days
                .map(|d| now + chrono::Duration::days(d as i64))),
            revoked_at: Set(None),
        }
        .insert(&state.db)
        .await?;
        Ok(TokenCreated::Created(Json(CreatedToken {
            token: secret,
            info: token_info(&t),
        })))
    }

    /// List my API tokens
    #[oai(path = "/me/tokens", method = "get", operation_id = "list_tokens")]
    async fn list_tokens(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<TokenInfo>>, ApiError> {
        let tokens = api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(auth.user().id))
            .order_by_asc(api_token::Column::CreatedAt)
            .all(&state.db)
            .await?;
        Ok(Json(tokens.iter().map(token_info).collect()))
    }

    /// Revoke one of my API tokens
    #[oai(
        path = "/me/tokens/:id",
        method = "delete",
        operation_id = "revoke_token"
    )]
    async fn revoke_token(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Revoked, ApiError> {
        let res = api_token::Entity::update_many()
            .col_expr(
                api_token::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(Utc::now()),
            )
            .filter(api_token::Column::Id.eq(id.0))
            .filter(api_token::Column::UserId.eq(auth.user().id))
            .exec(&state.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(Problem::not_found("token").into());
        }
        Ok(Revoked::NoContent)
    }
}

/// Makes an account a city admin, creating it when a password is given.
pub async fn create_admin(
    db: &DatabaseConnection,
    city_id: Uuid,
    email: &str,
    password: Option<&str>,
) -> anyhow::Result<String> {
    let email = normalize_email(email);
    if !is_valid_email(&email) {
        anyhow::bail!("'{email}' is not an email address");
    }
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(db)
        .await?;
    let (u, created) = match existing {
        Some(u) => (u, false),
        None => {
            let Some(password) = password else {
                anyhow::bail!("no account has the email {email}; set ADMIN_PASSWORD to create it");
            };
            let r = Registration {
                email: email.clone(),
                password: password.to_string(),
                display_name: "City admin".to_string(),
            };
            let u = register(db, &r)
                .await
                .map_err(|p| anyhow::anyhow!("{}", p.detail.unwrap_or(p.title)))?;
            (u, true)
        }
    };
    staff_role::Entity::insert(staff_role::ActiveModel {
        id: Set(Uuid::now_v7()),
        city_id: Set(city_id),
        user_id: Set(u.id),
        role: Set("admin".to_string()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            staff_role::Column::CityId,
            staff_role::Column::UserId,
        ])
        .update_column(staff_role::Column::Role)
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(if created {
        format!("created {email} and made it a city admin")
    } else {
        format!("made {email} a city admin")
    })
}

/// Everything the portal holds about a user, as one JSON document.
pub async fn export(db: &DatabaseConnection, user_id: Uuid) -> Result<serde_json::Value, Problem> {
    let u = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(Problem::unauthorized)?;
    let ms = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let orgs = organization::Entity::find()
        .filter(
            organization::Column::Id
                .is_in(ms.iter().map(|m| m.organization_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?;
    let roles = staff_role::Entity::find()
        .filter(staff_role::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let tokens = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let access = entities::access_record::Entity::find()
        .filter(entities::access_record::Column::SubjectUserId.eq(user_id))
        .order_by_asc(entities::access_record::Column::CreatedAt)
        .all(db)
        .await?;
    let feed = crate::notifications::feed::created_at(db, user_id).await?;
    Ok(serde_json::json!({
        "exported_at": Utc::now(),
        "account": {
            "id": u.id,
            "email": u.email,
            "display_name": u.display_name,
            "locale": u.locale,
            "created_at": u.created_at,
            "updated_at": u.updated_at,
            "password": "stored only as an argon2id hash, which is not exported",
        },
        "memberships": ms.iter().map(|m| serde_json::json!({
            "organization": orgs.iter().find(|o| o.id == m.organization_id).map(|o| o.name.clone()),
            "organization_id": m.organization_id,
            "role": m.role,
            "since": m.created_at,
        })).collect::<Vec<_>>(),
        "city_staff_roles": roles.iter().map(|r| serde_json::json!({ "city_id": r.city_id, "role": r.role, "since": r.created_at })).collect::<Vec<_>>(),
        "api_tokens": tokens.iter().map(|t| serde_json::json!({
            "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "expires_at": t.expires_at, "revoked_at": t.revoked_at,
        })).collect::<Vec<_>>(),
        "access_log": access.iter().map(|a| serde_json::json!({
            "at": a.created_at, "actor_user_id": a.actor_user_id, "actor_organization_id": a.actor_organization_id,
            "actor_module": a.actor_module,
            "resource": crate::privacy::service::shown(&a.resource, |m| crate::core::i18n::I18n::embedded().api_text(m)),
            "purpose": crate::privacy::service::shown(&a.purpose, |m| crate::core::i18n::I18n::embedded().api_text(m)),
        })).collect::<Vec<_>>(),
        "bookings": [],
        // Its address is not kept (only a hash of its token), so it cannot be exported.
        "calendar_feed": { "active": feed.is_some(), "created_at": feed },
    }))
}

/// Deletes the account and everything attached to it, after checking the password.
/// The last owner of an organization must hand it over first.
pub async fn delete_account(
    db: &DatabaseConnection,
    city_id: Uuid,
    user_id: Uuid,
    password: &str,
) -> Result<(), Problem> {
    let u = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(Problem::unauthorized)?;
    let hash = u.password_hash.clone();
    let password = password.to_string();
    let valid = tokio::task::spawn_blocking(move || {
        crate::core::secrets::verify_password(&password, &hash)
    })
    .await
    .unwrap_or(false);
    if !valid {
        return Err(Problem::invalid("password", "the password is wrong"));
    }
    let txn = crate::core::db::begin_write(db).await?;
    let owned = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::Role.eq("owner"))
        .all(&txn)
        .await?;
    for m in owned {
        let owners = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(m.organization_id))
            .filter(membership::Column::Role.eq("owner"))
            .count(&txn)
            .await?;
        if owners <= 1 {
            return Err(Problem::conflict(
                "last-owner",
                "You are the last owner of an organization: make another member its owner first.",
            ));
        }
    }
    // Memberships, staff roles, tokens, access records, bookings and the calendar feed go with
    // the user (ON DELETE CASCADE).
    user::Entity::delete_by_id(user_id).exec(&txn).await?;
    crate::core::outbox::record(
        &txn,
        city_id,
        "account",
        user_id,
        "account.deleted",
        serde_json::json!({ "user_id": user_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The password, to confirm deleting the account.
#[derive(Object)]
pub struct DeleteAccount {
    pub password: String,
}

#[derive(ApiResponse)]
pub enum Exported {
    /// Everything the portal holds about you.
    #[oai(status = 200)]
    Ok(
        Json<serde_json::Value>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

pub struct MyDataApi;

#[OpenApi(prefix_path = "/accounts", tag = "ApiTags::Accounts")]
impl MyDataApi {
    /// Export my data
    ///
    /// Everything the portal holds about you, as JSON.
    #[oai(path = "/me/export", method = "get", operation_id = "export_my_data")]
    async fn export(&self, state: Data<&AppState>, auth: Auth) -> Result<Exported, ApiError> {
        let doc = export(&state.db, auth.user().id).await?;
        Ok(Exported::Ok(
            Json(doc),
            "attachment; filename=\"my-city-portal-data.json\"".to_string(),
        ))
    }
}
