//! `city-portal generate-listings`: generated listings are published businesses the
//! database search finds, on SQLite and PostgreSQL, and the same seed gives the same
//! listings.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use crate::helpers::*;
use crate::on_both;

async fn get(app: &TestApp, q: &str) -> Value {
    let r = client()
        .get(app.url(&format!("/api/v1/search?{q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{q}");
    r.json().await.unwrap()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// (name, lat, lng, category) of the listings of one generation, sorted.
fn fingerprint(
    rows: &[entities::listing::Model],
    cats: &[entities::listing_category::Model],
) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = rows
        .iter()
        .map(|l| {
            let c: Vec<&str> = cats
                .iter()
                .filter(|c| c.listing_id == l.id)
                .map(|c| c.category_key.as_str())
                .collect();
            (
                l.name_de.clone(),
                format!("{:.6},{:.6}", l.lat.unwrap(), l.lng.unwrap()),
                c.join(","),
            )
        })
        .collect();
    v.sort();
    v
}

async fn generated_listings_are_found(app: TestApp) {
    use entities::{listing, listing_category};
    let db = &app.state.db;
    let city = app.state.city.id;
    let s = api::demo::generate::generate(db, city, 500, 42, false)
        .await
        .unwrap();
    assert_eq!(s.created, 500);
    assert!(s.templates > 100, "{s:?}");

    let first = listing::Entity::find()
        .order_by_asc(listing::Column::Id)
        .all(db)
        .await
        .unwrap();
    assert_eq!(first.len(), 500);
    assert!(first
        .iter()
        .all(|l| l.status == "published" && l.kind == "business"));
    assert!(first
        .iter()
        .all(|l| l.search_text.is_some() && l.search_name.is_some()));
    let with_hours = entities::opening_hours_rule::Entity::find()
        .count(db)
        .await
        .unwrap();
    assert!(with_hours > 0, "opening hours are carried over");

    // All of them through the database search, with facet counts.
    let all = get(&app, "per_page=1").await;
    assert_eq!(all["engine"], "database");
    assert_eq!(all["estimated_total"], 500);
    assert_eq!(all["facets"]["kind"][0]["value"], "business");
    assert_eq!(all["facets"]["kind"][0]["count"], 500);

    // A listing is found by the words of its name, and by its category.
    let l = &first[137];
    let word = l
        .name_de
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap();
    let r = get(&app, &format!("q={}&per_page=100", urlencode(&l.name_de))).await;
    assert!(
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == l.id.to_string()),
        "{} not found: {r}",
        l.name_de
    );
    let by_word = get(&app, &format!("q={}", urlencode(word))).await;
    assert!(by_word["estimated_total"].as_u64().unwrap() >= 1, "{word}");
    let category = listing_category::Entity::find()
        .filter(listing_category::Column::ListingId.eq(l.id))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .category_key;
    let by_cat = get(&app, &format!("category={category}&per_page=1")).await;
    let n = listing_category::Entity::find()
        .filter(listing_category::Column::CategoryKey.eq(category.clone()))
        .count(db)
        .await
        .unwrap();
    assert_eq!(by_cat["estimated_total"], n, "{category}");

    // Near the listing it derives from: within the city, found by a radius search.
    let near = get(
        &app,
        &format!(
            "near={},{}&radius_m=50&sort=distance&per_page=5",
            l.lat.unwrap(),
            l.lng.unwrap()
        ),
    )
    .await;
    assert!(near["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == l.id.to_string()));

    // The same seed again: the same listings (new ids and slugs).
    api::demo::generate::generate(db, city, 500, 42, false)
        .await
        .unwrap();
    let all_rows = listing::Entity::find().all(db).await.unwrap();
    assert_eq!(all_rows.len(), 1000);
    let first_ids: std::collections::HashSet<_> = first.iter().map(|l| l.id).collect();
    let second: Vec<_> = all_rows
        .into_iter()
        .filter(|l| !first_ids.contains(&l.id))
        .collect();
    let cats = listing_category::Entity::find().all(db).await.unwrap();
    assert_eq!(fingerprint(&first, &cats), fingerprint(&second, &cats));
    let slugs: std::collections::HashSet<String> = first
        .iter()
        .chain(second.iter())
        .map(|l| l.slug.clone())
        .collect();
    assert_eq!(slugs.len(), 1000, "slugs stay unique");
}
on_both!(generated_listings_are_found);
