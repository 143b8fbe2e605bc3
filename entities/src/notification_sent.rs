//! A once-only message of a booking (the reminder): claimed by the server that sends
//! it, so it is never sent twice.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications_sent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub booking_id: Uuid,
    /// `reminder`
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    pub claimed_at: DateTimeUtc,
    /// Empty while it is being sent.
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
