//! Database errors as problems, from real errors of SQLite and PostgreSQL.

use api::core::problem::{ApiError, Problem};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set, SqlErr};
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both;

fn user(email: &str) -> entities::user::ActiveModel {
    entities::user::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.to_string()),
        password_hash: Set("not a hash".into()),
        display_name: Set("Twice".into()),
        locale: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        deleted_at: Set(None),
        email_verified_at: Set(None),
        credentials_changed_at: Set(None),
    }
}

/// A second row with the same unique value (a user's email) is a 409 `duplicate`.
async fn unique_violation_is_a_conflict_not_a_500(app: TestApp) {
    let db = &app.state.db;
    user("twice@example.org").insert(db).await.unwrap();
    let err = user("twice@example.org").insert(db).await.unwrap_err();
    assert!(
        matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))),
        "a real unique violation: {err}"
    );
    let p = Problem::from(err);
    assert_eq!(p.status, 409, "{p:?}");
    assert_eq!(p.code(), "duplicate");
    assert_eq!(
        p.detail.as_deref(),
        Some("A resource with the same unique value already exists.")
    );

    // The same through the API's error type.
    let err = user("twice@example.org").insert(db).await.unwrap_err();
    assert!(
        matches!(ApiError::from(err), ApiError::Conflict(ref j) if j.0.code() == "duplicate"),
        "a 409 response"
    );

    // Any other database error stays a 500 that shows nothing of it.
    let err = db
        .execute_unprepared("SELECT no_such_column FROM users")
        .await
        .unwrap_err();
    let p = Problem::from(err);
    assert_eq!(p.status, 500);
    assert_eq!(p.code(), "internal");
    assert!(!p.detail.unwrap_or_default().contains("no_such_column"));
}
on_both!(unique_violation_is_a_conflict_not_a_500);
