//! The trust pages: the privacy page says what this installation's configuration and
//! data make true (mail server or none, partner booking systems or none, the periods
//! configured) and never a secret or a variable's name; the imprint and the
//! accessibility statement from the operator's configuration; every page's description,
//! language alternates and canonical address, the sitemap with both languages; the
//! favicon; and `/docs` without inline script under the pages' CSP.

use api::core::i18n::I18n;
use api::core::locale::Locale;
use fluent_bundle::FluentArgs;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::{on_both, on_both_with};

/// A message of the portal in `lang`, with text arguments: the sentence a page must say.
fn say(lang: &str, key: &str, args: &[(&str, &str)]) -> String {
    let l: Locale = lang.parse().unwrap();
    let mut a = FluentArgs::new();
    for (k, v) in args {
        a.set(k.to_string(), v.to_string());
    }
    I18n::embedded().t(l, key, (!args.is_empty()).then_some(&a))
}

/// The text of a page: tags out, entities decoded, white space collapsed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = client().get(app.url(path)).send().await.unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

/// What no public page may show: configuration variables, and the secrets given.
const NEVER: &[&str] = &[
    "MAP_TILE_URL",
    "SMTP_URL",
    "SMTP_FROM",
    "MEILI_URL",
    "MEILI_API_KEY",
    "REDIS_URL",
    "DATABASE_URL",
    "BOOKING_HOLD_SECONDS",
    "OUTBOX_RETENTION_DAYS",
    "hunter2",
    "secret-host",
    "meili-secret-key",
    "s3cret-of-the-portal",
];

fn assert_no_secrets(html: &str) {
    for w in NEVER {
        assert!(!html.contains(w), "the page shows {w}");
    }
}

/// A published listing of a new business with a booking system connected (a sandbox
/// partner), and the offer that books through it, in `status`.
async fn partner_offer(app: &TestApp, status: &str) -> (partner_sandbox::Sandbox, String) {
    let sandbox = partner_sandbox::spawn(partner_sandbox::SandboxConfig::with_client(
        "city-portal",
        "s3cret-of-the-portal",
    ))
    .await
    .expect("sandbox starts");
    let (owner, org) = app.business_owner("Sporthalle").await;
    let (listing, _) = app.create_listing(&owner, org, "Sporthalle").await;
    let listing = listing["id"].as_str().unwrap().to_string();
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/organizations/{org}/partner-connections")))
        .json(&json!({
            "name": "Hallenkalender",
            "base_url": sandbox.base_url(),
            "client_id": "city-portal",
            "client_secret": "s3cret-of-the-portal",
            "webhook_secret": sandbox.webhook_secret(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let connection: Value = resp.json().await.unwrap();
    // A connection without offers books nothing: the page does not name it yet.
    let (_, html) = page(app, "/privacy?lang=en").await;
    assert!(!html.contains("Hallenkalender"), "no offer yet");
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .json(&json!({
            "kind": "class",
            "name": {"en": "Yoga"},
            "status": status,
            "partner": {"connection_id": connection["id"], "offer_ref": "sandbox-gym.yoga"},
        }))
        .send()
        .await
        .unwrap();
    let s = resp.status();
    assert_eq!(s, StatusCode::CREATED, "{}", resp.text().await.unwrap());
    (sandbox, "Sporthalle GmbH".to_string())
}

/// The embedded defaults (no mail server, sessions in memory, search in the database)
/// and no booking system: the page says so, in both languages; a booking system with a
/// draft offer only is not named; one with an active offer is.
async fn privacy_page_follows_a_bare_configuration(app: TestApp) {
    for lang in ["de", "en"] {
        let (status, html) = page(&app, &format!("/privacy?lang={lang}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_no_secrets(&html);
        let t = text(&html);
        for sentence in [
            say(lang, "privacy-mail-none", &[]),
            say(lang, "privacy-booking-partners-none", &[]),
            say(lang, "privacy-search-db", &[]),
            say(
                lang,
                "privacy-session-memory",
                &[("ttl", if lang == "de" { "14 Tage" } else { "14 days" })],
            ),
            say(
                lang,
                "privacy-booking-hold",
                &[(
                    "hold",
                    if lang == "de" {
                        "5 Minuten"
                    } else {
                        "5 minutes"
                    },
                )],
            ),
            say(
                lang,
                "privacy-booking-waitlist",
                &[("claim", if lang == "de" { "1 Stunde" } else { "1 hour" })],
            ),
            say(
                lang,
                "privacy-booking-idempotency",
                &[(
                    "keep",
                    if lang == "de" {
                        "24 Stunden"
                    } else {
                        "24 hours"
                    },
                )],
            ),
            say(
                lang,
                "privacy-login-limit",
                &[(
                    "window",
                    if lang == "de" {
                        "15 Minuten"
                    } else {
                        "15 minutes"
                    },
                )],
            ),
            say(
                lang,
                "privacy-events-retention",
                &[("days", if lang == "de" { "30 Tage" } else { "30 days" })],
            ),
            say(
                lang,
                "privacy-map-text",
                &[("host", "tile.openstreetmap.org")],
            ),
            say(lang, "privacy-rights-delete", &[]),
        ] {
            assert!(t.contains(&sentence), "{lang}: «{sentence}» in {t}");
        }
        for absent in [
            say(
                lang,
                "privacy-mail-smtp",
                &[("reminder", "x"), ("from", "x")],
            ),
            say(lang, "privacy-booking-partners", &[]),
            say(lang, "privacy-search-meili", &[]),
        ] {
            let start: String = absent.chars().take(40).collect();
            assert!(!t.contains(&start), "{lang}: «{start}» in {t}");
        }
        assert!(html.contains("href=\"/account\"") && html.contains("href=\"/impressum\""));
    }

    // A booking system whose only offer is a draft books nothing.
    let (_draft_sandbox, _) = partner_offer(&app, "draft").await;
    let (_, html) = page(&app, "/privacy?lang=en").await;
    assert!(
        !html.contains("Hallenkalender"),
        "a draft offer books nothing"
    );
    assert!(text(&html).contains(&say("en", "privacy-booking-partners-none", &[])));

    // One with an active offer is named, with its business, and "none" is gone.
    let (_sandbox, org) = partner_offer(&app, "active").await;
    for lang in ["de", "en"] {
        let (_, html) = page(&app, &format!("/privacy?lang={lang}")).await;
        assert_no_secrets(&html);
        let t = text(&html);
        assert!(
            t.contains(&say(lang, "privacy-booking-partners", &[])),
            "{t}"
        );
        let named = say(
            lang,
            "privacy-booking-partner",
            &[("connection", "Hallenkalender"), ("organization", &org)],
        );
        assert!(t.contains(&named), "{lang}: «{named}» in {t}");
        assert!(!t.contains(&say(lang, "privacy-booking-partners-none", &[])));
    }
}
on_both!(privacy_page_follows_a_bare_configuration);

/// A mail server with a password, Meilisearch with a key, another tile server and other
/// periods: the page names each in words, with the periods configured, and shows no
/// secret, no host of the mail or search server and no variable.
async fn privacy_page_follows_a_full_configuration(app: TestApp) {
    for lang in ["de", "en"] {
        let (status, html) = page(&app, &format!("/privacy?lang={lang}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_no_secrets(&html);
        assert!(!html.contains("mailer") && !html.contains("127.0.0.1:9"));
        let t = text(&html);
        let de = lang == "de";
        for sentence in [
            say(
                lang,
                "privacy-mail-smtp",
                &[
                    ("reminder", if de { "3 Stunden" } else { "3 hours" }),
                    ("from", "post@stadt-test.example"),
                ],
            ),
            say(lang, "privacy-search-meili", &[]),
            say(
                lang,
                "privacy-booking-hold",
                &[("hold", if de { "90 Sekunden" } else { "90 seconds" })],
            ),
            say(
                lang,
                "privacy-booking-waitlist",
                &[("claim", if de { "2 Stunden" } else { "2 hours" })],
            ),
            say(lang, "privacy-events-kept", &[]),
            say(
                lang,
                "privacy-map-text",
                &[("host", "tiles.stadt-test.example")],
            ),
            say(
                lang,
                "privacy-intro",
                &[("operator", "Stadt Testhausen"), ("city", "Testhausen")],
            ),
            say(
                lang,
                "privacy-rights-ask",
                &[("email", "datenschutz@stadt-test.example")],
            ),
        ] {
            assert!(t.contains(&sentence), "{lang}: «{sentence}» in {t}");
        }
        let none: String = say(lang, "privacy-mail-none", &[])
            .chars()
            .take(40)
            .collect();
        assert!(!t.contains(&none), "{t}");
        assert!(!t.contains("tile.openstreetmap.org"));
    }
}
on_both_with!(
    privacy_page_follows_a_full_configuration,
    vec![
        (
            "SMTP_URL",
            "smtps://mailer:hunter2@mail.secret-host.example".into()
        ),
        (
            "SMTP_FROM",
            "Stadt Testhausen <post@stadt-test.example>".into()
        ),
        ("MEILI_URL", "http://127.0.0.1:9".into()),
        ("MEILI_API_KEY", "meili-secret-key".into()),
        ("SEARCH_INDEXER", "external".into()),
        ("NOTIFIER", "external".into()),
        ("BOOKING_HOLD_SECONDS", "90".into()),
        ("WAITLIST_CLAIM_MINUTES", "120".into()),
        ("REMINDER_HOURS", "3".into()),
        ("OUTBOX_RETENTION_DAYS", "0".into()),
        (
            "MAP_TILE_URL",
            "https://tiles.stadt-test.example/{z}/{x}/{y}.png".into()
        ),
        ("OPERATOR_NAME", "Stadt Testhausen".into()),
        ("OPERATOR_EMAIL", "datenschutz@stadt-test.example".into()),
    ]
);

/// The imprint and the accessibility statement show the operator from the
/// configuration; without one, demo values that say so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imprint_and_accessibility_statement_name_the_operator() {
    let demo = spawn(Backend::Sqlite).await.unwrap();
    for lang in ["de", "en"] {
        let (status, html) = page(&demo, &format!("/impressum?lang={lang}")).await;
        assert_eq!(status, StatusCode::OK);
        let t = text(&html);
        assert!(t.contains(&say(lang, "impressum-demo", &[])), "{t}");
        assert!(t.contains("demo data"), "{t}");
        assert!(t.contains(&say(lang, "impressum-intro", &[])));
    }
    let app = spawn_with(
        Backend::Sqlite,
        Opts {
            public_url: Some("https://portal.stadt-test.example".into()),
            env: vec![
                ("OPERATOR_NAME", "Stadt Testhausen".into()),
                (
                    "OPERATOR_ADDRESS",
                    "Rathausplatz 1; 12345 Testhausen".into(),
                ),
                ("OPERATOR_EMAIL", "post@stadt-test.example".into()),
                ("OPERATOR_PHONE", "+49 123 456789".into()),
                (
                    "OPERATOR_REPRESENTATIVE",
                    "Erika Beispiel, Bürgermeisterin".into(),
                ),
                ("OPERATOR_VAT_ID", "DE123456789".into()),
                (
                    "ACCESSIBILITY_CONTACT_EMAIL",
                    "barrierefrei@stadt-test.example".into(),
                ),
            ],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for lang in ["de", "en"] {
        let (status, html) = page(&app, &format!("/impressum?lang={lang}")).await;
        assert_eq!(status, StatusCode::OK);
        let t = text(&html);
        for part in [
            "Stadt Testhausen",
            "Rathausplatz 1",
            "12345 Testhausen",
            "+49 123 456789",
            "Erika Beispiel, Bürgermeisterin",
            "DE123456789",
            "post@stadt-test.example",
        ] {
            assert!(t.contains(part), "{lang}: {part} in {t}");
        }
        assert!(!t.contains("demo"), "{t}");
        assert!(html.contains("href=\"mailto:post@stadt-test.example\""));
        assert!(html.contains("<address>"));

        let (status, html) = page(&app, &format!("/accessibility?lang={lang}")).await;
        assert_eq!(status, StatusCode::OK);
        let t = text(&html);
        for sentence in [
            say(lang, "a11y-status-text", &[]),
            say(lang, "a11y-gap-map", &[]),
            say(lang, "a11y-method-text", &[]),
            say(lang, "a11y-enforcement-text", &[]),
            say(
                lang,
                "a11y-intro",
                &[
                    ("operator", "Stadt Testhausen"),
                    ("url", "https://portal.stadt-test.example"),
                ],
            ),
        ] {
            assert!(t.contains(&sentence), "{lang}: «{sentence}» in {t}");
        }
        assert!(t.contains(if lang == "de" {
            "06.12.2026"
        } else {
            "6 Dec 2026"
        }));
        assert!(html.contains("href=\"mailto:barrierefrei@stadt-test.example\""));
        assert!(html.contains("href=\"https://www.schlichtungsstelle-bgg.de\""));
    }
}

/// Every page: a description of its own in its language, the icon, the footer's trust
/// links, its address in each language and without one, its canonical address; the
/// sitemap lists every page in both languages with its alternates.
async fn pages_describe_themselves_and_link_their_languages(app: TestApp) {
    let (owner, org) = app.business_owner("Bäckerei").await;
    let (listing, _) = app.create_listing(&owner, org, "Bäckerei Korn").await;
    let (id, slug) = (
        listing["id"].as_str().unwrap().to_string(),
        listing["slug"].as_str().unwrap().to_string(),
    );
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let base = "https://portal.stadt-test.example";
    let listing_path = format!("/listings/{slug}");
    for (path, query) in [
        ("/", ""),
        ("/privacy", ""),
        ("/impressum", ""),
        ("/accessibility", ""),
        ("/login", ""),
        ("/register", ""),
        ("/search", "q=b%C3%A4cker&kind=business"),
        (listing_path.as_str(), ""),
        ("/no-such-page", ""),
    ] {
        for lang in ["de", "en"] {
            let sep = if query.is_empty() { "" } else { "&" };
            let url = format!("{path}?{query}{sep}lang={lang}");
            let r = client()
                .get(app.url(&url))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success() || r.status() == StatusCode::NOT_FOUND);
            let html = r.text().await.unwrap();
            let other = if lang == "de" { "en" } else { "de" };
            let q = if query.is_empty() {
                String::new()
            } else {
                format!("{query}&")
            };
            let default = if query.is_empty() {
                format!("{base}{path}")
            } else {
                format!("{base}{path}?{}", query.replace('&', "&amp;"))
            };
            let q = q.replace('&', "&amp;");
            for link in [
                format!("<link rel=\"canonical\" href=\"{base}{path}?{q}lang={lang}\">"),
                format!(
                    "<link rel=\"alternate\" hreflang=\"{lang}\" href=\"{base}{path}?{q}lang={lang}\">"
                ),
                format!(
                    "<link rel=\"alternate\" hreflang=\"{other}\" href=\"{base}{path}?{q}lang={other}\">"
                ),
                format!("<link rel=\"alternate\" hreflang=\"x-default\" href=\"{default}\">"),
                "<link rel=\"icon\" href=\"/static/favicon.".to_string(),
                "href=\"/impressum\"".to_string(),
                "href=\"/accessibility\"".to_string(),
                "href=\"/privacy\"".to_string(),
            ] {
                assert!(html.contains(&link), "{url}: {link} in {html}");
            }
            let description = html
                .split("<meta name=\"description\" content=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| panic!("{url}: no description"));
            assert!(description.len() > 20, "{url}: {description}");
            let expected = match path {
                "/" => say(lang, "meta-home", &[("city", "Testhausen")]),
                "/privacy" => say(lang, "meta-privacy", &[("city", "Testhausen")]),
                "/search" => say(
                    lang,
                    "meta-search-for",
                    &[("q", "bäcker"), ("city", "Testhausen")],
                ),
                "/no-such-page" => say(lang, "meta-not_found", &[("city", "Testhausen")]),
                p if p == listing_path => business_body(org, "x")["description"][lang]
                    .as_str()
                    .map(|d| d.chars().take(60).collect())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            assert!(
                text(description).contains(expected.as_str()),
                "{url}: «{expected}» in «{description}»"
            );
        }
    }
    // Each language's address shows that language, whatever the browser asks for.
    for lang in ["de", "en"] {
        let r = client()
            .get(app.url(&format!("/privacy?lang={lang}")))
            .header("accept-language", if lang == "de" { "en" } else { "de" })
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-language"], lang);
    }

    let (status, xml) = page(&app, "/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(xml.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    for path in [
        "/",
        "/privacy",
        "/impressum",
        "/accessibility",
        &listing_path,
    ] {
        for lang in ["de", "en"] {
            assert!(
                xml.contains(&format!("<loc>{base}{path}?lang={lang}</loc>")),
                "{path} {lang}: {xml}"
            );
            assert!(xml.contains(&format!(
                "<xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{base}{path}?lang={lang}\"/>"
            )));
        }
        assert!(xml.contains(&format!(
            "<xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{base}{path}\"/>"
        )));
    }
}
on_both_with!(
    pages_describe_themselves_and_link_their_languages,
    vec![("PUBLIC_URL", "https://portal.stadt-test.example".into())]
);

/// `/favicon.ico` is an icon, `/favicon.svg` the pages' icon.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_favicon_answers() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let c = client();
    let r = c.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/x-icon");
    let body = r.bytes().await.unwrap();
    assert_eq!(&body[..6], &[0, 0, 1, 0, 1, 0]);
    let r = c.get(app.url("/favicon.svg")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(r.text().await.unwrap().starts_with("<svg"));
}

/// `/docs` has no inline script or style: each script and stylesheet is a file of this
/// server, which the page's CSP (the pages' own, script-src 'self') allows; they load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_docs_need_no_inline_script() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let c = client();
    let r = c.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let directive = |name: &str| -> Vec<String> {
        csp.split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {csp}"))
            .split_whitespace()
            .map(String::from)
            .collect()
    };
    assert_eq!(directive("script-src"), ["'self'"], "{csp}");
    assert_eq!(directive("style-src"), ["'self'"], "{csp}");
    assert!(directive("connect-src").contains(&"'self'".to_string()));
    let html = r.text().await.unwrap();
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(
        !html.contains("<style") && !html.contains(" style="),
        "{html}"
    );
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(scripts.len() >= 2, "{html}");
    let mut files: Vec<String> = Vec::new();
    for s in scripts {
        let tag = s.split('>').next().unwrap();
        let src = tag
            .split("src=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .unwrap_or_else(|| panic!("an inline script: <script{tag}>"));
        assert!(
            src.starts_with('/') && !src.starts_with("//"),
            "same origin: {src}"
        );
        // Nothing between the tags.
        assert!(s.split_once('>').unwrap().1.starts_with("</script>"), "{s}");
        files.push(src.to_string());
    }
    for l in html.split("<link rel=\"stylesheet\" href=\"").skip(1) {
        files.push(l.split('"').next().unwrap().to_string());
    }
    assert!(files.iter().any(|f| f.contains("swagger-ui-bundle.")));
    assert!(files
        .iter()
        .any(|f| f.contains("swagger-ui.") && f.ends_with(".css")));
    for f in files {
        let r = c.get(app.url(&f)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{f}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            ct.starts_with("text/javascript") || ct.starts_with("text/css"),
            "{f}: {ct}"
        );
        assert!(r.bytes().await.unwrap().len() > 100, "{f}");
    }
    // The page's start-up loads the published document, which answers on this origin.
    let r = c.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Other pages keep the same policy.
    let r = c.get(app.url("/privacy")).send().await.unwrap();
    assert_eq!(
        r.headers()["content-security-policy"].to_str().unwrap(),
        csp
    );
}
