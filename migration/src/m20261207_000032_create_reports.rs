//! Issue reports (Open311 GeoReport v2): `reports` holds each report a resident or a
//! third-party app sent about a place, for a municipal service served by a module with
//! the `report` capability; `report_photos` the photo a resident attached in the portal;
//! `report_updates` the status changes and comments the module posted back (what
//! `servicerequestupdates` lists); `open311_keys` the API keys city admins issue to
//! third-party apps, stored only as hashes.
//!
//! The reporter is a resident (`reporter_user_id`) or, for an app, the personal data the
//! app sent (email, names, phone, device and account ids). Erasing a resident keeps the
//! report for the city and empties all of these.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Listings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Modules {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Open311Keys {
    Table,
    Id,
    CityId,
    AppName,
    Prefix,
    KeyHash,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    CityId,
    ListingId,
    ModuleId,
    ServiceCode,
    Status,
    State,
    StatusNotes,
    Description,
    Lat,
    Lng,
    AddressString,
    AddressId,
    Attributes,
    MediaUrl,
    ReporterUserId,
    ReporterEmail,
    ReporterFirstName,
    ReporterLastName,
    ReporterPhone,
    KeyId,
    ServiceNotice,
    ExpectedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReportPhotos {
    Table,
    ReportId,
    ContentType,
    FileName,
    Bytes,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReportUpdates {
    Table,
    Id,
    ReportId,
    CityId,
    ModuleId,
    Kind,
    Status,
    State,
    Description,
    CreatedAt,
}

fn fk(
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Open311Keys::Table)
                    .col(pk_uuid(Open311Keys::Id))
                    .col(uuid(Open311Keys::CityId))
                    // The app the key was issued to, as the admin named it.
                    .col(string_len(Open311Keys::AppName, 100))
                    // The key's first characters, to tell keys apart on the admin page.
                    .col(string_len(Open311Keys::Prefix, 16))
                    // SHA-256 of the key, hex; the key itself is shown once.
                    .col(string_len(Open311Keys::KeyHash, 64))
                    .col(uuid_null(Open311Keys::CreatedBy))
                    .col(timestamp_with_time_zone(Open311Keys::CreatedAt))
                    .col(timestamp_with_time_zone_null(Open311Keys::LastUsedAt))
                    .col(timestamp_with_time_zone_null(Open311Keys::RevokedAt))
                    .foreign_key(&mut fk(
                        (Open311Keys::Table, Open311Keys::CityId),
                        (Cities::Table, Cities::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Open311Keys::Table, Open311Keys::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_open311_keys_hash")
                    .table(Open311Keys::Table)
                    .col(Open311Keys::KeyHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(pk_uuid(Reports::Id))
                    .col(uuid(Reports::CityId))
                    // The municipal service reported to; its listing's slug is the
                    // Open311 `service_code`, kept as sent.
                    .col(uuid(Reports::ListingId))
                    .col(uuid_null(Reports::ModuleId))
                    .col(string_len(Reports::ServiceCode, 160))
                    // `open` | `closed` (Open311), and the detailed state: `open`,
                    // `investigating`, `in_progress`, `action_scheduled`, `fixed`,
                    // `duplicate`, `not_councils_responsibility`, `no_further_action`,
                    // `internal_referral`, `closed`.
                    .col(string_len(Reports::Status, 8))
                    .col(string_len(Reports::State, 32))
                    .col(text_null(Reports::StatusNotes))
                    .col(text(Reports::Description))
                    .col(double_null(Reports::Lat))
                    .col(double_null(Reports::Lng))
                    .col(text_null(Reports::AddressString))
                    .col(string_len_null(Reports::AddressId, 100))
                    // The answers to the service's attributes, a JSON object.
                    .col(text(Reports::Attributes))
                    // A picture an app sent by address.
                    .col(text_null(Reports::MediaUrl))
                    .col(uuid_null(Reports::ReporterUserId))
                    .col(string_len_null(Reports::ReporterEmail, 254))
                    .col(string_len_null(Reports::ReporterFirstName, 100))
                    .col(string_len_null(Reports::ReporterLastName, 100))
                    .col(string_len_null(Reports::ReporterPhone, 40))
                    // The API key of the app that sent it (none from the portal).
                    .col(uuid_null(Reports::KeyId))
                    .col(text_null(Reports::ServiceNotice))
                    .col(timestamp_with_time_zone_null(Reports::ExpectedAt))
                    .col(timestamp_with_time_zone(Reports::CreatedAt))
                    .col(timestamp_with_time_zone(Reports::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Reports::Table, Reports::CityId),
                        (Cities::Table, Cities::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Reports::Table, Reports::ListingId),
                        (Listings::Table, Listings::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Reports::Table, Reports::ModuleId),
                        (Modules::Table, Modules::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        (Reports::Table, Reports::ReporterUserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        (Reports::Table, Reports::KeyId),
                        (Open311Keys::Table, Open311Keys::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // `GET requests` lists the newest first within a date range.
        manager
            .create_index(
                Index::create()
                    .name("ix_reports_city_created")
                    .table(Reports::Table)
                    .col(Reports::CityId)
                    .col(Reports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // The Module API lists a module's reports, newest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_reports_module_created")
                    .table(Reports::Table)
                    .col(Reports::ModuleId)
                    .col(Reports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // `GET requests?status=open` and the public list of open reports.
        manager
            .create_index(
                Index::create()
                    .name("ix_reports_city_status_created")
                    .table(Reports::Table)
                    .col(Reports::CityId)
                    .col(Reports::Status)
                    .col(Reports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reports_reporter")
                    .table(Reports::Table)
                    .col(Reports::ReporterUserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportPhotos::Table)
                    .col(pk_uuid(ReportPhotos::ReportId))
                    // What the bytes are (sniffed): `image/jpeg` or `image/png`.
                    .col(string_len(ReportPhotos::ContentType, 32))
                    .col(string_len(ReportPhotos::FileName, 100))
                    .col(blob(ReportPhotos::Bytes))
                    .col(timestamp_with_time_zone(ReportPhotos::CreatedAt))
                    .foreign_key(&mut fk(
                        (ReportPhotos::Table, ReportPhotos::ReportId),
                        (Reports::Table, Reports::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportUpdates::Table)
                    .col(pk_uuid(ReportUpdates::Id))
                    .col(uuid(ReportUpdates::ReportId))
                    .col(uuid(ReportUpdates::CityId))
                    .col(uuid_null(ReportUpdates::ModuleId))
                    // `status` (a status change, maybe with a note) | `comment`
                    .col(string_len(ReportUpdates::Kind, 16))
                    // The report's status and detailed state after the update.
                    .col(string_len(ReportUpdates::Status, 8))
                    .col(string_len(ReportUpdates::State, 32))
                    .col(text_null(ReportUpdates::Description))
                    .col(timestamp_with_time_zone(ReportUpdates::CreatedAt))
                    .foreign_key(&mut fk(
                        (ReportUpdates::Table, ReportUpdates::ReportId),
                        (Reports::Table, Reports::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (ReportUpdates::Table, ReportUpdates::ModuleId),
                        (Modules::Table, Modules::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_report_updates_city_created")
                    .table(ReportUpdates::Table)
                    .col(ReportUpdates::CityId)
                    .col(ReportUpdates::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_report_updates_report")
                    .table(ReportUpdates::Table)
                    .col(ReportUpdates::ReportId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ReportUpdates::Table.into_iden(),
            ReportPhotos::Table.into_iden(),
            Reports::Table.into_iden(),
            Open311Keys::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
