//! A place of the city a resident can type (an address, a street, a square or a
//! district), read from the OpenStreetMap extract the city's listings come from.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "places")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub city_id: Uuid,
    /// `address`, `street`, `square` or `district`.
    pub kind: String,
    /// As shown: `Mannerheimintie 5`, `Mannerheimintie`, `Kluuvi`.
    pub name: String,
    /// The name folded for matching (`search_indexer::text::fold_search`).
    pub folded: String,
    /// The district the place lies in (for districts: none).
    pub district: Option<String>,
    pub lat: f64,
    pub lng: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
