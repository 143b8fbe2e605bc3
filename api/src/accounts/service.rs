//! Accounts: register, the caller's profile, personal API tokens, and the resident's
//! own data: export everything, delete the account.

use chrono::Utc;
use poem_openapi::Object;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::error::AccountError;
use super::mail::{Kind as MailKind, Mail};
use crate::core::email::Email;
use crate::core::error::{CommonError, Invalid};
use crate::core::identity::AuthUser;
use crate::core::locale::Locale;
use crate::core::validate::Errors;
use crate::msg;
use entities::{account_token, api_token, membership, organization, staff_role, user};

/// A new account.
#[derive(Object)]
pub struct Registration {
    /// Your email address; it is your login.
    #[oai(validator(
        max_length = 254,
        pattern = r"^[ \t\n\r]*[^\s@\u0000-\u001F\u007F-\u009F]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[ \t\n\r]*$"
    ))]
    pub email: String,
    /// 10-256 characters.
    #[oai(validator(min_length = 10, max_length = 256))]
    pub password: String,
    /// How the portal greets you, 1-120 characters.
    #[oai(validator(
        pattern = r"^[ \t\n\r]*[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]{0,118}[^\s\u0000-\u001F\u007F-\u009F])?[ \t\n\r]*$"
    ))]
    pub display_name: String,
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
    /// Whether the address was verified (following the link emailed to it); booking
    /// needs a verified address.
    pub email_verified: bool,
    /// The address the account changes to once its link is followed, if a change is
    /// pending (until then `email` stays the login).
    pub pending_email: Option<String>,
    /// The language of the account's emails and calendar files (`de`, `en`); without
    /// it, the city's.
    pub locale: Option<String>,
}

/// The caller's profile with memberships.
pub async fn me(db: &DatabaseConnection, city_id: Uuid, user_id: Uuid) -> Result<Me, AccountError> {
    let u = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AccountError::Unauthorized)?;
    let role = staff_role::Entity::find()
        .filter(staff_role::Column::UserId.eq(user_id))
        .filter(staff_role::Column::CityId.eq(city_id))
        .one(db)
        .await?;
    let memberships = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .find_also_related_org(db)
        .await?;
    let pending_email = pending_email(db, &u).await?;
    Ok(Me {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        staff_role: role.map(|r| r.role),
        memberships,
        email_verified: u.email_verified_at.is_some(),
        pending_email,
        locale: u.locale,
    })
}

trait FindAlsoOrg {
    async fn find_also_related_org(
        self,
        db: &DatabaseConnection,
    ) -> Result<Vec<MyMembership>, AccountError>;
}

impl FindAlsoOrg for sea_orm::Select<membership::Entity> {
    async fn find_also_related_org(
        self,
        db: &DatabaseConnection,
    ) -> Result<Vec<MyMembership>, AccountError> {
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

/// What registering did: a new account with the secret of its verification link, or
/// nothing, because the address has an account already (with verification, its owner
/// is told by email and the one registering is answered as if it were new; see
/// [`taken_without_email`] for a portal without).
pub enum Registered {
    New {
        user: user::Model,
        /// `None` when the address counts as verified at once (see [`register`]).
        verify_secret: Option<String>,
    },
    Taken {
        owner: user::Model,
    },
}

fn check_password(errors: &mut Errors, field: &str, password: &str) {
    let pw_len = password.chars().count();
    if pw_len < 10 {
        errors.add(field, msg!("error-password-length"));
    } else if pw_len > 256 {
        errors.add(field, msg!("v-password-max"));
    }
}

fn check_display_name(errors: &mut Errors, name: &str) {
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        errors.add("display_name", msg!("error-display-name"));
    }
}

/// Argon2 takes tens of milliseconds of CPU: not on the request threads.
async fn hash(password: &str) -> Result<String, AccountError> {
    let password = password.to_string();
    Ok(
        tokio::task::spawn_blocking(move || crate::core::secrets::hash_password(&password))
            .await
            .map_err(|e| CommonError::Internal(format!("hashing the password: {e}")))?
            .map_err(|e| CommonError::Internal(format!("hashing the password: {e:?}")))?,
    )
}

/// Whether `password` is the account's (off the request threads, as argon2 is slow).
async fn password_matches(u: &user::Model, password: &str) -> bool {
    let hash = u.password_hash.clone();
    let password = password.to_string();
    tokio::task::spawn_blocking(move || crate::core::secrets::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Validates and creates a user with the language `locale`. With `verification` its
/// address waits for the emailed link; without (a portal that sends no email, where
/// no link could ever arrive) it counts as verified at once. An address that has an
/// account already is [`Registered::Taken`], after the same work as a new one.
pub async fn register(
    db: &DatabaseConnection,
    r: &Registration,
    locale: Locale,
    verification: bool,
) -> Result<Registered, AccountError> {
    let mut errors = Errors::default();
    let email = Email::parse(&r.email);
    if email.is_none() {
        errors.add("email", msg!("error-email-invalid"));
    }
    check_password(&mut errors, "password", &r.password);
    let name = r.display_name.trim();
    check_display_name(&mut errors, name);
    errors.into_result(())?;
    let Some(email) = email else {
        unreachable!("an address that does not parse is one of the errors above");
    };
    let hash = hash(&r.password).await?;
    let now = Utc::now();
    let email = email.into_string();
    let txn = crate::core::db::begin_write(db).await?;
    let created = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.clone()),
        password_hash: Set(hash),
        display_name: Set(name.to_string()),
        locale: Set(Some(locale.as_str().to_string())),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        email_verified_at: Set((!verification).then_some(now)),
        credentials_changed_at: Set(None),
    }
    .insert(&txn)
    .await;
    match created {
        Ok(u) => {
            let verify_secret = match verification {
                true => Some(issue(&txn, u.id, Purpose::Verify, Some(&u.email)).await?),
                false => None,
            };
            txn.commit().await?;
            Ok(Registered::New {
                user: u,
                verify_secret,
            })
        }
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            drop(txn);
            let owner = user::Entity::find()
                .filter(user::Column::Email.eq(email))
                .one(db)
                .await?
                .ok_or_else(|| CommonError::Internal("the taken address vanished".into()))?;
            Ok(Registered::Taken { owner })
        }
        Err(e) => Err(e.into()),
    }
}

/// Password reset requests counted per address and per client within [`LIMIT_WINDOW`].
pub const RESETS_PER_ADDRESS: u64 = 3;
pub const RESETS_PER_CLIENT: u64 = 10;
/// Verification links (again, or for a new address) per account within the window.
pub const LINKS_PER_ACCOUNT: u64 = 5;
pub const LIMIT_WINDOW: std::time::Duration = std::time::Duration::from_secs(3600);

/// Counts a request against each of `keys` (at most `max` per key within
/// [`LIMIT_WINDOW`]); `Some(retry_after)` when one of them is over its limit. The keys
/// hold hashes of addresses, never an address.
pub async fn over_limit(
    store: &crate::core::store::Store,
    keys: &[(String, u64)],
) -> Result<Option<std::time::Duration>, crate::core::store::StoreError> {
    let mut wait = None;
    for (key, max) in keys {
        let n = store.incr_window(key, LIMIT_WINDOW).await?;
        if n > *max {
            let (_, ttl) = store.counter(key).await?;
            wait = Some(ttl.max(std::time::Duration::from_secs(1)));
        }
    }
    Ok(wait)
}

/// The rate-limit keys of a reset request for `email` from `ip`.
pub fn reset_limit_keys(email: &str, ip: &str) -> Vec<(String, u64)> {
    let email = crate::core::email::normalize(email);
    vec![
        (
            format!("reset:acct:{}", crate::core::secrets::sha256_hex(&email)),
            RESETS_PER_ADDRESS,
        ),
        (format!("reset:ip:{ip}"), RESETS_PER_CLIENT),
    ]
}

/// The rate-limit key of registrations from the client `ip`, at most `per_hour`.
pub fn register_limit_keys(ip: &str, per_hour: u64) -> Vec<(String, u64)> {
    vec![(format!("register:ip:{ip}"), per_hour)]
}

/// The rate-limit key of the links an account asks for.
pub fn link_limit_keys(user_id: Uuid) -> Vec<(String, u64)> {
    vec![(format!("links:user:{user_id}"), LINKS_PER_ACCOUNT)]
}

/// What an emailed link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Verifies an address (the account's, or the new one it changes to).
    Verify,
    /// Sets a new password.
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
        }
    }

    /// How long a link lives: a reset one hour, a verification seven days.
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            Purpose::Verify => chrono::Duration::days(7),
            Purpose::Reset => chrono::Duration::hours(1),
        }
    }
}

/// Stores a new single-use link for the user (its hash) and returns its secret. The
/// account's links that were used or have expired go (nothing is kept that no longer
/// works; the rest go with the account).
async fn issue<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    purpose: Purpose,
    email: Option<&str>,
) -> Result<String, AccountError> {
    let secret = crate::core::secrets::random_secret();
    let now = Utc::now();
    account_token::Entity::delete_many()
        .filter(account_token::Column::UserId.eq(user_id))
        .filter(
            sea_orm::Condition::any()
                .add(account_token::Column::UsedAt.is_not_null())
                .add(account_token::Column::ExpiresAt.lte(now)),
        )
        .exec(conn)
        .await?;
    account_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_string()),
        token_hash: Set(crate::core::secrets::sha256_hex(&secret)),
        email: Set(email.map(String::from)),
        created_at: Set(now),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(secret)
}

/// Deletes the emailed links that were used or have expired: they open nothing any
/// more, and a link to a new address holds that address. The number deleted.
pub async fn purge_links(db: &DatabaseConnection) -> Result<u64, AccountError> {
    let done = account_token::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(account_token::Column::UsedAt.is_not_null())
                .add(account_token::Column::ExpiresAt.lte(Utc::now())),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Purges used and expired links a minute after start (not during the start's own
/// writes, which SQLite serialises) and then hourly. Several servers may run it.
pub async fn run_link_purge(db: DatabaseConnection) {
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    loop {
        match purge_links(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                links = n,
                "accounts: used and expired emailed links deleted"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "accounts: deleting old emailed links failed; will retry")
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

/// The unused, unexpired link with this secret, with its account; an unknown, used or
/// expired one is an error at the field `token`.
pub async fn find_link<C: ConnectionTrait>(
    conn: &C,
    purpose: Purpose,
    secret: &str,
) -> Result<(account_token::Model, user::Model), AccountError> {
    let invalid = || AccountError::from(Invalid::field("token", msg!("error-link-invalid")));
    let secret = secret.trim();
    if secret.is_empty() || secret.len() > 200 {
        return Err(invalid());
    }
    let t = account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(crate::core::secrets::sha256_hex(secret)))
        .filter(account_token::Column::Purpose.eq(purpose.as_str()))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::ExpiresAt.gt(Utc::now()))
        .one(conn)
        .await?
        .ok_or_else(invalid)?;
    let u = user::Entity::find_by_id(t.user_id)
        .filter(user::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(invalid)?;
    Ok((t, u))
}

/// Marks a link used; an error when another request used it first.
async fn use_link<C: ConnectionTrait>(
    conn: &C,
    t: &account_token::Model,
) -> Result<(), AccountError> {
    let done = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(account_token::Column::Id.eq(t.id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if done.rows_affected != 1 {
        return Err(Invalid::field("token", msg!("error-link-invalid")).into());
    }
    Ok(())
}

/// The address a pending change would verify: the newest unused, unexpired
/// verification link for another address than the account's.
async fn pending_email<C: ConnectionTrait>(
    conn: &C,
    u: &user::Model,
) -> Result<Option<String>, AccountError> {
    Ok(account_token::Entity::find()
        .filter(account_token::Column::UserId.eq(u.id))
        .filter(account_token::Column::Purpose.eq(Purpose::Verify.as_str()))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::ExpiresAt.gt(Utc::now()))
        .filter(account_token::Column::Email.ne(u.email.clone()))
        .order_by_desc(account_token::Column::CreatedAt)
        .one(conn)
        .await?
        .and_then(|t| t.email))
}

/// What following a verification link did, to which account and address.
pub struct Verified {
    pub user_id: Uuid,
    /// The account's address (its login) now.
    pub email: String,
    /// Whether the address changed to the verified one (else the account's own address
    /// is verified).
    pub changed: bool,
}

/// Follows a verification link: the account's address is verified, or, for a pending
/// change, becomes the new one (verified). The link is used up.
pub async fn verify(db: &DatabaseConnection, secret: &str) -> Result<Verified, AccountError> {
    let txn = crate::core::db::begin_write(db).await?;
    let (t, u) = find_link(&txn, Purpose::Verify, secret).await?;
    use_link(&txn, &t).await?;
    let now = Utc::now();
    let to = t.email.clone().unwrap_or_else(|| u.email.clone());
    let outcome = Verified {
        user_id: u.id,
        changed: to != u.email,
        email: to.clone(),
    };
    let updated = user::Entity::update_many()
        .col_expr(user::Column::Email, Expr::value(to))
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Some(now)))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(u.id))
        .exec(&txn)
        .await;
    match updated {
        Ok(_) => {}
        // Another account took the new address meanwhile.
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            return Err(Invalid::field("token", msg!("error-link-invalid")).into());
        }
        Err(e) => return Err(e.into()),
    }
    if outcome.changed {
        // The other pending changes of the account end with this one.
        account_token::Entity::update_many()
            .col_expr(account_token::Column::UsedAt, Expr::value(Some(now)))
            .filter(account_token::Column::UserId.eq(u.id))
            .filter(account_token::Column::Purpose.eq(Purpose::Verify.as_str()))
            .filter(account_token::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(outcome)
}

/// Marks the account's address verified without a link: accounts the city's admins
/// create (`create-admin`), who stand for their address themselves.
pub async fn verify_without_link(
    db: &DatabaseConnection,
    user_id: Uuid,
) -> Result<(), AccountError> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Some(Utc::now())))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// A new verification link for the account's own address, when it is not verified yet.
pub async fn resend_verification(
    db: &DatabaseConnection,
    user_id: Uuid,
) -> Result<Option<Mail>, AccountError> {
    let u = user::Entity::find_by_id(user_id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(AccountError::Unauthorized)?;
    if u.email_verified_at.is_some() {
        return Ok(None);
    }
    let secret = issue(db, u.id, Purpose::Verify, Some(&u.email)).await?;
    Ok(Some(Mail {
        kind: MailKind::Verify,
        to: u.email.clone(),
        name: u.display_name.clone(),
        locale: u.locale.clone(),
        secret: Some(secret),
        other: None,
        next: None,
    }))
}

/// The reset link for the account with this address, if there is one (none for an
/// unknown or erased address: the caller answers the same either way).
pub async fn request_reset(
    db: &DatabaseConnection,
    email: &str,
) -> Result<Option<Mail>, AccountError> {
    let Some(email) = Email::parse(email) else {
        return Ok(None);
    };
    let Some(u) = user::Entity::find()
        .filter(user::Column::Email.eq(email.into_string()))
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let secret = issue(db, u.id, Purpose::Reset, None).await?;
    Ok(Some(Mail {
        kind: MailKind::Reset,
        to: u.email.clone(),
        name: u.display_name.clone(),
        locale: u.locale.clone(),
        secret: Some(secret),
        other: None,
        next: None,
    }))
}

/// Sets a new password through a reset link: every reset link of the account is used
/// up, its sessions end and its API tokens are revoked (whoever knew the old password
/// is locked out), and the address counts as verified (the link reached it). Returns
/// the message telling the owner.
pub async fn reset_password(
    db: &DatabaseConnection,
    secret: &str,
    password: &str,
) -> Result<Mail, AccountError> {
    let mut errors = Errors::default();
    check_password(&mut errors, "password", password);
    errors.into_result(())?;
    let (_, u) = find_link(db, Purpose::Reset, secret).await?;
    let hash = hash(password).await?;
    let txn = crate::core::db::begin_write(db).await?;
    let (t, u) = match find_link(&txn, Purpose::Reset, secret).await {
        Ok(found) if found.1.id == u.id => found,
        Ok(_) | Err(_) => return Err(Invalid::field("token", msg!("error-link-invalid")).into()),
    };
    use_link(&txn, &t).await?;
    let now = Utc::now();
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(account_token::Column::UserId.eq(u.id))
        .filter(account_token::Column::Purpose.eq(Purpose::Reset.as_str()))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::CredentialsChangedAt, Expr::value(Some(now)))
        .col_expr(
            user::Column::EmailVerifiedAt,
            Expr::value(Some(u.email_verified_at.unwrap_or(now))),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(u.id))
        .exec(&txn)
        .await?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::UserId.eq(u.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(password_changed_mail(&u))
}

fn password_changed_mail(u: &user::Model) -> Mail {
    Mail {
        kind: MailKind::PasswordChanged,
        to: u.email.clone(),
        name: u.display_name.clone(),
        locale: u.locale.clone(),
        secret: None,
        other: None,
        next: None,
    }
}

/// Changes the password after checking the current one. Every session begun before
/// ends (the caller starts a new one for the browser that changed it); API tokens stay
/// (they are listed on the account page, each revocable). Returns the message telling
/// the owner.
pub async fn change_password(
    db: &DatabaseConnection,
    user_id: Uuid,
    current: &str,
    new: &str,
) -> Result<Mail, AccountError> {
    let u = live_user(db, user_id).await?;
    let mut errors = Errors::default();
    if !password_matches(&u, current).await {
        errors.add("current_password", msg!("error-password-wrong"));
    }
    check_password(&mut errors, "new_password", new);
    errors.into_result(())?;
    let hash = hash(new).await?;
    let now = Utc::now();
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::CredentialsChangedAt, Expr::value(Some(now)))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(u.id))
        .exec(db)
        .await?;
    Ok(password_changed_mail(&u))
}

async fn live_user(db: &DatabaseConnection, user_id: Uuid) -> Result<user::Model, AccountError> {
    user::Entity::find_by_id(user_id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(AccountError::Unauthorized)
}

/// Changes the name and/or the language of the account's emails and calendar files.
pub async fn update_profile(
    db: &DatabaseConnection,
    user_id: Uuid,
    display_name: Option<&str>,
    locale: Option<Locale>,
) -> Result<(), AccountError> {
    let mut errors = Errors::default();
    let name = display_name.map(str::trim);
    if let Some(n) = name {
        check_display_name(&mut errors, n);
    }
    errors.into_result(())?;
    let u = live_user(db, user_id).await?;
    let mut m: user::ActiveModel = u.into();
    if let Some(n) = name {
        m.display_name = Set(n.to_string());
    }
    if let Some(l) = locale {
        m.locale = Set(Some(l.as_str().to_string()));
    }
    m.updated_at = Set(Utc::now());
    m.update(db).await?;
    Ok(())
}

/// Starts changing the account's address after checking the password: the new address
/// gets a verification link (or, when another account has it, a note that someone
/// tried to use it), and the current one a note of the change. The current address
/// stays the login until the link is followed. Returns the messages to send; the
/// caller answers the same either way.
pub async fn request_email_change(
    db: &DatabaseConnection,
    user_id: Uuid,
    new_email: &str,
    password: &str,
) -> Result<Vec<Mail>, AccountError> {
    let u = live_user(db, user_id).await?;
    let mut errors = Errors::default();
    let email = Email::parse(new_email).map(Email::into_string);
    match &email {
        None => errors.add("email", msg!("error-email-invalid")),
        Some(e) if *e == u.email => errors.add("email", msg!("error-email-same")),
        Some(_) => {}
    }
    if !password_matches(&u, password).await {
        errors.add("password", msg!("error-password-wrong"));
    }
    errors.into_result(())?;
    let Some(email) = email else {
        unreachable!("an address that does not parse is one of the errors above");
    };
    let owner = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(db)
        .await?;
    let txn = crate::core::db::begin_write(db).await?;
    // One pending change at a time: an earlier one's link stops working.
    account_token::Entity::delete_many()
        .filter(account_token::Column::UserId.eq(u.id))
        .filter(account_token::Column::Purpose.eq(Purpose::Verify.as_str()))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::Email.ne(u.email.clone()))
        .exec(&txn)
        .await?;
    let first = match owner {
        Some(o) => Mail {
            kind: MailKind::Taken,
            to: o.email.clone(),
            name: o.display_name.clone(),
            locale: o.locale.clone(),
            secret: None,
            other: None,
            next: None,
        },
        None => Mail {
            kind: MailKind::Verify,
            to: email.clone(),
            name: u.display_name.clone(),
            locale: u.locale.clone(),
            secret: Some(issue(&txn, u.id, Purpose::Verify, Some(&email)).await?),
            other: None,
            next: None,
        },
    };
    txn.commit().await?;
    Ok(vec![
        first,
        Mail {
            kind: MailKind::EmailChanging,
            to: u.email.clone(),
            name: u.display_name.clone(),
            locale: u.locale.clone(),
            secret: None,
            other: Some(email),
            next: None,
        },
    ])
}

/// The note to the owner of a taken address that someone tried to register with it.
pub fn taken_mail(owner: &user::Model) -> Mail {
    Mail {
        kind: MailKind::Taken,
        to: owner.email.clone(),
        name: owner.display_name.clone(),
        locale: owner.locale.clone(),
        secret: None,
        other: None,
        next: None,
    }
}

/// The verification message of a new account, if it needs one; its link leads on to
/// `next` (a path of this site) once followed.
pub fn verify_mail(u: &user::Model, secret: Option<String>, next: Option<&str>) -> Option<Mail> {
    Some(Mail {
        kind: MailKind::Verify,
        to: u.email.clone(),
        name: u.display_name.clone(),
        locale: u.locale.clone(),
        secret: Some(secret?),
        other: None,
        next: next.map(String::from),
    })
}

/// What registering an address that has an account answers on a portal that sends no
/// email: without a mailbox to finish in, whoever registers learns at once whether
/// they are in (logged in, or not), so the portal says it plainly.
pub fn taken_without_email() -> AccountError {
    Invalid::field("email", msg!("error-email-taken")).into()
}

/// What a login attempt found.
pub enum LoginCheck {
    /// The password is the account's: log in.
    Valid(user::Model),
    /// No such account, or a wrong password.
    Refused,
    /// The right password of an account whose address was never confirmed, on a portal
    /// that verifies addresses: refused like a wrong password (else logging in would
    /// tell whoever registered a taken address that it was taken), while a new link
    /// may go to the address.
    Unconfirmed(user::Model),
}

/// Checks a login's email and password (the same work, a password hash, whether the
/// account exists or not). With `verification`, an address never confirmed does not
/// log in (see [`LoginCheck::Unconfirmed`]).
pub async fn check_login(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    verification: bool,
) -> Result<LoginCheck, AccountError> {
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(crate::core::email::normalize(email)))
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    let hash = found
        .as_ref()
        .filter(|u| super::identities::has_password(u))
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| crate::core::secrets::dummy_hash().to_string());
    let password = password.to_string();
    // argon2 is deliberately slow: keep it off the async workers.
    let valid = tokio::task::spawn_blocking(move || {
        crate::core::secrets::verify_password(&password, &hash)
    })
    .await
    .unwrap_or(false);
    Ok(match found.filter(|_| valid) {
        None => LoginCheck::Refused,
        Some(u) if verification && u.email_verified_at.is_none() => LoginCheck::Unconfirmed(u),
        Some(u) => LoginCheck::Valid(u),
    })
}

/// Makes an account a city admin, creating it when a password is given.
pub async fn create_admin(
    db: &DatabaseConnection,
    city_id: Uuid,
    email: &str,
    password: Option<&str>,
) -> anyhow::Result<String> {
    let Some(email) = Email::parse(email).map(Email::into_string) else {
        anyhow::bail!("'{}' is not an email address", email.trim());
    };
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
            let registered = register(db, &r, Locale::En, false).await.map_err(|e| {
                let p = crate::core::problem::Problem::from(e);
                anyhow::anyhow!("{}", p.detail.unwrap_or(p.title))
            })?;
            match registered {
                Registered::New { user, .. } => (user, true),
                Registered::Taken { owner } => (owner, false),
            }
        }
    };
    verify_without_link(db, u.id)
        .await
        .map_err(|e| anyhow::anyhow!("verifying the address: {e}"))?;
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
pub async fn export(
    db: &DatabaseConnection,
    user_id: Uuid,
    tz: chrono_tz::Tz,
) -> Result<serde_json::Value, AccountError> {
    let i18n = crate::core::i18n::I18n::embedded();
    let words = |stored: &str| {
        crate::privacy::log::shown(i18n, crate::core::locale::Locale::En, tz, stored)
    };
    let u = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AccountError::Unauthorized)?;
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
    let pending = pending_email(db, &u).await?;
    let links = account_token::Entity::find()
        .filter(account_token::Column::UserId.eq(user_id))
        .order_by_asc(account_token::Column::CreatedAt)
        .all(db)
        .await?;
    let city_login = super::identities::of_user(db, user_id).await?;
    let booking = crate::booking::export::for_resident(db, user_id).await?;
    let notifications = crate::notifications::export::for_resident(db, &booking.ids).await?;
    let apps = crate::oauth::service::grants_of(db, user_id).await?;
    let reports = crate::reports::service::export_for_resident(db, user_id).await?;
    let applications = crate::applications::service::export(db, user_id)
        .await
        .map_err(|e| match e {
            crate::applications::error::ApplicationError::Db(d) => AccountError::from(d),
            other => AccountError::from(sea_orm::DbErr::Custom(other.to_string())),
        })?;
    Ok(serde_json::json!({
        "exported_at": Utc::now(),
        "account": {
            "id": u.id,
            "email": u.email,
            "display_name": u.display_name,
            "locale": u.locale,
            "created_at": u.created_at,
            "updated_at": u.updated_at,
            "email_verified_at": u.email_verified_at,
            "pending_email": pending,
            "password_changed_at": u.credentials_changed_at,
            "password": if super::identities::has_password(&u) {
                "stored only as an argon2id hash, which is not exported"
            } else {
                "none: the account logs in with the city login"
            },
        },
        // Only the provider and the resident's identifier there are kept.
        "city_login": city_login.map(|l| serde_json::json!({
            "issuer": l.issuer, "subject": l.subject, "linked_at": l.linked_at,
            "last_login_at": l.last_login_at,
        })),
        // Their secrets are stored only as hashes, which are not exported.
        "email_links": links.iter().map(|t| serde_json::json!({
            "purpose": t.purpose, "email": t.email, "created_at": t.created_at,
            "expires_at": t.expires_at, "used_at": t.used_at,
        })).collect::<Vec<_>>(),
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
        // The apps allowed to act for the resident; their tokens are stored only as
        // hashes, which are not exported.
        "app_grants": apps.iter().map(|g| serde_json::json!({
            "app": g.app, "client_id": g.client_id, "scopes": g.scopes.to_string_list(),
            "granted_at": g.created_at, "updated_at": g.updated_at, "last_used_at": g.last_used_at,
        })).collect::<Vec<_>>(),
        "access_log": access.iter().map(|a| serde_json::json!({
            "at": a.created_at, "reads": a.reads, "last_read_at": a.last_read_at,
            "actor_user_id": a.actor_user_id, "actor_organization_id": a.actor_organization_id,
            "actor_module": a.actor_module,
            "actor_role": a.actor_role,
            "resource": words(&a.resource),
            "purpose": words(&a.purpose),
        })).collect::<Vec<_>>(),
        "bookings": booking.bookings,
        "consents": booking.consents,
        "waitlist": booking.waitlist,
        "notifications": notifications,
        "stored_requests": booking.stored_requests,
        // The issues the resident reported, with what the city's modules answered.
        "reports": reports,
        // Applications to the city's modules with their timelines; answers in clear
        // while the portal holds them so (sealed ones only as the module's ciphertext).
        "applications": applications,
        // Its address is not kept (only a hash of its token), so it cannot be exported.
        "calendar_feed": { "active": feed.is_some(), "created_at": feed },
    }))
}

/// Erases the account (GDPR Art. 17), after checking the password; the last owner of an
/// organization must hand it over first. In this order:
/// 1. every active booking that has not started is cancelled and every waitlist place
///    given up, through the booking's normal paths (seats freed, a partner's system told);
/// 2. in one transaction: the bookings a business keeps lose name, email and phone;
///    waitlist places, stored request answers, memberships, staff roles, tokens, emailed
///    links, the calendar feed, the apps' grants with their tokens, the applications
///    (with their timelines and files) and the access log about the resident are
///    deleted; the resident's issue reports stay for the city without saying who sent
///    them; the
///    account row
///    keeps no personal data (a placeholder email, no name, no password) and is marked
///    deleted, which ends every session and token.
pub async fn delete_account(
    db: &DatabaseConnection,
    ctx: &crate::booking::model::Ctx,
    user: &crate::core::identity::AuthUser,
    password: &str,
) -> Result<(), AccountError> {
    let user_id = user.id;
    let u = user::Entity::find_by_id(user_id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(AccountError::Unauthorized)?;
    let hash = u.password_hash.clone();
    let password = password.to_string();
    let valid = if super::identities::has_password(&u) {
        tokio::task::spawn_blocking(move || crate::core::secrets::verify_password(&password, &hash))
            .await
            .unwrap_or(false)
    } else {
        // An account made by the city login has no password: a session begun by the
        // city login proves who is asking.
        user.city_login
    };
    if !valid {
        return Err(Invalid::field("password", msg!("error-password-wrong")).into());
    }
    let owned = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::Role.eq("owner"))
        .all(db)
        .await?;
    for m in owned {
        let owners = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(m.organization_id))
            .filter(membership::Column::Role.eq("owner"))
            .count(db)
            .await?;
        if owners <= 1 {
            return Err(AccountError::LastOwner);
        }
    }
    crate::booking::erasure::withdraw_everything(db, ctx, user).await?;

    let txn = crate::core::db::begin_write(db).await?;
    crate::booking::erasure::forget_resident(&txn, user_id).await?;
    membership::Entity::delete_many()
        .filter(membership::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    staff_role::Entity::delete_many()
        .filter(staff_role::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    api_token::Entity::delete_many()
        .filter(api_token::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    account_token::Entity::delete_many()
        .filter(account_token::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    entities::user_identity::Entity::delete_many()
        .filter(entities::user_identity::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    entities::access_record::Entity::delete_many()
        .filter(entities::access_record::Column::SubjectUserId.eq(user_id))
        .exec(&txn)
        .await?;
    crate::notifications::feed::remove(&txn, user_id).await?;
    crate::oauth::service::erase_user(&txn, user_id).await?;
    crate::modules::service::erase_user(&txn, user_id).await?;
    crate::reports::service::erase_user(&txn, user_id).await?;
    crate::applications::service::erase_user(&txn, user_id).await?;
    let now = Utc::now();
    user::Entity::update_many()
        .col_expr(
            user::Column::Email,
            Expr::value(format!("{user_id}@erased.invalid")),
        )
        .col_expr(user::Column::DisplayName, Expr::value(""))
        .col_expr(user::Column::PasswordHash, Expr::value(""))
        .col_expr(user::Column::Locale, Expr::value(Option::<String>::None))
        .col_expr(
            user::Column::EmailVerifiedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(user::Column::DeletedAt, Expr::value(Some(now)))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    crate::core::outbox::record(
        &txn,
        ctx.city_id,
        "account",
        user_id,
        "account.deleted",
        serde_json::json!({ "user_id": user_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Creates a personal API token for `user` (members of an organization and city staff):
/// the secret, shown once, and the stored token.
pub async fn create_token(
    db: &DatabaseConnection,
    user: &AuthUser,
    name: &str,
    expires_in_days: Option<u32>,
) -> Result<(String, api_token::Model), AccountError> {
    let is_member = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.id))
        .one(db)
        .await?
        .is_some();
    if !is_member && !user.is_staff() {
        return Err(AccountError::TokensForMembers);
    }
    let mut errors = Errors::default();
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.add("name", msg!("v-token-name"));
    }
    if let Some(d) = expires_in_days {
        if !(1..=365).contains(&d) {
            errors.add("expires_in_days", msg!("v-token-days"));
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
        expires_at: Set(expires_in_days.map(|d| now + chrono::Duration::days(d as i64))),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((secret, t))
}

/// Revokes one of the user's tokens; 404 when they have no such token.
pub async fn revoke_token(
    db: &DatabaseConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), AccountError> {
    let res = api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(CommonError::NotFound("token").into());
    }
    Ok(())
}
