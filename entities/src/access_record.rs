//! Who read which resident's data, when and why; shown to the resident.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub city_id: Uuid,
    pub subject_user_id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub actor_organization_id: Option<Uuid>,
    pub actor_module: Option<String>,
    /// The role the reader read in: `owner` or `staff` of the organization, `admin` or
    /// `editor` of the city; none for a module (and for entries written before roles).
    pub actor_role: Option<String>,
    pub resource: String,
    pub purpose: String,
    /// The time of the (first) read.
    pub created_at: DateTimeUtc,
    /// How many reads of the same thing by the same reader for the same reason, within
    /// a quarter of an hour of the first, the record stands for.
    pub reads: i32,
    /// The latest of those reads; none when the record stands for one.
    pub last_read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
