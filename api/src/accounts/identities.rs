//! Accounts and their city logins: the first login offers an account made from the
//! verified claims (created once the resident confirms), later logins find it by the
//! provider's `sub`; an existing local
//! account is linked only after its password is given; a resident can unlink while the
//! account keeps a way in.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use uuid::Uuid;

use super::error::AccountError;
use super::oidc::Verified;
use crate::core::email::Email;
use crate::core::error::Invalid;
use crate::core::identity::StaffRole;
use crate::core::locale::Locale;
use crate::msg;
use entities::{staff_role, user, user_identity};

/// A display name from the provider's: without control or format characters (bidi
/// overrides, NUL), spaces collapsed, at most 100 characters.
fn display_name(raw: &str) -> String {
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_control() || crate::core::validate::is_invisible_or_bidi(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    clean
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(100)
        .collect()
}

/// What a city login leads to.
#[derive(Debug)]
pub enum Outcome {
    /// The account (found by its link, or new).
    LoggedIn(Uuid),
    /// No account has this city login or its address: one can be made with these
    /// (exactly what would be stored), once the resident confirms.
    New { email: String, name: String },
    /// An account with the verified address exists and is not linked: its password
    /// must be given before the city login is linked to it.
    NeedsPassword { email: String },
    /// No account is linked and the provider gave no verified address to make one.
    NoVerifiedEmail,
}

/// An account without a password (made by a city login) stores this instead of a
/// hash; it never verifies.
pub const NO_PASSWORD: &str = "";

/// Whether the account can log in with a password.
pub fn has_password(u: &user::Model) -> bool {
    u.password_hash != NO_PASSWORD
}

/// The account linked to the verified identity, if any (erased accounts are not).
pub async fn find<C: ConnectionTrait>(
    db: &C,
    issuer: &str,
    subject: &str,
) -> Result<Option<(user_identity::Model, user::Model)>, AccountError> {
    let Some(link) = user_identity::Entity::find()
        .filter(user_identity::Column::Issuer.eq(issuer))
        .filter(user_identity::Column::Subject.eq(subject))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let u = user::Entity::find_by_id(link.user_id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    Ok(u.map(|u| (link, u)))
}

/// The city login of an account, if linked.
pub async fn of_user<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Option<user_identity::Model>, AccountError> {
    Ok(user_identity::Entity::find()
        .filter(user_identity::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// Logs in with a verified city login: the linked account; or, for a verified address
/// that is no account's, the account that [`create`] would make (nothing is stored
/// yet); or an existing account with the address, which needs its password first.
pub async fn login(db: &DatabaseConnection, v: &Verified) -> Result<Outcome, AccountError> {
    let now = Utc::now();
    if let Some((link, u)) = find(db, &v.issuer, &v.subject).await? {
        user_identity::ActiveModel {
            id: Set(link.id),
            last_login_at: Set(Some(now)),
            ..Default::default()
        }
        .update(db)
        .await?;
        return Ok(Outcome::LoggedIn(u.id));
    }
    let Some(email) = v.email.as_deref().and_then(Email::parse) else {
        return Ok(Outcome::NoVerifiedEmail);
    };
    let email = email.into_string();
    if user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(Outcome::NeedsPassword { email });
    }
    let name = v
        .name
        .as_deref()
        .map(display_name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| display_name(email.split('@').next().unwrap_or("")));
    Ok(Outcome::New { email, name })
}

/// Creates the account a city login's [`Outcome::New`] offered, once the resident
/// confirmed, with its link. Meanwhile the same city login may have made it (in
/// another browser: that one), or someone may have registered the address (it needs
/// its password now).
pub async fn create(
    db: &DatabaseConnection,
    v: &Verified,
    email: &str,
    name: &str,
    locale: Locale,
) -> Result<Outcome, AccountError> {
    let now = Utc::now();
    if let Some((_, u)) = find(db, &v.issuer, &v.subject).await? {
        return Ok(Outcome::LoggedIn(u.id));
    }
    let (email, name) = (email.to_string(), name.to_string());
    let txn = crate::core::db::begin_write(db).await?;
    let id = Uuid::now_v7();
    let created = user::ActiveModel {
        id: Set(id),
        email: Set(email.clone()),
        password_hash: Set(NO_PASSWORD.to_string()),
        display_name: Set(name),
        locale: Set(Some(locale.as_str().to_string())),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        email_verified_at: Set(Some(now)),
        credentials_changed_at: Set(None),
    }
    .insert(&txn)
    .await;
    if let Err(e) = created {
        drop(txn);
        if matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            // The same city login, in another browser at the same moment, made it.
            if let Some((_, u)) = find(db, &v.issuer, &v.subject).await? {
                return Ok(Outcome::LoggedIn(u.id));
            }
            // Someone registered the address meanwhile: it needs its password now.
            return Ok(Outcome::NeedsPassword { email });
        }
        return Err(e.into());
    }
    if let Err(e) = insert_link(&txn, id, v).await {
        drop(txn);
        // The same city login made its account at the same moment: that one.
        if let Some((_, u)) = find(db, &v.issuer, &v.subject).await? {
            return Ok(Outcome::LoggedIn(u.id));
        }
        return Err(e);
    }
    txn.commit().await?;
    Ok(Outcome::LoggedIn(id))
}

async fn insert_link<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    v: &Verified,
) -> Result<(), AccountError> {
    let now = Utc::now();
    let inserted = user_identity::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        issuer: Set(v.issuer.clone()),
        subject: Set(v.subject.clone()),
        linked_at: Set(now),
        last_login_at: Set(Some(now)),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(Invalid::field("oidc", msg!("error-oidc-identity-taken")).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Links a verified city login to an account whose password was given. The city login
/// must not be another account's, and the account must not have another.
pub async fn link(
    db: &DatabaseConnection,
    user_id: Uuid,
    v: &Verified,
) -> Result<(), AccountError> {
    let txn = crate::core::db::begin_write(db).await?;
    if let Some((_, owner)) = find(&txn, &v.issuer, &v.subject).await? {
        if owner.id == user_id {
            return Ok(());
        }
        return Err(Invalid::field("oidc", msg!("error-oidc-identity-taken")).into());
    }
    // A link to an erased account (none should be left) or a stale one goes.
    user_identity::Entity::delete_many()
        .filter(user_identity::Column::Issuer.eq(v.issuer.clone()))
        .filter(user_identity::Column::Subject.eq(v.subject.clone()))
        .exec(&txn)
        .await?;
    if of_user(&txn, user_id).await?.is_some() {
        return Err(Invalid::field("oidc", msg!("error-oidc-already-linked")).into());
    }
    insert_link(&txn, user_id, v).await?;
    txn.commit().await?;
    Ok(())
}

/// Removes the account's city login. The account must keep a way in: a password.
pub async fn unlink(db: &DatabaseConnection, user_id: Uuid) -> Result<(), AccountError> {
    let u = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AccountError::Unauthorized)?;
    if !has_password(&u) {
        return Err(Invalid::field("oidc", msg!("error-oidc-unlink-no-password")).into());
    }
    user_identity::Entity::delete_many()
        .filter(user_identity::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The staff role the mapped groups give (the highest), if any.
pub fn mapped_role(groups: &[String], map: &[(String, StaffRole)]) -> Option<StaffRole> {
    let mut role = None;
    for (group, r) in map {
        if groups.contains(group) {
            role = match (role, r) {
                (Some(StaffRole::Admin), _) | (_, StaffRole::Admin) => Some(StaffRole::Admin),
                _ => Some(StaffRole::Editor),
            };
        }
    }
    role
}

/// With roles mapped from the provider, the provider decides: the account's staff
/// role in the city becomes the mapped one, or none.
pub async fn apply_role(
    db: &DatabaseConnection,
    city_id: Uuid,
    user_id: Uuid,
    role: Option<StaffRole>,
) -> Result<(), AccountError> {
    let txn = db.begin().await?;
    let current = staff_role::Entity::find()
        .filter(staff_role::Column::CityId.eq(city_id))
        .filter(staff_role::Column::UserId.eq(user_id))
        .one(&txn)
        .await?;
    match (current, role) {
        (Some(c), Some(r)) if c.role == r.as_str() => {}
        (Some(c), Some(r)) => {
            staff_role::ActiveModel {
                id: Set(c.id),
                role: Set(r.as_str().to_string()),
                ..Default::default()
            }
            .update(&txn)
            .await?;
        }
        (Some(c), None) => {
            staff_role::Entity::delete_by_id(c.id).exec(&txn).await?;
        }
        (None, Some(r)) => {
            staff_role::ActiveModel {
                id: Set(Uuid::now_v7()),
                city_id: Set(city_id),
                user_id: Set(user_id),
                role: Set(r.as_str().to_string()),
                created_at: Set(Utc::now()),
            }
            .insert(&txn)
            .await?;
        }
        (None, None) => {}
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_lose_control_characters() {
        assert_eq!(
            display_name("  Erika\u{0}  Muster\u{202e}mann "),
            "Erika Muster mann"
        );
        assert_eq!(display_name(&"x".repeat(300)).len(), 100);
        assert_eq!(display_name("\u{200b}"), "");
    }

    #[test]
    fn the_highest_mapped_role_wins() {
        let map = vec![
            ("editors".to_string(), StaffRole::Editor),
            ("admins".to_string(), StaffRole::Admin),
        ];
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(mapped_role(&g(&["editors"]), &map), Some(StaffRole::Editor));
        assert_eq!(
            mapped_role(&g(&["admins", "editors"]), &map),
            Some(StaffRole::Admin)
        );
        assert_eq!(mapped_role(&g(&["residents"]), &map), None);
        assert_eq!(mapped_role(&[], &map), None);
    }
}
