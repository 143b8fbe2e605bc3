//! Organizations: a business registers one, its owners add and remove members.

use chrono::Utc;
use poem_openapi::Enum;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use super::error::OrganizationError;
use crate::core::email::Email;
use crate::core::error::Invalid;
use crate::core::identity::{AuthUser, StaffRole};
use crate::core::slug::Slug;
use crate::core::validate::Errors;
use crate::msg;
use entities::{membership, organization, user};

/// What the organization services need: the database and the city.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a DatabaseConnection,
    pub city_id: Uuid,
}

/// What an organization is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum OrganizationKind {
    Business,
    Department,
    ModuleOperator,
}

impl OrganizationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationKind::Business => "business",
            OrganizationKind::Department => "department",
            OrganizationKind::ModuleOperator => "module_operator",
        }
    }
}

/// A member's role.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum MemberRole {
    /// Manages listings and members.
    Owner,
    /// Manages listings.
    Staff,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Staff => "staff",
        }
    }
}

/// A member as added: the account and its membership.
pub struct AddedMember {
    pub user: user::Model,
    pub membership: membership::Model,
}

/// Creates an organization with `owner` as its first owner.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    city_id: Uuid,
    owner: Option<Uuid>,
    name: &str,
    kind: OrganizationKind,
) -> Result<organization::Model, OrganizationError> {
    // It reads the slugs taken, then writes: another writer between the two would fail
    // it at once on SQLite.
    let txn = crate::core::db::begin_write(db).await?;
    let base = Slug::from_name(name);
    let taken: Vec<String> = organization::Entity::find()
        .filter(organization::Column::CityId.eq(city_id))
        .filter(organization::Column::Slug.starts_with(base.as_str()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|o| o.slug)
        .collect();
    let slug = base.first_free(&mut taken.into_iter().collect());
    let now = Utc::now();
    let org = organization::ActiveModel {
        id: Set(Uuid::now_v7()),
        city_id: Set(city_id),
        slug: Set(slug.into_string()),
        name: Set(name.to_string()),
        kind: Set(kind.as_str().to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    if let Some(owner) = owner {
        membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org.id),
            user_id: Set(owner),
            role: Set(MemberRole::Owner.as_str().to_string()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(org)
}

pub async fn my_membership(
    db: &DatabaseConnection,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<Option<membership::Model>, OrganizationError> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(org_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// The organization if the caller is a member (city admins see all); otherwise 404.
pub async fn visible_org(
    cx: Ctx<'_>,
    user: &AuthUser,
    id: Uuid,
) -> Result<(organization::Model, Option<membership::Model>), OrganizationError> {
    let org = organization::Entity::find_by_id(id)
        .one(cx.db)
        .await?
        .filter(|o| o.city_id == cx.city_id)
        .ok_or_else(|| OrganizationError::not_found("organization"))?;
    let mine = my_membership(cx.db, id, user.id).await?;
    if mine.is_none() && user.staff_role != Some(StaffRole::Admin) {
        return Err(OrganizationError::not_found("organization"));
    }
    Ok((org, mine))
}

fn is_owner(m: &Option<membership::Model>) -> bool {
    m.as_ref().is_some_and(|m| m.role == "owner")
}

/// The email address of an account to add, as typed (422 on the field `email` if it
/// is none).
pub fn member_email(raw: &str) -> Result<Email, OrganizationError> {
    Email::parse(raw).ok_or_else(|| Invalid::field("email", msg!("error-email-invalid")).into())
}

/// Adds an existing account to an organization (owners only).
pub async fn add_member(
    cx: Ctx<'_>,
    actor: &AuthUser,
    org_id: Uuid,
    email: &Email,
    role: MemberRole,
) -> Result<AddedMember, OrganizationError> {
    let (org, mine) = visible_org(cx, actor, org_id).await?;
    if !is_owner(&mine) {
        return Err(OrganizationError::OwnersAddMembers);
    }
    let Some(u) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(cx.db)
        .await?
    else {
        return Err(Invalid::field("email", msg!("v-member-unknown")).into());
    };
    let inserted = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org.id),
        user_id: Set(u.id),
        role: Set(role.as_str().to_string()),
        created_at: Set(Utc::now()),
    }
    .insert(cx.db)
    .await;
    match inserted {
        Ok(m) => Ok(AddedMember {
            user: u,
            membership: m,
        }),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(OrganizationError::AlreadyMember)
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a member (owners; anyone may leave); never the last owner.
pub async fn remove_member(
    cx: Ctx<'_>,
    actor: &AuthUser,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<(), OrganizationError> {
    let (org, mine) = visible_org(cx, actor, org_id).await?;
    if !is_owner(&mine) && user_id != actor.id {
        return Err(OrganizationError::OwnersRemoveMembers);
    }
    let txn = crate::core::db::begin_write(cx.db).await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Serialize membership changes of this organization, so two owners removing
        // each other at once cannot leave it without an owner. (SQLite serializes
        // writers anyway.)
        organization::Entity::find_by_id(org.id)
            .lock_exclusive()
            .one(&txn)
            .await?;
    }
    let target = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(org.id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or_else(|| OrganizationError::not_found("member"))?;
    membership::Entity::delete_by_id(target.id)
        .exec(&txn)
        .await?;
    let owners_left = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(org.id))
        .filter(membership::Column::Role.eq("owner"))
        .count(&txn)
        .await?;
    if owners_left == 0 {
        txn.rollback().await?;
        return Err(OrganizationError::LastOwner);
    }
    txn.commit().await?;
    Ok(())
}

/// Validates a new organization's name and creates it with the actor as owner.
pub async fn register_organization(
    cx: Ctx<'_>,
    actor: &AuthUser,
    name: &str,
    kind: OrganizationKind,
) -> Result<organization::Model, OrganizationError> {
    let mut errors = Errors::default();
    let name = name.trim().to_string();
    let len = name.chars().count();
    if !(2..=200).contains(&len) || name.chars().any(char::is_control) {
        errors.add("name", msg!("v-organization-name"));
    }
    errors.into_result(())?;
    if kind != OrganizationKind::Business && actor.staff_role != Some(StaffRole::Admin) {
        return Err(OrganizationError::AdminsCreateDepartments);
    }
    create(cx.db, cx.city_id, Some(actor.id), &name, kind).await
}
