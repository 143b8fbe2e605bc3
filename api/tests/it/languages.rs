//! The API's localized texts follow the `locale` parameter, else the language the
//! client's `Accept-Language` prefers, else the default; such answers say
//! `Vary: Accept-Language`.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::on_both;

async fn get(
    app: &TestApp,
    path: &str,
    accept: Option<&str>,
) -> (reqwest::header::HeaderMap, Value) {
    let mut r = client().get(app.url(path));
    if let Some(a) = accept {
        r = r.header("accept-language", a);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    let headers = r.headers().clone();
    (headers, r.json().await.unwrap())
}

async fn search_and_suggest_follow_accept_language(app: TestApp) {
    let (owner, org) = app.business_owner("Kieli").await;
    let mut body = business_body(org, "x");
    body["name"] = serde_json::json!({"de": "Stadtbücherei Kieli", "en": "Kieli City Library"});
    let r = owner
        .client
        .post(app.url("/api/v1/listings"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let name = |v: &Value| v["hits"][0]["name"].as_str().unwrap().to_string();
    // No locale, no header: the city's language (German in the tests' city).
    let (headers, v) = get(&app, "/api/v1/search?q=kieli", None).await;
    assert_eq!(name(&v), "Stadtbücherei Kieli");
    let vary: Vec<_> = headers
        .get_all("vary")
        .iter()
        .map(|h| h.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        vary.iter().any(|h| h.contains("accept-language")),
        "{vary:?}"
    );
    // The header picks English; a Finnish-first client gets its second choice.
    let (_, v) = get(&app, "/api/v1/search?q=kieli", Some("en-GB,en;q=0.9")).await;
    assert_eq!(name(&v), "Kieli City Library");
    let (_, v) = get(
        &app,
        "/api/v1/search?q=kieli",
        Some("fi-FI, en;q=0.8, de;q=0.5"),
    )
    .await;
    assert_eq!(name(&v), "Kieli City Library");
    // `locale` wins over the header.
    let (_, v) = get(&app, "/api/v1/search?q=kieli&locale=de", Some("en")).await;
    assert_eq!(name(&v), "Stadtbücherei Kieli");
    // Suggestions alike.
    let (_, v) = get(&app, "/api/v1/search/suggest?q=kiel", Some("en")).await;
    assert!(v.to_string().contains("Kieli City Library"), "{v}");
    let (_, v) = get(&app, "/api/v1/search/suggest?q=kiel", Some("de")).await;
    assert!(v.to_string().contains("Stadtbücherei Kieli"), "{v}");
}
on_both!(search_and_suggest_follow_accept_language);
