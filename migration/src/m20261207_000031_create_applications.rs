//! Applications to the city through its modules (issue 16, part 2): `applications`
//! (one resident's case with a module: what was agreed to be sent, the answers in plain
//! JSON until delivered — or, for a module with its own key, only the ciphertext after
//! delivery), `application_events` (the case's timeline), `application_files` (the
//! resident's uploads and the module's documents), `module_deliveries` (every attempt
//! to deliver an event to a module's webhook, for the city's admins), and on `modules`
//! the webhook signing secret (encrypted with the portal's secrets key).

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
    WebhookSecretEnc,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    CityId,
    UserId,
    ModuleId,
    ListingId,
    ManifestVersion,
    Status,
    DataCategories,
    Profile,
    Answers,
    Sealed,
    Locale,
    CreatedAt,
    UpdatedAt,
    DeliveredAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum ApplicationEvents {
    Table,
    Id,
    ApplicationId,
    Kind,
    Actor,
    Decision,
    Message,
    FileId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApplicationFiles {
    Table,
    Id,
    ApplicationId,
    Role,
    Field,
    FileName,
    ContentType,
    Size,
    Sha256,
    Bytes,
    Sealed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ModuleDeliveries {
    Table,
    Id,
    ModuleId,
    EventId,
    WebhookId,
    EventType,
    AggregateId,
    Attempt,
    StatusCode,
    Error,
    DurationMs,
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
            .alter_table(
                Table::alter()
                    .table(Modules::Table)
                    .add_column(text_null(Modules::WebhookSecretEnc))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Applications::Table)
                    .col(pk_uuid(Applications::Id))
                    .col(uuid(Applications::CityId))
                    .col(uuid(Applications::UserId))
                    .col(uuid(Applications::ModuleId))
                    .col(uuid(Applications::ListingId))
                    // The module's manifest version the resident agreed to.
                    .col(integer(Applications::ManifestVersion))
                    // `submitted` | `received` | `in_progress` | `needs_information` |
                    // `approved` | `refused` | `closed` | `withdrawn`
                    .col(string_len(Applications::Status, 24))
                    // JSON array of the data categories sent (what the resident agreed to).
                    .col(text(Applications::DataCategories))
                    // The profile fields sent (JSON object), none once sealed.
                    .col(text_null(Applications::Profile))
                    // The answers and profile as JSON until delivered; a compact JWE of
                    // both after delivery to a module with its own key.
                    .col(text(Applications::Answers))
                    .col(boolean(Applications::Sealed))
                    // The resident's language for the emails about the case.
                    .col(string_len(Applications::Locale, 8))
                    .col(timestamp_with_time_zone(Applications::CreatedAt))
                    .col(timestamp_with_time_zone(Applications::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Applications::DeliveredAt))
                    .col(timestamp_with_time_zone_null(Applications::DecidedAt))
                    .foreign_key(&mut fk(
                        (Applications::Table, Applications::CityId),
                        (Cities::Table, Cities::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Applications::Table, Applications::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Applications::Table, Applications::ModuleId),
                        (Modules::Table, Modules::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Applications::Table, Applications::ListingId),
                        (Listings::Table, Listings::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // My applications; a module's own cases.
        manager
            .create_index(
                Index::create()
                    .name("ix_applications_user")
                    .table(Applications::Table)
                    .col(Applications::UserId)
                    .col(Applications::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_applications_module")
                    .table(Applications::Table)
                    .col(Applications::ModuleId)
                    .col(Applications::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationEvents::Table)
                    .col(pk_uuid(ApplicationEvents::Id))
                    .col(uuid(ApplicationEvents::ApplicationId))
                    // `submitted` | `received` | `in_progress` | `needs_information` |
                    // `answered` | `decided` | `closed` | `withdrawn` | `message`
                    .col(string_len(ApplicationEvents::Kind, 24))
                    // `resident` | `module`
                    .col(string_len(ApplicationEvents::Actor, 16))
                    // For `decided`: `approved` | `refused`.
                    .col(string_len_null(ApplicationEvents::Decision, 16))
                    // The question, the answer, the decision's message, a message.
                    .col(text_null(ApplicationEvents::Message))
                    // A document the module posted with it.
                    .col(uuid_null(ApplicationEvents::FileId))
                    .col(timestamp_with_time_zone(ApplicationEvents::CreatedAt))
                    .foreign_key(&mut fk(
                        (ApplicationEvents::Table, ApplicationEvents::ApplicationId),
                        (Applications::Table, Applications::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_application_events_application")
                    .table(ApplicationEvents::Table)
                    .col(ApplicationEvents::ApplicationId)
                    .col(ApplicationEvents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationFiles::Table)
                    .col(pk_uuid(ApplicationFiles::Id))
                    .col(uuid(ApplicationFiles::ApplicationId))
                    // `attachment` (the resident's) | `document` (the module's)
                    .col(string_len(ApplicationFiles::Role, 16))
                    // The form field of an attachment.
                    .col(string_len_null(ApplicationFiles::Field, 64))
                    // Sanitized: no path, no control characters.
                    .col(string_len(ApplicationFiles::FileName, 120))
                    // Sniffed from the bytes, not what the browser claimed.
                    .col(string_len(ApplicationFiles::ContentType, 64))
                    .col(big_integer(ApplicationFiles::Size))
                    .col(string_len(ApplicationFiles::Sha256, 64))
                    // The bytes, or the compact JWE of them once sealed.
                    .col(blob(ApplicationFiles::Bytes))
                    .col(boolean(ApplicationFiles::Sealed))
                    .col(timestamp_with_time_zone(ApplicationFiles::CreatedAt))
                    .foreign_key(&mut fk(
                        (ApplicationFiles::Table, ApplicationFiles::ApplicationId),
                        (Applications::Table, Applications::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_application_files_application")
                    .table(ApplicationFiles::Table)
                    .col(ApplicationFiles::ApplicationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ModuleDeliveries::Table)
                    .col(pk_uuid(ModuleDeliveries::Id))
                    .col(uuid(ModuleDeliveries::ModuleId))
                    // The outbox event delivered (events are purged; the log stays).
                    .col(integer(ModuleDeliveries::EventId))
                    // `webhook-id`: the same on every attempt of one event.
                    .col(string_len(ModuleDeliveries::WebhookId, 64))
                    .col(string_len(ModuleDeliveries::EventType, 64))
                    .col(uuid(ModuleDeliveries::AggregateId))
                    // 1, 2, ... per event.
                    .col(integer(ModuleDeliveries::Attempt))
                    // The module's HTTP status, none when it could not be reached.
                    .col(integer_null(ModuleDeliveries::StatusCode))
                    .col(text_null(ModuleDeliveries::Error))
                    .col(integer(ModuleDeliveries::DurationMs))
                    .col(timestamp_with_time_zone(ModuleDeliveries::CreatedAt))
                    .foreign_key(&mut fk(
                        (ModuleDeliveries::Table, ModuleDeliveries::ModuleId),
                        (Modules::Table, Modules::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_module_deliveries_module")
                    .table(ModuleDeliveries::Table)
                    .col(ModuleDeliveries::ModuleId)
                    .col(ModuleDeliveries::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ModuleDeliveries::Table.into_iden(),
            ApplicationFiles::Table.into_iden(),
            ApplicationEvents::Table.into_iden(),
            Applications::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Modules::Table)
                    .drop_column(Modules::WebhookSecretEnc)
                    .to_owned(),
            )
            .await
    }
}
