//! A resident waiting for a seat in a full slot or session.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "waitlist_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub slot_id: Uuid,
    pub user_id: Uuid,
    /// `waiting` | `offered` | `claimed` | `expired` | `left`
    pub status: String,
    pub offered_until: Option<DateTimeUtc>,
    pub booking_id: Option<Uuid>,
    /// What the resident agreed to share (`{name, email?, phone?}`) with the booking
    /// held for them when a seat frees.
    pub contact: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
