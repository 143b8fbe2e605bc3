//! Privacy: every read of a resident's data by someone else (city staff, an
//! organization, a module) is recorded, and the resident can see the record.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use entities::access_record;

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
) -> Result<(), sea_orm::DbErr> {
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
