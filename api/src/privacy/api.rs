//! The access log API: a resident sees who read their data.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::service::shown;
use crate::core::i18n::I18n;
use crate::core::problem::ApiError;
use crate::web::api_tags::ApiTags;
use crate::web::auth::Auth;
use crate::web::state::AppState;
use entities::{access_record, organization, user};

/// One read of your data by someone else.
#[derive(Object)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    /// `city_staff`, `organization` or `module`.
    pub reader_kind: String,
    /// Who: the organization's or module's name, or the staff member's name.
    pub reader: String,
    /// What was read.
    pub resource: String,
    /// Why.
    pub purpose: String,
}

pub struct PrivacyApi;

#[OpenApi(tag = "ApiTags::Accounts")]
impl PrivacyApi {
    /// Who read my data
    ///
    /// Every read of your data by city staff, an organization or a module, newest first
    /// (at most 500).
    #[oai(
        path = "/accounts/me/access-log",
        method = "get",
        operation_id = "get_access_log"
    )]
    async fn access_log(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<AccessEntry>>, ApiError> {
        let records = access_record::Entity::find()
            .filter(access_record::Column::SubjectUserId.eq(auth.user().id))
            .order_by_desc(access_record::Column::CreatedAt)
            .limit(500)
            .all(&state.db)
            .await?;
        let org_ids: Vec<Uuid> = records
            .iter()
            .filter_map(|r| r.actor_organization_id)
            .collect();
        let user_ids: Vec<Uuid> = records.iter().filter_map(|r| r.actor_user_id).collect();
        let orgs = organization::Entity::find()
            .filter(organization::Column::Id.is_in(org_ids))
            .all(&state.db)
            .await?;
        let users = user::Entity::find()
            .filter(user::Column::Id.is_in(user_ids))
            .all(&state.db)
            .await?;
        // In English as the API has always answered, whatever the resident's language.
        let i18n = I18n::embedded();
        Ok(Json(
            records
                .into_iter()
                .map(|r| {
                    let (kind, name) = if let Some(m) = &r.actor_module {
                        ("module", m.clone())
                    } else if let Some(o) = r.actor_organization_id {
                        (
                            "organization",
                            orgs.iter()
                                .find(|x| x.id == o)
                                .map(|x| x.name.clone())
                                .unwrap_or_default(),
                        )
                    } else {
                        let staff = r
                            .actor_user_id
                            .and_then(|u| users.iter().find(|x| x.id == u))
                            .map(|x| x.display_name.clone())
                            .unwrap_or_default();
                        ("city_staff", staff)
                    };
                    AccessEntry {
                        at: r.created_at,
                        reader_kind: kind.to_string(),
                        reader: name,
                        resource: shown(&r.resource, |m| i18n.api_text(m)),
                        purpose: shown(&r.purpose, |m| i18n.api_text(m)),
                    }
                })
                .collect(),
        ))
    }
}
