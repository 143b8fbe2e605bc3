//! Privacy: every read of a resident's data by someone else (city staff, an
//! organization, a module) is recorded, and the resident can see the record.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::core::problem::{ApiError, Problem};
use crate::web::api_tags::ApiTags;
use crate::web::auth::Auth;
use crate::web::state::AppState;
use entities::{access_record, organization, user};

/// The access log's texts. They are stored in English, filled in with [`texts::fill`],
/// and shown in the resident's language through `i18n::CATALOGUE` (each pattern there
/// has a message in `frontend/locales/`).
pub mod texts {
    /// What was read: a booking and the fields it shares.
    pub const BOOKING: &str = "booking {booking} ({fields})";
    /// Why: the business listed an offer's bookings.
    pub const PURPOSE_BOOKING_LIST: &str = "list of bookings of {offer}";
    /// Why: the business decided on a booking (`confirmed`, `rejected`, `no_show`,
    /// `completed`).
    pub const PURPOSE_BOOKING_MARKED: &str = "booking marked {status}";
    /// Why: the booking went to the business's own booking system.
    pub const PURPOSE_PARTNER_SENT: &str = "sent with the booking to the business's booking system";
    /// What was read: an organization member's name and email.
    pub const MEMBER_DATA: &str = "name and email as member of {organization}";
    /// Why: a city admin reviewed an organization's members.
    pub const PURPOSE_MEMBER_REVIEW: &str =
        "city administration: review of an organization's members";

    /// A text with its `{name}`s filled in.
    pub fn fill(pattern: &str, values: &[(&str, &str)]) -> String {
        let mut out = pattern.to_string();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// Who read a resident's data.
#[derive(Clone, Debug)]
pub enum Reader {
    /// A city staff member acting as such.
    CityStaff(Uuid),
    /// A member of an organization acting for it.
    Organization { user: Uuid, organization: Uuid },
    /// An e-government module.
    Module(String),
}

/// Records that `reader` read `resource` of `subject` for `purpose`.
pub async fn record_access<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    subject: Uuid,
    reader: &Reader,
    resource: &str,
    purpose: &str,
) -> Result<(), Problem> {
    let (actor_user, actor_org, actor_module) = match reader {
        Reader::CityStaff(u) => (Some(*u), None, None),
        Reader::Organization { user, organization } => (Some(*user), Some(*organization), None),
        Reader::Module(m) => (None, None, Some(m.clone())),
    };
    access_record::ActiveModel {
        id: Set(Uuid::now_v7()),
        city_id: Set(city_id),
        subject_user_id: Set(subject),
        actor_user_id: Set(actor_user),
        actor_organization_id: Set(actor_org),
        actor_module: Set(actor_module),
        resource: Set(resource.chars().take(200).collect()),
        purpose: Set(purpose.chars().take(200).collect()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

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
                        resource: r.resource,
                        purpose: r.purpose,
                    }
                })
                .collect(),
        ))
    }
}
