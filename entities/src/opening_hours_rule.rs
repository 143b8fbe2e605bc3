//! A weekly opening rule: weekday 0 = Monday, times "HH:MM" ("24:00" closes at midnight).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opening_hours_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub listing_id: Uuid,
    pub weekday: i16,
    pub opens: String,
    pub closes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
