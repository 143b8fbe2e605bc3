//! No impersonation: business listings cannot take the city administration's
//! categories; a name holding a reserved term waits for city staff's review before it
//! is public; staff review, filter and page through listings and see organizations.
//! Also: a listing's categories keep the owner's order.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

const IMPOSTOR: &str = "Bürgeramt Schnelltermin-Service – gegen Gebühr";

async fn post(user: &User, app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    user.client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn get_json(c: &reqwest::Client, url: String) -> (StatusCode, Value) {
    let r = c.get(url).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The slugs the public search finds for `q`.
async fn found(app: &TestApp, q: &str) -> Vec<String> {
    let (status, body) = get_json(
        &client(),
        app.url(&format!("/api/v1/search?q={}", urlencode(q))),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["slug"].as_str().unwrap().to_string())
        .collect()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn public_status(app: &TestApp, id: &str, slug: &str) -> (u16, u16) {
    let api = client()
        .get(app.url(&format!("/api/v1/listings/{id}")))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    let page = client()
        .get(app.url(&format!("/listings/{slug}")))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (api, page)
}

async fn reserved_names_wait_for_review(app: TestApp) {
    let (owner, org) = app.business_owner("Schnell").await;
    let staff = app.admin().await;

    // The city administration's categories are not for businesses.
    let mut body = business_body(org, IMPOSTOR);
    body["categories"] = json!(["food.bakery", "admin.citizens-office"]);
    let p = problem(post(&owner, &app, "/api/v1/listings", body).await, 422).await;
    assert_eq!(fields(&p), ["categories[1]"]);

    // The name holds a reserved term: it says so, and publishing waits for review.
    let (created, etag) = app.create_listing(&owner, org, IMPOSTOR).await;
    let id = created["id"].as_str().unwrap().to_string();
    let slug = created["slug"].as_str().unwrap().to_string();
    assert_eq!(created["status"], "draft");
    assert_eq!(created["review_terms"], json!(["Bürgeramt"]));
    // Nor can a rename take a city category.
    let mut fields_body = business_body(org, IMPOSTOR);
    fields_body["categories"] = json!(["admin.authorities"]);
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", &etag)
        .json(&fields_body)
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(r, 422).await), ["categories[0]"]);

    let r = post(
        &owner,
        &app,
        &format!("/api/v1/listings/{id}/publish"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let waiting: Value = r.json().await.unwrap();
    assert_eq!(waiting["status"], "pending_review");
    assert_eq!(waiting["published_at"], Value::Null);
    // Not public: not by id, not on its page, not in search; the owner still sees it.
    assert_eq!(public_status(&app, &id, &slug).await, (404, 404));
    assert!(!found(&app, "Bürgeramt").await.contains(&slug));
    let (status, mine) = get_json(&owner.client, app.url(&format!("/api/v1/listings/{id}"))).await;
    assert_eq!(
        (status, &mine["status"]),
        (StatusCode::OK, &json!("pending_review"))
    );

    // Only staff review, and only what waits.
    let p = problem(
        post(
            &owner,
            &app,
            &format!("/api/v1/listings/{id}/approve"),
            json!({}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p["type"], "/problems/forbidden");
    let p = problem(
        post(
            &staff,
            &app,
            &format!("/api/v1/listings/{id}/reject"),
            json!({"reason": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["reason"]);

    // Refused with a reason the owner sees; back to draft.
    let r = post(
        &staff,
        &app,
        &format!("/api/v1/listings/{id}/reject"),
        json!({"reason": "Sounds like the city's own office."}),
    )
    .await;
    let refused: Value = r.json().await.unwrap();
    assert_eq!(refused["status"], "draft");
    assert_eq!(refused["review_note"], "Sounds like the city's own office.");
    let p = problem(
        post(
            &staff,
            &app,
            &format!("/api/v1/listings/{id}/approve"),
            json!({}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["type"], "/problems/not-pending-review");

    // Asked again and approved: public, and found.
    post(
        &owner,
        &app,
        &format!("/api/v1/listings/{id}/publish"),
        json!({}),
    )
    .await;
    let r = post(
        &staff,
        &app,
        &format!("/api/v1/listings/{id}/approve"),
        json!({}),
    )
    .await;
    let approved: Value = r.json().await.unwrap();
    assert_eq!(approved["status"], "published");
    assert_eq!(approved["review_terms"], json!([]));
    assert_eq!(approved["review_note"], Value::Null);
    assert_eq!(public_status(&app, &id, &slug).await, (200, 200));
    assert!(found(&app, "Bürgeramt").await.contains(&slug));

    // A rename to another reserved spelling waits again and leaves the public pages.
    let mut renamed = business_body(org, "BUERGERAMT Express");
    renamed["categories"] = json!(["food.cafe", "food.bakery"]);
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", format!("\"{}\"", approved["version"]))
        .json(&renamed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["status"], "pending_review");
    assert_eq!(again["review_terms"], json!(["Bürgeramt"]));
    // The categories keep the order the owner chose.
    assert_eq!(again["categories"], json!(["food.cafe", "food.bakery"]));
    assert_eq!(public_status(&app, &id, &slug).await, (404, 404));

    // Renamed to a plain name while waiting: published without review.
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", format!("\"{}\"", again["version"]))
        .json(&business_body(org, "Schnelltermin Express"))
        .send()
        .await
        .unwrap();
    let plain: Value = r.json().await.unwrap();
    assert_eq!(plain["status"], "published");
    assert_eq!(plain["review_terms"], json!([]));
    assert_eq!(public_status(&app, &id, &slug).await, (200, 200));

    let events = app.outbox_events(&id).await;
    for e in [
        "listing.review_requested",
        "listing.review_rejected",
        "listing.review_approved",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} in {events:?}");
    }

    // City services are the city's: staff name them freely.
    let mut service = json!({
        "kind": "municipal_service",
        "name": {"de": "Bürgeramt Mitte", "en": "Citizens' office Mitte"},
        "categories": ["admin.citizens-office"],
        "service": {
            "eligibility": {"de": "Alle", "en": "Everyone"},
            "what_to_bring": {"de": [], "en": []},
            "fees": {"de": "", "en": ""},
            "processing_time": {"de": "", "en": ""},
            "channels": ["in_person"]
        }
    });
    let r = post(&staff, &app, "/api/v1/listings", service.take()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["review_terms"], json!([]));
    let r = post(
        &staff,
        &app,
        &format!("/api/v1/listings/{}/publish", s["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "published");
}
on_both!(reserved_names_wait_for_review);

async fn categories_keep_the_owners_order(app: TestApp) {
    let (owner, org) = app.business_owner("Order").await;
    let mut body = business_body(org, "Café und Bäckerei");
    body["categories"] = json!(["food.cafe", "food.bakery"]);
    let r = post(&owner, &app, "/api/v1/listings", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["categories"], json!(["food.cafe", "food.bakery"]));
    let id = created["id"].as_str().unwrap();
    let (_, read) = get_json(&owner.client, app.url(&format!("/api/v1/listings/{id}"))).await;
    assert_eq!(read["categories"], json!(["food.cafe", "food.bakery"]));
    let mut swapped = business_body(org, "Café und Bäckerei");
    swapped["categories"] = json!(["food.bakery", "shopping.hobby", "food.cafe"]);
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", "\"1\"")
        .json(&swapped)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["categories"],
        json!(["food.bakery", "shopping.hobby", "food.cafe"])
    );
    // The editor shows them in that order too.
    let html = owner
        .client
        .get(app.url(&format!("/manage/listings/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let first = html
        .find("<select id=\"category_1\"")
        .expect("first category");
    let second = html
        .find("<select id=\"category_2\"")
        .expect("second category");
    let selected = |from: usize| {
        let at = from + html[from..].find(" selected>").unwrap();
        let start = html[..at].rfind("value=\"").unwrap() + 7;
        html[start..at - 1].to_string()
    };
    assert_eq!(selected(first), "food.bakery");
    assert_eq!(selected(second), "shopping.hobby");
    // A business's editor offers no city administration category.
    assert!(!html.contains("value=\"admin.citizens-office\""));
}
on_both!(categories_keep_the_owners_order);

/// The CSRF token of a page's forms.
async fn form_token(c: &reqwest::Client, url: &str) -> String {
    let html = c.get(url).send().await.unwrap().text().await.unwrap();
    let start = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("a csrf field in {url}"))
        + "name=\"csrf\" value=\"".len();
    html[start..start + 43].to_string()
}

async fn staff_review_queue_pages_and_organizations(app: TestApp) {
    let (owner, org) = app.business_owner("Queue").await;
    let staff = app.admin().await;
    // More business listings than one page shows.
    for i in 0..52 {
        app.create_listing(&owner, org, &format!("Laden {i:02}"))
            .await;
    }
    let (impostor, _) = app
        .create_listing(&owner, org, "Rathaus-Service Express")
        .await;
    let id = impostor["id"].as_str().unwrap();

    // Publishing it through the editor tells the owner why it waits.
    let editor = app.url(&format!("/manage/listings/{id}"));
    let token = form_token(&owner.client, &editor).await;
    let r = owner
        .client
        .post(app.url(&format!("/manage/listings/{id}/status")))
        .form(&[("action", "publish"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with("done=review-requested"), "{to}");
    let html = owner
        .client
        .get(app.url(&format!("{to}&lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Waiting for the city&#x27;s review")
            || html.contains("Waiting for the city's review"),
        "{html}"
    );
    assert!(html.contains("The name holds Rathaus"), "{html}");

    // The queue names it; the list pages by 50 with the filters in every link.
    let admin = app.url("/admin?kind=business&lang=en");
    let html = staff
        .client
        .get(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let queue =
        &html[html.find("id=\"review\"").unwrap()..html.find("id=\"h-moderation\"").unwrap()];
    assert!(
        queue.contains("Rathaus-Service Express") && queue.contains("Queue GmbH"),
        "{queue}"
    );
    assert!(html.contains("53 results"), "{html}");
    assert!(html.contains("Page 1 of 2"));
    assert!(
        html.contains("href=\"/admin?kind=business&amp;page=2\"")
            || html.contains("href=\"/admin?kind=business&page=2\""),
        "{html}"
    );
    assert_eq!(html.matches("<li id=\"l-").count(), 50);
    let page2 = staff
        .client
        .get(app.url("/admin?kind=business&page=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(page2.matches("<li id=\"l-").count(), 3);
    assert!(page2.contains("rel=\"prev\""));
    // Filtered by status: only what waits.
    let pending = staff
        .client
        .get(app.url("/admin?status=pending_review"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(pending.matches("<li id=\"l-").count(), 1);

    // Approving from the queue comes back to the same filters and page.
    let token = form_token(&staff.client, &admin).await;
    let r = staff
        .client
        .post(app.url(&format!("/admin/listings/{id}/status")))
        .form(&[
            ("action", "approve"),
            ("back", "kind=business&page=2&evil=https://x"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/admin?kind=business&page=2&done=approve#review"
    );
    let (status, _) = get_json(&client(), app.url(&format!("/api/v1/listings/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    // Suspending from page 2 keeps it too.
    let r = staff
        .client
        .post(app.url(&format!("/admin/listings/{id}/status")))
        .form(&[
            ("action", "suspend"),
            ("reason", "Misleading"),
            ("back", "q=rathaus&status=published"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        format!("/admin?q=rathaus&status=published&done=suspend#l-{id}").as_str()
    );

    // The organizations: members with their roles and the listings.
    let html = staff
        .client
        .get(app.url("/admin/organizations?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Queue GmbH"));
    assert!(html.contains("Queue (owner)"), "{html}");
    assert!(html.contains("Rathaus-Service Express") && html.contains("Laden 51"));
    // Not for anyone else.
    let r = owner
        .client
        .get(app.url("/admin/organizations"))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::OK);
}
on_both!(staff_review_queue_pages_and_organizations);

/// A listing published before its name was reserved (or before the check existed) is
/// checked at start: it waits for review, out of public view.
async fn published_names_are_checked_again_at_start(app: TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (owner, org) = app.business_owner("Legacy").await;
    let (created, etag) = app
        .create_listing(&owner, org, "Schnellservice Mitte")
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    let slug = created["slug"].as_str().unwrap().to_string();
    let r = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .header("If-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "published");
    // Its name as it was stored before names were checked.
    entities::listing::Entity::update_many()
        .col_expr(
            entities::listing::Column::NameDe,
            sea_orm::sea_query::Expr::value("Stadtverwaltung Schnellservice"),
        )
        .filter(entities::listing::Column::Id.eq(id.parse::<uuid::Uuid>().unwrap()))
        .exec(&app.state.db)
        .await
        .unwrap();
    let flagged =
        api::listings::service::check_reserved_names(&app.state.db, &app.state.reserved_names())
            .await
            .unwrap();
    assert_eq!(flagged, 1);
    app.state.listing_cache.clear();
    assert_eq!(public_status(&app, &id, &slug).await, (404, 404));
    let (_, mine) = get_json(&owner.client, app.url(&format!("/api/v1/listings/{id}"))).await;
    assert_eq!(mine["status"], "pending_review");
    assert_eq!(mine["review_terms"], json!(["Stadtverwaltung"]));
    assert!(app
        .outbox_events(&id)
        .await
        .contains(&"listing.review_requested".to_string()));
    // Once flagged, a second start changes nothing.
    assert_eq!(
        api::listings::service::check_reserved_names(&app.state.db, &app.state.reserved_names())
            .await
            .unwrap(),
        0
    );
}
on_both!(published_names_are_checked_again_at_start);

/// A listing waiting for review has a preview of its page for city staff (linked from
/// the review queue) and its organization's members (linked from the editor): marked
/// as not public, kept from search engines, not in search or the sitemap. Anyone else,
/// logged in or not, gets the 404 of a listing that does not exist.
async fn staff_and_members_preview_a_listing_waiting_for_review(app: TestApp) {
    let (owner, org) = app.business_owner("Vorschau").await;
    let staff = app.admin().await;
    let resident = app.register("Nachbar").await;
    let (other_owner, _) = app.business_owner("Andere").await;
    let (created, _) = app.create_listing(&owner, org, IMPOSTOR).await;
    let id = created["id"].as_str().unwrap().to_string();
    let slug = created["slug"].as_str().unwrap().to_string();
    let r = post(
        &owner,
        &app,
        &format!("/api/v1/listings/{id}/publish"),
        json!({}),
    )
    .await;
    let waiting: Value = r.json().await.unwrap();
    assert_eq!(waiting["status"], "pending_review");
    let preview = app.url(&format!("/manage/listings/{id}/preview?lang=en"));

    for (who, c) in [("staff", &staff.client), ("owner", &owner.client)] {
        let r = c.get(&preview).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{who}");
        assert_eq!(r.headers()["x-robots-tag"], "noindex", "{who}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("<h1>{IMPOSTOR}</h1>")),
            "{who}: {html}"
        );
        assert!(
            html.contains("Not public – waiting for review by the city."),
            "{who}: {html}"
        );
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        assert!(!html.contains("application/ld+json"), "no schema.org data");
    }
    // The queue and the editor link to it.
    let queue = staff
        .client
        .get(app.url("/admin?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&format!("href=\"/manage/listings/{id}/preview\"")));
    let editor = owner
        .client
        .get(app.url(&format!("/manage/listings/{id}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(editor.contains(&format!("href=\"/manage/listings/{id}/preview\"")));

    // Anyone else: the 404 of a listing that does not exist.
    let missing = app.url(&format!(
        "/manage/listings/{}/preview?lang=en",
        uuid::Uuid::now_v7()
    ));
    let nothing = client().get(&missing).send().await.unwrap();
    assert_eq!(nothing.status(), StatusCode::NOT_FOUND);
    let nothing = nothing.text().await.unwrap();
    let anonymous = client();
    for (who, c) in [
        ("anonymous", &anonymous),
        ("a resident", &resident.client),
        ("another business", &other_owner.client),
    ] {
        let r = c.get(&preview).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}");
        let html = r.text().await.unwrap();
        assert!(!html.contains(IMPOSTOR), "{who}");
        assert_eq!(
            html.lines()
                .filter(|l| l.contains("<h1"))
                .collect::<Vec<_>>(),
            nothing
                .lines()
                .filter(|l| l.contains("<h1"))
                .collect::<Vec<_>>(),
            "{who}"
        );
    }
    // Still not public: not its page, not search, not the sitemap.
    assert_eq!(public_status(&app, &id, &slug).await, (404, 404));
    assert!(!found(&app, "Bürgeramt").await.contains(&slug));
    let sitemap = client()
        .get(app.url("/sitemap.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!sitemap.contains(&slug));

    // Once approved, the preview says it is public.
    let r = post(
        &staff,
        &app,
        &format!("/api/v1/listings/{id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let html = owner
        .client
        .get(&preview)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("A preview: this listing is public."),
        "{html}"
    );
}
on_both!(staff_and_members_preview_a_listing_waiting_for_review);
