//! The city's places (addresses, streets, squares, districts of the imported
//! OpenStreetMap extract), found locally: `GET /api/v1/places`, `near` as typed text in
//! the search API and on the search page, and the districts the import fills in.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use crate::helpers::*;
use crate::on_both;

async fn places(app: &TestApp, q: &str) -> Vec<Value> {
    let r = client()
        .get(app.url("/api/v1/places"))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{q}");
    let body: Value = r.json().await.unwrap();
    body["places"].as_array().unwrap().clone()
}

/// A stored place of `kind`: the first by name that has a district (but districts).
async fn stored(app: &TestApp, kind: &str) -> entities::place::Model {
    let mut find = entities::place::Entity::find().filter(entities::place::Column::Kind.eq(kind));
    if kind != "district" {
        find = find.filter(entities::place::Column::District.is_not_null());
    }
    find.order_by_asc(entities::place::Column::Name)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no {kind} stored"))
}

async fn places_are_found_locally(app: TestApp) {
    app.load_demo().await;
    let district = stored(&app, "district").await;
    let street = stored(&app, "street").await;
    let address = stored(&app, "address").await;

    // A whole name comes first, with its kind, district and point.
    for p in [&district, &street, &address] {
        let found = places(&app, &p.name).await;
        let first = &found[0];
        assert_eq!(first["name"], p.name.as_str(), "{}", p.name);
        assert_eq!(first["kind"], p.kind.as_str());
        assert_eq!(first["location"]["lat"], p.lat);
        assert_eq!(first["location"]["lng"], p.lng);
        assert!(found.len() <= 8);
    }
    let found = places(&app, &address.name).await;
    assert_eq!(
        found[0]["label"],
        format!("{}, {}", address.name, address.district.clone().unwrap())
    );
    // Folded as the search folds: case and spacing do not matter, a beginning suffices.
    let shouted = places(&app, &format!("  {}  ", street.name.to_uppercase())).await;
    assert_eq!(shouted[0]["name"], street.name.as_str());
    let beginning: String = street.name.chars().take(5).collect();
    assert!(places(&app, &beginning)
        .await
        .iter()
        .any(|p| p["name"] == street.name.as_str()));
    // Text after a comma that matches nothing (a city, a postcode) is let go.
    let with_city = places(&app, &format!("{}, Helsinki", address.name)).await;
    assert_eq!(with_city[0]["name"], address.name.as_str());

    // Nothing matches: an empty list. Bad parameters: 422 naming them.
    assert!(places(&app, "Zzyzxstrasse 999").await.is_empty());
    for (query, field) in [
        ("q=%20%20", "q"),
        (&format!("q={}", "a".repeat(201)) as &str, "q"),
        ("q=kluuvi&limit=0", "limit"),
        ("q=kluuvi&limit=21", "limit"),
    ] {
        let r = client()
            .get(app.url(&format!("/api/v1/places?{query}")))
            .send()
            .await
            .unwrap();
        let p = problem(r, 422).await;
        assert_eq!(fields(&p), vec![field.to_string()], "{query}");
    }
}
on_both!(places_are_found_locally);

async fn search_near_a_typed_place(app: TestApp) {
    app.load_demo().await;
    let address = stored(&app, "address").await;
    let search = |near: String| {
        let app = &app;
        async move {
            let r = client()
                .get(app.url("/api/v1/search"))
                .query(&[
                    ("near", near.as_str()),
                    ("sort", "distance"),
                    ("per_page", "20"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{near}");
            r.json::<Value>().await.unwrap()
        }
    };
    // The typed address gives what its coordinates give, nearest first.
    let by_name = search(address.name.clone()).await;
    let by_point = search(format!("{},{}", address.lat, address.lng)).await;
    let ids = |v: &Value| {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&by_name), ids(&by_point));
    let distances: Vec<f64> = by_name["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["distance_m"].as_f64().unwrap())
        .collect();
    assert_eq!(distances.len(), 20);
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");

    // A place that matches nothing, or out-of-range coordinates: 422 naming `near`.
    for near in ["Zzyzxstrasse 999", "91,0"] {
        let r = client()
            .get(app.url("/api/v1/search"))
            .query(&[("near", near), ("sort", "distance")])
            .send()
            .await
            .unwrap();
        let p = problem(r, 422).await;
        assert_eq!(fields(&p), vec!["near".to_string()], "{near}");
    }
    let r = client()
        .get(app.url("/api/v1/search?near=Zzyzxstrasse"))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Zzyzxstrasse"),
        "{p}"
    );
}
on_both!(search_near_a_typed_place);

async fn the_search_page_says_which_place_it_understood(app: TestApp) {
    app.load_demo().await;
    let street = stored(&app, "street").await;
    let page = |near: String, lang: &'static str| {
        let app = &app;
        async move {
            let r = client()
                .get(app.url("/search"))
                .query(&[("near", near.as_str()), ("sort", "distance")])
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{near}");
            r.text().await.unwrap()
        }
    };
    let label = format!("{}, {}", street.name, street.district.clone().unwrap());
    let en = page(street.name.to_lowercase(), "en").await;
    assert!(
        en.contains(&format!("Near {label}")),
        "the place understood"
    );
    assert!(en.contains(" away"), "results show their distance");
    assert!(
        en.contains(r#"<label for="near">"#),
        "the field is labelled"
    );
    let de = page(street.name.clone(), "de").await;
    assert!(de.contains(&format!("In der Nähe von {label}")));
    // A place that matches nothing: the page says so, and still shows results.
    let unknown = page("Zzyzxstrasse 999".into(), "en").await;
    assert!(unknown.contains("No street, address or district called “Zzyzxstrasse 999” was found"));
    assert!(unknown.contains(r#"class="hit""#));
    let unknown = page("Zzyzxstrasse 999".into(), "de").await;
    assert!(unknown.contains("„Zzyzxstrasse 999“ gefunden"));
}
on_both!(the_search_page_says_which_place_it_understood);

async fn the_import_fills_districts_and_places(app: TestApp) {
    app.load_demo().await;
    let db = &app.state.db;
    let osm = || {
        entities::listing::Entity::find().filter(entities::listing::Column::Source.like("osm:%"))
    };
    let imported = osm().count(db).await.unwrap();
    let with_district = osm()
        .filter(entities::listing::Column::District.is_not_null())
        .count(db)
        .await
        .unwrap();
    assert!(
        with_district * 20 >= imported * 19,
        "{with_district} of {imported} listings have a district"
    );
    let count = || entities::place::Entity::find().count(db);
    let stored = count().await.unwrap();
    assert!(stored > 500, "{stored} places");
    for kind in ["address", "street", "square", "district"] {
        let n = entities::place::Entity::find()
            .filter(entities::place::Column::Kind.eq(kind))
            .count(db)
            .await
            .unwrap();
        assert!(n > 0, "no {kind}");
    }

    // A second import replaces the places, never doubles them.
    let summary = api::demo::seed::import_osm(
        db,
        app.state.city.id,
        api::demo::seed::HELSINKI_PBF.to_vec(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(summary.places as u64, stored);
    assert_eq!(count().await.unwrap(), stored);

    // A demo city stored before places existed gets them on start.
    entities::place::Entity::delete_many()
        .exec(db)
        .await
        .unwrap();
    api::demo::seed::load_demo_places_if_missing(db, &app.state.city)
        .await
        .unwrap();
    assert_eq!(count().await.unwrap(), stored);
}
on_both!(the_import_fills_districts_and_places);

/// The CSRF token a page put in its form (and in the browser's cookie).
async fn form_token(c: &reqwest::Client, url: &str) -> String {
    let html = c.get(url).send().await.unwrap().text().await.unwrap();
    let start = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("a csrf field in {url}"))
        + "name=\"csrf\" value=\"".len();
    html[start..start + 43].to_string()
}

/// Submits a form found at `page` (its token included) to `action`.
async fn submit(
    c: &reqwest::Client,
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = form_token(c, &app.url(page)).await;
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("csrf", &token));
    c.post(app.url(action)).form(&all).send().await.unwrap()
}

async fn the_listing_editor_looks_addresses_up(app: TestApp) {
    app.load_demo().await;
    let c = client();
    let r = submit(
        &c,
        &app,
        "/register",
        "/register",
        &[
            ("email", "places@example.org"),
            ("password", "correct horse battery"),
            ("display_name", "Places Owner"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = submit(
        &c,
        &app,
        "/manage",
        "/manage/organizations",
        &[("name", "Kahvila Paikka")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dashboard = c
        .get(app.url("/manage?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = dashboard.find("/manage/organizations/").unwrap() + "/manage/organizations/".len();
    let org = dashboard[start..start + 36].to_string();
    let new_page = format!("/manage/organizations/{org}/listings/new");
    let action = format!("/manage/organizations/{org}/listings");
    let address = stored(&app, "address").await;
    let listings = || entities::listing::Entity::find().count(&app.state.db);
    let before = listings().await.unwrap();

    // One address matches: street, district and coordinates are filled, nothing saved.
    let typed = address.name.to_lowercase();
    let r = submit(
        &c,
        &app,
        &new_page,
        &action,
        &[
            ("name_de", "Kahvila Paikka"),
            ("address_search", &typed),
            ("intent", "find-address"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let district = address.district.clone().unwrap();
    assert!(
        html.contains(&format!("value=\"{}\"", address.name)),
        "street filled"
    );
    assert!(
        html.contains(&format!("value=\"{district}\"")),
        "district filled"
    );
    assert!(
        html.contains(&format!("value=\"{:.6}\"", address.lat)),
        "latitude filled"
    );
    assert!(
        html.contains(&format!("value=\"{:.6}\"", address.lng)),
        "longitude filled"
    );
    assert!(
        html.contains("value=\"Kahvila Paikka\""),
        "other input kept"
    );
    assert_eq!(listings().await.unwrap(), before, "a lookup saves nothing");

    // Several match: the candidates are offered as buttons; picking one fills it.
    let street = address.name.rsplit_once(' ').unwrap().0.to_string();
    let partial: String = street.chars().take(street.chars().count() - 1).collect();
    let r = submit(
        &c,
        &app,
        &new_page,
        &action,
        &[("address_search", &partial), ("intent", "find-address")],
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("name=\"address_pick\""), "candidates offered");
    let r = submit(
        &c,
        &app,
        &new_page,
        &action,
        &[("address_search", &street), ("address_pick", &address.name)],
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("value=\"{:.6}\"", address.lat)));

    // Nothing matches: an error next to the field.
    let r = submit(
        &c,
        &app,
        &new_page,
        &action,
        &[
            ("address_search", "Zzyzxstrasse 999"),
            ("intent", "find-address"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"address_search-error\""));
    assert!(html.contains("href=\"#address_search\""));

    // Saving with the filled values stores them.
    let (lat, lng) = (format!("{:.6}", address.lat), format!("{:.6}", address.lng));
    let r = submit(
        &c,
        &app,
        &new_page,
        &action,
        &[
            ("name_de", "Kahvila Paikka"),
            ("category_1", "food.bakery"),
            ("street", &address.name),
            ("district", &district),
            ("lat", &lat),
            ("lng", &lng),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let saved = entities::listing::Entity::find()
        .filter(entities::listing::Column::NameDe.eq("Kahvila Paikka"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.district.as_deref(), Some(district.as_str()));
    assert!((saved.lat.unwrap() - address.lat).abs() < 1e-5);
}
on_both!(the_listing_editor_looks_addresses_up);
