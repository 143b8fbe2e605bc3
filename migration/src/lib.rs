//! Schema migrations of City Portal. Every migration runs up and down on SQLite and
//! PostgreSQL; the test suite proves it on both.

pub use sea_orm_migration::prelude::*;

pub use m20261123_000012_add_search_fts_sqlite::sqlite_fts5_trigram;

mod m20261123_000001_create_accounts;
mod m20261123_000002_create_listings;
mod m20261123_000003_create_outbox_and_access;
mod m20261123_000004_add_listing_search_columns;
mod m20261123_000005_create_outbox_deliveries;
mod m20261123_000006_create_bookings;
mod m20261123_000007_create_notifications;
mod m20261123_000008_add_waitlist_contact;
mod m20261123_000009_create_partner_connections;
mod m20261123_000010_add_search_trigram_index;
mod m20261123_000011_add_booking_partner_sync;
mod m20261123_000012_add_search_fts_sqlite;
mod m20261124_000013_add_booking_partner_checked;
mod m20261124_000014_index_outbox_pending;
mod m20261125_000015_access_records_as_messages;
mod m20261206_000016_add_booking_shared_at;
mod m20261206_000017_add_user_deleted_at;
mod m20261206_000018_add_access_actor_role;
mod m20261207_000019_refold_search_text;
mod m20261207_000020_add_account_basics;
mod m20261207_000021_add_offer_price_and_hold_extension;
mod m20261207_000022_create_places;
mod m20261207_000023_add_listing_review;
mod m20261207_000024_index_search_facets;
mod m20261207_000026_create_oauth;
mod m20261207_000027_create_user_identities;
mod m20261207_000028_drop_listings_city_status_kind;
mod m20261207_000029_create_modules;
mod m20261207_000030_count_access_reads;
mod m20261207_000031_create_applications;
mod m20261207_000032_create_reports;
mod m20261207_000033_add_partner_connection_module;
mod m20261207_000034_module_delivery_outcomes;
mod m20261207_000035_restrict_listing_cases;
mod m20261207_000036_sealed_file_digests;

/// All migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_accounts::Migration),
            Box::new(m20261123_000002_create_listings::Migration),
            Box::new(m20261123_000003_create_outbox_and_access::Migration),
            Box::new(m20261123_000004_add_listing_search_columns::Migration),
            Box::new(m20261123_000005_create_outbox_deliveries::Migration),
            Box::new(m20261123_000006_create_bookings::Migration),
            Box::new(m20261123_000007_create_notifications::Migration),
            Box::new(m20261123_000008_add_waitlist_contact::Migration),
            Box::new(m20261123_000009_create_partner_connections::Migration),
            Box::new(m20261123_000010_add_search_trigram_index::Migration),
            Box::new(m20261123_000011_add_booking_partner_sync::Migration),
            Box::new(m20261123_000012_add_search_fts_sqlite::Migration),
            Box::new(m20261124_000013_add_booking_partner_checked::Migration),
            Box::new(m20261124_000014_index_outbox_pending::Migration),
            Box::new(m20261125_000015_access_records_as_messages::Migration),
            Box::new(m20261206_000016_add_booking_shared_at::Migration),
            Box::new(m20261206_000017_add_user_deleted_at::Migration),
            Box::new(m20261206_000018_add_access_actor_role::Migration),
            Box::new(m20261207_000019_refold_search_text::Migration),
            Box::new(m20261207_000020_add_account_basics::Migration),
            Box::new(m20261207_000021_add_offer_price_and_hold_extension::Migration),
            Box::new(m20261207_000022_create_places::Migration),
            Box::new(m20261207_000023_add_listing_review::Migration),
            Box::new(m20261207_000024_index_search_facets::Migration),
            Box::new(m20261207_000026_create_oauth::Migration),
            Box::new(m20261207_000027_create_user_identities::Migration),
            Box::new(m20261207_000028_drop_listings_city_status_kind::Migration),
            Box::new(m20261207_000029_create_modules::Migration),
            Box::new(m20261207_000030_count_access_reads::Migration),
            Box::new(m20261207_000031_create_applications::Migration),
            Box::new(m20261207_000032_create_reports::Migration),
            Box::new(m20261207_000033_add_partner_connection_module::Migration),
            Box::new(m20261207_000034_module_delivery_outcomes::Migration),
            Box::new(m20261207_000035_restrict_listing_cases::Migration),
            Box::new(m20261207_000036_sealed_file_digests::Migration),
        ]
    }
}
