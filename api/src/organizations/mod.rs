//! Organizations: a business registers one, its owners add and remove members.

use chrono::Utc;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::core::identity::{AuthUser, StaffRole};
use crate::core::problem::{ApiError, Problem};
use crate::core::slug::{pick_slug, slugify};
use crate::core::validate::Errors;
use crate::privacy;
use crate::web::api_tags::ApiTags;
use crate::web::auth::Auth;
use crate::web::state::AppState;
use entities::{membership, organization, user};

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

/// A new organization; the caller becomes its owner.
#[derive(Object)]
pub struct NewOrganization {
    /// 2-200 characters.
    pub name: String,
    /// `business` (default); departments and module operators are created by city admins.
    pub kind: Option<OrganizationKind>,
}

/// An organization.
#[derive(Object)]
pub struct Organization {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: String,
    /// The caller's role in it, if a member.
    pub my_role: Option<String>,
}

/// A member of an organization.
#[derive(Object)]
pub struct Member {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub role: String,
}

/// Adds an existing account as a member.
#[derive(Object)]
pub struct NewMember {
    /// The email of an existing account.
    pub email: String,
    pub role: MemberRole,
}

#[derive(ApiResponse)]
pub enum OrganizationCreated {
    /// Created; you are its owner.
    #[oai(status = 201)]
    Created(Json<Organization>),
}

#[derive(ApiResponse)]
pub enum MemberAdded {
    /// Added.
    #[oai(status = 201)]
    Created(Json<Member>),
}

#[derive(ApiResponse)]
pub enum MemberRemoved {
    /// Removed.
    #[oai(status = 204)]
    NoContent,
}

/// Creates an organization with `owner` as its first owner.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    city_id: Uuid,
    owner: Option<Uuid>,
    name: &str,
    kind: OrganizationKind,
) -> Result<organization::Model, Problem> {
    let txn = db.begin().await?;
    let base = slugify(name);
    let taken: Vec<String> = organization::Entity::find()
        .filter(organization::Column::CityId.eq(city_id))
        .filter(organization::Column::Slug.starts_with(base.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|o| o.slug)
        .collect();
    let slug = pick_slug(&mut taken.into_iter().collect(), &base);
    let now = Utc::now();
    let org = organization::ActiveModel {
        id: Set(Uuid::now_v7()),
        city_id: Set(city_id),
        slug: Set(slug),
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

pub(crate) async fn my_membership(
    db: &DatabaseConnection,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<Option<membership::Model>, Problem> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(org_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// The organization if the caller is a member (city admins see all); otherwise 404.
async fn visible_org(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
) -> Result<(organization::Model, Option<membership::Model>), Problem> {
    let org = organization::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|o| o.city_id == state.city.id)
        .ok_or_else(|| Problem::not_found("organization"))?;
    let mine = my_membership(&state.db, id, user.id).await?;
    if mine.is_none() && user.staff_role != Some(StaffRole::Admin) {
        return Err(Problem::not_found("organization"));
    }
    Ok((org, mine))
}

fn is_owner(m: &Option<membership::Model>) -> bool {
    m.as_ref().is_some_and(|m| m.role == "owner")
}

/// Adds an existing account to an organization (owners only).
pub async fn add_member(
    state: &AppState,
    actor: &AuthUser,
    org_id: Uuid,
    email: &str,
    role: MemberRole,
) -> Result<Member, Problem> {
    let (org, mine) = visible_org(state, actor, org_id).await?;
    if !is_owner(&mine) {
        return Err(Problem::forbidden("Only owners add members."));
    }
    let email = crate::core::validate::normalize_email(email);
    let Some(u) = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&state.db)
        .await?
    else {
        return Err(Problem::invalid(
            "email",
            "no account has this email; ask them to register first",
        ));
    };
    let inserted = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org.id),
        user_id: Set(u.id),
        role: Set(role.as_str().to_string()),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await;
    match inserted {
        Ok(m) => Ok(Member {
            user_id: u.id,
            display_name: u.display_name,
            email: u.email,
            role: m.role,
        }),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(Problem::conflict(
                "already-member",
                "This account is already a member.",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a member (owners; anyone may leave); never the last owner.
pub async fn remove_member(
    state: &AppState,
    actor: &AuthUser,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<(), Problem> {
    let (org, mine) = visible_org(state, actor, org_id).await?;
    if !is_owner(&mine) && user_id != actor.id {
        return Err(Problem::forbidden("Only owners remove other members."));
    }
    let txn = crate::core::db::begin_write(&state.db).await?;
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
        .ok_or_else(|| Problem::not_found("member"))?;
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
        return Err(Problem::conflict(
            "last-owner",
            "An organization needs at least one owner.",
        ));
    }
    txn.commit().await?;
    Ok(())
}

/// Validates a new organization's name and creates it with the actor as owner.
pub async fn register_organization(
    state: &AppState,
    actor: &AuthUser,
    name: &str,
    kind: OrganizationKind,
) -> Result<organization::Model, Problem> {
    let mut errors = Errors::default();
    let name = name.trim().to_string();
    let len = name.chars().count();
    if !(2..=200).contains(&len) || name.chars().any(char::is_control) {
        errors.add_en("name", "must be 2-200 characters");
    }
    errors.into_result(())?;
    if kind != OrganizationKind::Business && actor.staff_role != Some(StaffRole::Admin) {
        return Err(Problem::forbidden(
            "Only city admins create departments and module operators.",
        ));
    }
    create(&state.db, state.city.id, Some(actor.id), &name, kind).await
}

pub struct OrganizationsApi;

#[OpenApi(tag = "ApiTags::Organizations")]
impl OrganizationsApi {
    /// Register an organization
    ///
    /// A business registers itself; the caller becomes its owner.
    #[oai(
        path = "/organizations",
        method = "post",
        operation_id = "create_organization"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewOrganization>,
    ) -> Result<OrganizationCreated, ApiError> {
        let kind = body.0.kind.unwrap_or(OrganizationKind::Business);
        let org = register_organization(&state, auth.user(), &body.0.name, kind).await?;
        Ok(OrganizationCreated::Created(Json(Organization {
            id: org.id,
            slug: org.slug,
            name: org.name,
            kind: org.kind,
            my_role: Some("owner".into()),
        })))
    }

    /// List my organizations
    #[oai(
        path = "/organizations/mine",
        method = "get",
        operation_id = "list_my_organizations"
    )]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<Organization>>, ApiError> {
        let ms = membership::Entity::find()
            .filter(membership::Column::UserId.eq(auth.user().id))
            .all(&state.db)
            .await?;
        let orgs = organization::Entity::find()
            .filter(
                organization::Column::Id
                    .is_in(ms.iter().map(|m| m.organization_id).collect::<Vec<_>>()),
            )
            .filter(organization::Column::CityId.eq(state.city.id))
            .order_by_asc(organization::Column::Name)
            .all(&state.db)
            .await?;
        Ok(Json(
            orgs.into_iter()
                .map(|o| Organization {
                    my_role: ms
                        .iter()
                        .find(|m| m.organization_id == o.id)
                        .map(|m| m.role.clone()),
                    id: o.id,
                    slug: o.slug,
                    name: o.name,
                    kind: o.kind,
                })
                .collect(),
        ))
    }

    /// List an organization's members
    #[oai(
        path = "/organizations/:id/members",
        method = "get",
        operation_id = "list_members"
    )]
    async fn members(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<Member>>, ApiError> {
        let (org, mine) = visible_org(&state, auth.user(), id.0).await?;
        let ms = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(id.0))
            .order_by_asc(membership::Column::CreatedAt)
            .all(&state.db)
            .await?;
        let users = user::Entity::find()
            .filter(user::Column::Id.is_in(ms.iter().map(|m| m.user_id).collect::<Vec<_>>()))
            .all(&state.db)
            .await?;
        if mine.is_none() {
            // A city admin looking into an organization they do not belong to reads its
            // members' names and emails: each member can see that in their access log.
            let txn = crate::core::db::begin_write(&state.db).await?;
            for m in &ms {
                privacy::service::record_access(
                    &txn,
                    state.city.id,
                    m.user_id,
                    &privacy::service::Reader::CityStaff(auth.user().id),
                    crate::msg!("access-member-data", organization = &org.name),
                    crate::msg!("access-purpose-member-review"),
                )
                .await?;
            }
            txn.commit().await?;
        }
        Ok(Json(
            ms.into_iter()
                .filter_map(|m| {
                    users.iter().find(|u| u.id == m.user_id).map(|u| Member {
                        user_id: u.id,
                        display_name: u.display_name.clone(),
                        email: u.email.clone(),
                        role: m.role,
                    })
                })
                .collect(),
        ))
    }

    /// Add a member (owners)
    #[oai(
        path = "/organizations/:id/members",
        method = "post",
        operation_id = "add_member"
    )]
    async fn add_member(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NewMember>,
    ) -> Result<MemberAdded, ApiError> {
        let m = add_member(&state, auth.user(), id.0, &body.0.email, body.0.role).await?;
        Ok(MemberAdded::Created(Json(m)))
    }

    /// Remove a member (owners; anyone may leave)
    ///
    /// The last owner cannot be removed.
    #[oai(
        path = "/organizations/:id/members/:user_id",
        method = "delete",
        operation_id = "remove_member"
    )]
    async fn remove_member(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
    ) -> Result<MemberRemoved, ApiError> {
        remove_member(&state, auth.user(), id.0, user_id.0).await?;
        Ok(MemberRemoved::NoContent)
    }
}
