//! Accounts: register, the caller's profile, personal API tokens, and the resident's
//! own data: export everything, delete the account.

use chrono::Utc;
use poem_openapi::Object;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use super::error::AccountError;
use crate::core::email::Email;
use crate::core::error::{CommonError, Invalid};
use crate::core::identity::AuthUser;
use crate::core::validate::Errors;
use crate::msg;
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

/// Validates and creates a user; the email must be new.
pub async fn register(
    db: &DatabaseConnection,
    r: &Registration,
) -> Result<user::Model, AccountError> {
    let mut errors = Errors::default();
    let email = Email::parse(&r.email);
    if email.is_none() {
        errors.add("email", msg!("error-email-invalid"));
    }
    let pw_len = r.password.chars().count();
    if pw_len < 10 {
        errors.add("password", msg!("error-password-length"));
    } else if pw_len > 256 {
        errors.add("password", msg!("v-password-max"));
    }
    let name = r.display_name.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        errors.add("display_name", msg!("error-display-name"));
    }
    errors.into_result(())?;
    let Some(email) = email else {
        unreachable!("an address that does not parse is one of the errors above");
    };
    // Argon2 takes tens of milliseconds of CPU: not on the request threads.
    let password = r.password.clone();
    let hash = tokio::task::spawn_blocking(move || crate::core::secrets::hash_password(&password))
        .await
        .map_err(|e| CommonError::Internal(format!("hashing the password: {e}")))?
        .map_err(|e| CommonError::Internal(format!("hashing the password: {e:?}")))?;
    let now = Utc::now();
    let created = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.into_string()),
        password_hash: Set(hash),
        display_name: Set(name.to_string()),
        locale: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
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
            Err(AccountError::EmailTaken)
        }
        Err(e) => Err(e.into()),
    }
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
            let u = register(db, &r).await.map_err(|e| {
                let p = crate::core::problem::Problem::from(e);
                anyhow::anyhow!("{}", p.detail.unwrap_or(p.title))
            })?;
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
    let booking = crate::booking::export::for_resident(db, user_id).await?;
    let notifications = crate::notifications::export::for_resident(db, &booking.ids).await?;
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
            "actor_role": a.actor_role,
            "resource": words(&a.resource),
            "purpose": words(&a.purpose),
        })).collect::<Vec<_>>(),
        "bookings": booking.bookings,
        "consents": booking.consents,
        "waitlist": booking.waitlist,
        "notifications": notifications,
        "stored_requests": booking.stored_requests,
        // Its address is not kept (only a hash of its token), so it cannot be exported.
        "calendar_feed": { "active": feed.is_some(), "created_at": feed },
    }))
}

/// Erases the account (GDPR Art. 17), after checking the password; the last owner of an
/// organization must hand it over first. In this order:
/// 1. every active booking that has not started is cancelled and every waitlist place
///    given up, through the booking's normal paths (seats freed, a partner's system told);
/// 2. in one transaction: the bookings a business keeps lose name, email and phone;
///    waitlist places, stored request answers, memberships, staff roles, tokens, the
///    calendar feed and the access log about the resident are deleted; the account row
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
    let valid = tokio::task::spawn_blocking(move || {
        crate::core::secrets::verify_password(&password, &hash)
    })
    .await
    .unwrap_or(false);
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
    entities::access_record::Entity::delete_many()
        .filter(entities::access_record::Column::SubjectUserId.eq(user_id))
        .exec(&txn)
        .await?;
    crate::notifications::feed::remove(&txn, user_id).await?;
    let now = Utc::now();
    user::Entity::update_many()
        .col_expr(
            user::Column::Email,
            Expr::value(format!("{user_id}@erased.invalid")),
        )
        .col_expr(user::Column::DisplayName, Expr::value(""))
        .col_expr(user::Column::PasswordHash, Expr::value(""))
        .col_expr(user::Column::Locale, Expr::value(Option::<String>::None))
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
