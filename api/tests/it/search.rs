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

// ---------------------------------------------------------------- a search residents can use

/// Creates and publishes a business listing: `business_body` with `changes` merged in.
async fn publish(app: &TestApp, owner: &User, org: uuid::Uuid, changes: Value) -> String {
    let mut body = business_body(org, "Zzyzx");
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = owner
        .client
        .post(app.url("/api/v1/listings"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let l: Value = r.json().await.unwrap();
    let id = l["id"].as_str().unwrap().to_string();
    let r = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    id
}

fn slugs(r: &Value) -> Vec<String> {
    r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["slug"].as_str().unwrap().to_string())
        .collect()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// One typo is forgiven in a word of five or more letters (a letter missing, added,
/// replaced, or two swapped), also in a word being typed and towards a listing saved
/// a moment ago; shorter words must be typed exactly (a beginning is enough).
async fn typos_are_forgiven_in_long_words(app: TestApp) {
    app.load_demo().await;
    // Every gym, by its category label "Fitnessstudios" / "Gyms & fitness".
    let gyms = get(&app, "category=sport.gym&per_page=100").await;
    let n = gyms["estimated_total"].as_u64().unwrap();
    assert!(n > 0);
    for q in [
        "fitness", "fitnss", "fitnes", "fitneess", "fitnses", "ftness",
    ] {
        let r = get(&app, &format!("q={q}&category=sport.gym&per_page=100")).await;
        assert_eq!(r["estimated_total"], n, "{q}");
    }
    assert_eq!(
        get(&app, "q=ftinss").await["estimated_total"],
        0,
        "two typos"
    );

    let exact = get(&app, "q=B%C3%BCrgeramt&kind=municipal_service&per_page=50").await;
    assert!(exact["estimated_total"].as_u64().unwrap() >= 5, "{exact}");
    for q in [
        "Bürgerammt",
        "Bürgeramd",
        "Bürgreamt",
        "Brgeramt",
        "buergerammt",
    ] {
        let r = get(
            &app,
            &format!("q={}&kind=municipal_service&per_page=50", enc(q)),
        )
        .await;
        assert_eq!(slugs(&r), slugs(&exact), "{q}");
    }
    // The typo is marked where the word it stands for is.
    let r = get(&app, "q=fitnss&per_page=50").await;
    let marked = r["hits"].as_array().unwrap().iter().any(|h| {
        let name: Vec<char> = h["name"].as_str().unwrap().chars().collect();
        h["highlights"].as_array().unwrap().iter().any(|m| {
            m["field"] == "name"
                && name[m["start"].as_u64().unwrap() as usize..m["end"].as_u64().unwrap() as usize]
                    .iter()
                    .collect::<String>()
                    .to_lowercase()
                    == "fitness"
        })
    });
    assert!(marked, "{r}");

    // Short words: exactly, or their beginning.
    assert!(
        get(&app, "q=gym").await["estimated_total"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(get(&app, "q=gymm").await["estimated_total"], 0);
    assert_eq!(
        get(&app, "q=Reis&kind=municipal_service").await["hits"][0]["slug"],
        "passport"
    );

    // A listing saved now is corrected towards at the next search.
    let (owner, org) = app.business_owner("Typo").await;
    let id = publish(
        &app,
        &owner,
        org,
        json!({"name": {"de": "Xylophonwerkstatt", "en": "Xylophone workshop"}}),
    )
    .await;
    let r = get(&app, "q=Xylophonwerkstat").await;
    assert_eq!(r["hits"][0]["id"], id.as_str(), "{r}");
    let r = get(&app, "q=Xylophonwerkstattt%20Hauptstrase").await;
    assert_eq!(r["hits"][0]["id"], id.as_str(), "a typo in each word: {r}");
}
on_both!(typos_are_forgiven_in_long_words);

/// Umlauts and ß fold both ways: Buergeramt = Bürgeramt = Burgeramt, strasse = Straße,
/// in what is stored and in what is asked.
async fn umlauts_and_sharp_s_fold_both_ways(app: TestApp) {
    app.load_demo().await;
    let umlaut = get(&app, "q=B%C3%BCrgeramt&per_page=50").await;
    assert!(umlaut["estimated_total"].as_u64().unwrap() >= 5);
    for q in ["Buergeramt", "Burgeramt", "BUERGERAMT", "b%C3%BCrgeramt"] {
        assert_eq!(
            slugs(&get(&app, &format!("q={q}&per_page=50")).await),
            slugs(&umlaut),
            "{q}"
        );
    }

    let (owner, org) = app.business_owner("Fold").await;
    let id = publish(
        &app,
        &owner,
        org,
        json!({
            "name": {"de": "Zzyzx Bäckerei Grünstraße", "en": "Zzyzx Bakery"},
            "address": {"street": "Quäkergäßchen 7", "postcode": "10115", "city": "Testhausen"},
        }),
    )
    .await;
    for q in [
        "zzyzx baeckerei",
        "zzyzx backerei",
        "Zzyzx Bäckerei",
        "gruenstrasse",
        "Grünstraße",
        "grunstraße",
        "zzyzx straße",
        "zzyzx strasse",
        "Quaekergaesschen",
        "quakergasschen",
        "Quäkergäßchen",
        "QUAEKERGAESSCHEN 7",
    ] {
        let r = get(&app, &format!("q={}", enc(q))).await;
        assert_eq!(r["estimated_total"], 1, "{q}: {r}");
        assert_eq!(r["hits"][0]["id"], id.as_str(), "{q}");
    }
    // Marked in the spelling it is written in.
    let r = get(&app, "q=gruenstrasse&locale=de").await;
    let h = &r["hits"][0]["highlights"][0];
    assert_eq!(h["field"], "name");
    let name: Vec<char> = r["hits"][0]["name"].as_str().unwrap().chars().collect();
    let marked: String = name
        [h["start"].as_u64().unwrap() as usize..h["end"].as_u64().unwrap() as usize]
        .iter()
        .collect();
    assert_eq!(marked, "Grünstraße");
}
on_both!(umlauts_and_sharp_s_fold_both_ways);

/// The synonyms of the shared list (the Meilisearch settings have the same): German,
/// English and Finnish words for the same thing find each other.
async fn synonyms_of_the_shared_list(app: TestApp) {
    app.load_demo().await;
    // "ummelden" (to re-register) finds "Wohnsitz anmelden" first.
    let r = get(&app, "q=ummelden").await;
    assert_eq!(r["hits"][0]["slug"], "register-residence", "{r}");
    assert_eq!(r["hits"][0]["name"], "Wohnsitz anmelden");
    let r = get(
        &app,
        "q=citizens%20office&locale=en&kind=municipal_service&per_page=50",
    )
    .await;
    let amt = get(&app, "q=B%C3%BCrgeramt&kind=municipal_service&per_page=50").await;
    let (mut a, mut b) = (slugs(&r), slugs(&amt));
    a.sort();
    b.sort();
    assert_eq!(a, b, "citizens office = Bürgeramt");

    // Finnish: "kahvilla" ("at the café") is one letter from "kahvila", a synonym of
    // café: the cafés are found by whichever name they have.
    let cafes = get(&app, "q=cafe&per_page=1").await["estimated_total"]
        .as_u64()
        .unwrap();
    let kahvilla = get(&app, "q=kahvilla&per_page=100").await;
    let n = kahvilla["estimated_total"].as_u64().unwrap();
    assert!(cafes > 10 && n * 10 >= cafes * 9, "{cafes} {n}");
    let names: Vec<String> = kahvilla["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_lowercase())
        .collect();
    for word in ["kahvila", "café", "cafe", "coffee"] {
        assert!(names.iter().any(|n| n.contains(word)), "{word}: {names:?}");
    }

    // A word of a group finds a listing that only has another.
    let (owner, org) = app.business_owner("Syn").await;
    let id = publish(
        &app,
        &owner,
        org,
        json!({
            "name": {"de": "Zzyzx Fitnessstudio", "en": "Zzyzx Fitnessstudio"},
            "tags": [],
        }),
    )
    .await;
    for q in ["zzyzx gym", "zzyzx kuntosali", "zzyzx fitness"] {
        let r = get(&app, &format!("q={}", enc(q))).await;
        assert_eq!(r["hits"][0]["id"], id.as_str(), "{q}: {r}");
    }
}
on_both!(synonyms_of_the_shared_list);

/// Ranking: a match in the name (a whole word before a word's beginning) before one in
/// the category labels and tags before one in the description; for "Bürgeramt" the
/// citizens' office's services before a business that merely mentions it.
async fn best_matches_first(app: TestApp) {
    app.load_demo().await;
    let (owner, org) = app.business_owner("Rank").await;
    let listing = |name: &str, tags: Value, description: &str| {
        json!({
            "name": {"de": name, "en": name},
            "description": {"de": description, "en": description},
            "tags": tags,
        })
    };
    // Created in an order that is neither the ranking nor alphabetical.
    let in_text = publish(
        &app,
        &owner,
        org,
        listing(
            "Aal Tanzschule",
            json!([]),
            "Kurse mit Quokka und Freunden.",
        ),
    )
    .await;
    let in_tags = publish(
        &app,
        &owner,
        org,
        listing("Beta Cafe", json!(["quokka"]), ""),
    )
    .await;
    let start = publish(&app, &owner, org, listing("Quokkaland", json!([]), "")).await;
    let word = publish(&app, &owner, org, listing("Zeta Quokka", json!([]), "")).await;
    let inside = publish(&app, &owner, org, listing("Superquokka", json!([]), "")).await;
    let fuzzy = publish(&app, &owner, org, listing("Quokke Bar", json!([]), "")).await;
    let r = get(&app, "q=quokka").await;
    let ids: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![&word, &start, &inside, &in_tags, &in_text, &fuzzy],
        "{r}"
    );
    // Pages continue the same order.
    let p2 = get(&app, "q=quokka&per_page=2&page=2").await;
    let ids2: Vec<&str> = p2["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids2, vec![&inside, &in_tags]);
    assert_eq!(p2["estimated_total"], 6);

    let mentions = publish(
        &app,
        &owner,
        org,
        listing(
            "Aaa Fotostudio",
            json!(["passfoto"]),
            "Biometrische Passfotos für das Bürgeramt, sofort zum Mitnehmen.",
        ),
    )
    .await;
    let r = get(&app, "q=B%C3%BCrgeramt&per_page=50").await;
    let hits = r["hits"].as_array().unwrap();
    assert_eq!(hits.last().unwrap()["id"], mentions.as_str(), "{r}");
    for h in &hits[..hits.len() - 1] {
        assert_eq!(h["kind"], "municipal_service", "{r}");
        assert!(h["categories"]
            .as_array()
            .unwrap()
            .contains(&json!("admin.citizens-office")));
    }
    // The services that also name it in their description come first.
    let first: Vec<String> = slugs(&r).into_iter().take(3).collect();
    assert!(
        first.contains(&"register-residence".to_string()),
        "{first:?}"
    );
}
on_both!(best_matches_first);

/// Snippets are cut between words, with an ellipsis where text is left out, around the
/// match, in the API and on the page.
async fn snippets_are_cut_between_words(app: TestApp) {
    app.load_demo().await;
    let r = get(&app, "q=Personalausweis&locale=de&per_page=50").await;
    let hits = r["hits"].as_array().unwrap();
    assert!(hits.len() >= 2);
    let mut cut = 0;
    for h in hits {
        let snippet = h["snippet"].as_str().unwrap();
        assert!(snippet.chars().count() <= 180, "{snippet}");
        let listing: Value = client()
            .get(app.url(&format!("/api/v1/listings/{}", h["id"].as_str().unwrap())))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let text = listing["description"]["de"].as_str().unwrap().trim();
        let core = snippet.trim_start_matches('…').trim_end_matches('…');
        let at = text
            .find(core)
            .unwrap_or_else(|| panic!("{core:?} in {text:?}"));
        let before = text[..at].chars().next_back();
        let after = text[at + core.len()..].chars().next();
        assert!(
            !before.is_some_and(char::is_alphanumeric),
            "mid-word start: {snippet}"
        );
        assert!(
            !after.is_some_and(char::is_alphanumeric),
            "mid-word end: {snippet}"
        );
        assert_eq!(snippet.starts_with('…'), at > 0, "{snippet}");
        assert_eq!(
            snippet.ends_with('…'),
            at + core.len() < text.len(),
            "{snippet}"
        );
        if snippet.contains('…') {
            cut += 1;
        }
        // Around the match: the word is in the snippet when it is in the description.
        if text.contains("Personalausweis") {
            assert!(snippet.contains("Personalausweis"), "{snippet}");
            assert!(h["highlights"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["field"] == "snippet"));
        }
    }
    assert!(cut > 0, "long descriptions are cut: {r}");

    // The page shows the same snippets.
    let html = client()
        .get(app.url("/search?q=Personalausweis&lang=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains('…'), "{html}");
    assert!(html.contains("<mark>Personalausweis</mark>"), "{html}");
}
on_both!(snippets_are_cut_between_words);

/// Queries of any shape are answered, never with a 500: punctuation only, SQL wildcards
/// and quotes, 1,000 characters, many long words.
async fn any_query_is_answered(app: TestApp) {
    let (owner, org) = app.business_owner("Odd").await;
    publish(&app, &owner, org, json!({})).await;
    let long_words = "Fitnessstudio Bürgeramt Straßenbahn Kahvilla Ravintola Apotheke \
                      Schwimmbad Bibliothek Personalausweis Reisepass";
    for q in [
        "%",
        "_",
        "%_%",
        "'",
        "\"",
        "\"'; DROP TABLE listings; --",
        "***",
        "…",
        "🙂🙂",
        "a",
        " ",
        "x%_y",
        long_words,
        &"ä".repeat(1000),
        &"zzyzx ".repeat(170),
        &"Fitnss".repeat(170),
    ] {
        for path in [
            "/api/v1/search?q=",
            "/api/v1/search/suggest?q=",
            "/search?q=",
        ] {
            if path.contains("suggest") && q.trim().is_empty() {
                continue;
            }
            let r = client()
                .get(app.url(&format!("{path}{}", enc(q))))
                .send()
                .await
                .unwrap();
            assert!(
                r.status() == StatusCode::OK || r.status() == StatusCode::UNPROCESSABLE_ENTITY,
                "{path}{q}: {}",
                r.status()
            );
        }
    }
    // Wildcards match themselves only: nothing, not everything.
    assert_eq!(get(&app, "q=x%25_y").await["estimated_total"], 0);
}
on_both!(any_query_is_answered);

/// SQLite and PostgreSQL find the same listings in the same order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_results_in_the_same_order_on_both_databases() {
    let sqlite = spawn(Backend::Sqlite).await.unwrap();
    let Some(postgres) = spawn(Backend::Postgres).await else {
        return;
    };
    sqlite.load_demo().await;
    postgres.load_demo().await;
    for q in [
        "q=B%C3%BCrgeramt",
        "q=Buergerammt",
        "q=fitnss",
        "q=kahvilla&per_page=50",
        "q=ravintola&per_page=50&page=2",
        "q=ummelden",
        "q=strasse",
        "q=bar&per_page=50",
        "q=sushi%20bar",
        "q=cafe&locale=en&per_page=50",
        "q=a&per_page=30",
    ] {
        let (a, b) = (get(&sqlite, q).await, get(&postgres, q).await);
        // Listings have their own ids in each database: compare slugs.
        assert_eq!(slugs(&a), slugs(&b), "{q}");
        assert_eq!(a["estimated_total"], b["estimated_total"], "{q}");
        assert_eq!(a["facets"]["kind"], b["facets"]["kind"], "{q}");
        let snippets = |r: &Value| -> Vec<Value> {
            r["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| json!([h["snippet"], h["highlights"]]))
                .collect()
        };
        assert_eq!(snippets(&a), snippets(&b), "{q}");
    }
}

/// The search text written before this version (folded without umlaut spellings, in one
/// piece) is emptied by the migration and written anew by the server at start, so the
/// listings already there are found the new way.
async fn search_text_is_written_anew_after_the_migration(app: TestApp) {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, EntityTrait};
    let db = &app.state.db;
    api::demo::generate::generate(db, app.state.city.id, 20, 5, false)
        .await
        .unwrap();
    let before: Vec<entities::listing::Model> =
        entities::listing::Entity::find().all(db).await.unwrap();
    assert!(before
        .iter()
        .all(|l| l.search_text.as_deref().unwrap().contains(" | ")));
    // As an older version left it.
    db.execute_unprepared("UPDATE listings SET search_text = 'old text', search_name = 'old'")
        .await
        .unwrap();
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000019_refold_search_text")
        .unwrap();
    let mig = crate::helpers::migration_connection(&app).await;
    Migrator::down(&mig, Some((names.len() - at) as u32))
        .await
        .unwrap();
    Migrator::up(&mig, None).await.unwrap();
    let emptied = entities::listing::Entity::find().all(db).await.unwrap();
    assert!(emptied
        .iter()
        .all(|l| l.search_text.is_none() && l.search_name.is_none()));
    let n = api::listings::service::backfill_search_columns(db)
        .await
        .unwrap();
    assert_eq!(n, before.len());
    let after: Vec<entities::listing::Model> =
        entities::listing::Entity::find().all(db).await.unwrap();
    let text = |v: &[entities::listing::Model]| {
        let mut t: Vec<(uuid::Uuid, Option<String>, Option<String>)> = v
            .iter()
            .map(|l| (l.id, l.search_name.clone(), l.search_text.clone()))
            .collect();
        t.sort();
        t
    };
    assert_eq!(text(&after), text(&before));
    let word = before[0]
        .name_de
        .split(' ')
        .max_by_key(|w| w.chars().count())
        .unwrap()
        .to_string();
    let r = get(&app, &format!("q={}", enc(&word))).await;
    assert!(r["estimated_total"].as_u64().unwrap() >= 1, "{word}");
}
on_both!(search_text_is_written_anew_after_the_migration);

/// The words of the typo corrections are kept between searches for as long as the
/// listing cache keeps listings (`LISTING_CACHE_MS`, 4 s here), and read again at once
/// after a write through this server: a listing published, then renamed, after a
/// search is corrected towards by the next search; a change this server did not make
/// (another process; here the database written directly) after at most that time.
async fn typo_words_follow_changes(app: TestApp) {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    assert_eq!(get(&app, "q=Kakaduwerkstadt").await["estimated_total"], 0);

    let (owner, org) = app.business_owner("Werkstatt").await;
    let id = publish(
        &app,
        &owner,
        org,
        json!({"name": {"de": "Kakaduwerkstatt", "en": "Kakaduwerkstatt"}}),
    )
    .await;
    let r = get(&app, "q=Kakaduwerkstadt").await;
    assert_eq!(
        r["hits"][0]["id"],
        id.as_str(),
        "published after a search: {r}"
    );

    let r = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", "*")
        .json(&business_body(org, "Quastenwerkstatt"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let read = std::time::Instant::now();
    let r = get(&app, "q=Quastenwerkstadt").await;
    assert_eq!(
        r["hits"][0]["id"],
        id.as_str(),
        "renamed after a search: {r}"
    );

    // Another process writes: a word that only the database has.
    let uuid: uuid::Uuid = id.parse().unwrap();
    let row = entities::listing::Entity::find_by_id(uuid)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let text = format!("{}gibbonwerkstatt ", row.search_text.clone().unwrap());
    let mut am: entities::listing::ActiveModel = row.into();
    am.search_text = Set(Some(text));
    am.updated_at = Set(chrono::Utc::now());
    am.update(&app.state.db).await.unwrap();
    // The word itself is found (the search reads the listings), its typo not yet: the
    // words were read less than their lifetime ago, and this server wrote nothing since.
    let r = get(&app, "q=Gibbonwerkstatt").await;
    assert_eq!(r["hits"][0]["id"], id.as_str(), "{r}");
    if read.elapsed() < std::time::Duration::from_secs(3) {
        assert_eq!(
            get(&app, "q=Gibbonwerkstadt").await["estimated_total"],
            0,
            "the words are kept between searches"
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(4200)).await;
    let r = get(&app, "q=Gibbonwerkstadt").await;
    assert_eq!(r["hits"][0]["id"], id.as_str(), "after their lifetime: {r}");
}
on_both_with!(
    typo_words_follow_changes,
    vec![("LISTING_CACHE_MS", "4000".to_string())]
);

/// On PostgreSQL a word search's ranked matches are read through the words' trigram
/// index alone, also for a word with its corrections (eight patterns): not through
/// `ix_listings_search_facets` (which begins with the status) testing every published
/// listing of the city against every pattern, which took 5-10 ms a search in the demo
/// city against well under 1 ms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn word_searches_go_through_the_trigram_index_on_postgres() {
    use api::search::service::{condition, trigram_only, SearchQuery, WordIndex};
    use sea_orm::{
        ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryTrait, Statement,
        TransactionTrait,
    };
    let Some(app) = spawn(Backend::Postgres).await else {
        return;
    };
    app.load_demo().await;
    let words = api::search::vocabulary::Vocabularies::new(std::time::Duration::from_secs(60));
    let city = words.of(&app.state.db, app.state.city.id).await.unwrap();
    for q in ["Maria", "Bürgeramt", "kahvila Kamppi"] {
        let plan = {
            let w = city.read();
            api::search::plan::Plan::new(q, Some(&w))
        };
        assert!(trigram_only(&plan), "{q}");
        let query = SearchQuery {
            q: q.into(),
            ..Default::default()
        };
        let now = chrono::Utc::now().naive_utc();
        let sql = entities::listing::Entity::find()
            .filter(condition(
                DbBackend::Postgres,
                app.state.city.id,
                &query,
                &plan,
                now,
                WordIndex::PgTrigram,
            ))
            .build(DbBackend::Postgres)
            .to_string();
        let txn = app.state.db.begin().await.unwrap();
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await
            .unwrap();
        let steps: Vec<String> = txn
            .query_all(Statement::from_string(
                DbBackend::Postgres,
                format!("EXPLAIN {sql}"),
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "QUERY PLAN").unwrap())
            .collect();
        txn.commit().await.unwrap();
        let plan_text = steps.join("\n");
        assert!(
            plan_text.contains("ix_listings_search_text_trgm"),
            "{q}: {plan_text}"
        );
        assert!(
            !plan_text.contains("ix_listings_search_facets"),
            "{q}: {plan_text}"
        );
    }
}

/// On PostgreSQL the demo import leaves nothing in the pending list of the search's
/// trigram index (GIN's fast update): a word search would read all of it for every
/// word until a vacuum came by.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_import_leaves_the_trigram_index_nothing_pending() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let Some(app) = spawn(Backend::Postgres).await else {
        return;
    };
    app.load_demo().await;
    let row = app
        .state
        .db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT gin_clean_pending_list('ix_listings_search_text_trgm'::regclass) AS pages",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "pages").unwrap(), 0);
}
