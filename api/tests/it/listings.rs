//! Listings API: authorization, validation, ETags, outbox, pagination, visibility.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

async fn member_of_a_cannot_change_b(app: TestApp) {
    let (alice, org_a) = app.business_owner("Alice").await;
    let (bob, org_b) = app.business_owner("Bob").await;
    let (listing_b, etag_b) = app.create_listing(&bob, org_b, "Bobs Bäckerei").await;
    let id_b = listing_b["id"].as_str().unwrap();
    let _ = org_a;

    // Bob's draft does not exist for Alice, nor for the public.
    let resp = alice
        .client
        .get(app.url(&format!("/api/v1/listings/{id_b}")))
        .send()
        .await
        .unwrap();
    problem(resp, 404).await;
    let resp = client()
        .get(app.url(&format!("/api/v1/listings/{id_b}")))
        .send()
        .await
        .unwrap();
    problem(resp, 404).await;
    // What is neither an id nor a slug names no listing: 404, never a 500.
    for odd in [
        "Bobs%20B%C3%A4ckerei",
        "bobs--baeckerei",
        "-x",
        "%27%3B--",
        "12345",
    ] {
        let resp = client()
            .get(app.url(&format!("/api/v1/listings/{odd}")))
            .send()
            .await
            .unwrap();
        problem(resp, 404).await;
    }
    let resp = alice
        .client
        .put(app.url(&format!("/api/v1/listings/{id_b}")))
        .header("If-Match", &etag_b)
        .json(&business_body(org_b, "Gekapert"))
        .send()
        .await
        .unwrap();
    problem(resp, 404).await;

    // Once published, Alice sees it but still may not change, publish or delete it.
    let resp = bob
        .client
        .post(app.url(&format!("/api/v1/listings/{id_b}/publish")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let etag = resp.headers()["etag"].to_str().unwrap().to_string();
    let resp = alice
        .client
        .put(app.url(&format!("/api/v1/listings/{id_b}")))
        .header("If-Match", &etag)
        .json(&business_body(org_b, "Gekapert"))
        .send()
        .await
        .unwrap();
    problem(resp, 403).await;
    for action in ["unpublish", "suspend"] {
        let resp = alice
            .client
            .post(app.url(&format!("/api/v1/listings/{id_b}/{action}")))
            .json(&json!({"reason": "because"}))
            .send()
            .await
            .unwrap();
        problem(resp, 403).await;
    }
    let resp = alice
        .client
        .delete(app.url(&format!("/api/v1/listings/{id_b}")))
        .send()
        .await
        .unwrap();
    problem(resp, 403).await;

    // Alice cannot create a listing for Bob's organization either.
    let resp = alice
        .client
        .post(app.url("/api/v1/listings"))
        .json(&business_body(org_b, "Fake"))
        .send()
        .await
        .unwrap();
    problem(resp, 403).await;

    // Nothing changed.
    let after: Value = client()
        .get(app.url(&format!("/api/v1/listings/{id_b}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["name"]["de"], "Bobs Bäckerei");
    assert_eq!(after["version"], 2);
}
on_both!(member_of_a_cannot_change_b);

fn service_body() -> Value {
    json!({
        "kind": "municipal_service",
        "name": {"de": "Anwohnerparken", "en": "Residents' parking"},
        "categories": ["admin.transport"],
        "service": {
            "eligibility": {"de": "Alle mit Hauptwohnsitz", "en": "Everyone registered here"},
            "what_to_bring": {"de": ["Ausweis"], "en": ["ID card"]},
            "fees": {"de": "30,00 €", "en": "€30.00"},
            "processing_time": {"de": "Sofort", "en": "Immediately"},
            "channels": ["in_person", "online"],
            "online_url": "https://city.example/parking"
        }
    })
}

async fn residents_cannot_create_municipal_services(app: TestApp) {
    let resident = app.register("Resident").await;
    let resp = resident
        .client
        .post(app.url("/api/v1/listings"))
        .json(&service_body())
        .send()
        .await
        .unwrap();
    problem(resp, 403).await;
    // Anonymous callers are asked to authenticate.
    let resp = client()
        .post(app.url("/api/v1/listings"))
        .json(&service_body())
        .send()
        .await
        .unwrap();
    let p = problem(resp, 401).await;
    assert_eq!(p["type"], "/problems/unauthorized");

    // City staff may, and may suspend any listing.
    let admin = app.admin().await;
    let resp = admin
        .client
        .post(app.url("/api/v1/listings"))
        .json(&service_body())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["kind"], "municipal_service");
    assert_eq!(
        created["service"]["channels"],
        json!(["in_person", "online"])
    );

    let (bob, org_b) = app.business_owner("Bob").await;
    let (listing, _) = app.create_listing(&bob, org_b, "Kiosk").await;
    let id = listing["id"].as_str().unwrap();
    bob.client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .send()
        .await
        .unwrap();
    let resp = admin
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/suspend")))
        .json(&json!({"reason": "Fake reviews"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // Suspended: gone for the public, visible with its reason to its owner, who cannot republish.
    problem(
        client()
            .get(app.url(&format!("/api/v1/listings/{id}")))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let own: Value = bob
        .client
        .get(app.url(&format!("/api/v1/listings/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(own["status"], "suspended");
    assert_eq!(own["suspended_reason"], "Fake reviews");
    problem(
        bob.client
            .post(app.url(&format!("/api/v1/listings/{id}/publish")))
            .send()
            .await
            .unwrap(),
        409,
    )
    .await;
    let resp = admin
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/restore")))
        .send()
        .await
        .unwrap();
    let restored: Value = resp.json().await.unwrap();
    assert_eq!(restored["status"], "published");
}
on_both!(residents_cannot_create_municipal_services);

async fn validation_names_every_field(app: TestApp) {
    let (owner, org) = app.business_owner("Val").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": {"de": "x".repeat(201)}}), "name.de"),
        (json!({"name": {}}), "name"),
        (json!({"categories": []}), "categories"),
        (json!({"categories": ["no.such"]}), "categories[0]"),
        (
            json!({"location": {"lat": 95.0, "lng": 10.0}}),
            "location.lat",
        ),
        (
            json!({"location": {"lat": 50.0, "lng": -190.0}}),
            "location.lng",
        ),
        (json!({"contact": {"email": "nope"}}), "contact.email"),
        (
            json!({"contact": {"website": "javascript:alert(1)"}}),
            "contact.website",
        ),
        (
            json!({"contact": {"website": "ftp://files.example"}}),
            "contact.website",
        ),
        (
            json!({"contact": {"phone": "call me maybe"}}),
            "contact.phone",
        ),
        (json!({"languages": ["deutsch"]}), "languages[0]"),
        (json!({"tags": ["x".repeat(41)]}), "tags[0]"),
        (
            json!({"description": {"en": "y".repeat(5001)}}),
            "description.en",
        ),
        (json!({"address": {"postcode": "<b>"}}), "address.postcode"),
        (
            json!({"opening_hours": {"weekly": [{"weekday": "mo", "opens": "18:00", "closes": "09:00"}]}}),
            "opening_hours.weekly[0].closes",
        ),
        (
            json!({"opening_hours": {"weekly": [{"weekday": "mo", "opens": "9:00", "closes": "12:00"}]}}),
            "opening_hours.weekly[0].opens",
        ),
        (
            json!({"opening_hours": {"weekly": [
            {"weekday": "tu", "opens": "09:00", "closes": "12:00"},
            {"weekday": "tu", "opens": "11:00", "closes": "13:00"}]}}),
            "opening_hours.weekly[1]",
        ),
        (
            json!({"opening_hours": {"exceptions": [{"date": exception_date(), "closed": false}]}}),
            "opening_hours.exceptions[0].opens",
        ),
        (
            json!({"service": {"eligibility": {"de": "", "en": ""}, "what_to_bring": {"de": [], "en": []}, "fees": {"de": "", "en": ""}, "processing_time": {"de": "", "en": ""}, "channels": ["online"]}}),
            "service",
        ),
        (json!({"organization_id": null}), "organization_id"),
    ];
    for (patch, field) in cases {
        let mut body = business_body(org, "Valide");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let resp = owner
            .client
            .post(app.url("/api/v1/listings"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(resp, 422).await;
        assert!(
            fields(&p).contains(&field.to_string()),
            "{field} not named in {p}"
        );
    }
    // Nothing was written by any of them.
    let mine = app.outbox_events(&uuid::Uuid::nil().to_string()).await;
    assert!(mine.is_empty());
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entities::listing::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );

    // Malformed JSON and wrong types are 400; a value the document's enumeration does
    // not list is 422 naming the field.
    let resp = owner
        .client
        .post(app.url("/api/v1/listings"))
        .header("content-type", "application/json")
        .body("{\"kind\": ")
        .send()
        .await
        .unwrap();
    problem(resp, 400).await;
    let mut body = business_body(org, "Falsch");
    body["wheelchair"] = json!("sometimes");
    let p = problem(
        owner
            .client
            .post(app.url("/api/v1/listings"))
            .json(&body)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), ["wheelchair"]);
    // Query parameters are validated too.
    let p = problem(
        client()
            .get(app.url("/api/v1/listings?limit=0"))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), vec!["limit"]);
    let p = problem(
        client()
            .get(app.url("/api/v1/listings?cursor=%%%"))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), vec!["cursor"]);
    let p = problem(
        client()
            .get(app.url("/api/v1/listings?kind=castle"))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), vec!["kind"]);
}
on_both!(validation_names_every_field);

async fn etag_conflicts(app: TestApp) {
    let (owner, org) = app.business_owner("Etag").await;
    let (listing, etag) = app.create_listing(&owner, org, "Version Eins").await;
    assert_eq!(etag, "\"1\"");
    let id = listing["id"].as_str().unwrap();
    let put = |etag: Option<&str>, name: &str| {
        let mut req = owner
            .client
            .put(app.url(&format!("/api/v1/listings/{id}")))
            .json(&{
                let mut b = business_body(org, name);
                b.as_object_mut().unwrap().remove("kind");
                b.as_object_mut().unwrap().remove("organization_id");
                b
            });
        if let Some(e) = etag {
            req = req.header("If-Match", e);
        }
        req.send()
    };
    problem(put(None, "Ohne").await.unwrap(), 428).await;
    let resp = put(Some("\"1\""), "Version Zwei").await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["etag"], "\"2\"");
    let p = problem(put(Some("\"1\""), "Veraltet").await.unwrap(), 412).await;
    assert_eq!(p["type"], "/problems/stale-version");

    // Two writers with the same ETag at once: exactly one wins.
    let (a, b) = tokio::join!(
        put(Some("\"2\""), "Writer A"),
        put(Some("\"2\""), "Writer B")
    );
    let mut statuses = vec![a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 412]);
    let now: Value = client()
        .get(app.url(&format!("/api/v1/listings/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .ok()
        .unwrap_or(json!({}));
    let _ = now; // still a draft, so not public
    let own: Value = owner
        .client
        .get(app.url(&format!("/api/v1/listings/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(own["version"], 3);
    assert!(own["name"]["de"] == "Writer A" || own["name"]["de"] == "Writer B");
    // Stale transitions are refused as well.
    problem(
        owner
            .client
            .post(app.url(&format!("/api/v1/listings/{id}/publish")))
            .header("If-Match", "\"1\"")
            .send()
            .await
            .unwrap(),
        412,
    )
    .await;
}
on_both!(etag_conflicts);

async fn one_outbox_event_per_change(app: TestApp) {
    let (owner, org) = app.business_owner("Outbox").await;
    let admin = app.admin().await;
    let (listing, _) = app.create_listing(&owner, org, "Ereignisreich").await;
    let id = listing["id"].as_str().unwrap();
    let url = |s: &str| app.url(&format!("/api/v1/listings/{id}{s}"));
    let mut body = business_body(org, "Geändert");
    body.as_object_mut().unwrap().remove("kind");
    let put = owner
        .client
        .put(url(""))
        .header("If-Match", "\"1\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    assert_eq!(
        owner
            .client
            .post(url("/publish"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // Publishing twice is no change: no event.
    assert_eq!(
        owner
            .client
            .post(url("/publish"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        owner
            .client
            .post(url("/unpublish"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let s = admin
        .client
        .post(url("/suspend"))
        .json(&json!({"reason": "Spam"}))
        .send()
        .await
        .unwrap();
    assert_eq!(s.status(), StatusCode::OK);
    assert_eq!(
        admin
            .client
            .post(url("/restore"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // A refused change writes nothing.
    problem(
        owner
            .client
            .put(url(""))
            .header("If-Match", "\"1\"")
            .json(&body)
            .send()
            .await
            .unwrap(),
        412,
    )
    .await;
    assert_eq!(
        owner.client.delete(url("")).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.outbox_events(id).await,
        vec![
            "listing.created",
            "listing.updated",
            "listing.published",
            "listing.unpublished",
            "listing.suspended",
            "listing.restored",
            "listing.deleted"
        ]
    );
    problem(owner.client.get(url("")).send().await.unwrap(), 404).await;
}
on_both!(one_outbox_event_per_change);

async fn public_index_pages_and_filters(app: TestApp) {
    let (owner, org) = app.business_owner("Pager").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut body = business_body(org, &format!("Laden {i}"));
        if i % 2 == 0 {
            body["categories"] = json!(["health.pharmacy"]);
            body["district"] = json!("Nord");
        }
        let resp = owner
            .client
            .post(app.url("/api/v1/listings"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let l: Value = resp.json().await.unwrap();
        let id = l["id"].as_str().unwrap().to_string();
        if i < 4 {
            owner
                .client
                .post(app.url(&format!("/api/v1/listings/{id}/publish")))
                .send()
                .await
                .unwrap();
            ids.push(id);
        }
    }
    // Pages of 3 then 1; the draft never shows.
    let p1: Value = client()
        .get(app.url("/api/v1/listings?limit=3"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p1["items"].as_array().unwrap().len(), 3);
    let cursor = p1["next_cursor"].as_str().unwrap();
    let p2: Value = client()
        .get(app.url(&format!("/api/v1/listings?limit=3&cursor={cursor}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);
    assert!(p2.get("next_cursor").is_none() || p2["next_cursor"].is_null());
    let seen: Vec<String> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["items"].as_array().unwrap())
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen, ids);

    let health: Value = client()
        .get(app.url("/api/v1/listings?category=health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        health["items"].as_array().unwrap().len(),
        2,
        "group key includes sub-categories"
    );
    let nord: Value = client()
        .get(app.url("/api/v1/listings?district=Nord&kind=business"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(nord["items"].as_array().unwrap().len(), 2);
    let services: Value = client()
        .get(app.url("/api/v1/listings?kind=municipal_service"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(services["items"].as_array().unwrap().len(), 0);

    // By slug, with the ETag, and the public page.
    let slug = p1["items"][0]["slug"].as_str().unwrap().to_string();
    let resp = client()
        .get(app.url(&format!("/api/v1/listings/{slug}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["etag"], "\"2\"");
    let page = client()
        .get(app.url(&format!("/listings/{slug}?lang=en")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Laden 0")
            && html.contains("Opening hours")
            && html.contains("Fresh bread every day.")
    );
    assert_eq!(
        client()
            .get(app.url("/listings/no-such-thing"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    let cats: Value = client()
        .get(app.url("/api/v1/categories"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(cats
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["key"] == "food.bakery" && c["parent"] == "food"));
}
on_both!(public_index_pages_and_filters);

async fn body_limit_and_unknown_routes(app: TestApp) {
    // A body declared larger than the limit is refused before it is read. Sent raw: the
    // server answers and closes without reading the 2 MiB, so a client still writing them
    // may see its write fail instead of the answer.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/listings HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{{\"description\": \"",
        2 * 1024 * 1024
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("/problems/payload-too-large"), "{answer}");
    problem(
        client()
            .get(app.url("/api/v1/nothing-here"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    problem(
        client()
            .delete(app.url("/api/v1/categories"))
            .send()
            .await
            .unwrap(),
        405,
    )
    .await;
}
on_both!(body_limit_and_unknown_routes);

/// Public reads come from a short-lived cache; a write through the server is seen by
/// the very next read, a write by another process within the cache's lifetime.
async fn public_reads_follow_every_write(app: TestApp) {
    let (owner, org) = app.business_owner("Cache").await;
    let (listing, _) = app.create_listing(&owner, org, "Kaffee Eins").await;
    let id = listing["id"].as_str().unwrap().to_string();
    let slug = listing["slug"].as_str().unwrap().to_string();
    let anon = client();
    let read = |key: String| {
        let anon = anon.clone();
        let url = app.url(&format!("/api/v1/listings/{key}"));
        async move {
            let resp = anon.get(url).send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(json!({})))
        }
    };
    // A draft is not public and is never cached.
    assert_eq!(read(id.clone()).await.0, 404);
    assert!(app.state.listing_cache.is_empty());

    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    for key in [id.clone(), slug.clone(), id.clone()] {
        let (status, body) = read(key).await;
        assert_eq!(status, 200);
        assert_eq!(body["name"]["de"], "Kaffee Eins");
    }
    assert_eq!(
        app.state.listing_cache.len(),
        1,
        "the published listing is cached"
    );

    // A write through the server clears the cache before it answers.
    let mut body = business_body(org, "Kaffee Zwei");
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
    let (status, now) = read(id.clone()).await;
    assert_eq!(
        (status, now["name"]["de"].as_str()),
        (200, Some("Kaffee Zwei"))
    );
    assert_eq!(now["version"], 3);

    // Unpublished: gone from the API and the page at once.
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/unpublish")))
        .header("If-Match", "\"3\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(read(id.clone()).await.0, 404);
    assert_eq!(read(slug.clone()).await.0, 404);
    let page = anon
        .get(app.url(&format!("/listings/{slug}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);

    // A write by another process (straight into the database) shows within the
    // cache's lifetime (one second by default).
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .header("If-Match", "\"4\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(read(id.clone()).await.1["name"]["de"], "Kaffee Zwei");
    {
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let m = entities::listing::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap())
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let mut am: entities::listing::ActiveModel = m.into();
        am.name_de = Set("Kaffee Drei".into());
        am.update(&app.state.db).await.unwrap();
    }
    tokio::time::sleep(app.state.config.listings.cache + std::time::Duration::from_millis(50))
        .await;
    assert_eq!(read(id.clone()).await.1["name"]["de"], "Kaffee Drei");
}
on_both!(public_reads_follow_every_write);
