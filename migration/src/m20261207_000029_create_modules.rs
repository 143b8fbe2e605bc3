//! E-government modules: the systems the city plugs in (a permit workflow, a street
//! defect tracker, an appointment system), each described by a manifest. `modules` holds
//! one row per module with its state and OAuth client; `module_versions` every manifest
//! it ever sent, with who decided what when (the history that answers "since when does
//! this module receive phone numbers?"); `module_services` the services of its approved
//! manifest, so that one service has at most one module per capability.

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
enum OauthClients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Modules {
    Table,
    Id,
    CityId,
    Slug,
    Status,
    ClientId,
    ApprovedVersion,
    PendingVersion,
    CreatedAt,
    UpdatedAt,
    PausedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
enum ModuleVersions {
    Table,
    Id,
    ModuleId,
    Version,
    Manifest,
    State,
    Widens,
    SubmittedBy,
    SubmittedAt,
    DecidedBy,
    DecidedAt,
    Note,
    AppliedAt,
    ReplacedAt,
}

#[derive(DeriveIden)]
enum ModuleServices {
    Table,
    Id,
    ModuleId,
    ListingId,
    Capability,
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
                    .table(Modules::Table)
                    .col(pk_uuid(Modules::Id))
                    .col(uuid(Modules::CityId))
                    // The manifest's `id`, stable for the module's life (and after).
                    .col(string_len(Modules::Slug, 64))
                    // `pending` | `refused` | `active` | `paused` | `removed`
                    .col(string_len(Modules::Status, 16))
                    // Its OAuth client, from its first approval on.
                    .col(uuid_null(Modules::ClientId))
                    // The version in force, and the one waiting for review.
                    .col(integer_null(Modules::ApprovedVersion))
                    .col(integer_null(Modules::PendingVersion))
                    .col(timestamp_with_time_zone(Modules::CreatedAt))
                    .col(timestamp_with_time_zone(Modules::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Modules::PausedAt))
                    .col(timestamp_with_time_zone_null(Modules::RemovedAt))
                    .foreign_key(&mut fk(
                        (Modules::Table, Modules::CityId),
                        (Cities::Table, Cities::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Modules::Table, Modules::ClientId),
                        (OauthClients::Table, OauthClients::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_modules_city_slug")
                    .table(Modules::Table)
                    .col(Modules::CityId)
                    .col(Modules::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A module's token finds its module by the client.
        manager
            .create_index(
                Index::create()
                    .name("ux_modules_client")
                    .table(Modules::Table)
                    .col(Modules::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ModuleVersions::Table)
                    .col(pk_uuid(ModuleVersions::Id))
                    .col(uuid(ModuleVersions::ModuleId))
                    .col(integer(ModuleVersions::Version))
                    // The manifest as sent (checked), a JSON document.
                    .col(text(ModuleVersions::Manifest))
                    // `pending` | `approved` | `refused` | `superseded`
                    .col(string_len(ModuleVersions::State, 16))
                    // What it widened over the version in force (JSON array of field
                    // paths); empty when it narrowed or changed only texts.
                    .col(text(ModuleVersions::Widens))
                    .col(uuid_null(ModuleVersions::SubmittedBy))
                    .col(timestamp_with_time_zone(ModuleVersions::SubmittedAt))
                    .col(uuid_null(ModuleVersions::DecidedBy))
                    .col(timestamp_with_time_zone_null(ModuleVersions::DecidedAt))
                    // Why it was refused.
                    .col(text_null(ModuleVersions::Note))
                    // In force from `applied_at` until `replaced_at`.
                    .col(timestamp_with_time_zone_null(ModuleVersions::AppliedAt))
                    .col(timestamp_with_time_zone_null(ModuleVersions::ReplacedAt))
                    .foreign_key(&mut fk(
                        (ModuleVersions::Table, ModuleVersions::ModuleId),
                        (Modules::Table, Modules::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (ModuleVersions::Table, ModuleVersions::SubmittedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        (ModuleVersions::Table, ModuleVersions::DecidedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_module_versions_version")
                    .table(ModuleVersions::Table)
                    .col(ModuleVersions::ModuleId)
                    .col(ModuleVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ModuleServices::Table)
                    .col(pk_uuid(ModuleServices::Id))
                    .col(uuid(ModuleServices::ModuleId))
                    .col(uuid(ModuleServices::ListingId))
                    // `application` | `report` | `appointment`
                    .col(string_len(ModuleServices::Capability, 16))
                    .col(timestamp_with_time_zone(ModuleServices::CreatedAt))
                    .foreign_key(&mut fk(
                        (ModuleServices::Table, ModuleServices::ModuleId),
                        (Modules::Table, Modules::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (ModuleServices::Table, ModuleServices::ListingId),
                        (Listings::Table, Listings::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // One module per service and capability.
        manager
            .create_index(
                Index::create()
                    .name("ux_module_services_listing_capability")
                    .table(ModuleServices::Table)
                    .col(ModuleServices::ListingId)
                    .col(ModuleServices::Capability)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ModuleServices::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ModuleVersions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Modules::Table).to_owned())
            .await
    }
}
