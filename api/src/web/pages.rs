//! Server-rendered pages: templates (embedded, overridable from `THEME_DIR`), the
//! interface language, static assets with fingerprinted names, CSRF protection of
//! forms, and the pages that belong to no single capability (home, privacy, 404).

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::value::Kwargs;
use minijinja::{context, Environment, State};
use poem::http::{header, HeaderValue, StatusCode};
use poem::web::{Data, Html, Path, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::core::error::ErrorCode;
use crate::core::i18n::{self, I18n};
use crate::core::identity::AuthUser;
use crate::core::locale::Locale;
use crate::web::assets::Assets;
use crate::web::auth;
use crate::web::state::AppState;
use entities::{category, listing};

/// The embedded templates of `frontend/templates`.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../../frontend/templates/base.html"),
    ),
    (
        "macros.html",
        include_str!("../../../frontend/templates/macros.html"),
    ),
    (
        "home.html",
        include_str!("../../../frontend/templates/home.html"),
    ),
    (
        "search.html",
        include_str!("../../../frontend/templates/search.html"),
    ),
    (
        "listing.html",
        include_str!("../../../frontend/templates/listing.html"),
    ),
    (
        "privacy.html",
        include_str!("../../../frontend/templates/privacy.html"),
    ),
    (
        "impressum.html",
        include_str!("../../../frontend/templates/impressum.html"),
    ),
    (
        "accessibility.html",
        include_str!("../../../frontend/templates/accessibility.html"),
    ),
    (
        "docs.html",
        include_str!("../../../frontend/templates/docs.html"),
    ),
    (
        "login.html",
        include_str!("../../../frontend/templates/login.html"),
    ),
    (
        "register.html",
        include_str!("../../../frontend/templates/register.html"),
    ),
    (
        "account.html",
        include_str!("../../../frontend/templates/account.html"),
    ),
    (
        "oidc_error.html",
        include_str!("../../../frontend/templates/oidc_error.html"),
    ),
    (
        "oidc_confirm.html",
        include_str!("../../../frontend/templates/oidc_confirm.html"),
    ),
    (
        "oidc_link.html",
        include_str!("../../../frontend/templates/oidc_link.html"),
    ),
    (
        "account_apps.html",
        include_str!("../../../frontend/templates/account_apps.html"),
    ),
    (
        "admin_oauth_clients.html",
        include_str!("../../../frontend/templates/admin_oauth_clients.html"),
    ),
    (
        "report_form.html",
        include_str!("../../../frontend/templates/report_form.html"),
    ),
    (
        "my_reports.html",
        include_str!("../../../frontend/templates/my_reports.html"),
    ),
    (
        "reports.html",
        include_str!("../../../frontend/templates/reports.html"),
    ),
    (
        "admin_open311_keys.html",
        include_str!("../../../frontend/templates/admin_open311_keys.html"),
    ),
    (
        "admin_modules.html",
        include_str!("../../../frontend/templates/admin_modules.html"),
    ),
    (
        "admin_module.html",
        include_str!("../../../frontend/templates/admin_module.html"),
    ),
    (
        "module_review.html",
        include_str!("../../../frontend/templates/module_review.html"),
    ),
    (
        "modules.html",
        include_str!("../../../frontend/templates/modules.html"),
    ),
    (
        "oauth_consent.html",
        include_str!("../../../frontend/templates/oauth_consent.html"),
    ),
    (
        "account_link.html",
        include_str!("../../../frontend/templates/account_link.html"),
    ),
    (
        "password_reset.html",
        include_str!("../../../frontend/templates/password_reset.html"),
    ),
    (
        "password_reset_confirm.html",
        include_str!("../../../frontend/templates/password_reset_confirm.html"),
    ),
    (
        "not_found.html",
        include_str!("../../../frontend/templates/not_found.html"),
    ),
    (
        "message.html",
        include_str!("../../../frontend/templates/message.html"),
    ),
    (
        "manage.html",
        include_str!("../../../frontend/templates/manage.html"),
    ),
    (
        "listing_form.html",
        include_str!("../../../frontend/templates/listing_form.html"),
    ),
    (
        "admin.html",
        include_str!("../../../frontend/templates/admin.html"),
    ),
    (
        "admin_organizations.html",
        include_str!("../../../frontend/templates/admin_organizations.html"),
    ),
    (
        "pagination.html",
        include_str!("../../../frontend/templates/pagination.html"),
    ),
    (
        "listing_review.html",
        include_str!("../../../frontend/templates/listing_review.html"),
    ),
    (
        "booking_offers.html",
        include_str!("../../../frontend/templates/booking_offers.html"),
    ),
    (
        "booking_pick.html",
        include_str!("../../../frontend/templates/booking_pick.html"),
    ),
    (
        "booking.html",
        include_str!("../../../frontend/templates/booking.html"),
    ),
    (
        "booking_cancel.html",
        include_str!("../../../frontend/templates/booking_cancel.html"),
    ),
    (
        "my_bookings.html",
        include_str!("../../../frontend/templates/my_bookings.html"),
    ),
    (
        "offers_manage.html",
        include_str!("../../../frontend/templates/offers_manage.html"),
    ),
    (
        "offer_form.html",
        include_str!("../../../frontend/templates/offer_form.html"),
    ),
    (
        "offer_bookings.html",
        include_str!("../../../frontend/templates/offer_bookings.html"),
    ),
    (
        "partner_fields.html",
        include_str!("../../../frontend/templates/partner_fields.html"),
    ),
    (
        "partner_connections_section.html",
        include_str!("../../../frontend/templates/partner_connections_section.html"),
    ),
    (
        "partner_connections.html",
        include_str!("../../../frontend/templates/partner_connections.html"),
    ),
    (
        "partner_connection.html",
        include_str!("../../../frontend/templates/partner_connection.html"),
    ),
    (
        "application_form.html",
        include_str!("../../../frontend/templates/application_form.html"),
    ),
    (
        "application_apply.html",
        include_str!("../../../frontend/templates/application_apply.html"),
    ),
    (
        "application_who.html",
        include_str!("../../../frontend/templates/application_who.html"),
    ),
    (
        "application_review.html",
        include_str!("../../../frontend/templates/application_review.html"),
    ),
    (
        "my_applications.html",
        include_str!("../../../frontend/templates/my_applications.html"),
    ),
    (
        "application.html",
        include_str!("../../../frontend/templates/application.html"),
    ),
    (
        "application_withdraw.html",
        include_str!("../../../frontend/templates/application_withdraw.html"),
    ),
];

/// `s` with &, <, >, " and ' escaped: safe as HTML text and attribute values, and as
/// XML character data.
pub fn escape_html(s: &str) -> String {
    let mut escaped = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Serves a fingerprinted file for a year; its name changes whenever its content does.
#[handler]
pub fn static_file(state: Data<&AppState>, Path(name): Path<String>) -> Response {
    match state.assets.get(&name) {
        Some(a) => Response::builder()
            .content_type(a.content_type)
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .body(a.body.clone()),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The stylesheet of the city's own colours, from configuration.
#[handler]
pub fn theme_css(state: Data<&AppState>) -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .body(format!(
            ":root {{ --accent: {}; }}\n",
            state.config.theme.primary_color
        ))
}

/// The template environment: embedded templates, overridden per file from
/// `THEME_DIR/templates`, with `t()` for translations and `asset()` for static URLs.
pub fn templates(
    i18n: Arc<I18n>,
    assets: Arc<Assets>,
    theme_dir: Option<std::path::PathBuf>,
) -> Environment<'static> {
    let mut env = Environment::new();
    let embedded: HashMap<&'static str, &'static str> = TEMPLATES.iter().copied().collect();
    env.set_loader(move |name| {
        if let Some(dir) = &theme_dir {
            let path = dir.join("templates").join(name);
            if let Ok(source) = std::fs::read_to_string(&path) {
                return Ok(Some(source));
            }
        }
        Ok(embedded.get(name).map(|s| s.to_string()))
    });
    // HTML escaping of &, <, >, " and ' (minijinja also escapes "/", which is safe in
    // HTML but makes every URL in the markup unreadable).
    env.set_formatter(|out, state, value| {
        if state.auto_escape() == minijinja::AutoEscape::None || value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        if value.is_undefined() || value.is_none() {
            return Ok(());
        }
        out.write_str(&escape_html(&value.to_string()))
            .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write"))
    });
    env.add_function(
        "t",
        move |state: &State, key: &str, kwargs: Kwargs| -> Result<String, minijinja::Error> {
            let locale = state
                .lookup("locale")
                .and_then(|v| v.as_str().and_then(|s| s.parse::<Locale>().ok()))
                .unwrap_or(Locale::De);
            let pairs: Vec<(String, minijinja::Value)> = kwargs
                .args()
                .map(|k| {
                    (
                        k.to_string(),
                        kwargs.get::<minijinja::Value>(k).unwrap_or_default(),
                    )
                })
                .collect();
            let args = i18n::args_from(&pairs);
            Ok(i18n.t(locale, key, (!pairs.is_empty()).then_some(&args)))
        },
    );
    env.add_filter("excerpt", excerpt);
    // Asset URLs are built from fixed names and hex digests: nothing to escape.
    env.add_function("asset", move |name: &str| {
        minijinja::Value::from_safe_string(assets.url(name))
    });
    env
}

/// The start of a text, at most `max` characters, cut at a word and marked with "…"
/// when cut; white space runs become one space (for page descriptions).
pub fn excerpt(text: &str, max: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let whole = words.join(" ");
    if whole.chars().count() <= max {
        return whole;
    }
    let mut out = String::new();
    for w in words {
        let len = out.chars().count() + usize::from(!out.is_empty()) + w.chars().count();
        if len + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        out = whole.chars().take(max.saturating_sub(1)).collect();
    }
    out.push('…');
    out
}

/// The interface language: `?lang=`, then the `lang` cookie, then `Accept-Language`,
/// then `DEFAULT_LOCALE`.
pub fn locale(req: &Request, default: Locale) -> Locale {
    if let Some(l) = query_param(req, "lang").and_then(|v| v.parse().ok()) {
        return l;
    }
    if let Some(l) = auth::cookie(req, "lang").and_then(|c| c.parse().ok()) {
        return l;
    }
    accept_language(req).unwrap_or(default)
}

/// The language a request's `Accept-Language` prefers among the portal's, if any.
pub fn accept_language(req: &Request) -> Option<Locale> {
    req.headers()
        .get("accept-language")
        .and_then(|h| h.to_str().ok())
        .and_then(crate::core::locale::preferred)
}

/// One query parameter.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.uri()
        .query()
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name))
        .map(|(_, v)| v.into_owned())
}

/// The current URL with `lang` set to `l` (other parameters kept).
fn with_lang(req: &Request, l: Locale) -> String {
    lang_path(req, Some(l))
}

/// This request's path and query without `lang`, then with `lang=l` if given: the
/// address of this page in language `l`, or (`None`) in the language the visitor's
/// cookie or browser chooses.
fn lang_path(req: &Request, l: Option<Locale>) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    if let Some(q) = req.uri().query() {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            if k != "lang" {
                ser.append_pair(&k, &v);
            }
        }
    }
    if let Some(l) = l {
        ser.append_pair("lang", l.as_str());
    }
    let query = ser.finish();
    if query.is_empty() {
        req.uri().path().to_string()
    } else {
        format!("{}?{query}", req.uri().path())
    }
}

pub use crate::web::auth::CSRF_COOKIE;

/// What every page needs about the request: language, visitor, form token.
pub struct PageCtx {
    pub locale: Locale,
    pub user: Option<AuthUser>,
    /// The visitor has a session, but the session store does not answer (Redis away):
    /// public pages show as to anyone; pages of the visitor's own answer 503 (see
    /// `extract::sessions_away`), not the login form.
    pub sessions_unavailable: bool,
    /// The token of the page's forms, signed for this browser's form cookie and its
    /// session (see `core::secrets::FormKey`).
    pub csrf: String,
    /// The form cookie's value, and whether it is new (to be set with the page).
    csrf_cookie: String,
    csrf_is_new: bool,
}

impl PageCtx {
    pub async fn new(state: &AppState, req: &Request) -> PageCtx {
        let session = auth::session_id_from(req);
        let (user, sessions_unavailable) = match &session {
            Some(sid) => match auth::user_from_session(state, sid).await {
                Ok(user) => (user, false),
                Err(p) => (None, p.status == 503),
            },
            None => (None, false),
        };
        let (csrf_cookie, csrf_is_new) =
            match auth::cookie(req, CSRF_COOKIE).filter(|v| v.len() == 43) {
                Some(v) => (v, false),
                None => (crate::core::secrets::random_secret(), true),
            };
        PageCtx {
            locale: locale(req, state.config.city.default_locale),
            user,
            sessions_unavailable,
            csrf: state.form_key.token(&csrf_cookie, session.as_deref()),
            csrf_cookie,
            csrf_is_new,
        }
    }

    /// The message `key` in the page's language.
    pub fn t(&self, state: &AppState, key: &str) -> String {
        state.i18n.t(self.locale, key, None)
    }
}

/// The login page, coming back to `next` (a path of this site) afterwards.
pub fn to_login(next: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    Redirect::see_other(format!("/login?next={next}")).into_response()
}

/// This request's path with its query.
pub fn here(req: &Request) -> String {
    match req.uri().query() {
        Some(q) => format!("{}?{q}", req.uri().path()),
        None => req.uri().path().to_string(),
    }
}

/// Renders a template with the common context into an HTML response.
pub fn render(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    name: &str,
    status: StatusCode,
    ctx: minijinja::Value,
) -> Response {
    // Each language has its own address (`?lang=`), which always shows that language;
    // the address without it (x-default) lets the cookie or the browser choose.
    let base = state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/');
    let alternate = |l: Option<Locale>| format!("{base}{}", lang_path(req, l));
    let canonical = alternate(Some(pc.locale));
    let meta_key = format!("meta-{}", name.trim_end_matches(".html"));
    let mut meta_args = fluent_bundle::FluentArgs::new();
    meta_args.set("city", state.city.name.clone());
    let meta_description = state.i18n.t(
        pc.locale,
        if state.i18n.has(pc.locale, &meta_key) {
            &meta_key
        } else {
            "meta-default"
        },
        Some(&meta_args),
    );
    let full = context! {
        locale => pc.locale.as_str(),
        city_name => state.city.name.clone(),
        logo_url => state.config.theme.logo_url.clone(),
        user => pc.user.as_ref().map(|u| context! { name => u.display_name.clone(), staff => u.is_staff() }),
        csrf => pc.csrf.clone(),
        city_login_name => state.city_login.as_ref().map(|c| c.config.display_name.clone()),
        path => req.uri().path().to_string(),
        canonical => canonical,
        alternate_de => alternate(Some(Locale::De)),
        alternate_en => alternate(Some(Locale::En)),
        alternate_default => alternate(None),
        meta_description => meta_description,
        lang_de_url => with_lang(req, Locale::De),
        lang_en_url => with_lang(req, Locale::En),
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
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><title>Error</title><h1>Error</h1>"),
            )
                .into_response();
        }
    };
    let mut resp = Html(html).with_status(status).into_response();
    let headers = resp.headers_mut();
    if query_param(req, "lang").is_some() {
        if let Ok(v) = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            pc.locale.as_str()
        )
        .parse()
        {
            headers.append(header::SET_COOKIE, v);
        }
    }
    if pc.csrf_is_new {
        let secure = if state.config.server.secure_cookies() {
            "; Secure"
        } else {
            ""
        };
        if let Ok(v) = format!(
            "{}={}; Path=/; HttpOnly; SameSite=Strict{secure}",
            auth::cookie_name(state, CSRF_COOKIE),
            pc.csrf_cookie
        )
        .parse()
        {
            headers.append(header::SET_COOKIE, v);
        }
    }
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(pc.locale.as_str()),
    );
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// The Content-Security-Policy of every page: no inline or third-party scripts; map
/// tiles may come from the configured tile server.
///
/// With the city login, forms may also lead to its provider (`form_origin`): linking
/// the city account and logging out answer with a redirect there, and browsers apply
/// `form-action` to a form's redirects too.
pub fn content_security_policy(tile_origin: &str, form_origin: Option<&str>) -> String {
    let forms = match form_origin {
        Some(o) => format!("'self' {o}"),
        None => "'self'".to_string(),
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: {tile_origin}; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; form-action {forms}; frame-ancestors 'none'"
    )
}

/// Adds the CSP to HTML responses, and shows a browser that opened an address no route
/// serves the HTML 404 page instead of problem+json (API paths and other clients keep
/// problem+json).
pub async fn with_csp<E: poem::Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let csp = req.data::<AppState>().map(|s| s.csp.clone());
    // Only what the 404 page needs (language, session, path); no body.
    let page_req = wants_html_page(&req)
        .then(|| {
            req.data::<AppState>()
                .cloned()
                .map(|s| (s, headers_only(&req)))
        })
        .flatten();
    let mut resp = next.call(req).await?.into_response();
    if resp.data::<crate::core::problem::UnknownRoute>().is_some() {
        if let Some((state, page_req)) = &page_req {
            resp = not_found(state, page_req).await;
        }
    }
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if let (true, Some(csp)) = (is_html, csp) {
        if !resp.headers().contains_key("content-security-policy") {
            if let Ok(v) = HeaderValue::from_str(&csp) {
                resp.headers_mut().insert("content-security-policy", v);
            }
        }
    }
    Ok(resp)
}

/// Whether a request is a browser opening a page: it accepts HTML and is not for the API.
pub fn wants_html_page(req: &Request) -> bool {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return false;
    }
    req.headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            t.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/html"))
        })
}

/// A copy of a request's method, address and headers, without its body.
fn headers_only(req: &Request) -> Request {
    let mut copy = Request::builder()
        .method(req.method().clone())
        .uri(req.uri().clone())
        .version(req.version())
        .finish();
    *copy.headers_mut() = req.headers().clone();
    copy
}

#[handler]
pub async fn home(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let l = pc.locale;
    let published = || {
        listing::Entity::find()
            .filter(listing::Column::CityId.eq(state.city.id))
            .filter(listing::Column::Status.eq("published"))
    };
    let businesses = published()
        .filter(listing::Column::Kind.eq("business"))
        .count(&state.db)
        .await
        .unwrap_or(0);
    let services_count = published()
        .filter(listing::Column::Kind.eq("municipal_service"))
        .count(&state.db)
        .await
        .unwrap_or(0);
    let name_col = if l == Locale::En {
        listing::Column::NameEn
    } else {
        listing::Column::NameDe
    };
    let services = published()
        .filter(listing::Column::Kind.eq("municipal_service"))
        .order_by_asc(name_col)
        .limit(12)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let groups = category::Entity::find()
        .filter(category::Column::ParentKey.is_null())
        .order_by_asc(category::Column::Sort)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let item = |m: &listing::Model| {
        let name = if l == Locale::En && !m.name_en.is_empty() || m.name_de.is_empty() {
            &m.name_en
        } else {
            &m.name_de
        };
        context! { url => format!("/services/{}", m.slug), name => name.clone() }
    };
    render(
        &state,
        &pc,
        req,
        "home.html",
        StatusCode::OK,
        context! {
            // After erasing the account (`/?deleted=1`).
            deleted => query_param(req, "deleted").is_some_and(|v| v == "1"),
            stats_businesses => i18n::format_count(l, businesses),
            stats_services => i18n::format_count(l, services_count),
            services => services.iter().map(item).collect::<Vec<_>>(),
            categories => groups.iter().map(|c| context! {
                key => c.key.clone(),
                label => if l == Locale::En { c.label_en.clone() } else { c.label_de.clone() },
            }).collect::<Vec<_>>(),
        },
    )
}

/// The HTML 404 page.
pub async fn not_found(state: &AppState, req: &Request) -> Response {
    let pc = PageCtx::new(state, req).await;
    render(
        state,
        &pc,
        req,
        "not_found.html",
        StatusCode::NOT_FOUND,
        context! {},
    )
}

#[handler]
pub fn robots(state: Data<&AppState>) -> Response {
    let base = state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/');
    Response::builder()
        .content_type("text/plain; charset=utf-8")
        .body(format!(
            "User-agent: *\nDisallow: /account\nDisallow: /manage\nDisallow: /admin\nDisallow: /api/\nSitemap: {base}/sitemap.xml\n"
        ))
}

#[handler]
pub async fn sitemap(state: Data<&AppState>) -> Response {
    let base = state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_string();
    let rows: Vec<(String, String, chrono::DateTime<chrono::Utc>)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Slug)
        .column(listing::Column::Kind)
        .column(listing::Column::UpdatedAt)
        .filter(listing::Column::CityId.eq(state.city.id))
        .filter(listing::Column::Status.eq("published"))
        .order_by_asc(listing::Column::Slug)
        .into_tuple()
        .all(&state.db)
        .await
        .unwrap_or_default();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    // Each page in both languages (`?lang=`), each entry naming every version of it.
    // Paths are fixed or slugs ([a-z0-9-]): nothing to escape.
    let mut add = |path: &str, lastmod: Option<String>| {
        let lastmod = lastmod
            .map(|d| format!("<lastmod>{d}</lastmod>"))
            .unwrap_or_default();
        let mut links = String::new();
        for l in Locale::ALL {
            links.push_str(&format!(
                "<xhtml:link rel=\"alternate\" hreflang=\"{0}\" href=\"{base}{path}?lang={0}\"/>",
                l.as_str()
            ));
        }
        links.push_str(&format!(
            "<xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{base}{path}\"/>"
        ));
        for l in Locale::ALL {
            xml.push_str(&format!(
                "<url><loc>{base}{path}?lang={}</loc>{lastmod}{links}</url>\n",
                l.as_str()
            ));
        }
    };
    for path in ["/", "/search", "/privacy", "/impressum", "/accessibility"] {
        add(path, None);
    }
    for (slug, kind, updated) in rows {
        let prefix = if kind == "municipal_service" {
            "services"
        } else {
            "listings"
        };
        add(
            &format!("/{prefix}/{slug}"),
            Some(updated.format("%Y-%m-%d").to_string()),
        );
    }
    xml.push_str("</urlset>\n");
    Response::builder()
        .content_type("application/xml; charset=utf-8")
        .body(xml)
}

/// The page title of an error with this status (when its code has none of its own).
pub fn status_title_key(status: u16) -> &'static str {
    match status {
        403 => "problem-title-forbidden",
        404 => "problem-title-not-found",
        409 | 412 => "problem-title-conflict",
        422 => "problem-title-validation",
        400..=499 => "problem-title-bad-request",
        _ => "problem-title-error",
    }
}

/// A capability error in the page's language: its title and its explanation (for invalid
/// fields, their messages). The one place pages word errors; the API's words stay English.
pub fn error_texts<E: ErrorCode + ?Sized>(
    state: &AppState,
    l: Locale,
    e: &E,
) -> (String, Option<String>) {
    let i18n = &state.i18n;
    if e.status() >= 500 && e.status() != 503 {
        tracing::error!(code = e.code(), error = ?e.internal(), "internal error on a page");
    }
    let by_code = format!("problem-title-{}", e.code());
    let title = if i18n.has(l, &by_code) {
        i18n.t(l, &by_code, None)
    } else {
        i18n.t(l, status_title_key(e.status()), None)
    };
    let text = if e.fields().is_empty() {
        let m = e.message();
        i18n.has(l, &m.key).then(|| i18n.message(l, &m))
    } else {
        Some(
            e.fields()
                .iter()
                .map(|f| i18n.message(l, &f.message))
                .collect::<Vec<_>>()
                .join(" "),
        )
    };
    (title, text)
}

/// A redirect after a successful form (303: the browser follows with GET).
pub fn see_other(to: impl Into<String>) -> Response {
    poem::web::Redirect::see_other(to.into()).into_response()
}

/// The response with one more `Set-Cookie`.
pub fn with_cookie(mut resp: Response, cookie: &str) -> Response {
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// Where to go after logging in or registering: `next` if it is a path of this site,
/// else my account.
pub fn next_page(next: Option<&str>) -> String {
    next.map(str::trim)
        .filter(|n| {
            n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 500
                && !n.chars().any(|c| c == '\\' || c.is_control())
        })
        .unwrap_or("/account")
        .to_string()
}

/// A date and time in the city: "01.12.2026, 18:00".
pub fn date_time(state: &AppState, l: Locale, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.with_timezone(&state.city.timezone);
    format!(
        "{}, {}",
        i18n::format_date(l, local.date_naive()),
        local.format("%H:%M")
    )
}

/// A page showing an error (403, 404, 409 ...) in the page's language: its title and
/// explanation ([`error_texts`]).
pub fn error_page<E: ErrorCode + ?Sized>(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    e: &E,
) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let (title, text) = error_texts(state, pc.locale, e);
    render(
        state,
        pc,
        req,
        "message.html",
        status,
        context! { title, text => text.unwrap_or_default() },
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
        let r = req("/search?q=b%C3%A4cker&lang=de&page=2", None);
        assert_eq!(
            with_lang(&r, Locale::En),
            "/search?q=b%C3%A4cker&page=2&lang=en"
        );
    }

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(
            excerpt("  Fresh\n bread  daily. ", 40),
            "Fresh bread daily."
        );
        assert_eq!(excerpt("Fresh bread every day.", 12), "Fresh bread…");
        assert!(excerpt("Frische Brötchen jeden Morgen", 14).chars().count() <= 14);
        assert_eq!(excerpt("Donaudampfschifffahrt", 6), "Donau…");
    }

    #[test]
    fn language_addresses_keep_the_other_parameters() {
        let req = |uri: &str| Request::builder().uri(uri.parse().unwrap()).finish();
        assert_eq!(lang_path(&req("/privacy"), None), "/privacy");
        assert_eq!(lang_path(&req("/privacy?lang=en"), None), "/privacy");
        assert_eq!(
            lang_path(&req("/search?lang=xx&q=a+b"), Some(Locale::De)),
            "/search?q=a+b&lang=de"
        );
    }

    #[test]
    fn templates_escape_output_and_translate() {
        let i18n = Arc::new(I18n::load(None).unwrap());
        let env = templates(i18n, Arc::new(Assets::load(None)), None);
        let html = env
            .get_template("not_found.html")
            .unwrap()
            .render(context! { city_name => "<script>x</script>", locale => "en", lang_de_url => "/?lang=de", lang_en_url => "/?lang=en" })
            .unwrap();
        assert!(html.contains("&lt;script&gt;"));
        let attr = env
            .template_from_named_str("attr.html", "<a title=\"{{ v }}\" href=\"{{ u }}\">")
            .unwrap()
            .render(context! { v => "\" onmouseover='x'", u => "/services/a" })
            .unwrap();
        let _unused = env
            .render_str(
                "<a title=\"{{ v }}\" href=\"{{ u }}\">",
                context! { v => "\" onmouseover='x'", u => "/services/a" },
            )
            .unwrap();
        assert_eq!(
            attr,
            "<a title=\"&quot; onmouseover=&#x27;x&#x27;\" href=\"/services/a\">"
        );
        assert!(!html.contains("<script>x"));
        assert!(html.contains("Page not found"));
        assert!(html.contains("/static/site."), "fingerprinted stylesheet");
    }

    #[test]
    fn every_template_compiles() {
        let env = templates(
            Arc::new(I18n::load(None).unwrap()),
            Arc::new(Assets::load(None)),
            None,
        );
        for (name, _) in TEMPLATES {
            env.get_template(name)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }

    #[test]
    fn theme_dir_overrides_templates_and_assets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(
            dir.path().join("templates/not_found.html"),
            "custom {{ t('back-home') }}",
        )
        .unwrap();
        std::fs::write(dir.path().join("static/site.css"), "body{color:red}").unwrap();
        let assets = Arc::new(Assets::load(Some(dir.path())));
        let default_assets = Assets::load(None);
        assert_ne!(assets.url("site.css"), default_assets.url("site.css"));
        let env = templates(
            Arc::new(I18n::load(None).unwrap()),
            assets,
            Some(dir.path().to_path_buf()),
        );
        let out = env
            .get_template("not_found.html")
            .unwrap()
            .render(context! { locale => "de" })
            .unwrap();
        assert_eq!(out, "custom Zur Startseite");
    }
}
