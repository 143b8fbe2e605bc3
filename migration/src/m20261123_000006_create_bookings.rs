//! Booking: the booking policy of offers, bookable slots with their capacity, bookings,
//! idempotency keys and waitlists.
//!
//! Capacity lives in the database: a slot row (a class session, or an appointment time
//! created on its first booking) holds `capacity` and `booked`, and a booking takes a
//! seat with one conditional `UPDATE ... SET booked = booked + 1 WHERE booked < capacity`;
//! the CHECK constraint `booked BETWEEN 0 AND capacity` refuses any write that would
//! overbook, whatever the code does.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_accounts::{Cities, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    Confirmation,
    CancelDeadlineMinutes,
    MaxActivePerResident,
    CollectEmail,
    CollectPhone,
    LeadTimeMinutes,
    HorizonDays,
    PartnerConnectionId,
    PartnerOfferRef,
}

#[derive(DeriveIden)]
pub enum OfferSlots {
    Table,
    Id,
    OfferId,
    StartsAt,
    EndsAt,
    Capacity,
    Booked,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Bookings {
    Table,
    Id,
    CityId,
    OfferId,
    SlotId,
    UserId,
    Status,
    StartsAt,
    EndsAt,
    Seats,
    HoldExpiresAt,
    ContactName,
    ContactEmail,
    ContactPhone,
    Shared,
    PartnerRef,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    UserId,
    Key,
    RequestHash,
    State,
    ResponseStatus,
    ResponseBody,
    LockedUntil,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum WaitlistEntries {
    Table,
    Id,
    SlotId,
    UserId,
    Status,
    OfferedUntil,
    BookingId,
    CreatedAt,
    UpdatedAt,
}

/// Booking statuses: `held` (a seat kept for a few minutes until the resident confirms),
/// `requested` (a seat kept until the business approves or rejects), `confirmed`,
/// `rejected`, `expired`, `cancelled`, `completed`, `no_show`.
pub const BOOKING_STATUSES: [&str; 8] = [
    "held",
    "requested",
    "confirmed",
    "rejected",
    "expired",
    "cancelled",
    "completed",
    "no_show",
];

fn cascade(
    from_table: impl IntoIden + 'static,
    from_col: impl IntoIden + 'static,
    to_table: impl IntoIden + 'static,
    to_col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        let columns = [
            // `instant` | `approval` (a CHECK would keep SQLite from dropping it again).
            string_len(Offers::Confirmation, 16)
                .default("instant")
                .to_owned(),
            integer(Offers::CancelDeadlineMinutes).default(0).to_owned(),
            integer(Offers::MaxActivePerResident).default(0).to_owned(),
            boolean(Offers::CollectEmail).default(false).to_owned(),
            boolean(Offers::CollectPhone).default(false).to_owned(),
            integer(Offers::LeadTimeMinutes).default(0).to_owned(),
            integer(Offers::HorizonDays).default(60).to_owned(),
            uuid_null(Offers::PartnerConnectionId).to_owned(),
            string_len_null(Offers::PartnerOfferRef, 200).to_owned(),
        ];
        for mut c in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Offers::Table)
                        .add_column(&mut c)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(OfferSlots::Table)
                    .col(pk_uuid(OfferSlots::Id))
                    .col(uuid(OfferSlots::OfferId))
                    .col(timestamp_with_time_zone(OfferSlots::StartsAt))
                    .col(timestamp_with_time_zone(OfferSlots::EndsAt))
                    .col(integer(OfferSlots::Capacity))
                    .col(integer(OfferSlots::Booked).default(0))
                    .col(string_len(OfferSlots::Status, 16).default("open"))
                    .col(timestamp_with_time_zone(OfferSlots::CreatedAt))
                    .foreign_key(&mut cascade(
                        OfferSlots::Table,
                        OfferSlots::OfferId,
                        Offers::Table,
                        Offers::Id,
                    ))
                    .check(Expr::col(OfferSlots::Capacity).gte(0))
                    .check(Expr::col(OfferSlots::Booked).gte(0))
                    .check(Expr::col(OfferSlots::Booked).lte(Expr::col(OfferSlots::Capacity)))
                    .check(Expr::col(OfferSlots::Status).is_in(["open", "cancelled"]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_offer_slots_offer_start")
                    .table(OfferSlots::Table)
                    .col(OfferSlots::OfferId)
                    .col(OfferSlots::StartsAt)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Bookings::Table)
                    .col(pk_uuid(Bookings::Id))
                    .col(uuid(Bookings::CityId))
                    .col(uuid(Bookings::OfferId))
                    .col(uuid_null(Bookings::SlotId))
                    .col(uuid(Bookings::UserId))
                    .col(string_len(Bookings::Status, 16))
                    .col(timestamp_with_time_zone(Bookings::StartsAt))
                    .col(timestamp_with_time_zone_null(Bookings::EndsAt))
                    .col(integer(Bookings::Seats).default(1))
                    .col(timestamp_with_time_zone_null(Bookings::HoldExpiresAt))
                    .col(string_len(Bookings::ContactName, 200))
                    .col(string_len_null(Bookings::ContactEmail, 254))
                    .col(string_len_null(Bookings::ContactPhone, 40))
                    .col(json(Bookings::Shared))
                    .col(string_len_null(Bookings::PartnerRef, 200))
                    .col(integer(Bookings::Version))
                    .col(timestamp_with_time_zone(Bookings::CreatedAt))
                    .col(timestamp_with_time_zone(Bookings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Bookings::Table, Bookings::CityId)
                            .to(Cities::Table, Cities::Id),
                    )
                    .foreign_key(&mut cascade(
                        Bookings::Table,
                        Bookings::OfferId,
                        Offers::Table,
                        Offers::Id,
                    ))
                    .foreign_key(&mut cascade(
                        Bookings::Table,
                        Bookings::SlotId,
                        OfferSlots::Table,
                        OfferSlots::Id,
                    ))
                    .foreign_key(&mut cascade(
                        Bookings::Table,
                        Bookings::UserId,
                        Users::Table,
                        Users::Id,
                    ))
                    .check(Expr::col(Bookings::Status).is_in(BOOKING_STATUSES))
                    .check(Expr::col(Bookings::Seats).gte(1))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_bookings_user",
                vec![Bookings::UserId, Bookings::StartsAt],
            ),
            (
                "ix_bookings_offer",
                vec![Bookings::OfferId, Bookings::StartsAt],
            ),
            (
                "ix_bookings_holds",
                vec![Bookings::Status, Bookings::HoldExpiresAt],
            ),
            ("ix_bookings_slot", vec![Bookings::SlotId]),
        ] {
            let mut ix = Index::create();
            ix.name(name).table(Bookings::Table);
            for c in cols {
                ix.col(c);
            }
            manager.create_index(ix.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(uuid(IdempotencyKeys::UserId))
                    .col(string_len(IdempotencyKeys::Key, 255))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(string_len(IdempotencyKeys::State, 16))
                    .col(integer_null(IdempotencyKeys::ResponseStatus))
                    .col(text_null(IdempotencyKeys::ResponseBody))
                    .col(timestamp_with_time_zone(IdempotencyKeys::LockedUntil))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .col(timestamp_with_time_zone(IdempotencyKeys::ExpiresAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::UserId)
                            .col(IdempotencyKeys::Key),
                    )
                    .foreign_key(&mut cascade(
                        IdempotencyKeys::Table,
                        IdempotencyKeys::UserId,
                        Users::Table,
                        Users::Id,
                    ))
                    .check(Expr::col(IdempotencyKeys::State).is_in(["in_flight", "done"]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_idempotency_keys_expiry")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WaitlistEntries::Table)
                    .col(pk_uuid(WaitlistEntries::Id))
                    .col(uuid(WaitlistEntries::SlotId))
                    .col(uuid(WaitlistEntries::UserId))
                    .col(string_len(WaitlistEntries::Status, 16))
                    .col(timestamp_with_time_zone_null(WaitlistEntries::OfferedUntil))
                    .col(uuid_null(WaitlistEntries::BookingId))
                    .col(timestamp_with_time_zone(WaitlistEntries::CreatedAt))
                    .col(timestamp_with_time_zone(WaitlistEntries::UpdatedAt))
                    .foreign_key(&mut cascade(
                        WaitlistEntries::Table,
                        WaitlistEntries::SlotId,
                        OfferSlots::Table,
                        OfferSlots::Id,
                    ))
                    .foreign_key(&mut cascade(
                        WaitlistEntries::Table,
                        WaitlistEntries::UserId,
                        Users::Table,
                        Users::Id,
                    ))
                    .check(
                        Expr::col(WaitlistEntries::Status)
                            .is_in(["waiting", "offered", "claimed", "expired", "left"]),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_waitlist_slot_user")
                    .table(WaitlistEntries::Table)
                    .col(WaitlistEntries::SlotId)
                    .col(WaitlistEntries::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            WaitlistEntries::Table.into_iden(),
            IdempotencyKeys::Table.into_iden(),
            Bookings::Table.into_iden(),
            OfferSlots::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        for c in [
            Offers::PartnerOfferRef,
            Offers::PartnerConnectionId,
            Offers::HorizonDays,
            Offers::LeadTimeMinutes,
            Offers::CollectPhone,
            Offers::CollectEmail,
            Offers::MaxActivePerResident,
            Offers::CancelDeadlineMinutes,
            Offers::Confirmation,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Offers::Table)
                        .drop_column(c)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
