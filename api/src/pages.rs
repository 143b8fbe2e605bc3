//! Server-rendered pages: the template environment, the interface language and the
//! home page. Capabilities render their own pages (see `listings::pages`).

use minijinja::{context, Environment};
use poem::http::StatusCode;
use poem::web::{Data, Html};
use poem::{handler, IntoResponse, Request, Response};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::config::Locale;
use crate::state::AppState;
use entities::{category, listing};

/// The embedded templates of `frontend/templates`.
pub fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in [
        (
            "base.html",
            include_str!("../../frontend/templates/base.html"),
        ),
        (
            "home.html",
            include_str!("../../frontend/templates/home.html"),
        ),
        (
            "listing.html",
            include_str!("../../frontend/templates/listing.html"),
        ),
        (
            "not_found.html",
            include_str!("../../frontend/templates/not_found.html"),
        ),
    ] {
        env.add_template(name, source)
            .expect("embedded templates parse");
    }
    env
}

/// The embedded stylesheet.
pub const SITE_CSS: &str = include_str!("../../frontend/static/site.css");

#[handler]
pub fn site_css() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header("Cache-Control", "public, max-age=3600")
        .body(SITE_CSS)
}

/// The interface language: `?lang=`, then the `lang` cookie, then `Accept-Language`,
/// then `DEFAULT_LOCALE`.
pub fn locale(req: &Request, default: Locale) -> Locale {
    if let Some(l) = req
        .uri()
        .query()
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang"))
        .and_then(|(_, v)| v.parse().ok())
    {
        return l;
    }
    if let Some(l) = crate::auth::cookie(req, "lang").and_then(|c| c.parse().ok()) {
        return l;
    }
    if let Some(header) = req
        .headers()
        .get("accept-language")
        .and_then(|h| h.to_str().ok())
    {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Ok(l) = primary.parse::<Locale>() {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, l));
                }
            }
        }
        if let Some((_, l)) = best {
            return l;
        }
    }
    default
}

/// Interface strings of one language.
pub fn strings(l: Locale) -> serde_json::Value {
    match l {
        Locale::De => serde_json::json!({
            "skip": "Zum Inhalt springen",
            "language": "Sprache",
            "footer_api": "Offene Schnittstelle für Dritte:",
            "osm_attribution": "Kartendaten © OpenStreetMap-Mitwirkende (ODbL)",
            "home_lead": "Alles Lokale an einem Ort: Geschäfte, Vereine, Ärztinnen und Ärzte und die Dienstleistungen der Stadt.",
            "businesses": "Geschäfte und Einrichtungen",
            "city_services": "Dienstleistungen der Stadt",
            "categories": "Kategorien",
            "recent_businesses": "Einträge",
            "about_service": "Über diese Dienstleistung",
            "eligibility": "Wer kann das beantragen?",
            "what_to_bring": "Was Sie mitbringen",
            "fees": "Gebühren",
            "processing_time": "Bearbeitungszeit",
            "channels": "Wege",
            "apply_online": "Online beantragen",
            "opening_hours": "Öffnungszeiten",
            "no_hours": "Keine Öffnungszeiten bekannt.",
            "address_contact": "Adresse und Kontakt",
            "phone": "Telefon",
            "email": "E-Mail",
            "wheelchair": "Rollstuhlgerecht",
            "not_found": "Seite nicht gefunden",
            "back_home": "Zur Startseite",
            "open_until": "Jetzt geöffnet bis",
            "opens_at": "Geschlossen – öffnet",
            "closed": "Geschlossen",
            "closed_day": "geschlossen",
            "yes": "ja", "limited": "eingeschränkt", "no": "nein",
            "days": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
            "channel": {"in_person": "Vor Ort", "online": "Online", "post": "Per Post", "phone": "Telefon", "email": "E-Mail"}
        }),
        Locale::En => serde_json::json!({
            "skip": "Skip to content",
            "language": "Language",
            "footer_api": "Open API for third parties:",
            "osm_attribution": "Map data © OpenStreetMap contributors (ODbL)",
            "home_lead": "Everything local in one place: shops, clubs, doctors and the city's own services.",
            "businesses": "businesses and places",
            "city_services": "City services",
            "categories": "categories",
            "recent_businesses": "Listings",
            "about_service": "About this service",
            "eligibility": "Who may apply?",
            "what_to_bring": "What to bring",
            "fees": "Fees",
            "processing_time": "Processing time",
            "channels": "How to apply",
            "apply_online": "Apply online",
            "opening_hours": "Opening hours",
            "no_hours": "No opening hours known.",
            "address_contact": "Address and contact",
            "phone": "Phone",
            "email": "Email",
            "wheelchair": "Wheelchair accessible",
            "not_found": "Page not found",
            "back_home": "Back to the home page",
            "open_until": "Open now until",
            "opens_at": "Closed – opens",
            "closed": "Closed",
            "closed_day": "closed",
            "yes": "yes", "limited": "limited", "no": "no",
            "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            "channel": {"in_person": "In person", "online": "Online", "post": "By post", "phone": "By phone", "email": "By email"}
        }),
    }
}

/// Renders a template into an HTML response, remembering an explicit `?lang=` choice.
pub fn render(
    state: &AppState,
    req: &Request,
    name: &str,
    status: StatusCode,
    ctx: minijinja::Value,
) -> Response {
    let l = locale(req, state.config.default_locale);
    let full = context! {
        locale => l.as_str(),
        city_name => state.city.name.clone(),
        t => strings(l),
        ..ctx
    };
    let html = match state
        .templates
        .get_template(name)
        .and_then(|t| t.render(full))
    {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, template = name, "template failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>Error</h1>")).into_response();
        }
    };
    let mut resp = Html(html).with_status(status).into_response();
    let explicit = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.starts_with("lang=")));
    if explicit {
        if let Ok(v) = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            l.as_str()
        )
        .parse()
        {
            resp.headers_mut().append(poem::http::header::SET_COOKIE, v);
        }
    }
    resp.headers_mut().insert(
        "Content-Security-Policy",
        poem::http::HeaderValue::from_static("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"),
    );
    resp
}

#[handler]
pub async fn home(state: Data<&AppState>, req: &Request) -> Response {
    let l = locale(req, state.config.default_locale).as_str();
    let published = || {
        listing::Entity::find()
            .filter(listing::Column::CityId.eq(state.city.id))
            .filter(listing::Column::Status.eq("published"))
    };
    let business_count = published()
        .filter(listing::Column::Kind.eq("business"))
        .count(&state.db)
        .await
        .unwrap_or(0);
    let service_count = published()
        .filter(listing::Column::Kind.eq("municipal_service"))
        .count(&state.db)
        .await
        .unwrap_or(0);
    let category_count = category::Entity::find().count(&state.db).await.unwrap_or(0);
    let name_col = if l == "en" {
        listing::Column::NameEn
    } else {
        listing::Column::NameDe
    };
    let services = published()
        .filter(listing::Column::Kind.eq("municipal_service"))
        .order_by_asc(name_col)
        .limit(40)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let businesses = published()
        .filter(listing::Column::Kind.eq("business"))
        .order_by_desc(listing::Column::UpdatedAt)
        .limit(24)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let item = |m: &listing::Model| {
        let name = crate::listings::model::LocalizedText {
            de: m.name_de.clone(),
            en: m.name_en.clone(),
        };
        context! { slug => m.slug.clone(), name => name.get(l).to_string() }
    };
    render(
        &state,
        req,
        "home.html",
        StatusCode::OK,
        context! {
            business_count, service_count, category_count,
            services => services.iter().map(item).collect::<Vec<_>>(),
            businesses => businesses.iter().map(item).collect::<Vec<_>>(),
        },
    )
}

/// The HTML 404 page.
pub fn not_found(state: &AppState, req: &Request) -> Response {
    render(
        state,
        req,
        "not_found.html",
        StatusCode::NOT_FOUND,
        context! {},
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_the_language() {
        let req = |uri: &str, al: Option<&str>| {
            let mut b = Request::builder().uri(uri.parse().unwrap());
            if let Some(al) = al {
                b = b.header("accept-language", al);
            }
            b.finish()
        };
        assert_eq!(
            locale(&req("/?lang=en", Some("de")), Locale::De),
            Locale::En
        );
        assert_eq!(
            locale(&req("/", Some("fr-FR, en;q=0.8, de;q=0.5")), Locale::De),
            Locale::En
        );
        assert_eq!(locale(&req("/", Some("fr")), Locale::De), Locale::De);
        assert_eq!(locale(&req("/", None), Locale::En), Locale::En);
    }

    #[test]
    fn templates_escape_output() {
        let env = templates();
        let html = env
            .get_template("not_found.html")
            .unwrap()
            .render(context! { city_name => "<script>x</script>", locale => "en", t => strings(Locale::En) })
            .unwrap();
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>x"));
    }
}
