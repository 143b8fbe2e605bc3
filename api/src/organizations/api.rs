//! The organizations API: register one, list mine, list, add and remove members.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::service::{self, MemberRole, OrganizationKind};
use crate::core::problem::ApiError;
use crate::core::scope::Scope;
use crate::privacy;
use crate::web::api_tags::ApiTags;
use crate::web::auth::AppAuth;
use crate::web::state::AppState;
use entities::{membership, organization, user};

/// A new organization; the caller becomes its owner.
#[derive(Object)]
pub struct NewOrganization {
    /// 2-200 characters.
    #[oai(validator(
        pattern = r"^[ \t\n\r]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]{0,198}[^\s\u0000-\u001F\u007F-\u009F][ \t\n\r]*$"
    ))]
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
    #[oai(validator(
        max_length = 254,
        pattern = r"^[ \t\n\r]*[^\s@\u0000-\u001F\u007F-\u009F]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[ \t\n\r]*$"
    ))]
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
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        body: Json<NewOrganization>,
    ) -> Result<OrganizationCreated, ApiError> {
        let kind = body.0.kind.unwrap_or(OrganizationKind::Business);
        let org = service::register_organization(
            state.organizations_ctx(),
            auth.user(Scope::OrganizationsManage)?,
            &body.0.name,
            kind,
        )
        .await?;
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
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
    ) -> Result<Json<Vec<Organization>>, ApiError> {
        let ms = membership::Entity::find()
            .filter(membership::Column::UserId.eq(auth.user(Scope::OrganizationsManage)?.id))
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
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<Member>>, ApiError> {
        let (org, mine) = service::visible_org(
            state.organizations_ctx(),
            auth.user(Scope::OrganizationsManage)?,
            id.0,
        )
        .await?;
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
                    &privacy::service::Reader::CityStaff {
                        user: auth.user(Scope::OrganizationsManage)?.id,
                        role: auth
                            .user(Scope::OrganizationsManage)?
                            .staff_role
                            .map_or("admin", |r| r.as_str()),
                    },
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
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<Uuid>,
        body: Json<NewMember>,
    ) -> Result<MemberAdded, ApiError> {
        let email = service::member_email(&body.0.email)?;
        let m = service::add_member(
            state.organizations_ctx(),
            auth.user(Scope::OrganizationsManage)?,
            id.0,
            &email,
            body.0.role,
        )
        .await?;
        Ok(MemberAdded::Created(Json(Member {
            user_id: m.user.id,
            display_name: m.user.display_name,
            email: m.user.email,
            role: m.membership.role,
        })))
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
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
    ) -> Result<MemberRemoved, ApiError> {
        service::remove_member(
            state.organizations_ctx(),
            auth.user(Scope::OrganizationsManage)?,
            id.0,
            user_id.0,
        )
        .await?;
        Ok(MemberRemoved::NoContent)
    }
}
