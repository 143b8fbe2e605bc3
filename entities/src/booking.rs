//! A resident's booking of an offer.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub city_id: Uuid,
    pub offer_id: Uuid,
    /// The slot whose seat it takes; none for memberships.
    pub slot_id: Option<Uuid>,
    pub user_id: Uuid,
    /// `held` | `requested` | `confirmed` | `rejected` | `expired` | `cancelled` |
    /// `completed` | `no_show`
    pub status: String,
    /// The start (of the slot or session, or of the membership).
    pub starts_at: DateTimeUtc,
    pub ends_at: Option<DateTimeUtc>,
    pub seats: i32,
    pub hold_expires_at: Option<DateTimeUtc>,
    /// When the resident extended the hold (a hold is extended once at most).
    pub hold_extended_at: Option<DateTimeUtc>,
    pub contact_name: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// What the booking shares with whom (the resident's review shows it).
    pub shared: Json,
    /// When the contact details reached the business: when the resident confirmed, or
    /// when the booking was made without a hold. None while held (and for a hold that
    /// expired or was released): the business sees only that a time is held.
    pub shared_at: Option<DateTimeUtc>,
    pub partner_ref: Option<String>,
    /// A partner call whose outcome is not known yet (`hold`, `confirm`, `cancel`,
    /// `reschedule`); the reconciliation job settles it.
    pub partner_pending: Option<String>,
    pub partner_pending_since: Option<DateTimeUtc>,
    /// When the reconciliation job last asked the partner about this booking while it
    /// waited for the business's decision.
    pub partner_checked_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
