//! Live Meilisearch: run when `MEILI_URL` is set (scripts/test starts a `meilisearch`
//! found on PATH), skipped with one printed line otherwise, failed with one line when
//! `REQUIRE_ALL_BACKENDS=1` and not `MEILI_OPTIONAL=1`. Each test indexes into its own
//! fresh index.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::*;

/// One live test at a time: they share one Meilisearch, and the freshness checks
/// measure the indexer, not a machine busy with the other tests' indexing.
static LIVE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn pending_deliveries(app: &TestApp) -> u64 {
    entities::outbox_delivery::Entity::find()
        .filter(entities::outbox_delivery::Column::DoneAt.is_null())
        .count(&app.state.db)
        .await
        .unwrap()
}

/// Waits until the indexer has handled every delivery.
async fn indexed(app: &TestApp, limit: Duration) {
    let start = Instant::now();
    while pending_deliveries(app).await > 0 {
        assert!(
            start.elapsed() < limit,
            "the outbox was not indexed within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn search(app: &TestApp, query: &str) -> Value {
    let resp = client()
        .get(app.url(&format!("/api/v1/search?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{query}");
    let r: Value = resp.json().await.unwrap();
    if r["engine"] != "meilisearch" {
        println!(
            "database answered {query}: {:?}",
            app.state.search.breaker()
        );
    }
    r
}

fn facet_map(v: &Value) -> std::collections::BTreeMap<String, u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["value"].as_str().unwrap().to_string(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// How long Meilisearch itself spent on the latest task of the app's index.
async fn last_task_duration(app: &TestApp) -> Duration {
    let t = app.state.search.meili.as_ref().unwrap();
    let (url, key) = live_meili().unwrap();
    let mut req = reqwest::Client::new().get(format!(
        "{}/tasks?indexUids={}&statuses=succeeded&limit=1",
        url.trim_end_matches('/'),
        t.index_uid
    ));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let tasks: Value = req.send().await.unwrap().json().await.unwrap();
    let iso = tasks["results"][0]["duration"].as_str().unwrap_or("PT0S");
    // "PT1.457956712S" (tasks of a few seconds at most here).
    let secs: f64 = iso
        .trim_start_matches("PT")
        .trim_end_matches('S')
        .parse()
        .unwrap_or(0.0);
    Duration::from_secs_f64(secs)
}

/// Asserts a change was searchable within a second of the answer to the write, not
/// counting the time Meilisearch itself took to apply the task (which depends on the
/// Meilisearch build and machine; the freshness benchmark reports the total).
async fn within_a_second(app: &TestApp, what: &str, total: Duration) {
    let engine = last_task_duration(app).await;
    let ours = total.saturating_sub(engine);
    println!("{what}: searchable after {total:?} (Meilisearch task {engine:?})");
    assert!(
        ours < Duration::from_secs(1),
        "{what}: {total:?}, of which Meilisearch {engine:?}"
    );
}

/// Polls a search until `ok` holds, returning how long it took.
async fn until(app: &TestApp, query: &str, ok: impl Fn(&Value) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let r = search(app, query).await;
        if ok(&r) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "not seen within 10 s: {query}: {r}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_city_indexed_typos_facets_and_distance() {
    let Some(opts) = meili_opts() else { return };
    let _one_at_a_time = LIVE.lock().await;
    let app = spawn_with(Backend::Sqlite, opts).await.unwrap();
    app.load_demo().await;
    app.state.search.wake.notify_one();
    indexed(&app, Duration::from_secs(120)).await;

    // A typo still finds gyms.
    let r = search(&app, "q=fitnes&locale=de").await;
    assert_eq!(r["engine"], "meilisearch");
    let gyms = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| {
            h["categories"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c.as_str().unwrap().starts_with("sport."))
        })
        .count();
    assert!(gyms >= 1, "{r}");

    // The type-ahead asks Meilisearch for the hits alone, typo tolerance included:
    // the same first names as the full search.
    let s: Value = client()
        .get(app.url("/api/v1/search/suggest?q=fitnes&locale=de"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let suggested: Vec<&str> = s["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["slug"].as_str().unwrap())
        .collect();
    let searched: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .take(suggested.len())
        .map(|h| h["slug"].as_str().unwrap())
        .collect();
    assert!(!suggested.is_empty(), "{s}");
    assert_eq!(suggested, searched);

    // Facet counts equal the database's, with and without a filter.
    for query in ["per_page=1", "per_page=1&kind=business&wheelchair=true"] {
        let live = search(&app, query).await;
        assert_eq!(live["engine"], "meilisearch");
        let q = api::search::SearchQuery {
            kind: query
                .contains("kind=business")
                .then_some(api::listings::model::ListingKind::Business),
            wheelchair: query.contains("wheelchair=true"),
            limit: 1,
            ..Default::default()
        };
        let db = api::search::search_db(
            &app.state.db,
            app.state.city.id,
            app.state.city.timezone,
            &q,
        )
        .await
        .unwrap();
        assert_eq!(
            live["estimated_total"].as_u64().unwrap(),
            db.total,
            "{query}"
        );
        let db_kind: std::collections::BTreeMap<String, u64> = db
            .facets
            .kind
            .iter()
            .map(|f| (f.value.clone(), f.count))
            .collect();
        assert_eq!(facet_map(&live["facets"]["kind"]), db_kind, "{query}");
        let db_cat: std::collections::BTreeMap<String, u64> = db
            .facets
            .category
            .iter()
            .map(|f| (f.value.clone(), f.count))
            .collect();
        for (key, count) in facet_map(&live["facets"]["category"]) {
            if let Some(n) = db_cat.get(&key) {
                assert_eq!(count, *n, "{query}: category {key}");
            }
        }
        assert_eq!(
            live["facets"]["wheelchair"].as_u64().unwrap(),
            db.facets.wheelchair
        );
    }

    // `near` orders by distance.
    let r = search(&app, "near=60.1699,24.9384&sort=distance&per_page=30").await;
    let d: Vec<f64> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["distance_m"].as_f64().unwrap())
        .collect();
    assert_eq!(d.len(), 30);
    assert!(d.windows(2).all(|w| w[0] <= w[1] + 1.0), "{d:?}");
    // And a radius keeps only what is within it.
    let r = search(&app, "near=60.1699,24.9384&radius_m=500&per_page=100").await;
    assert!(r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["distance_m"].as_f64().unwrap() <= 505.0));
}

async fn draft_edit_delete(app: TestApp) {
    let (owner, org) = app.business_owner("Live").await;
    let name = format!(
        "Zebrastreifen {}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let (listing, _) = app.create_listing(&owner, org, &name).await;
    let id = listing["id"].as_str().unwrap().to_string();
    let word = name.split(' ').nth(1).unwrap().to_string();
    let q = format!("q={word}");
    let found = |r: &Value| {
        r["engine"] == "meilisearch"
            && r["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["id"] == json!(id))
    };

    // A draft is never found: its delivery is handled (removed, not added).
    indexed(&app, Duration::from_secs(10)).await;
    assert!(!found(&search(&app, &q).await));

    let publish = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(publish.status(), StatusCode::OK);
    let t = until(&app, &q, found).await;
    within_a_second(&app, "published findable", t).await;

    // An edit is findable within a second.
    let mut body = business_body(org, &format!("Okapi {word}x"));
    body.as_object_mut().unwrap().remove("kind");
    body.as_object_mut().unwrap().remove("organization_id");
    let resp = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", "\"2\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let t = until(&app, "q=okapi", found).await;
    within_a_second(&app, "edit findable", t).await;

    // Unpublished: gone (a draft again).
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/unpublish")))
        .header("If-Match", "\"3\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let t = until(&app, "q=okapi", |r| !found(r)).await;
    within_a_second(&app, "unpublished gone", t).await;

    // Published again, then deleted: gone within a second.
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .header("If-Match", "\"4\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    until(&app, "q=okapi", found).await;
    let resp = owner
        .client
        .delete(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", "\"5\"")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let t = until(&app, "q=okapi", |r| !found(r)).await;
    within_a_second(&app, "deletion gone", t).await;
    indexed(&app, Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_never_found_edits_and_deletions_within_a_second_sqlite() {
    let Some(opts) = meili_opts() else { return };
    let _one_at_a_time = LIVE.lock().await;
    draft_edit_delete(spawn_with(Backend::Sqlite, opts).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_never_found_edits_and_deletions_within_a_second_postgres() {
    let Some(opts) = meili_opts() else { return };
    let _one_at_a_time = LIVE.lock().await;
    if let Some(app) = spawn_with(Backend::Postgres, opts).await {
        draft_edit_delete(app).await;
    }
}

/// Meilisearch unreachable: searches answer from the database, /readyz says degraded,
/// the events wait in the outbox; once Meilisearch is reachable they are indexed
/// without manual work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_written_while_meilisearch_is_down_are_indexed_after_it_returns() {
    let Some(live) = meili_opts() else { return };
    let _one_at_a_time = LIVE.lock().await;
    let down = Opts {
        // Nothing listens on the discard port.
        meili_url: Some("http://127.0.0.1:9".into()),
        meili_index: live.meili_index.clone(),
        ..Default::default()
    };
    let app = spawn_with(Backend::Sqlite, down).await.unwrap();
    let (owner, org) = app.business_owner("Down").await;
    let (listing, _) = app.create_listing(&owner, org, "Nashorn Bistro").await;
    let id = listing["id"].as_str().unwrap().to_string();
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // The database answers, and says so.
    let r = search(&app, "q=nashorn").await;
    assert_eq!(r["engine"], "database");
    assert_eq!(r["hits"][0]["id"], json!(id));
    let ready: Value = client()
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ready["checks"]["meilisearch"]["status"], "degraded",
        "{ready}"
    );
    // The deliveries (create, publish) are kept while the indexer retries.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(pending_deliveries(&app).await, 2);
    // Meilisearch "returns": the same database served with a reachable Meilisearch.
    // (The first server stays up, so its temporary database folder stays too; its own
    // indexer still cannot reach Meilisearch and leaves the deliveries alone.)
    let back = Opts {
        database_url: Some(app.database_url.clone()),
        ..live
    };
    let _down = app;
    let app = spawn_with(Backend::Sqlite, back).await.unwrap();
    // Failed deliveries wait out their backoff (a few seconds at most here).
    indexed(&app, Duration::from_secs(30)).await;
    let r = search(&app, "q=nashorn").await;
    assert_eq!(r["engine"], "meilisearch");
    assert_eq!(r["hits"][0]["id"], json!(id));
}

/// A reindex swaps in a fresh index while searches keep being answered by Meilisearch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_while_searching_loses_no_request() {
    let Some(opts) = meili_opts() else { return };
    let _one_at_a_time = LIVE.lock().await;
    let app = spawn_with(Backend::Sqlite, opts).await.unwrap();
    app.load_demo().await;
    app.state.search.wake.notify_one();
    indexed(&app, Duration::from_secs(120)).await;
    let before = search(&app, "per_page=1").await["estimated_total"]
        .as_u64()
        .unwrap();
    assert!(before > 1000);

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let searcher = {
        let stop = stop.clone();
        let base = app.base.clone();
        tokio::spawn(async move {
            let c = client();
            let mut answers = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r: Value = c
                    .get(format!("{base}/api/v1/search?q=ravintola&per_page=5"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(r["engine"], "meilisearch", "{r}");
                assert!(r["estimated_total"].as_u64().unwrap() > 0, "{r}");
                answers += 1;
            }
            answers
        })
    };
    let target = app.state.search.meili.clone().unwrap();
    let report = search_indexer::reindex::reindex(&app.state.db, &target, |_, _| {})
        .await
        .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answers = searcher.await.unwrap();
    assert!(answers > 0);
    assert_eq!(report.documents, before);
    let after = search(&app, "per_page=1").await["estimated_total"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before);
    // Only the live index remains (the rebuild index was deleted after the swap).
    let indexes = target.client.list_all_indexes().await.unwrap();
    assert!(!indexes
        .results
        .iter()
        .any(|i| i.uid.starts_with(&format!("{}_rebuild_", target.index_uid))));
}

/// Two indexers on PostgreSQL at once (the server runs none of its own here): every
/// delivery is handled by exactly one of them, both take part, and the index ends with
/// exactly the published listings in their latest version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_indexers_on_postgres_lose_and_duplicate_nothing() {
    let Some(opts) = meili_opts() else { return };
    let _one_at_a_time = LIVE.lock().await;
    let opts = Opts {
        external_indexer: true,
        ..opts
    };
    let Some(app) = spawn_with(Backend::Postgres, opts).await else {
        return;
    };
    let target = app.state.search.meili.clone().unwrap();
    search_indexer::consumer::ensure_index(&target.client, &target.index_uid)
        .await
        .unwrap();
    // The settings are applied (proximity by attribute among them).
    let index = target.client.index(&target.index_uid);
    assert_eq!(
        index.get_proximity_precision().await.unwrap(),
        search_indexer::settings::PROXIMITY_PRECISION
    );
    // 110 listings: created, published, and every third one renamed and every fifth
    // one unpublished again, which makes more deliveries than one batch (200).
    let (owner, org) = app.business_owner("Twin").await;
    let tag = &uuid::Uuid::new_v4().simple().to_string()[..6];
    let mut expected: std::collections::BTreeMap<String, String> = Default::default();
    for i in 0..110 {
        let (listing, _) = app
            .create_listing(&owner, org, &format!("Kaksoset {tag} {i}"))
            .await;
        let id = listing["id"].as_str().unwrap().to_string();
        let post = |path: String, version: u32| {
            owner
                .client
                .post(app.url(&path))
                .header("If-Match", format!("\"{version}\""))
                .send()
        };
        let resp = post(format!("/api/v1/listings/{id}/publish"), 1)
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let mut name = format!("Kaksoset {tag} {i}");
        let mut version = 2;
        if i % 3 == 0 {
            name = format!("Kaksoset {tag} {i} renamed");
            let mut body = business_body(org, &name);
            body.as_object_mut().unwrap().remove("kind");
            body.as_object_mut().unwrap().remove("organization_id");
            let resp = owner
                .client
                .put(app.url(&format!("/api/v1/listings/{id}")))
                .header("If-Match", "\"2\"")
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            version = 3;
        }
        if i % 5 == 0 {
            let resp = post(format!("/api/v1/listings/{id}/unpublish"), version)
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
        } else {
            expected.insert(id, name);
        }
    }
    let total = pending_deliveries(&app).await;
    assert!(total > 200, "{total}");

    let worker = |db: sea_orm::DatabaseConnection, target: search_indexer::consumer::Target| {
        tokio::spawn(async move {
            let mut handled = 0usize;
            let mut idle = 0;
            while idle < 20 {
                match search_indexer::consumer::process_batch(&db, &target).await {
                    Ok(0) => {
                        idle += 1;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Ok(n) => {
                        idle = 0;
                        handled += n;
                    }
                    Err(e) => panic!("indexer failed: {e}"),
                }
            }
            handled
        })
    };
    let a = worker(app.state.db.clone(), target.clone());
    let b = worker(app.state.db.clone(), target.clone());
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    println!("two indexers: {a} and {b} of {total} deliveries");
    assert_eq!(pending_deliveries(&app).await, 0);
    assert_eq!(
        a + b,
        total as usize,
        "a delivery was handled twice or lost"
    );
    assert!(a > 0 && b > 0, "both indexers take part: {a} {b}");

    // The index holds exactly the published listings, by their latest names.
    let (url, key) = live_meili().unwrap();
    let mut req = reqwest::Client::new().get(format!(
        "{}/indexes/{}/documents?limit=1000&fields=id,name_de",
        url.trim_end_matches('/'),
        target.index_uid
    ));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let docs: Value = req.send().await.unwrap().json().await.unwrap();
    let got: std::collections::BTreeMap<String, String> = docs["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["name_de"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected);
}
