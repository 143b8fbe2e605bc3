//! Every migration runs up and down on SQLite and PostgreSQL.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::helpers::*;

async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations' ORDER BY name",
        _ => "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations' ORDER BY table_name",
    };
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "t").unwrap())
        .collect()
}

async fn up_down_up(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(test_db) = fresh_database(backend, dir.path()).await else {
        return;
    };
    let db = api::core::db::connect(&test_db.url).await.unwrap();
    let all = Migrator::migrations().len();
    Migrator::up(&db, None).await.unwrap();
    let full = tables(&db).await;
    for t in [
        "cities",
        "users",
        "listings",
        "offers",
        "outbox_events",
        "outbox_deliveries",
        "access_records",
        "api_tokens",
        "memberships",
        "offer_slots",
        "bookings",
        "idempotency_keys",
        "waitlist_entries",
        "partner_connections",
        "partner_webhook_events",
        "calendar_feeds",
        "notifications_sent",
        "places",
        "user_identities",
        "modules",
        "module_versions",
        "module_services",
        "applications",
        "application_events",
        "application_files",
        "module_deliveries",
    ] {
        assert!(
            full.contains(&t.to_string()),
            "{t} missing after up: {full:?}"
        );
    }
    // Step down one migration at a time, then all the way, then up again.
    for step in 1..=all {
        Migrator::down(&db, Some(1))
            .await
            .unwrap_or_else(|e| panic!("down step {step}: {e}"));
    }
    assert!(tables(&db).await.is_empty(), "down leaves no tables");
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(tables(&db).await, full);
    assert_eq!(
        Migrator::get_pending_migrations(&db).await.unwrap().len(),
        0
    );
}

#[tokio::test]
async fn migrations_up_and_down_on_sqlite() {
    up_down_up(Backend::Sqlite).await;
}

#[tokio::test]
async fn migrations_up_and_down_on_postgres() {
    up_down_up(Backend::Postgres).await;
}

/// On PostgreSQL the database search's word matching has a trigram index.
#[tokio::test]
async fn postgres_search_text_has_a_trigram_index() {
    let dir = tempfile::tempdir().unwrap();
    let Some(test_db) = fresh_database(Backend::Postgres, dir.path()).await else {
        return;
    };
    let db = api::core::db::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_listings_search_text_trgm'",
        ))
        .await
        .unwrap()
        .expect("the trigram index exists");
    let def: String = row.try_get("", "indexdef").unwrap();
    assert!(def.contains("gin_trgm_ops"), "{def}");
}

/// The rowids of the listings the SQL finds (`rowid AS id`, one bound value), sorted.
async fn ids(db: &DatabaseConnection, sql: &str, value: &str) -> Vec<i64> {
    let mut v: Vec<i64> = db
        .query_all(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            [value.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i64>("", "id").unwrap())
        .collect();
    v.sort();
    v
}

/// For every word, the trigram index finds exactly the listings `LIKE '%word%'` finds,
/// and the index agrees with the listings table.
async fn fts_agrees_with_like(db: &DatabaseConnection, words: &[String]) {
    for w in words {
        let by_index = ids(
            db,
            "SELECT rowid AS id FROM listings WHERE rowid IN \
             (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)",
            &format!("\"{w}\""),
        )
        .await;
        let by_like = ids(
            db,
            "SELECT rowid AS id FROM listings WHERE search_text LIKE ?",
            &format!("%{w}%"),
        )
        .await;
        assert_eq!(by_index, by_like, "{w}");
    }
    db.execute_unprepared(
        "INSERT INTO listings_fts(listings_fts, rank) VALUES ('integrity-check', 1)",
    )
    .await
    .expect("the index matches the listings");
}

/// SQLite: the trigram full-text index of the search text (migration 12) is filled from
/// the listings already there and kept in step by triggers; it finds what `LIKE` finds.
/// PostgreSQL: the migration does nothing.
#[tokio::test]
async fn sqlite_search_text_has_a_trigram_full_text_index() {
    if let Some(app) = spawn(Backend::Postgres).await {
        assert!(!migration::sqlite_fts5_trigram(&app.state.db).await.unwrap());
        assert!(!tables(&app.state.db)
            .await
            .contains(&"listings_fts".to_string()));
    }

    let app = spawn(Backend::Sqlite).await.unwrap();
    let db = &app.state.db;
    assert!(
        migration::sqlite_fts5_trigram(db).await.unwrap(),
        "the bundled SQLite has FTS5 with the trigram tokenizer"
    );
    let city = app.state.city.id;
    api::demo::generate::generate(db, city, 200, 7, false)
        .await
        .unwrap();
    // Listings added before the index exists are indexed when it is created.
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let fts = names
        .iter()
        .position(|n| n == "m20261123_000012_add_search_fts_sqlite")
        .unwrap();
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some((names.len() - fts) as u32))
        .await
        .unwrap();
    assert!(!tables(db).await.contains(&"listings_fts".to_string()));
    api::demo::generate::generate(db, city, 100, 8, false)
        .await
        .unwrap();
    Migrator::up(&mig, None).await.unwrap();
    assert!(tables(db).await.contains(&"listings_fts".to_string()));
    // A later migration empties the search text for the server to write it anew, as it
    // does at start; the index follows.
    api::listings::service::backfill_search_columns(db)
        .await
        .unwrap();

    // Words: some fixed ones and pieces of the listings' own text, 3 to 8 characters.
    let texts: Vec<String> = db
        .query_all(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT search_text AS t FROM listings ORDER BY id LIMIT 20",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "t").unwrap())
        .collect();
    let mut words: Vec<String> = ["kahvila", "ravintola", "bar", "cafe", "pizza", "zzq", "123"]
        .map(String::from)
        .to_vec();
    for t in &texts {
        for (i, w) in t.split(' ').filter(|w| w.len() >= 3).take(6).enumerate() {
            let n = 3 + i % 6;
            words.push(w.chars().take(n).collect());
            words.push(w.chars().skip(1).take(n).collect());
        }
    }
    words.retain(|w| w.len() >= 3);
    assert!(words.len() > 100);
    fts_agrees_with_like(db, &words).await;
    // Counting through the index gives the same numbers too.
    let n = db
        .query_one(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) AS n FROM listings_fts WHERE listings_fts MATCH '\"bar\"'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(
        n as usize,
        ids(
            db,
            "SELECT rowid AS id FROM listings WHERE search_text LIKE ?",
            "%bar%"
        )
        .await
        .len()
    );

    // Updates and deletes reach the index.
    let first = ids(
        db,
        "SELECT rowid AS id FROM listings WHERE search_text LIKE ?",
        "%",
    )
    .await;
    let (a, b) = (first[0], first[1]);
    db.execute(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE listings SET search_text = 'zzyzx quux' WHERE rowid = ?",
        [a.into()],
    ))
    .await
    .unwrap();
    db.execute(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "DELETE FROM listings WHERE rowid = ?",
        [b.into()],
    ))
    .await
    .unwrap();
    // A change of another column leaves the index as it is.
    db.execute_unprepared("UPDATE listings SET version = version + 1")
        .await
        .unwrap();
    words.push("zzyzx".into());
    words.push("uux".into());
    fts_agrees_with_like(db, &words).await;
    assert_eq!(
        ids(
            db,
            "SELECT rowid AS id FROM listings WHERE rowid IN \
             (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)",
            "\"zzyzx\"",
        )
        .await,
        vec![a]
    );
}

/// SQLite: when the full-text index no longer points at the right rows (a `VACUUM` may
/// renumber the rows of `listings`), the check the server runs at start rebuilds it, and
/// the database search finds the listing again.
#[tokio::test]
async fn a_full_text_index_that_lost_its_rows_is_rebuilt() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let db = &app.state.db;
    api::demo::generate::generate(db, app.state.city.id, 30, 3, false)
        .await
        .unwrap();
    assert!(
        !api::search::repair_fts(db).await.unwrap(),
        "intact at first"
    );
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT id, slug, name_de FROM listings WHERE status = 'published' ORDER BY rowid LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap();
    let slug: String = row.try_get("", "slug").unwrap();
    let name: String = row.try_get("", "name_de").unwrap();
    let word = name
        .split(' ')
        .max_by_key(|w| w.chars().count())
        .unwrap()
        .to_string();
    assert!(word.chars().count() >= 3, "{name}");
    let found = |app: &TestApp| {
        let url = app.url(&format!(
            "/api/v1/search?q={}&per_page=50",
            urlencoding(&word)
        ));
        let slug = slug.clone();
        async move {
            let r: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
            assert_eq!(r["engine"], "database");
            r["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["slug"] == slug.as_str())
        }
    };
    assert!(found(&app).await, "found through the index");
    // The row moves, as a VACUUM may move it; the triggers do not see it.
    db.execute_unprepared(&format!(
        "UPDATE listings SET rowid = rowid + 1000000 WHERE slug = '{slug}'"
    ))
    .await
    .unwrap();
    assert!(!found(&app).await, "the index lost it");
    assert!(api::search::repair_fts(db).await.unwrap(), "rebuilt");
    assert!(found(&app).await, "found again");
    assert!(!api::search::repair_fts(db).await.unwrap(), "intact again");
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The access log's sentences written before it held messages become messages (key and
/// arguments) by the patterns they were written from; anything else stays as it is.
/// Shown in German on the German page and in the old English by the API; down turns the
/// messages back into the sentences.
async fn old_access_records_become_messages(app: TestApp) {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
    let db = &app.state.db;
    let resident = app.register("Resi").await;
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261125_000015_access_records_as_messages")
        .unwrap();
    let after = (names.len() - at) as u32;
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some(after)).await.unwrap();
    let old = [
        ("booking 0190-b1 (name, phone)", "booking marked no_show"),
        (
            "name and email as member of Bäckerei \"Süß\" (Mitte)",
            "city administration: review of an organization's members",
        ),
        (
            "booking 0190-b2 (name)",
            "sent with the booking to the business's booking system",
        ),
        ("a text of a version in between", "list of bookings of Yoga"),
    ];
    let start = chrono::Utc::now() - chrono::Duration::hours(1);
    for (i, (resource, purpose)) in old.iter().enumerate() {
        let row = entities::access_record::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            city_id: Set(app.state.city.id),
            subject_user_id: Set(resident.id),
            actor_user_id: Set(None),
            actor_organization_id: Set(None),
            actor_module: Set(Some("Module".into())),
            // Not a column yet at this migration (it comes with migration 18).
            actor_role: sea_orm::ActiveValue::NotSet,
            resource: Set(resource.to_string()),
            purpose: Set(purpose.to_string()),
            created_at: Set(start + chrono::Duration::minutes(i as i64)),
            // Nor these (migration 30).
            reads: sea_orm::ActiveValue::NotSet,
            last_read_at: sea_orm::ActiveValue::NotSet,
        };
        // Without reading the row back: the entity has columns this schema has not yet.
        entities::access_record::Entity::insert(row)
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    // Read on a connection of its own after each change of the columns' type: a
    // PostgreSQL connection that prepared the query before would refuse the new type.
    let stored = || async {
        let fresh = api::core::db::connect(&app.database_url).await.unwrap();
        // Only these columns: after going down, the schema lacks later ones.
        use sea_orm::QuerySelect;
        entities::access_record::Entity::find()
            .select_only()
            .column(entities::access_record::Column::Resource)
            .column(entities::access_record::Column::Purpose)
            .filter(entities::access_record::Column::SubjectUserId.eq(resident.id))
            .order_by_asc(entities::access_record::Column::CreatedAt)
            .into_tuple::<(String, String)>()
            .all(&fresh)
            .await
            .unwrap()
    };
    Migrator::up(&mig, None).await.unwrap();
    let rows = stored().await;
    assert_eq!(
        rows[0],
        (
            r#"{"key":"access-booking","args":{"booking":"0190-b1","fields":"name, phone"}}"#
                .to_string(),
            r#"{"key":"access-purpose-booking-marked","args":{"status":"no_show"}}"#.to_string()
        )
    );
    assert_eq!(
        rows[1].0,
        r#"{"key":"access-member-data","args":{"organization":"Bäckerei \"Süß\" (Mitte)"}}"#
    );
    assert_eq!(rows[1].1, r#"{"key":"access-purpose-member-review"}"#);
    assert_eq!(rows[2].1, r#"{"key":"access-purpose-partner-sent"}"#);
    assert_eq!(rows[3].0, "a text of a version in between", "left as it is");
    assert_eq!(
        rows[3].1,
        r#"{"key":"access-purpose-booking-list","args":{"offer":"Yoga"}}"#
    );
    // The column takes a message longer than the old 200 characters.
    let long = format!(
        r#"{{"key":"access-member-data","args":{{"organization":"{}"}}}}"#,
        "x".repeat(200)
    );
    let mut first: entities::access_record::ActiveModel = entities::access_record::Entity::find()
        .filter(entities::access_record::Column::Resource.eq(rows[1].0.clone()))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .into();
    first.resource = Set(long.clone());
    first.update(db).await.unwrap();

    let page = resident
        .client
        .get(app.url("/account?lang=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for german in [
        "Buchung 0190-b1 (name, phone)",
        "als nicht erschienen vermerkt",
        "Stadtverwaltung: Prüfung der Mitglieder einer Organisation",
        "mit der Buchung an das Buchungssystem des Unternehmens übermittelt",
        "a text of a version in between",
        "Buchungsliste von Yoga",
    ] {
        assert!(page.contains(german), "{german}: {page}");
    }
    let api: serde_json::Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api = api.as_array().unwrap();
    assert_eq!(api.len(), 4);
    // Newest first.
    assert_eq!(api[3]["resource"], "booking 0190-b1 (name, phone)");
    assert_eq!(api[3]["purpose"], "marked as a no-show");
    assert_eq!(
        api[2]["resource"],
        format!("name and email address as a member of {}", "x".repeat(200))
    );
    assert_eq!(
        api[1]["purpose"],
        "sent with the booking to the business's booking system"
    );
    assert_eq!(api[0]["resource"], "a text of a version in between");
    assert_eq!(api[0]["purpose"], "list of bookings of Yoga");

    // Down: the sentences again (cut to the old 200 characters on PostgreSQL), up again.
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some(after)).await.unwrap();
    let rows = stored().await;
    assert_eq!(
        rows[0],
        (
            "booking 0190-b1 (name, phone)".to_string(),
            "booking marked no_show".to_string()
        )
    );
    assert!(rows[1].0.starts_with("name and email as member of xxx"));
    assert_eq!(rows[3].1, "list of bookings of Yoga");
    Migrator::up(&mig, None).await.unwrap();
    assert_eq!(
        stored().await[0].0,
        r#"{"key":"access-booking","args":{"booking":"0190-b1","fields":"name, phone"}}"#
    );
}
crate::on_both!(old_access_records_become_messages);

/// Migration 16 marks the bookings written before it as shared when their contact had
/// reached the business: booked without a hold, confirmed from a hold, awaiting approval.
/// A hold, and a cancelled hold (it cannot be told from one cancelled after confirming),
/// count as not shared.
async fn bookings_written_before_shared_at_are_marked(app: TestApp) {
    use crate::booking::{availability, book, create_offer, post, published_listing, tomorrow};
    use sea_orm::EntityTrait;
    use serde_json::json;
    let (owner, listing) = published_listing(&app, "Vanha").await;
    let day = tomorrow(&app);
    let offer = create_offer(
        &app,
        &owner,
        &listing,
        json!({"kind": "class", "name": {"en": "Old class"},
               "class": {"seats": 9, "duration_minutes": 60, "sessions": [format!("{day}T08:00:00")]}}),
    )
    .await;
    let id = offer["id"].as_str().unwrap();
    let starts_at = availability(&app, id, "").await[0]["starts_at"].clone();
    let mut made = Vec::new();
    for (n, (hold, then)) in [
        (false, None),
        (true, Some("confirm")),
        (true, None),
        (true, Some("cancel")),
        (false, Some("cancel")),
    ]
    .into_iter()
    .enumerate()
    {
        let u = app.register(&format!("Old{n}")).await;
        let body = json!({"offer_id": id, "starts_at": starts_at, "hold": hold});
        let (_, b) = book(&app, &u, &format!("old-{n}"), &body).await;
        let bid = b["id"].as_str().unwrap().to_string();
        if let Some(action) = then {
            let (status, _) = post(&app, &u, &format!("/api/v1/bookings/{bid}/{action}")).await;
            assert_eq!(status, reqwest::StatusCode::OK);
        }
        made.push(bid.parse::<uuid::Uuid>().unwrap());
    }
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261206_000016_add_booking_shared_at")
        .unwrap();
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some((names.len() - at) as u32))
        .await
        .unwrap();
    Migrator::up(&mig, None).await.unwrap();
    let fresh = api::core::db::connect(&app.database_url).await.unwrap();
    let mut shared = Vec::new();
    for b in &made {
        let row = entities::booking::Entity::find_by_id(*b)
            .one(&fresh)
            .await
            .unwrap()
            .unwrap();
        shared.push((row.status, row.shared_at.is_some()));
    }
    let expected = [
        ("confirmed", true),
        ("confirmed", true),
        ("held", false),
        ("cancelled", false),
        ("cancelled", true),
    ];
    assert_eq!(
        shared,
        expected.map(|(s, b)| (s.to_string(), b)).to_vec(),
        "status and whether shared, per booking"
    );
}
crate::on_both!(bookings_written_before_shared_at_are_marked);

/// The columns of `table`, sorted.
async fn columns(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => format!("SELECT name AS c FROM pragma_table_info('{table}')"),
        _ => format!(
            "SELECT column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = '{table}'"
        ),
    };
    let mut cols: Vec<String> = db
        .query_all(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "c").unwrap())
        .collect();
    cols.sort();
    cols
}

/// Migration 23 adds a listing's review columns (empty for the listings there) and the
/// place of each of its categories (0 for those there); down takes the columns away
/// again and keeps every listing and category; up again brings them back, and the
/// listing reads as before.
async fn listing_review_columns_come_and_go(app: TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use serde_json::json;
    let db = &app.state.db;
    let (owner, org) = app.business_owner("Kahvila").await;
    let mut body = business_body(org, "Kahvila Aalto");
    body["categories"] = json!(["food.cafe", "food.bakery"]);
    let resp = owner
        .client
        .post(app.url("/api/v1/listings"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::CREATED);
    let created: serde_json::Value = resp.json().await.unwrap();
    let id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let review = [
        "approved_name",
        "review_note",
        "review_requested_at",
        "review_terms",
    ];
    let listing_columns = columns(db, "listings").await;
    for c in review {
        assert!(listing_columns.contains(&c.to_string()), "{c} after up");
    }
    assert!(columns(db, "listing_categories")
        .await
        .contains(&"position".to_string()));

    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000023_add_listing_review")
        .unwrap();
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some((names.len() - at) as u32))
        .await
        .unwrap();
    let before = columns(db, "listings").await;
    for c in review {
        assert!(!before.contains(&c.to_string()), "{c} is gone after down");
    }
    assert_eq!(
        columns(db, "listing_categories").await,
        ["category_key", "listing_id"]
    );
    // Nothing else went: the listing and its categories are there.
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_sql_and_values(
            backend,
            match backend {
                DbBackend::Postgres => "SELECT slug, status FROM listings WHERE id = $1",
                _ => "SELECT slug, status FROM listings WHERE id = ?",
            },
            [id.into()],
        ))
        .await
        .unwrap()
        .expect("the listing survives down");
    assert_eq!(
        row.try_get::<String>("", "slug").unwrap(),
        created["slug"].as_str().unwrap()
    );
    assert_eq!(row.try_get::<String>("", "status").unwrap(), "draft");
    let kept = db
        .query_one(Statement::from_sql_and_values(
            backend,
            match backend {
                DbBackend::Postgres => {
                    "SELECT COUNT(*) AS n FROM listing_categories WHERE listing_id = $1"
                }
                _ => "SELECT COUNT(*) AS n FROM listing_categories WHERE listing_id = ?",
            },
            [id.into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(kept, 2, "the categories survive down");

    Migrator::up(&mig, None).await.unwrap();
    assert_eq!(columns(db, "listings").await, listing_columns);
    let fresh = api::core::db::connect(&app.database_url).await.unwrap();
    let l = entities::listing::Entity::find_by_id(id)
        .one(&fresh)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            l.review_terms,
            l.review_requested_at,
            l.review_note,
            l.approved_name
        ),
        (None, None, None, None),
        "no review for a listing written before"
    );
    let cats = entities::listing_category::Entity::find()
        .filter(entities::listing_category::Column::ListingId.eq(id))
        .order_by_asc(entities::listing_category::Column::CategoryKey)
        .all(&fresh)
        .await
        .unwrap();
    assert_eq!(
        cats.iter()
            .map(|c| (c.category_key.as_str(), c.position))
            .collect::<Vec<_>>(),
        [("food.bakery", 0), ("food.cafe", 0)],
        "categories written before get the default place"
    );
    let r = owner
        .client
        .get(app.url(&format!("/api/v1/listings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let read: serde_json::Value = r.json().await.unwrap();
    let mut read_cats: Vec<&str> = read["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    read_cats.sort();
    assert_eq!(read_cats, ["food.bakery", "food.cafe"]);
}
crate::on_both!(listing_review_columns_come_and_go);

/// The names of the indexes of a table.
async fn indexes(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT name AS i FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        }
        _ => "SELECT indexname AS i FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1",
    };
    db.query_all(Statement::from_sql_and_values(backend, sql, [table.into()]))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "i").unwrap())
        .collect()
}

/// Migration 24 indexes what the database search counts and filters over many matches
/// (the listings' facets, the rules of a weekday), and a count over the city's listings
/// reads the first instead of their rows; down drops both.
async fn search_facets_are_indexed(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(test_db) = fresh_database(backend, dir.path()).await else {
        return;
    };
    let db = api::core::db::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let db = fresh_pool(db, &test_db.url).await;
    assert!(indexes(&db, "listings")
        .await
        .contains(&"ix_listings_search_facets".to_string()));
    assert!(indexes(&db, "opening_hours_rules")
        .await
        .contains(&"ix_opening_hours_rules_weekday".to_string()));
    if backend == Backend::Sqlite {
        // With the planner's statistics (generate-listings refreshes them after its bulk
        // load), a count over the city's listings reads the covering index alone.
        db.execute_unprepared("ANALYZE").await.unwrap();
        let plan: Vec<String> = db
            .query_all(Statement::from_string(
                DbBackend::Sqlite,
                "EXPLAIN QUERY PLAN SELECT kind, district, count(id) FROM listings \
                 WHERE city_id = 'c' AND status = 'published' AND lat BETWEEN 1 AND 2 \
                 GROUP BY kind, district",
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "detail").unwrap())
            .collect();
        assert!(
            plan.iter()
                .any(|d| d.contains("COVERING INDEX ix_listings_search_facets")),
            "{plan:?}"
        );
    }
    // Down to before migration 24 (later ones go first).
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000024_index_search_facets")
        .unwrap();
    Migrator::down(&db, Some((names.len() - at) as u32))
        .await
        .unwrap();
    assert!(!indexes(&db, "listings")
        .await
        .contains(&"ix_listings_search_facets".to_string()));
    assert!(!indexes(&db, "opening_hours_rules")
        .await
        .contains(&"ix_opening_hours_rules_weekday".to_string()));
}

#[tokio::test]
async fn search_facets_are_indexed_on_sqlite() {
    search_facets_are_indexed(Backend::Sqlite).await;
}

#[tokio::test]
async fn search_facets_are_indexed_on_postgres() {
    search_facets_are_indexed(Backend::Postgres).await;
}

/// The pool closed and a new one opened: a pooled SQLite connection can still hold the
/// read snapshot of a statement the migrator left unfinished, from before the last
/// migrations it ran (it then sees an index dropped since, or misses one made).
async fn fresh_pool(db: DatabaseConnection, url: &str) -> DatabaseConnection {
    db.close().await.unwrap();
    api::core::db::connect(url).await.unwrap()
}

/// The plan of a query, one line per step (SQLite's `EXPLAIN QUERY PLAN` details,
/// PostgreSQL's `EXPLAIN` lines), with sequential scans off on PostgreSQL so that it
/// shows which index it would take for a table of any size.
async fn plan(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    use sea_orm::TransactionTrait;
    let backend = db.get_database_backend();
    let txn = db.begin().await.unwrap();
    let (explain, column) = match backend {
        DbBackend::Sqlite => (format!("EXPLAIN QUERY PLAN {sql}"), "detail"),
        _ => {
            txn.execute_unprepared("SET LOCAL enable_seqscan = off")
                .await
                .unwrap();
            (format!("EXPLAIN {sql}"), "QUERY PLAN")
        }
    };
    let lines = txn
        .query_all(Statement::from_string(backend, explain))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", column).unwrap())
        .collect();
    txn.commit().await.unwrap();
    lines
}

/// Migration 28 drops `ix_listings_city_status_kind`: the covering index of migration 24
/// begins with the same columns and serves the lookups it served (the city's published
/// listings of a kind: the services list, the home page's counts, the listings API),
/// on both databases; down makes it again.
async fn the_old_listing_index_gives_way(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(test_db) = fresh_database(backend, dir.path()).await else {
        return;
    };
    let db = api::core::db::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let db = fresh_pool(db, &test_db.url).await;
    let old = "ix_listings_city_status_kind".to_string();
    let listings = indexes(&db, "listings").await;
    assert!(!listings.contains(&old), "{listings:?}");
    assert!(listings.contains(&"ix_listings_search_facets".to_string()));
    if backend == Backend::Sqlite {
        db.execute_unprepared("ANALYZE").await.unwrap();
    }
    let city = "01a24efc-1613-71ff-85dd-8f0c9bfe2cb0";
    for sql in [
        format!(
            "SELECT id, name_de FROM listings WHERE city_id = '{city}' \
             AND status = 'published' AND kind = 'municipal_service' ORDER BY name_de"
        ),
        format!(
            "SELECT COUNT(*) AS n FROM listings WHERE city_id = '{city}' \
             AND status = 'published' AND kind = 'business'"
        ),
    ] {
        let steps = plan(&db, &sql).await;
        assert!(
            steps
                .iter()
                .any(|s| s.contains("ix_listings_search_facets")),
            "{sql}: {steps:?}"
        );
    }

    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000028_drop_listings_city_status_kind")
        .unwrap();
    Migrator::down(&db, Some((names.len() - at) as u32))
        .await
        .unwrap();
    let db = fresh_pool(db, &test_db.url).await;
    assert!(indexes(&db, "listings").await.contains(&old));
    Migrator::up(&db, None).await.unwrap();
    let db = fresh_pool(db, &test_db.url).await;
    assert!(!indexes(&db, "listings").await.contains(&old));
}

#[tokio::test]
async fn the_old_listing_index_gives_way_on_sqlite() {
    the_old_listing_index_gives_way(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_old_listing_index_gives_way_on_postgres() {
    the_old_listing_index_gives_way(Backend::Postgres).await;
}

/// Migration 33 adds `partner_connections.module_id` (empty for a business's own
/// connection) with a unique index (one connection per module); down drops both and
/// keeps the connections; up again brings them back, and the connection reads as
/// before, belonging to no module.
async fn partner_connection_module_comes_and_goes(app: TestApp) {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let db = &app.state.db;
    let (_, org) = app.business_owner("Kuntosali").await;
    let now = chrono::Utc::now();
    let key = app.state.partners.key();
    let id = uuid::Uuid::new_v4();
    entities::partner_connection::ActiveModel {
        id: Set(id),
        organization_id: Set(org),
        name: Set("Our booking system".into()),
        base_url: Set("https://booking.example".into()),
        token_url: Set("https://booking.example/oauth/token".into()),
        client_id: Set("city-portal".into()),
        client_secret_enc: Set(key.encrypt(&secrecy::SecretString::from("s".to_string()))),
        webhook_secret_enc: Set(key.encrypt(&secrecy::SecretString::from("w".to_string()))),
        status: Set("active".into()),
        module_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap();
    let with = columns(db, "partner_connections").await;
    assert!(with.contains(&"module_id".to_string()), "{with:?}");
    assert!(indexes(db, "partner_connections")
        .await
        .contains(&"ux_partner_connections_module".to_string()));

    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000033_add_partner_connection_module")
        .unwrap();
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some((names.len() - at) as u32))
        .await
        .unwrap();
    let without = columns(db, "partner_connections").await;
    assert!(!without.contains(&"module_id".to_string()), "{without:?}");
    assert_eq!(without.len() + 1, with.len(), "only module_id went");
    assert!(!indexes(db, "partner_connections")
        .await
        .contains(&"ux_partner_connections_module".to_string()));
    let backend = db.get_database_backend();
    let kept = db
        .query_one(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM partner_connections".to_string(),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(kept, 1, "the connection survives down");

    Migrator::up(&mig, None).await.unwrap();
    assert_eq!(columns(db, "partner_connections").await, with);
    let fresh = api::core::db::connect(&app.database_url).await.unwrap();
    let c = entities::partner_connection::Entity::find_by_id(id)
        .one(&fresh)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.name.as_str(), c.module_id), ("Our booking system", None));
}
crate::on_both!(partner_connection_module_comes_and_goes);

/// Migration 34 gives every delivery to a module its outcome: those written before are
/// `failed` when they name an error and `delivered` otherwise; down takes the column
/// away and keeps the log. And migration 32's Open311 service codes hold 160 characters
/// on PostgreSQL (SQLite does not limit them).
async fn module_delivery_outcomes_come_and_go(app: TestApp) {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    api::demo::seed::seed_services(db, &app.state.city)
        .await
        .unwrap();
    let admin = app.admin().await;
    let manifest = crate::applications::manifest("http://127.0.0.1:9/hook", false);
    let r = admin
        .client
        .post(app.url("/api/v1/admin/modules"))
        .json(&manifest)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    use sea_orm::EntityTrait;
    let module_id = entities::module::Entity::find()
        .one(db)
        .await
        .unwrap()
        .expect("the module registered")
        .id;
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000034_module_delivery_outcomes")
        .unwrap();
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some((names.len() - at) as u32))
        .await
        .unwrap();
    assert!(!columns(db, "module_deliveries")
        .await
        .contains(&"outcome".to_string()));
    let insert = match backend {
        DbBackend::Postgres => {
            "INSERT INTO module_deliveries (id, module_id, event_id, webhook_id, event_type, \
             aggregate_id, attempt, status_code, error, duration_ms, created_at) \
             VALUES ($1, $2, 1, 'msg_1', 'application.submitted', $3, $4, $5, $6, 12, $7)"
        }
        _ => {
            "INSERT INTO module_deliveries (id, module_id, event_id, webhook_id, event_type, \
             aggregate_id, attempt, status_code, error, duration_ms, created_at) \
             VALUES (?, ?, 1, 'msg_1', 'application.submitted', ?, ?, ?, ?, 12, ?)"
        }
    };
    let case = uuid::Uuid::now_v7();
    let failed = uuid::Uuid::now_v7();
    let delivered = uuid::Uuid::now_v7();
    for (id, attempt, status, error) in [
        (failed, 1, Some(503), Some("the module answered 503")),
        (delivered, 2, Some(204), None),
    ] {
        db.execute(Statement::from_sql_and_values(
            backend,
            insert,
            [
                id.into(),
                module_id.into(),
                case.into(),
                attempt.into(),
                status.into(),
                error.map(str::to_string).into(),
                chrono::Utc::now().into(),
            ],
        ))
        .await
        .unwrap();
    }
    Migrator::up(&mig, None).await.unwrap();
    let rows = entities::module_delivery::Entity::find()
        .all(db)
        .await
        .unwrap();
    let outcome = |id| {
        rows.iter()
            .find(|r| r.id == id)
            .map(|r| r.outcome.clone())
            .unwrap()
    };
    assert_eq!(outcome(failed), "failed");
    assert_eq!(outcome(delivered), "delivered");
    assert_eq!(rows.len(), 2, "down kept the log");

    if backend == DbBackend::Postgres {
        let row = db
            .query_one(Statement::from_string(
                backend,
                "SELECT character_maximum_length AS n FROM information_schema.columns \
                 WHERE table_name = 'reports' AND column_name = 'service_code'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i32>("", "n").unwrap(), 160);
    }
}
crate::on_both!(module_delivery_outcomes_come_and_go);

/// How the foreign keys of residents' cases (and modules' services) to `listings` act on
/// delete: `RESTRICT` or `CASCADE`, per table.
async fn listing_delete_rules(db: &DatabaseConnection) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for t in ["applications", "reports", "module_services"] {
        let sql = match backend {
            DbBackend::Postgres => format!(
                "SELECT confdeltype::text AS r FROM pg_constraint WHERE contype = 'f' \
                 AND conrelid = '{t}'::regclass AND confrelid = 'listings'::regclass"
            ),
            _ => format!(
                "SELECT on_delete AS r FROM pragma_foreign_key_list('{t}') \
                 WHERE \"table\" = 'listings'"
            ),
        };
        let rows = db
            .query_all(Statement::from_string(backend, sql))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{t}: one foreign key to listings");
        let r: String = rows[0].try_get("", "r").unwrap();
        let rule = match r.as_str() {
            "r" => "RESTRICT".to_string(),
            "c" => "CASCADE".to_string(),
            other => other.to_string(),
        };
        out.push((t.to_string(), rule));
    }
    out
}

/// The rows of the tables migration 35 rebuilds on SQLite (and one below them).
async fn rows(db: &DatabaseConnection) -> (i64, i64, i64) {
    (
        count(db, "reports").await,
        count(db, "module_services").await,
        count(db, "report_updates").await,
    )
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    db.query_one(Statement::from_string(
        db.get_database_backend(),
        format!("SELECT COUNT(*) AS n FROM {table}"),
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

/// Migration 35 makes the foreign keys of `applications`, `reports` and
/// `module_services` to `listings` restrict a delete (they cascaded); SQLite rebuilds the
/// tables and keeps their rows, indexes and the foreign keys of the tables below them;
/// down puts the cascade back, up again restricts, and a listing with a report cannot be
/// deleted underneath it.
async fn listing_cases_restrict_deleting_the_listing(app: TestApp) {
    let db = &app.state.db;
    crate::reports::with_module(&app).await;
    let key = crate::reports::api_key(&app, "Test app").await;
    let r = crate::reports::post_request(
        &app,
        "json",
        &[
            ("api_key", key.as_str()),
            ("service_code", "report-street-defect"),
            ("attribute[kind]", "pothole"),
            ("lat", "60.17"),
            ("long", "24.94"),
        ],
    )
    .await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let before = rows(db).await;
    assert_eq!((before.0, before.1), (1, 1), "{before:?}");
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let ix = sorted(indexes(db, "reports").await);
    let restrict: Vec<(String, String)> = ["applications", "reports", "module_services"]
        .iter()
        .map(|t| (t.to_string(), "RESTRICT".to_string()))
        .collect();
    assert_eq!(listing_delete_rules(db).await, restrict);

    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000035_restrict_listing_cases")
        .unwrap();
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some((names.len() - at) as u32))
        .await
        .unwrap();
    assert!(listing_delete_rules(db)
        .await
        .iter()
        .all(|(_, r)| r == "CASCADE"));
    assert_eq!(rows(db).await, before, "down keeps the rows");
    Migrator::up(&mig, None).await.unwrap();
    assert_eq!(listing_delete_rules(db).await, restrict);
    assert_eq!(rows(db).await, before, "up keeps the rows");
    assert_eq!(sorted(indexes(db, "reports").await), ix, "and the indexes");

    let backend = db.get_database_backend();
    if backend == DbBackend::Sqlite {
        let fk: i64 = db
            .query_one(Statement::from_string(backend, "PRAGMA foreign_keys"))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index(0)
            .unwrap();
        assert_eq!(fk, 1, "the pooled connection has its foreign keys back");
    }
    let gone = db
        .execute(Statement::from_string(
            backend,
            "DELETE FROM listings WHERE slug = 'report-street-defect'",
        ))
        .await;
    assert!(gone.is_err(), "the database refuses");
    assert_eq!(rows(db).await, before);
}
crate::on_both!(listing_cases_restrict_deleting_the_listing);

/// Migration 36: a file sealed before sealing moved to submission kept its plaintext's
/// SHA-256 and size; up gives every sealed file those of the ciphertext it stores, and
/// leaves files in clear as they are.
async fn sealed_files_lose_their_plaintext_digest(app: TestApp) {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    use sha2::Digest;
    let db = &app.state.db;
    let receiver = crate::applications::Receiver::start().await;
    crate::applications::active_module(&app, crate::applications::manifest(&receiver.url, true))
        .await;
    let module = entities::module::Entity::find()
        .one(db)
        .await
        .unwrap()
        .expect("the module");
    let listing = entities::listing::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.slug == "residents-parking-permit")
        .expect("the service");
    let resident = app.register("Sigrid").await;
    let now = chrono::Utc::now();
    let case = uuid::Uuid::now_v7();
    entities::application::ActiveModel {
        id: Set(case),
        city_id: Set(app.state.city.id),
        user_id: Set(resident.id),
        module_id: Set(module.id),
        listing_id: Set(listing.id),
        manifest_version: Set(1),
        status: Set("received".into()),
        data_categories: Set("[\"attachments\"]".into()),
        profile: Set(None),
        answers: Set("eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d".into()),
        sealed: Set(true),
        locale: Set("de".into()),
        created_at: Set(now),
        updated_at: Set(now),
        delivered_at: Set(Some(now)),
        decided_at: Set(None),
    }
    .insert(db)
    .await
    .unwrap();
    let plain = b"%PDF-1.7 a certificate";
    let jwe = b"eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.key.iv.ciphertext-of-the-certificate.tag".to_vec();
    let file = |id, sealed: bool, bytes: Vec<u8>| entities::application_file::ActiveModel {
        id: Set(id),
        application_id: Set(case),
        role: Set("attachment".into()),
        field: Set(Some("proof".into())),
        file_name: Set("eyJ.sealed-name".into()),
        content_type: Set("application/pdf".into()),
        size: Set(plain.len() as i64),
        sha256: Set(hex::encode(sha2::Sha256::digest(plain))),
        bytes: Set(bytes),
        sealed: Set(sealed),
        created_at: Set(now),
    };
    let sealed = uuid::Uuid::now_v7();
    let clear = uuid::Uuid::now_v7();
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000036_sealed_file_digests")
        .unwrap();
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some((names.len() - at) as u32))
        .await
        .unwrap();
    file(sealed, true, jwe.clone()).insert(db).await.unwrap();
    file(clear, false, plain.to_vec()).insert(db).await.unwrap();
    Migrator::up(&mig, None).await.unwrap();
    let get = |id| async move {
        entities::application_file::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap()
    };
    let s = get(sealed).await;
    assert_eq!(s.sha256, hex::encode(sha2::Sha256::digest(&jwe)));
    assert_eq!(s.size, jwe.len() as i64);
    let c = get(clear).await;
    assert_eq!(
        c.sha256,
        hex::encode(sha2::Sha256::digest(plain)),
        "files in clear keep theirs"
    );
}
crate::on_both!(sealed_files_lose_their_plaintext_digest);

/// Replicas starting at once against one fresh PostgreSQL database: each migrates
/// (`core::db::migrate`, each through its own pool), they take turns on the advisory
/// lock, all succeed, and every migration is applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_migrating_at_once_take_turns_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let Some(test_db) = fresh_database(Backend::Postgres, dir.path()).await else {
        return;
    };
    let mut starting = Vec::new();
    for _ in 0..4 {
        let url = test_db.url.clone();
        starting.push(tokio::spawn(async move {
            let db = api::core::db::connect(&url).await.unwrap();
            api::core::db::migrate(&db).await
        }));
    }
    for s in starting {
        s.await
            .unwrap()
            .unwrap_or_else(|e| panic!("a replica failed to migrate: {e:#}"));
    }
    let db = api::core::db::connect(&test_db.url).await.unwrap();
    assert_eq!(api::core::db::pending_migrations(&db).await.unwrap(), 0);
    let applied = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT COUNT(*) AS n, COUNT(DISTINCT version) AS d FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = applied.try_get("", "n").unwrap();
    let distinct: i64 = applied.try_get("", "d").unwrap();
    assert_eq!(n, Migrator::migrations().len() as i64);
    assert_eq!(n, distinct, "each migration recorded once");
    let t = tables(&db).await;
    for table in ["cities", "listings", "bookings", "outbox_deliveries"] {
        assert!(t.contains(&table.to_string()), "{table} missing: {t:?}");
    }
}

/// `serve --no-migrate` on a database that lacks migrations: the server does not
/// start (an error naming `city-portal migrate`); after the migrations it does.
async fn a_server_that_does_not_migrate_refuses_a_database_behind(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(test_db) = fresh_database(backend, dir.path()).await else {
        return;
    };
    let config = |migrate: bool| {
        let mut c = api::core::config::Config::from_lookup(|k| match k {
            "BIND_ADDR" => Some("127.0.0.1:0".into()),
            "DATABASE_URL" => Some(test_db.url.clone()),
            "DEMO_DATA" => Some("false".into()),
            "PARTNER_SECRETS_KEY" => Some("dGVzdC1rZXktb2YtMzItYnl0ZXMtZm9yLWFlcy1nY20=".into()),
            _ => None,
        })
        .unwrap();
        c.server.migrate_on_start = migrate;
        c
    };
    let e = match api::web::app::bind(config(false)).await {
        Ok(_) => panic!("a server started on an empty database without migrating"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("--no-migrate"), "{e}");
    assert!(e.contains("run `city-portal migrate` first"), "{e}");
    let db = api::core::db::connect(&test_db.url).await.unwrap();
    assert!(
        tables(&db).await.is_empty(),
        "nothing was created: {:?}",
        tables(&db).await
    );
    api::core::db::migrate(&db).await.unwrap();
    let bound = api::web::app::bind(config(false)).await.unwrap();
    assert!(bound.addr.port() > 0);
}

#[tokio::test]
async fn a_server_that_does_not_migrate_refuses_a_database_behind_on_sqlite() {
    a_server_that_does_not_migrate_refuses_a_database_behind(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_server_that_does_not_migrate_refuses_a_database_behind_on_postgres() {
    a_server_that_does_not_migrate_refuses_a_database_behind(Backend::Postgres).await;
}
