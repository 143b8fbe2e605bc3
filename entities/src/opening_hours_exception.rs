//! A dated exception to the weekly opening hours (holiday, closure, special hours).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opening_hours_exceptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub listing_id: Uuid,
    pub date: Date,
    pub closed: bool,
    pub opens: Option<String>,
    pub closes: Option<String>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
