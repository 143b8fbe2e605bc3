//! Importing the real Helsinki extract: every qualifying element once, never twice.

use osmpbf::{Element, ElementReader};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

use crate::helpers::*;
use crate::on_both;

const PBF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../demo/helsinki.osm.pbf");
const KEYS: [&str; 7] = [
    "amenity",
    "shop",
    "office",
    "leisure",
    "craft",
    "healthcare",
    "tourism",
];

/// Our own count of named nodes and ways with one of the POI keys, written
/// independently of the importer.
fn qualifying_in_file() -> usize {
    let qualifies = |tags: Vec<(&str, &str)>| {
        tags.iter()
            .any(|(k, v)| *k == "name" && !v.trim().is_empty())
            && tags.iter().any(|(k, _)| KEYS.contains(k))
    };
    ElementReader::from_path(PBF)
        .unwrap()
        .par_map_reduce(
            |el| match el {
                Element::Node(n) => qualifies(n.tags().collect()) as usize,
                Element::DenseNode(n) => qualifies(n.tags().collect()) as usize,
                Element::Way(w) => qualifies(w.tags().collect()) as usize,
                Element::Relation(_) => 0,
            },
            || 0,
            |a, b| a + b,
        )
        .unwrap()
}

async fn import_counts_and_reimport(app: TestApp) {
    let expected = qualifying_in_file();
    assert!(expected > 1377, "nodes alone are 1377");
    let bytes = std::fs::read(PBF).unwrap();
    let db = &app.state.db;
    let city = app.state.city.id;

    let first = api::demo::seed::import_osm(db, city, bytes.clone(), false)
        .await
        .unwrap();
    assert_eq!(first.read, expected);
    assert_eq!(first.created, expected);
    assert!(
        first.hours_unparseable > 0,
        "the file has some broken opening_hours"
    );
    let count = || {
        entities::listing::Entity::find()
            .filter(entities::listing::Column::Source.like("osm:%"))
            .count(db)
    };
    assert_eq!(count().await.unwrap() as usize, expected);
    let events = entities::outbox_event::Entity::find()
        .count(db)
        .await
        .unwrap();
    assert_eq!(events as usize, expected, "one event per created listing");

    // Re-import: nothing new, nothing changed, no events.
    let second = api::demo::seed::import_osm(db, city, bytes.clone(), false)
        .await
        .unwrap();
    assert_eq!(
        (second.created, second.updated, second.unchanged),
        (0, 0, expected)
    );
    assert_eq!(count().await.unwrap() as usize, expected);
    assert_eq!(
        entities::outbox_event::Entity::find()
            .count(db)
            .await
            .unwrap(),
        events
    );

    // A local edit is overwritten by the next import (OSM is the source), as an update.
    let one = entities::listing::Entity::find()
        .filter(entities::listing::Column::Source.like("osm:node/%"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut am: entities::listing::ActiveModel = one.clone().into();
    am.name_de = sea_orm::Set("Lokal geändert".into());
    sea_orm::ActiveModelTrait::update(am, db).await.unwrap();
    let third = api::demo::seed::import_osm(db, city, bytes, false)
        .await
        .unwrap();
    assert_eq!((third.created, third.updated), (0, 1));

    // Imported listings are public, with parsed hours and the raw text kept.
    let with_hours = entities::listing::Entity::find()
        .filter(entities::listing::Column::OpeningHoursOsm.eq("Mo-Fr 10:00-18:00"))
        .one(db)
        .await
        .unwrap();
    if let Some(l) = with_hours {
        let v: Value = client()
            .get(app.url(&format!("/api/v1/listings/{}", l.slug)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["opening_hours"]["osm"], "Mo-Fr 10:00-18:00");
        assert_eq!(v["opening_hours"]["weekly"].as_array().unwrap().len(), 5);
        assert_eq!(v["opening_hours"]["weekly"][0]["opens"], "10:00");
        assert_eq!(v["status"], "published");
        assert!(v["source"].as_str().unwrap().starts_with("osm:"));
    }
}
on_both!(import_counts_and_reimport);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_loads_the_demo_city() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/demo.db?mode=rwc", dir.path().display());
    let vars = [
        ("BIND_ADDR", "127.0.0.1:0".to_string()),
        ("DATABASE_URL", db),
        ("LOG", "warn".into()),
    ];
    let config = api::core::config::Config::from_lookup(|k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    assert!(config.city.demo_data, "demo data is the default");
    let state = api::web::app::build_state(config.clone()).await.unwrap();
    let services = entities::listing::Entity::find()
        .filter(entities::listing::Column::Kind.eq("municipal_service"))
        .filter(entities::listing::Column::Status.eq("published"))
        .count(&state.db)
        .await
        .unwrap();
    assert!(services >= 15, "{services} services");
    let businesses = entities::listing::Entity::find()
        .filter(entities::listing::Column::Kind.eq("business"))
        .count(&state.db)
        .await
        .unwrap();
    assert_eq!(businesses as usize, qualifying_in_file());
    let departments = entities::organization::Entity::find()
        .filter(entities::organization::Column::Kind.eq("department"))
        .count(&state.db)
        .await
        .unwrap();
    assert!(departments >= 5);
    // A second start loads nothing again.
    drop(state);
    let again = api::web::app::build_state(config).await.unwrap();
    let total = entities::listing::Entity::find()
        .count(&again.db)
        .await
        .unwrap();
    assert_eq!(total, services + businesses);
}
