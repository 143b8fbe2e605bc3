//! Erasing a resident from booking (GDPR Art. 17), for the account's erasure: what they
//! booked is given up through the normal paths first, then their contact is removed from
//! what the businesses keep.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use super::error::BookingError;
use super::ledger::transition;
use super::model::{Ctx, ACTIVE};
use super::service::mine;
use crate::core::error::ErrorCode;
use crate::core::identity::AuthUser;
use entities::booking;

/// Before an account is erased: each of the resident's active bookings that has not
/// started is cancelled through the normal path (its seat freed, the outbox told, a
/// partner's system told by its cancel call), whatever the cancellation deadline, and
/// each waitlist place is given up (a seat held for them goes to the next in line). A
/// partner that refuses to cancel keeps its booking; it is anonymized with the rest by
/// [`forget_resident`]. Returns how many bookings and places were given up.
pub async fn withdraw_everything(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
) -> Result<usize, BookingError> {
    let now = Utc::now();
    let active = booking::Entity::find()
        .filter(booking::Column::UserId.eq(user.id))
        .filter(booking::Column::Status.is_in(ACTIVE))
        .filter(booking::Column::StartsAt.gt(now))
        .all(db)
        .await?;
    let mut given_up = 0;
    for b in active {
        let v = mine(db, ctx, user, b.id).await?;
        if v.offer.partner_connection_id.is_some() {
            match crate::booking::partner::cancel(db, ctx, v).await {
                Ok(_) => given_up += 1,
                // Logged without the resident: the booking's id is no personal data.
                Err(e) => {
                    tracing::warn!(booking = %b.id, code = e.code(), "a partner kept a booking of an erased account")
                }
            }
            continue;
        }
        let txn = db.begin().await?;
        if transition(&txn, ctx, &v.booking, &v.booking.status, "cancelled", None).await? {
            given_up += 1;
        }
        txn.commit().await?;
    }
    let places = entities::waitlist_entry::Entity::find()
        .filter(entities::waitlist_entry::Column::UserId.eq(user.id))
        .filter(entities::waitlist_entry::Column::Status.is_in(["waiting", "offered"]))
        .all(db)
        .await?;
    for e in places {
        crate::booking::waitlist::leave(db, ctx, user, e.id).await?;
        given_up += 1;
    }
    Ok(given_up)
}

/// Erases the resident from the booking records, in the caller's transaction: the
/// bookings a business keeps (past, completed, missed, cancelled) keep no name, email or
/// phone; waitlist places and the stored answers of repeatable requests (which repeat the
/// contact) are deleted.
pub async fn forget_resident<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
) -> Result<(), BookingError> {
    booking::Entity::update_many()
        .col_expr(booking::Column::ContactName, Expr::value(""))
        .col_expr(
            booking::Column::ContactEmail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            booking::Column::ContactPhone,
            Expr::value(Option::<String>::None),
        )
        .filter(booking::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    entities::waitlist_entry::Entity::delete_many()
        .filter(entities::waitlist_entry::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    entities::idempotency_key::Entity::delete_many()
        .filter(entities::idempotency_key::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}
