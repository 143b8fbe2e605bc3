//! The database search (the engine when Meilisearch is not configured), on SQLite and
//! PostgreSQL with the demo city.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::{on_both, on_both_with};

async fn get(app: &TestApp, q: &str) -> Value {
    let r = client()
        .get(app.url(&format!("/api/v1/search?{q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{q}");
    r.json().await.unwrap()
}

async fn demo_city_search(app: TestApp) {
    app.load_demo().await;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let published = entities::listing::Entity::find()
        .filter(entities::listing::Column::Status.eq("published"))
        .count(&app.state.db)
        .await
        .unwrap();

    // Everything, with facet counts that add up to the database's own counts.
    let all = get(&app, "per_page=5").await;
    assert_eq!(all["engine"], "database");
    assert_eq!(all["estimated_total"], published);
    let kinds: u64 = all["facets"]["kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(kinds, published);
    let services = entities::listing::Entity::find()
        .filter(entities::listing::Column::Kind.eq("municipal_service"))
        .count(&app.state.db)
        .await
        .unwrap();
    let svc = all["facets"]["kind"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["value"] == "municipal_service")
        .unwrap();
    assert_eq!(svc["count"], services);
    let wheelchair = entities::listing::Entity::find()
        .filter(entities::listing::Column::Wheelchair.eq("yes"))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(all["facets"]["wheelchair"], wheelchair);

    // Words match in either language, category labels included, umlauts folded.
    let pass = get(&app, "q=Reisepass&locale=en").await;
    assert_eq!(pass["hits"][0]["slug"], "passport", "{pass}");
    assert_eq!(pass["hits"][0]["name"], "Apply for a passport");
    let amt = get(&app, "q=b%C3%BCrgeramt&kind=municipal_service").await;
    assert!(amt["estimated_total"].as_u64().unwrap() >= 5, "{amt}");
    let umlaut_free = get(&app, "q=burgeramt&kind=municipal_service").await;
    assert_eq!(umlaut_free["estimated_total"], amt["estimated_total"]);
    let pharmacy = get(&app, "q=pharmacy").await;
    let n = pharmacy["estimated_total"].as_u64().unwrap();
    assert!(n > 0);
    let by_cat = get(&app, "category=health.pharmacy").await;
    assert!(
        by_cat["estimated_total"].as_u64().unwrap() <= n,
        "every pharmacy is found by the word pharmacy"
    );

    // Filters combine; the category group includes its sub-categories.
    let food = get(&app, "category=food&per_page=100").await;
    for h in food["hits"].as_array().unwrap() {
        assert!(h["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().starts_with("food.")));
    }
    let food_wheel = get(&app, "category=food&wheelchair=true").await;
    assert_eq!(food_wheel["estimated_total"], food["facets"]["wheelchair"]);

    // Near sorts by distance and the radius bounds it.
    let near = get(&app, "near=60.1699,24.9384&sort=distance&per_page=50").await;
    let d: Vec<f64> = near["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["distance_m"].as_f64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    let radius = get(&app, "near=60.1699,24.9384&radius_m=300&per_page=100").await;
    let r = radius["hits"].as_array().unwrap();
    assert!(!r.is_empty());
    assert!(r.iter().all(|h| h["distance_m"].as_f64().unwrap() <= 305.0));
    assert!(radius["estimated_total"].as_u64().unwrap() < published);

    // Type-ahead: names starting with the words come first.
    let s: Value = client()
        .get(app.url("/api/v1/search/suggest?q=reisep"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["suggestions"][0]["slug"], "passport", "{s}");
}
on_both!(demo_city_search);

async fn drafts_and_hostile_input(app: TestApp) {
    let (owner, org) = app.business_owner("Search").await;
    let (l, _) = app
        .create_listing(&owner, org, "Zzyzx Spezialbäckerei")
        .await;
    let id = l["id"].as_str().unwrap();
    assert_eq!(
        get(&app, "q=zzyzx").await["estimated_total"],
        0,
        "a draft is never found"
    );
    let hostile = get(&app, "q=x%22%20OR%20status%20%3D%20%22draft").await;
    assert_eq!(hostile["estimated_total"], 0);
    let hostile = get(&app, "district=%27%20OR%20%271%27%3D%271").await;
    assert_eq!(hostile["estimated_total"], 0);
    owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .send()
        .await
        .unwrap();
    let found = get(&app, "q=zzyzx%20spezialbackerei").await;
    assert_eq!(found["estimated_total"], 1);
    assert_eq!(found["hits"][0]["id"], id);

    // Open now: open all week, except a closure today.
    let all_week: Vec<Value> = ["mo", "tu", "we", "th", "fr", "sa", "su"]
        .iter()
        .map(|d| json!({"weekday": d, "opens": "00:00", "closes": "24:00"}))
        .collect();
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let mut body = business_body(org, "Zzyzx Spezialbäckerei");
    body.as_object_mut().unwrap().remove("kind");
    body["opening_hours"] = json!({"weekly": all_week, "exceptions": []});
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", "\"2\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        get(&app, "q=zzyzx&open_now=true").await["estimated_total"],
        1
    );
    body["opening_hours"]["exceptions"] = json!([{"date": today.to_string(), "closed": true}]);
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", "\"3\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let closed = get(&app, "q=zzyzx&open_now=true").await;
    assert_eq!(closed["estimated_total"], 0);
    assert_eq!(get(&app, "q=zzyzx").await["facets"]["open_now"], 0);

    // Invalid parameters are 422 problems naming the field.
    for (q, field) in [
        ("near=91,0", "near"),
        ("near=abc", "near"),
        ("sort=distance", "sort"),
        ("sort=random", "sort"),
        ("radius_m=10", "radius_m"),
        ("per_page=0", "per_page"),
        ("page=501", "page"),
        ("category=nope", "category"),
        ("locale=fr", "locale"),
        ("open_now=maybe", "open_now"),
    ] {
        let p = problem(
            client()
                .get(app.url(&format!("/api/v1/search?{q}")))
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert!(fields(&p).contains(&field.to_string()), "{q}: {p}");
    }
    problem(
        client()
            .get(app.url("/api/v1/search/suggest?q="))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
}
on_both!(drafts_and_hostile_input);

/// The search page when the engine fails (Meilisearch unreachable, and the database it
/// falls back to failing too): a 503 page in the page's language, not a 404.
async fn a_failing_search_engine_gives_a_503_page(app: TestApp) {
    let c = client();
    // Meilisearch does not answer: the database does.
    let r = c
        .get(app.url("/search?q=brot&lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Results from the database search."));

    // Now the database fails as well.
    app.state.db.clone().close().await.unwrap();
    for (lang, title) in [
        ("en", "Search is unavailable right now"),
        ("de", "Die Suche ist gerade nicht verfügbar"),
    ] {
        let r = c
            .get(app.url(&format!("/search?q=brot&lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "{lang}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(r.headers()["content-language"], lang);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{html}");
    }
    // The API says the same: 503 unavailable, not a 500.
    for path in ["/api/v1/search?q=brot", "/api/v1/search/suggest?q=brot"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        let p = problem(r, 503).await;
        assert_eq!(p["type"], "/problems/unavailable", "{path}: {p}");
        assert_eq!(p["title"], "Temporarily unavailable", "{path}");
    }
}
on_both_with!(
    a_failing_search_engine_gives_a_503_page,
    vec![
        // Nothing listens on the discard port of loopback.
        ("MEILI_URL", "http://127.0.0.1:9".to_string()),
        ("SEARCH_INDEXER", "external".to_string()),
    ]
);

/// Two indexer processes on PostgreSQL claim disjoint deliveries: rows another indexer
/// holds are skipped, and so is a listing another indexer is indexing right now, even
/// through one of its other deliveries. Nothing is claimed twice, nothing left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_indexers_on_postgres_claim_disjoint_deliveries() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
    use search_indexer::consumer::claim_postgres;
    use std::collections::BTreeSet;

    let Some(app) = spawn(Backend::Postgres).await else {
        return;
    };
    let db = &app.state.db;
    // 300 deliveries, more than one batch (200): the first 200 name 130 listings
    // (several deliveries each); of the last 100, half name 50 new listings and half
    // listings of the first batch.
    let listings: Vec<uuid::Uuid> = (0..180).map(|_| uuid::Uuid::new_v4()).collect();
    let listing_of = |i: usize| {
        if i < 200 || i % 2 == 1 {
            listings[i % 130]
        } else {
            listings[130 + (i - 200) / 2]
        }
    };
    {
        let txn = db.begin().await.unwrap();
        for i in 0..300 {
            api::core::outbox::record(
                &txn,
                app.state.city.id,
                "listing",
                listing_of(i),
                "listing.updated",
                json!({ "n": i }),
            )
            .await
            .unwrap();
        }
        txn.commit().await.unwrap();
    }

    let first = db.begin().await.unwrap();
    let a = claim_postgres(&first).await.unwrap();
    let second = db.begin().await.unwrap();
    let b = claim_postgres(&second).await.unwrap();

    let events = |c: &search_indexer::consumer::Claim| -> BTreeSet<i32> {
        c.deliveries.iter().map(|d| d.event_id).collect()
    };
    let (ea, eb) = (events(&a), events(&b));
    // The first takes a whole batch; the second the deliveries of the 50 new listings
    // and none of the 50 whose listing the first is indexing.
    assert_eq!((ea.len(), eb.len()), (200, 50));
    assert!(ea.is_disjoint(&eb), "a delivery was claimed twice");
    let (la, lb): (BTreeSet<_>, BTreeSet<_>) = (
        a.listings.iter().copied().collect(),
        b.listings.iter().copied().collect(),
    );
    assert!(
        la.is_disjoint(&lb),
        "a listing was claimed by both indexers"
    );
    // Each claim only holds deliveries of the listings it locked.
    assert!(a.deliveries.iter().all(|d| la.contains(&d.aggregate_id)));
    assert!(b.deliveries.iter().all(|d| lb.contains(&d.aggregate_id)));

    // The first indexer finishes; the second gives up (rolls back). Everything the
    // first did not hold is claimable again, and nothing else.
    let done: Vec<i32> = ea.iter().copied().collect();
    entities::outbox_delivery::Entity::update_many()
        .col_expr(
            entities::outbox_delivery::Column::DoneAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now()),
        )
        .filter(entities::outbox_delivery::Column::EventId.is_in(done))
        .exec(&first)
        .await
        .unwrap();
    first.commit().await.unwrap();
    second.rollback().await.unwrap();

    let mut seen = ea.clone();
    loop {
        let txn = db.begin().await.unwrap();
        let c = claim_postgres(&txn).await.unwrap();
        if c.deliveries.is_empty() {
            txn.commit().await.unwrap();
            break;
        }
        for d in &c.deliveries {
            assert!(seen.insert(d.event_id), "event {} again", d.event_id);
        }
        let ids: Vec<i32> = c.deliveries.iter().map(|d| d.event_id).collect();
        entities::outbox_delivery::Entity::update_many()
            .col_expr(
                entities::outbox_delivery::Column::DoneAt,
                sea_orm::sea_query::Expr::value(chrono::Utc::now()),
            )
            .filter(entities::outbox_delivery::Column::EventId.is_in(ids))
            .exec(&txn)
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
    assert_eq!(seen.len(), 300, "every delivery handled exactly once");
}
