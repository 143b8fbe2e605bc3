//! `Idempotency-Key` for creating bookings, after the IETF draft
//! (draft-ietf-httpapi-idempotency-key-header): the key is required (400 without it),
//! scoped to the user, and kept for 24 hours. The first request with a key runs; a
//! repeat with the same body gets the first response again, byte for byte; a repeat with
//! a different body is refused (422); a repeat while the first is still running is
//! refused (409). The response is stored in the same transaction as the booking it
//! describes, so a booking can never exist without its stored response.

use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TryInsertResult,
};
use uuid::Uuid;

use super::error::BookingError;
use entities::idempotency_key;

/// The header's name.
pub const HEADER: &str = "Idempotency-Key";
/// How long a key and its response are kept.
pub const KEEP: Duration = Duration::hours(24);
/// After this long, an unfinished request is taken for dead and its key may run again.
pub const LOCK: Duration = Duration::seconds(30);

/// A key this request holds: it runs, then stores its response.
#[derive(Clone, Debug)]
pub struct Claim {
    pub user_id: Uuid,
    pub key: String,
}

/// What to do with a request.
pub enum Begin {
    Proceed(Claim),
    /// The stored response of the first request with this key.
    Replay {
        status: u16,
        body: String,
    },
}

/// The header as the document describes it: 1-255 visible ASCII characters. Any value
/// is read; [`parse_key`] refuses one of another form with the booking API's own
/// problem (400 `idempotency-key-invalid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyHeader(pub String);

impl poem_openapi::types::Type for KeyHeader {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> std::borrow::Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        poem_openapi::registry::MetaSchemaRef::Inline(Box::new(
            poem_openapi::registry::MetaSchema {
                min_length: Some(1),
                max_length: Some(255),
                pattern: Some("^[!-~]+$".into()),
                ..poem_openapi::registry::MetaSchema::new("string")
            },
        ))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.0))
    }
}

impl poem_openapi::types::ParseFromParameter for KeyHeader {
    fn parse_from_parameter(value: &str) -> poem_openapi::types::ParseResult<Self> {
        Ok(KeyHeader(value.to_string()))
    }
}

/// Checks the header's value: 1-255 visible ASCII characters.
pub fn parse_key(value: Option<&str>) -> Result<String, BookingError> {
    let Some(v) = value.map(str::trim) else {
        return Err(BookingError::IdempotencyKeyMissing);
    };
    if v.is_empty() || v.len() > 255 || !v.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(BookingError::IdempotencyKeyInvalid);
    }
    Ok(v.to_string())
}

/// SHA-256 of what identifies a request: its method, path and JSON body.
pub fn request_hash(method: &str, path: &str, body: &serde_json::Value) -> String {
    crate::core::secrets::sha256_hex(&format!("{method} {path}\n{body}"))
}

/// Claims the key for this request, or says how to answer instead.
pub async fn begin(
    db: &DatabaseConnection,
    user_id: Uuid,
    key: &str,
    hash: &str,
) -> Result<Begin, BookingError> {
    for _ in 0..3 {
        let now = Utc::now();
        let row = idempotency_key::ActiveModel {
            user_id: Set(user_id),
            key: Set(key.to_string()),
            request_hash: Set(hash.to_string()),
            state: Set("in_flight".into()),
            response_status: Set(None),
            response_body: Set(None),
            locked_until: Set(now + LOCK),
            created_at: Set(now),
            expires_at: Set(now + KEEP),
        };
        let inserted = idempotency_key::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    idempotency_key::Column::UserId,
                    idempotency_key::Column::Key,
                ])
                .do_nothing()
                .to_owned(),
            )
            .do_nothing()
            .exec_without_returning(db)
            .await;
        match inserted {
            Ok(TryInsertResult::Inserted(n)) if n > 0 => {
                return Ok(Begin::Proceed(Claim {
                    user_id,
                    key: key.to_string(),
                }))
            }
            Ok(_) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(existing) = idempotency_key::Entity::find_by_id((user_id, key.to_string()))
            .one(db)
            .await?
        else {
            continue; // removed meanwhile: try again
        };
        if existing.expires_at <= now {
            idempotency_key::Entity::delete_many()
                .filter(idempotency_key::Column::UserId.eq(user_id))
                .filter(idempotency_key::Column::Key.eq(key))
                .filter(idempotency_key::Column::ExpiresAt.lte(now))
                .exec(db)
                .await?;
            continue;
        }
        if existing.request_hash != hash {
            return Err(BookingError::IdempotencyKeyReused);
        }
        if existing.state == "done" {
            return Ok(Begin::Replay {
                status: existing.response_status.unwrap_or(500) as u16,
                body: existing.response_body.unwrap_or_default(),
            });
        }
        // In flight: refuse, unless the first request died long ago.
        let taken = idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::LockedUntil,
                Expr::value(now + LOCK),
            )
            .filter(idempotency_key::Column::UserId.eq(user_id))
            .filter(idempotency_key::Column::Key.eq(key))
            .filter(idempotency_key::Column::State.eq("in_flight"))
            .filter(idempotency_key::Column::LockedUntil.lte(now))
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            return Ok(Begin::Proceed(Claim {
                user_id,
                key: key.to_string(),
            }));
        }
        return Err(BookingError::IdempotencyKeyInFlight);
    }
    Err(BookingError::internal(
        "an idempotency key kept changing under three attempts",
    ))
}

/// Stores the response; call it in the transaction of the change when there is one.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    claim: &Claim,
    status: u16,
    body: &str,
) -> Result<(), sea_orm::DbErr> {
    idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::State, Expr::value("done"))
        .col_expr(
            idempotency_key::Column::ResponseStatus,
            Expr::value(status as i32),
        )
        .col_expr(idempotency_key::Column::ResponseBody, Expr::value(body))
        .filter(idempotency_key::Column::UserId.eq(claim.user_id))
        .filter(idempotency_key::Column::Key.eq(claim.key.clone()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Frees the key after a failure that a retry may not repeat (a 5xx).
pub async fn abandon(db: &DatabaseConnection, claim: &Claim) {
    let _ = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::UserId.eq(claim.user_id))
        .filter(idempotency_key::Column::Key.eq(claim.key.clone()))
        .filter(idempotency_key::Column::State.eq("in_flight"))
        .exec(db)
        .await;
}

/// Removes keys older than [`KEEP`].
pub async fn purge_expired(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::ExpiresAt.lte(Utc::now()))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    #[test]
    fn keys_are_required_and_bounded() {
        assert_eq!(parse_key(None).unwrap_err().status(), 400);
        assert_eq!(parse_key(Some("")).unwrap_err().status(), 400);
        assert_eq!(parse_key(Some("a b")).unwrap_err().status(), 400);
        assert_eq!(parse_key(Some(&"x".repeat(256))).unwrap_err().status(), 400);
        assert_eq!(
            parse_key(Some(" 8e0f-key ")).unwrap(),
            "8e0f-key".to_string()
        );
        assert_eq!(
            parse_key(None).unwrap_err().header(),
            Some("Idempotency-Key")
        );
    }

    #[test]
    fn the_hash_covers_method_path_and_body() {
        let a = request_hash("POST", "/api/v1/bookings", &serde_json::json!({"x": 1}));
        assert_eq!(a.len(), 64);
        assert_eq!(
            a,
            request_hash("POST", "/api/v1/bookings", &serde_json::json!({"x": 1}))
        );
        assert_ne!(
            a,
            request_hash("POST", "/api/v1/bookings", &serde_json::json!({"x": 2}))
        );
        assert_ne!(
            a,
            request_hash("POST", "/api/v1/other", &serde_json::json!({"x": 1}))
        );
    }
}
