//! Assembling the server: state, routes, middleware, and running it.

use std::net::SocketAddr;
use std::sync::Arc;

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::{CatchPanic, Compression, CookieJarManager};
use poem::{get, EndpointExt, IntoEndpoint, Route, Server};
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::OpenApiService;
use secrecy::ExposeSecret;

use crate::accounts::{AccountsApi, MyDataApi};
use crate::applications::api::{ModuleApplicationsApi, ResidentApplicationsApi};
use crate::booking::api::{BookingsApi, BusinessBookingsApi, OffersApi, WaitlistApi};
use crate::core::config::Config;
use crate::core::store::Store;
use crate::core::{db, problem};
use crate::demo;
use crate::listings::api::{CategoriesApi, ListingsApi};
use crate::modules::api::ModulesApi;
use crate::notifications::api::{CalendarApi, CalendarFeedApi};
use crate::oauth::OAuthClientsApi;
use crate::organizations::OrganizationsApi;
use crate::partners::api::PartnerConnectionsApi;
use crate::places::api::PlacesApi;
use crate::privacy::api::PrivacyApi;
use crate::reports::api::ReportsApi;
use crate::search::api::SearchApi;
use crate::web::extract::ReturnTo;
use crate::web::state::AppState;
use crate::web::{health, pages, trust};

type Apis = (
    ListingsApi,
    CategoriesApi,
    SearchApi,
    PlacesApi,
    OrganizationsApi,
    AccountsApi,
    MyDataApi,
    PrivacyApi,
    OffersApi,
    BookingsApi,
    BusinessBookingsApi,
    WaitlistApi,
    CalendarApi,
    CalendarFeedApi,
    PartnerConnectionsApi,
    // A tuple holds at most 16; the rest are grouped.
    (
        OAuthClientsApi,
        ModulesApi,
        ModuleApplicationsApi,
        ResidentApplicationsApi,
        ReportsApi,
    ),
);

/// The API with its OpenAPI description.
pub fn api_service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            ListingsApi,
            CategoriesApi,
            SearchApi,
            PlacesApi,
            OrganizationsApi,
            AccountsApi,
            MyDataApi,
            PrivacyApi,
            OffersApi,
            BookingsApi,
            BusinessBookingsApi,
            WaitlistApi,
            CalendarApi,
            CalendarFeedApi,
            PartnerConnectionsApi,
            (
                OAuthClientsApi,
                ModulesApi,
                ModuleApplicationsApi,
                ResidentApplicationsApi,
                ReportsApi,
            ),
        ),
        "City Portal API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Find everything local — businesses and the city's own services — and manage \
         listings. Errors are RFC 9457 problem+json documents with a stable `type`. Writes to a \
         listing return an `ETag` and take `If-Match`. Lists use cursor pagination. \
         Apps act for residents with OAuth 2.0 access tokens (see \
         `/.well-known/oauth-authorization-server`): each operation open to apps names the \
         scope it needs under the `OAuth2` scheme, and answers 403 `insufficient-scope` \
         without it; operations without that scheme are not open to apps. The session and \
         personal API tokens are not limited by scopes.",
    )
    .url_prefix("/api/v1")
}

/// The error statuses each operation can answer with. One error type serves every
/// handler, so the generated document lists all of them everywhere; the published
/// document keeps only these. A test fails when an operation is missing here.
pub const OPERATION_ERRORS: &[(&str, &[u16])] = &[
    ("list_listings", &[422, 500]),
    ("get_listing", &[401, 404, 500, 503]),
    ("create_listing", &[400, 401, 403, 409, 413, 422, 500, 503]),
    (
        "update_listing",
        &[400, 401, 403, 404, 412, 413, 422, 428, 500, 503],
    ),
    (
        "publish_listing",
        &[400, 401, 403, 404, 409, 412, 422, 500, 503],
    ),
    (
        "unpublish_listing",
        &[400, 401, 403, 404, 409, 412, 500, 503],
    ),
    (
        "suspend_listing",
        &[400, 401, 403, 404, 412, 413, 422, 500, 503],
    ),
    ("restore_listing", &[400, 401, 403, 404, 409, 412, 500, 503]),
    ("approve_listing", &[400, 401, 403, 404, 409, 412, 500, 503]),
    (
        "reject_listing",
        &[400, 401, 403, 404, 409, 412, 413, 422, 500, 503],
    ),
    ("delete_listing", &[400, 401, 403, 404, 412, 500, 503]),
    ("list_categories", &[500]),
    ("create_organization", &[400, 401, 403, 413, 422, 500, 503]),
    ("list_my_organizations", &[401, 500, 503]),
    ("list_members", &[401, 404, 422, 500, 503]),
    ("add_member", &[400, 401, 403, 404, 409, 413, 422, 500, 503]),
    ("remove_member", &[401, 403, 404, 409, 422, 500, 503]),
    ("register", &[400, 413, 422, 500, 503]),
    ("login", &[400, 401, 413, 429, 500, 503]),
    ("logout", &[401, 500, 503]),
    ("get_me", &[401, 500, 503]),
    ("update_me", &[400, 401, 413, 422, 500, 503]),
    ("request_password_reset", &[400, 413, 422, 429, 500, 503]),
    ("confirm_password_reset", &[400, 413, 422, 500, 503]),
    ("verify_email", &[400, 413, 422, 500, 503]),
    ("resend_verification", &[401, 429, 500, 503]),
    ("change_email", &[400, 401, 413, 422, 429, 500, 503]),
    ("change_password", &[400, 401, 413, 422, 500, 503]),
    ("create_token", &[400, 401, 403, 413, 422, 500, 503]),
    ("list_tokens", &[401, 500, 503]),
    ("revoke_token", &[401, 404, 422, 500, 503]),
    ("get_access_log", &[401, 500, 503]),
    ("export_my_data", &[401, 500, 503]),
    ("delete_my_account", &[400, 401, 409, 413, 422, 500, 503]),
    ("search", &[422, 500, 503]),
    ("suggest", &[422, 500, 503]),
    ("find_places", &[422, 500, 503]),
    ("list_offers", &[401, 404, 500, 503]),
    ("create_offer", &[400, 401, 403, 404, 413, 422, 500, 503]),
    ("get_offer", &[401, 404, 500, 503]),
    (
        "update_offer",
        &[400, 401, 403, 404, 412, 413, 422, 500, 503],
    ),
    ("offer_availability", &[401, 404, 422, 500, 503]),
    ("create_booking", &[400, 401, 403, 409, 413, 422, 500, 503]),
    ("list_my_bookings", &[401, 422, 500, 503]),
    ("get_booking", &[401, 404, 500, 503]),
    ("confirm_booking", &[401, 404, 409, 500, 503]),
    ("extend_booking_hold", &[401, 404, 409, 500, 503]),
    ("cancel_booking", &[401, 404, 409, 500, 503]),
    (
        "reschedule_booking",
        &[400, 401, 404, 409, 413, 422, 500, 503],
    ),
    ("list_offer_bookings", &[401, 404, 422, 500, 503]),
    ("decide_booking", &[400, 401, 404, 409, 413, 500, 503]),
    ("join_waitlist", &[400, 401, 403, 409, 413, 422, 500, 503]),
    ("list_my_waitlist", &[401, 500, 503]),
    ("leave_waitlist", &[401, 404, 500, 503]),
    ("get_booking_calendar", &[401, 404, 500, 503]),
    ("create_calendar_feed", &[401, 500, 503]),
    ("get_calendar_feed", &[401, 500, 503]),
    ("delete_calendar_feed", &[401, 500, 503]),
    ("list_partner_connections", &[401, 404, 500, 503]),
    (
        "create_partner_connection",
        &[400, 401, 403, 404, 413, 422, 500, 503],
    ),
    ("get_partner_connection", &[401, 404, 500, 503]),
    (
        "update_partner_connection",
        &[400, 401, 403, 404, 409, 413, 422, 500, 503],
    ),
    ("delete_partner_connection", &[401, 403, 404, 409, 500, 503]),
    ("list_partner_offers", &[401, 404, 500, 503]),
    ("create_oauth_client", &[400, 401, 403, 413, 422, 500]),
    ("list_oauth_clients", &[401, 403, 500]),
    (
        "rotate_oauth_client_secret",
        &[400, 401, 403, 404, 409, 413, 422, 500],
    ),
    ("disable_oauth_client", &[401, 403, 404, 500]),
    ("list_modules", &[500]),
    ("register_module", &[400, 401, 403, 409, 413, 422, 500]),
    ("list_admin_modules", &[401, 403, 500]),
    ("get_admin_module", &[401, 403, 404, 500]),
    ("list_module_deliveries", &[401, 403, 404, 500]),
    ("list_module_applications", &[401, 403, 422, 500]),
    (
        "apply_for_service",
        &[400, 401, 403, 404, 409, 413, 422, 500],
    ),
    ("get_module_application", &[401, 403, 404, 500]),
    ("get_module_application_file", &[401, 403, 404, 500]),
    (
        "set_module_application_status",
        &[400, 401, 403, 404, 409, 413, 422, 500],
    ),
    (
        "post_module_application_message",
        &[400, 401, 403, 404, 409, 413, 422, 500],
    ),
    ("list_module_versions", &[401, 403, 404, 500]),
    (
        "update_module_manifest",
        &[400, 401, 403, 404, 409, 413, 422, 500],
    ),
    (
        "update_own_module_manifest",
        &[400, 401, 409, 413, 422, 500],
    ),
    (
        "approve_module",
        &[400, 401, 403, 404, 409, 413, 422, 500, 503],
    ),
    ("rotate_module_webhook_secret", &[401, 403, 404, 409, 500]),
    ("refuse_module", &[400, 401, 403, 404, 409, 413, 422, 500]),
    ("pause_module", &[401, 403, 404, 409, 500]),
    ("resume_module", &[401, 403, 404, 409, 500]),
    ("remove_module", &[401, 403, 404, 409, 500]),
    ("list_module_reports", &[401, 403, 422, 500]),
    ("get_module_report", &[401, 403, 404, 500]),
    (
        "set_module_report_status",
        &[400, 401, 403, 404, 413, 422, 500],
    ),
    (
        "comment_module_report",
        &[400, 401, 403, 404, 413, 422, 500],
    ),
    (
        "set_oauth_client_scopes",
        &[400, 401, 403, 404, 413, 422, 500],
    ),
];

/// Keeps, for every operation, only the error responses it can answer with, and tidies
/// the document into plain OpenAPI 3.1.
fn prune_errors(spec: &str) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(spec).expect("poem-openapi emits JSON");
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                // OpenAPI 3.0 lists scopes only for OAuth2 schemes; the session and
                // personal tokens are not limited by scopes.
                if let Some(security) = op["security"].as_array_mut() {
                    for requirement in security.iter_mut().filter_map(|r| r.as_object_mut()) {
                        for (scheme, scopes) in requirement.iter_mut() {
                            if scheme != "OAuth2" {
                                *scopes = serde_json::json!([]);
                            }
                        }
                    }
                }
                let id = op["operationId"].as_str().unwrap_or_default().to_string();
                let allowed = OPERATION_ERRORS
                    .iter()
                    .find(|(op_id, _)| *op_id == id)
                    .map(|(_, codes)| *codes);
                let edge = edge_errors(op);
                if let (Some(allowed), Some(responses)) = (allowed, op["responses"].as_object_mut())
                {
                    responses.retain(|code, _| {
                        code.starts_with('2')
                            || code
                                .parse::<u16>()
                                .is_ok_and(|c| allowed.contains(&c) || edge.contains(&c))
                    });
                }
            }
        }
    }
    super::spec_patterns::string_patterns(&mut doc);
    openapi_tidy::tidy(&mut doc, &super::module_spec::tidy_options());
    // After tidying: the manifest's schema is published as it is (its optional
    // properties do not take `null`).
    super::module_spec::with_manifest_schema(&mut doc);
    let mut s = serde_json::to_string_pretty(&doc).expect("serializes");
    s.push('\n');
    s
}

/// The errors the edge answers before any handler (`web::edge`, poem-openapi's
/// parsing): a body that is unreadable, too large or has a field with control characters
/// (400, 413, 422), a query parameter of the wrong type or with control characters (422),
/// a path segment with control characters (404) or not of its type (400, e.g. a
/// malformed UUID).
fn edge_errors(op: &serde_json::Value) -> Vec<u16> {
    let mut codes = Vec::new();
    if op.get("requestBody").is_some() {
        codes.extend([400, 413, 422]);
    }
    for p in op["parameters"].as_array().into_iter().flatten() {
        match p["in"].as_str() {
            Some("query") => codes.push(422),
            // A header of a form the document states (`If-Match`).
            Some("header") if p["schema"].get("pattern").is_some() => codes.push(422),
            Some("path") => codes.extend([400, 404]),
            _ => {}
        }
    }
    codes
}

/// The OpenAPI document as served and committed in `openapi/openapi.json`.
pub fn spec_json() -> String {
    static SPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| prune_errors(&api_service().spec()))
        .clone()
}

#[poem::handler]
fn spec_endpoint() -> Response {
    Response::builder()
        .content_type("application/json; charset=utf-8")
        .body(spec_json())
}

/// The request body schemas of [`spec_json`], for strict JSON types at the edge (see
/// `web::strict_json`), made once per process.
pub fn body_schemas() -> Arc<crate::web::strict_json::BodySchemas> {
    static SCHEMAS: std::sync::OnceLock<Arc<crate::web::strict_json::BodySchemas>> =
        std::sync::OnceLock::new();
    SCHEMAS
        .get_or_init(|| {
            let spec: serde_json::Value =
                serde_json::from_str(&spec_json()).expect("the spec of this build is JSON");
            Arc::new(crate::web::strict_json::BodySchemas::from_spec(&spec))
        })
        .clone()
}

/// The Module API document of this build, as committed in `openapi/module-api.json`:
/// the module's part of [`spec_json`] with its webhooks.
pub fn module_spec_json() -> String {
    static SPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| super::module_spec::generate(&spec_json()))
        .clone()
}

/// The Module API document (`openapi/module-api.json`).
#[poem::handler]
fn module_spec_endpoint() -> Response {
    Response::builder()
        .content_type("application/json; charset=utf-8")
        .body(module_spec_json())
}

/// `/docs`: Swagger UI on the published document. Its script, stylesheet and start-up
/// are files of this server (see `web::assets`), so the page keeps the pages'
/// Content-Security-Policy: no inline script or style.
#[poem::handler]
fn docs_endpoint(state: poem::web::Data<&AppState>) -> Response {
    let base = state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/');
    let html = state.templates.get_template("docs.html").and_then(|t| {
        t.render(minijinja::context! {
            city_name => state.city.name.clone(),
            canonical => format!("{base}/docs"),
        })
    });
    match html {
        Ok(h) => poem::web::Html(h).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the /docs page failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Connects, migrates (or, with `--no-migrate`, checks that nothing is pending), seeds
/// reference data and (on first start) the demo city.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    crate::core::metrics::install();
    let db = db::connect(config.database.url.expose_secret()).await?;
    if config.server.migrate_on_start {
        db::migrate(&db).await?;
    } else {
        let pending = db::pending_migrations(&db).await?;
        if pending > 0 {
            anyhow::bail!(
                "the database lacks {pending} migration(s) and the server was started with --no-migrate: run `city-portal migrate` first"
            );
        }
    }
    let city = demo::seed::ensure_city(&db, &config.city).await?;
    demo::seed::seed_taxonomy(&db).await?;
    crate::listings::service::backfill_search_columns(&db)
        .await
        .map_err(|e| anyhow::anyhow!("filling search columns: {e}"))?;
    let reserved = crate::listings::review::ReservedNames::new(&config.listings.reserved_names);
    let flagged = crate::listings::service::check_reserved_names(&db, &reserved)
        .await
        .map_err(|e| anyhow::anyhow!("checking reserved names: {e}"))?;
    if flagged > 0 {
        tracing::info!(
            flagged,
            "business listings with reserved names wait for review"
        );
    }
    if config.city.demo_data {
        demo::seed::load_demo_if_empty(&db, &city).await?;
        demo::seed::load_demo_places_if_missing(&db, &city).await?;
    }
    let store = match &config.store.redis_url {
        Some(url) => Store::redis(url.expose_secret(), &config.store.key_prefix)
            .await
            .map_err(|e| anyhow::anyhow!("REDIS_URL: cannot reach Redis: {e}"))?,
        None => Store::memory(),
    };
    let i18n = Arc::new(
        crate::core::i18n::I18n::load(config.theme.dir.as_deref())
            .map_err(|e| anyhow::anyhow!("THEME_DIR: translations: {e}"))?,
    );
    let assets = Arc::new(crate::web::assets::Assets::load(
        config.theme.dir.as_deref(),
    ));
    let templates = pages::templates(i18n.clone(), assets.clone(), config.theme.dir.clone());
    let provider_origin = config
        .oidc
        .as_ref()
        .map(|o| o.issuer.origin().ascii_serialization());
    let csp =
        pages::content_security_policy(&config.theme.tile_origin(), provider_origin.as_deref());
    let listing_cache = Arc::new(crate::listings::cache::ListingCache::new(
        config.listings.cache,
    ));
    let mut search =
        crate::search::engine::SearchEngine::from_config(&config.search, city.timezone)
            .map_err(|e| anyhow::anyhow!("MEILI_URL: {e}"))?;
    // The typo corrections' words live as long as the listings cached for reading, and
    // are read again after a write request as the cache is cleared.
    search.words = crate::search::vocabulary::Vocabularies::new(config.listings.cache);
    let search = Arc::new(search);
    let partners = crate::partners::from_config(&config.partners)?;
    let postman = Arc::new(crate::accounts::mail::Postman {
        mailer: crate::notifications::mailer::Mailer::from_config(&config.notifications)?,
        from: config.notifications.smtp_from.clone(),
        public_url: config.server.public_url.clone(),
        i18n: i18n.clone(),
        city_name: city.name.clone(),
        default_locale: config.city.default_locale,
    });
    let city_login = config.oidc.clone().map(|c| {
        Arc::new(crate::accounts::oidc::CityLogin::new(
            c,
            &config.server.public_url,
        ))
    });
    let form_key = Arc::new(crate::core::secrets::FormKey::new(
        partners.key().derive("city-portal form tokens"),
    ));
    let anonymous_limit =
        crate::core::rate::AnonymousLimit::new(config.server.anonymous_per_minute).map(Arc::new);
    Ok(AppState {
        access_log: crate::privacy::writer::AccessWriter::start(db.clone()),
        partners,
        postman,
        city_login,
        db,
        store,
        config: Arc::new(config),
        city: Arc::new(city),
        templates: Arc::new(templates),
        i18n,
        assets,
        csp,
        listing_cache,
        search,
        module_wake: Arc::new(tokio::sync::Notify::new()),
        form_key,
        anonymous_limit,
        body_schemas: body_schemas(),
    })
}

/// All routes with their middleware.
pub fn routes(state: AppState) -> impl poem::Endpoint {
    let api = api_service();
    let max_body = state.config.server.max_body_bytes;
    let form_max = state.config.server.form_max_bytes;
    let route = Route::new()
        .nest(
            "/api/v1",
            api.around(vary_language)
                .around(allow_on_405)
                .around(crate::web::auth::record_app_use)
                .around(crate::web::auth::bearer_challenge),
        )
        .at("/api/v1/openapi.json", get(spec_endpoint))
        .at(
            r"/api/v1/bookings/:file<^[0-9a-fA-F-]{36}\.ics$>",
            get(crate::notifications::api::booking_ics_endpoint),
        )
        .at(
            "/api/v1/partner-webhooks/:connection",
            poem::post(crate::booking::partner_webhook::receive),
        )
        .at(
            "/calendar/:file",
            get(crate::notifications::api::feed_endpoint),
        )
        .at("/docs", get(docs_endpoint))
        .at(
            "/.well-known/oauth-authorization-server",
            get(crate::oauth::protocol::metadata),
        )
        .at(
            "/.well-known/oauth-authorization-server/*path",
            get(crate::oauth::protocol::metadata_for_path),
        )
        .at(
            "/oauth/authorize",
            get(crate::oauth::pages::authorize).post(crate::oauth::pages::consent),
        )
        .at(
            "/account/apps/:id/revoke",
            poem::post(crate::oauth::pages::revoke_grant).data(ReturnTo("/account")),
        )
        .at(
            "/admin/oauth-clients",
            get(crate::oauth::pages::admin_clients).post(crate::oauth::pages::admin_create),
        )
        .at(
            "/admin/oauth-clients/:id/secret",
            poem::post(crate::oauth::pages::admin_rotate).data(ReturnTo("/admin/oauth-clients")),
        )
        .at(
            "/admin/oauth-clients/:id/scopes",
            poem::post(crate::oauth::pages::admin_set_scopes)
                .data(ReturnTo("/admin/oauth-clients")),
        )
        .at(
            "/admin/oauth-clients/:id/disable",
            poem::post(crate::oauth::pages::admin_disable).data(ReturnTo("/admin/oauth-clients")),
        )
        .at("/api/v1/module-api.json", get(module_spec_endpoint))
        .at(
            "/api/v1/module-manifest.schema.json",
            get(crate::modules::pages::manifest_schema),
        )
        .at(
            "/api/v1/module-manifest.example.json",
            get(crate::modules::pages::manifest_example),
        )
        .at("/modules", get(crate::modules::pages::public_register))
        .at(
            "/open311/v2/:file",
            get(crate::reports::open311::resource).post(crate::reports::open311::resource),
        )
        .at(
            "/open311/v2/services/:file",
            get(crate::reports::open311::definition),
        )
        .at(
            "/open311/v2/requests/:file",
            get(crate::reports::open311::one),
        )
        .at("/reports/:id/photo", get(crate::reports::pages::photo))
        .at("/reports", get(crate::reports::pages::public_reports))
        .at(
            "/services/:slug/report",
            get(crate::reports::pages::report_form)
                .post(crate::reports::pages::report_submit)
                .data(ReturnTo("/services/{slug}/report")),
        )
        .at("/account/reports", get(crate::reports::pages::my_reports))
        .at(
            "/account/reports/:id/comments",
            poem::post(crate::reports::pages::add_comment).data(ReturnTo("/account/reports")),
        )
        .at(
            "/admin/open311-keys",
            get(crate::reports::pages::admin_keys)
                .post(crate::reports::pages::admin_issue_key)
                .data(ReturnTo("/admin/open311-keys")),
        )
        .at(
            "/admin/open311-keys/:id/revoke",
            poem::post(crate::reports::pages::admin_revoke_key)
                .data(ReturnTo("/admin/open311-keys")),
        )
        .at(
            "/admin/modules",
            get(crate::modules::pages::admin_list).post(crate::modules::pages::admin_register),
        )
        .at(
            "/admin/modules/:id",
            get(crate::modules::pages::admin_module),
        )
        .at(
            "/admin/modules/:id/approve",
            poem::post(crate::modules::pages::admin_approve).data(ReturnTo("/admin/modules/{id}")),
        )
        .at(
            "/admin/modules/:id/refuse",
            poem::post(crate::modules::pages::admin_refuse).data(ReturnTo("/admin/modules/{id}")),
        )
        .at(
            "/admin/modules/:id/manifest",
            poem::post(crate::modules::pages::admin_update).data(ReturnTo("/admin/modules/{id}")),
        )
        .at(
            "/admin/modules/:id/pause",
            poem::post(crate::modules::pages::admin_pause).data(ReturnTo("/admin/modules/{id}")),
        )
        .at(
            "/admin/modules/:id/resume",
            poem::post(crate::modules::pages::admin_resume).data(ReturnTo("/admin/modules/{id}")),
        )
        .at(
            "/admin/modules/:id/remove",
            poem::post(crate::modules::pages::admin_remove).data(ReturnTo("/admin/modules/{id}")),
        )
        .at(
            "/admin/modules/:id/webhook-secret",
            poem::post(crate::modules::pages::admin_rotate_webhook_secret)
                .data(ReturnTo("/admin/modules/{id}")),
        )
        .at(
            "/oauth/token",
            poem::post(crate::oauth::protocol::token).around(allow_post_only),
        )
        .at(
            "/oauth/revoke",
            poem::post(crate::oauth::protocol::revoke).around(allow_post_only),
        )
        .at(
            "/oauth/introspect",
            poem::post(crate::oauth::protocol::introspect).around(allow_post_only),
        )
        .at("/", get(pages::home))
        .at("/search", get(crate::search::pages::search_page))
        .at("/listings/:slug", get(crate::listings::pages::listing_page))
        .at("/services/:slug", get(crate::listings::pages::service_page))
        .at("/privacy", get(trust::privacy))
        .at("/impressum", get(trust::impressum))
        .at("/accessibility", get(trust::accessibility))
        .at("/favicon.svg", get(trust::favicon_svg))
        .at("/favicon.ico", get(trust::favicon_ico))
        .at(
            "/login",
            get(crate::accounts::pages::login_form).post(crate::accounts::pages::login_submit),
        )
        .at(
            "/register",
            get(crate::accounts::pages::register_form)
                .post(crate::accounts::pages::register_submit),
        )
        .at("/logout", poem::post(crate::accounts::pages::logout_submit))
        .at(
            "/auth/oidc/login",
            get(crate::accounts::oidc_pages::login_start),
        )
        .at(
            "/auth/oidc/callback",
            get(crate::accounts::oidc_pages::callback),
        )
        .at(
            "/auth/oidc/step-up",
            get(crate::accounts::oidc_pages::step_up_start),
        )
        .at(
            "/auth/oidc/confirm",
            get(crate::accounts::oidc_pages::confirm_form)
                .post(crate::accounts::oidc_pages::confirm_submit),
        )
        .at(
            "/auth/oidc/link",
            get(crate::accounts::oidc_pages::link_form)
                .post(crate::accounts::oidc_pages::link_submit),
        )
        .at(
            "/account/oidc/link",
            poem::post(crate::accounts::pages::account_link_submit).data(ReturnTo("/account")),
        )
        .at(
            "/account/oidc/unlink",
            poem::post(crate::accounts::pages::account_unlink_submit).data(ReturnTo("/account")),
        )
        .at(
            "/password-reset",
            get(crate::accounts::pages::reset_request_form)
                .post(crate::accounts::pages::reset_request_submit),
        )
        .at(
            "/password-reset/confirm",
            get(crate::accounts::pages::reset_form).post(crate::accounts::pages::reset_submit),
        )
        .at(
            "/verify",
            get(crate::accounts::pages::verify_form).post(crate::accounts::pages::verify_submit),
        )
        .at(
            "/account/profile",
            poem::post(crate::accounts::pages::profile_submit).data(ReturnTo("/account")),
        )
        .at(
            "/account/email",
            poem::post(crate::accounts::pages::email_submit).data(ReturnTo("/account")),
        )
        .at(
            "/account/password",
            poem::post(crate::accounts::pages::password_submit).data(ReturnTo("/account")),
        )
        .at(
            "/account/verification",
            poem::post(crate::accounts::pages::resend_submit).data(ReturnTo("/account")),
        )
        .at("/account", get(crate::accounts::pages::account_page))
        .at(
            "/account/export",
            get(crate::accounts::pages::export_download),
        )
        .at(
            "/account/delete",
            poem::post(crate::accounts::pages::delete_submit).data(ReturnTo("/account")),
        )
        .at("/manage", get(crate::listings::pages::manage::dashboard))
        .at(
            "/manage/organizations",
            poem::post(crate::listings::pages::manage::create_organization)
                .data(ReturnTo("/manage")),
        )
        .at(
            "/manage/organizations/:org/members",
            poem::post(crate::listings::pages::manage::add_member).data(ReturnTo("/manage")),
        )
        .at(
            "/manage/organizations/:org/members/:member/remove",
            poem::post(crate::listings::pages::manage::remove_member).data(ReturnTo("/manage")),
        )
        .at(
            "/manage/organizations/:org/listings",
            poem::post(crate::listings::pages::manage::create_listing)
                .data(ReturnTo("/manage/organizations/{org}/listings/new")),
        )
        .at(
            "/manage/organizations/:org/listings/new",
            get(crate::listings::pages::manage::new_listing_form),
        )
        .at(
            "/manage/listings/:id",
            get(crate::listings::pages::manage::edit_listing_form)
                .post(crate::listings::pages::manage::update_listing),
        )
        .at(
            "/manage/listings/:id/preview",
            get(crate::listings::pages::preview_page),
        )
        .at(
            "/manage/listings/:id/status",
            poem::post(crate::listings::pages::manage::change_status)
                .data(ReturnTo("/manage/listings/{id}")),
        )
        .at("/offers/:id", get(crate::booking::pages::offer_page))
        .at(
            "/offers/:id/hold",
            poem::post(crate::booking::pages::hold).data(ReturnTo("/offers/{id}")),
        )
        .at(
            "/offers/:id/waitlist",
            poem::post(crate::booking::pages::join_waitlist).data(ReturnTo("/offers/{id}")),
        )
        .at(
            "/account/waitlist/:id/leave",
            poem::post(crate::booking::pages::leave_waitlist).data(ReturnTo("/account/bookings")),
        )
        .at(
            "/services/:slug/apply",
            get(crate::applications::pages::apply_page)
                .post(crate::applications::pages::apply_submit),
        )
        .at(
            "/account/applications",
            get(crate::applications::pages::my_applications),
        )
        .at(
            "/account/applications/:id",
            get(crate::applications::pages::application_page),
        )
        .at(
            "/account/applications/:id/review",
            get(crate::applications::pages::review_page),
        )
        .at(
            "/account/applications/:id/submit",
            poem::post(crate::applications::pages::submit)
                .data(ReturnTo("/account/applications/{id}/review")),
        )
        .at(
            "/account/applications/:id/answer",
            poem::post(crate::applications::pages::answer)
                .data(ReturnTo("/account/applications/{id}")),
        )
        .at(
            "/account/applications/:id/withdraw",
            get(crate::applications::pages::withdraw_page)
                .post(crate::applications::pages::withdraw)
                .data(ReturnTo("/account/applications/{id}")),
        )
        .at(
            "/account/applications/:id/files/:file",
            get(crate::applications::pages::document),
        )
        .at("/account/bookings", get(crate::booking::pages::my_bookings))
        .at(
            "/account/bookings/:id",
            get(crate::booking::pages::booking_page),
        )
        .at(
            "/account/bookings/:id/confirm",
            poem::post(crate::booking::pages::confirm).data(ReturnTo("/account/bookings/{id}")),
        )
        .at(
            "/account/bookings/:id/extend",
            poem::post(crate::booking::pages::extend).data(ReturnTo("/account/bookings/{id}")),
        )
        .at(
            "/account/bookings/:id/cancel",
            get(crate::booking::pages::cancel_page)
                .post(crate::booking::pages::cancel)
                .data(ReturnTo("/account/bookings/{id}")),
        )
        .at(
            "/account/bookings/:id/reschedule",
            get(crate::booking::pages::reschedule_page).post(crate::booking::pages::reschedule),
        )
        .at(
            "/manage/listings/:id/offers",
            get(crate::booking::pages::manage::offers_page)
                .post(crate::booking::pages::manage::create_offer),
        )
        .at(
            "/manage/listings/:id/offers/new",
            get(crate::booking::pages::manage::new_offer_form),
        )
        .at(
            "/manage/offers/:id",
            get(crate::booking::pages::manage::edit_offer_form)
                .post(crate::booking::pages::manage::update_offer),
        )
        .at(
            "/manage/offers/:id/bookings",
            get(crate::booking::pages::manage::bookings_page),
        )
        .at(
            "/manage/bookings/:id/decision",
            poem::post(crate::booking::pages::manage::decide).data(ReturnTo("/manage")),
        )
        .at(
            "/manage/organizations/:org/partner-connections",
            get(crate::partners::pages::org_connections)
                .post(crate::partners::pages::create.data(ReturnTo("/manage"))),
        )
        .at(
            "/manage/partner-connections/:id",
            get(crate::partners::pages::edit_form).post(crate::partners::pages::update),
        )
        .at(
            "/manage/partner-connections/:id/delete",
            poem::post(crate::partners::pages::delete)
                .data(ReturnTo("/manage/partner-connections/{id}")),
        )
        .at("/admin", get(crate::listings::pages::manage::admin))
        .at(
            "/admin/organizations",
            get(crate::listings::pages::manage::admin_organizations),
        )
        .at(
            "/admin/listings/:id/status",
            poem::post(crate::listings::pages::manage::change_status).data(ReturnTo("/admin")),
        )
        .at(
            "/admin/services",
            poem::post(crate::listings::pages::manage::create_service)
                .data(ReturnTo("/admin/services/new")),
        )
        .at(
            "/admin/services/new",
            get(crate::listings::pages::manage::new_service_form),
        )
        .at("/static/theme.css", get(pages::theme_css))
        .at("/static/:name", get(pages::static_file))
        .at("/robots.txt", get(pages::robots))
        .at("/sitemap.xml", get(pages::sitemap))
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz));
    // With an admin address `/metrics` is there alone.
    let route = if state.config.server.admin_bind_addr.is_none() {
        route.at("/metrics", get(health::metrics))
    } else {
        route
    };
    route
        .with(CookieJarManager::new())
        .with(
            poem::middleware::SetHeader::new()
                .overriding("X-Content-Type-Options", "nosniff")
                .overriding("Referrer-Policy", "strict-origin-when-cross-origin")
                .overriding("X-Frame-Options", "DENY"),
        )
        .with(CatchPanic::new().with_handler(|_| problem::Problem::internal().to_response()))
        .around(crate::web::edge::plain_text)
        .around(move |ep, req| crate::web::edge::bounded_bodies(ep, req, max_body, form_max))
        .catch_all_error(problem::catch_all)
        .around(pages::with_csp)
        .around(after_writes)
        .around(crate::web::limits::anonymous)
        .around(crate::web::auth::host_cookies)
        // One type from here on: the layers' types nested inside one another would
        // pass the compiler's depth limit.
        .map_to_response()
        .boxed()
        // Inside the compression: a problem's body gets its id before it is compressed.
        .around(crate::web::edge::request_id)
        .with(Compression::new())
        .around(health::track)
        .data(state)
        .into_endpoint()
}

/// The routes of the admin address (`ADMIN_BIND_ADDR`): `/metrics`, the detailed
/// `/readyz`, and `/healthz`.
pub fn admin_routes(state: AppState) -> impl poem::Endpoint {
    Route::new()
        .at("/metrics", get(health::metrics))
        .at("/readyz", get(health::readyz_detailed))
        .at("/healthz", get(health::healthz))
        .data(state)
}

/// Middleware: after every request that may have changed something (any method but
/// GET, HEAD and OPTIONS), clears this process's listing cache, has the database
/// search read the words of changed listings again, and wakes the in-server search
/// indexer, so that the change is read and searchable at once.
pub async fn after_writes<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let unsafe_method = !matches!(
        *req.method(),
        poem::http::Method::GET | poem::http::Method::HEAD | poem::http::Method::OPTIONS
    );
    let state = unsafe_method
        .then(|| req.data::<AppState>().cloned())
        .flatten();
    let res = next.call(req).await.map(IntoResponse::into_response);
    if let Some(state) = state {
        state.listing_cache.clear();
        state.search.words.changed();
        // The write may have queued search index updates and module events: handle
        // them now.
        state.search.wake.notify_one();
        state.module_wake.notify_one();
    }
    res
}

/// The methods the API serves at `path` (as requested, with `/api/v1`), from the
/// published document; empty when it serves none there.
fn allowed_methods(path: &str) -> Vec<String> {
    static TEMPLATES: std::sync::OnceLock<Vec<(Vec<String>, Vec<String>)>> =
        std::sync::OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| {
        let doc: serde_json::Value = serde_json::from_str(&spec_json()).expect("the spec is JSON");
        doc["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(template, item)| {
                let segments = template.split('/').map(str::to_string).collect();
                let mut methods: Vec<String> = item
                    .as_object()
                    .into_iter()
                    .flat_map(|o| o.keys())
                    .filter(|m| m.as_str() != "parameters")
                    .map(|m| m.to_uppercase())
                    .collect();
                // poem answers HEAD wherever it answers GET.
                if methods.iter().any(|m| m == "GET") {
                    methods.push("HEAD".into());
                }
                (segments, methods)
            })
            .collect()
    });
    let requested: Vec<&str> = path.split('/').collect();
    let mut out: Vec<String> = Vec::new();
    for (segments, methods) in templates {
        let matches = segments.len() == requested.len()
            && segments
                .iter()
                .zip(&requested)
                .all(|(t, r)| (t.starts_with('{') && t.ends_with('}') && !r.is_empty()) || t == r);
        if matches {
            out.extend(
                methods
                    .iter()
                    .filter(|m| !out.contains(m))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
        }
    }
    out
}

/// A 405 names the methods the address takes in `Allow` (RFC 9110 §15.5.6).
async fn allow_on_405<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let path = req.original_uri().path().to_string();
    let resp = match next.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) if e.status() == StatusCode::METHOD_NOT_ALLOWED => problem::catch_all(e).await,
        Err(e) => return Err(e),
    };
    if resp.status() != StatusCode::METHOD_NOT_ALLOWED
        || resp.headers().contains_key(poem::http::header::ALLOW)
    {
        return Ok(resp);
    }
    let mut resp = resp;
    if let Ok(v) = poem::http::HeaderValue::from_str(&allowed_methods(&path).join(", ")) {
        resp.headers_mut().insert(poem::http::header::ALLOW, v);
    }
    Ok(resp)
}

/// The OAuth endpoints take POST alone (RFC 6749 3.2, RFC 7009 2.1, RFC 7662 2.1); their
/// 405 says so in `Allow`.
async fn allow_post_only<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let mut resp = match next.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) if e.status() == StatusCode::METHOD_NOT_ALLOWED => e.into_response(),
        Err(e) => return Err(e),
    };
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
        resp.headers_mut().insert(
            poem::http::header::ALLOW,
            poem::http::HeaderValue::from_static("POST"),
        );
    }
    Ok(resp)
}

/// Tells caches that an API answer may differ by `Accept-Language` (its localized texts
/// follow the header when `locale` is absent), keeping any `Vary` already set.
async fn vary_language<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let mut resp = next.call(req).await?.into_response();
    resp.headers_mut().append(
        poem::http::header::VARY,
        poem::http::HeaderValue::from_static("Accept-Language"),
    );
    Ok(resp)
}

/// A server bound to its address (and its admin address, if configured), ready to
/// run.
pub struct Bound {
    pub addr: SocketAddr,
    /// Where `/metrics` and the detailed `/readyz` are served (`ADMIN_BIND_ADDR`).
    pub admin_addr: Option<SocketAddr>,
    acceptor: poem::listener::TcpAcceptor,
    admin: Option<poem::listener::TcpAcceptor>,
    state: AppState,
}

/// Listens on `addr`; `var` names the setting in the error.
async fn listen(
    addr: SocketAddr,
    var: &str,
) -> anyhow::Result<(poem::listener::TcpAcceptor, SocketAddr)> {
    let acceptor = TcpListener::bind(addr)
        .into_acceptor()
        .await
        .map_err(|e| anyhow::anyhow!("{var}: cannot listen on {addr}: {e}"))?;
    let local = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| anyhow::anyhow!("no local address"))?;
    Ok((acceptor, local))
}

/// Builds the state and binds the configured addresses (port 0 picks a free one).
pub async fn bind(config: Config) -> anyhow::Result<Bound> {
    let bind_addr = config.server.bind_addr;
    let admin_bind_addr = config.server.admin_bind_addr;
    let state = build_state(config).await?;
    let (acceptor, addr) = listen(bind_addr, "BIND_ADDR").await?;
    let (admin, admin_addr) = match admin_bind_addr {
        Some(a) => {
            let (acceptor, local) = listen(a, "ADMIN_BIND_ADDR").await?;
            (Some(acceptor), Some(local))
        }
        None => (None, None),
    };
    Ok(Bound {
        addr,
        admin_addr,
        acceptor,
        admin,
        state,
    })
}

impl Bound {
    /// The application state (tests reach the database through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let notifications = if self.state.config.notifications.in_server {
            Some(
                crate::notifications::spawn(
                    self.state.db.clone(),
                    &self.state.config,
                    self.state.i18n.clone(),
                )
                .map_err(std::io::Error::other)?,
            )
        } else {
            tracing::info!(
                "NOTIFIER=external: booking notifications are sent by `city-portal notifier` processes, not by this server"
            );
            None
        };
        // The demo gym books through a sandbox partner run alongside (demo data only).
        let demo_gym = match crate::demo::gym::start(&self.state, self.addr).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "demo gym: sandbox partner not started");
                None
            }
        };
        // The demo city's example modules, registered and approved on every start.
        let demo_examples = match crate::demo::examples::start(&self.state, self.addr).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "demo city: example modules not started");
                None
            }
        };
        let indexer = spawn_indexer(&self.state);
        let sweeper = tokio::spawn(crate::booking::service::run_sweeper(
            self.state.db.clone(),
            self.state.booking_ctx(),
        ));
        let reconciler = tokio::spawn(crate::booking::reconcile::run(
            self.state.db.clone(),
            self.state.booking_ctx(),
            self.state.config.partners.reconcile_every,
        ));
        let retention = self.state.config.outbox.retention.map(|keep| {
            tokio::spawn(crate::core::outbox::run_retention(
                self.state.db.clone(),
                keep,
            ))
        });
        let module_deliveries = crate::modules::delivery::spawn(
            self.state.db.clone(),
            self.state.partners.key().clone(),
            self.state.partners.module_reach().clone(),
            self.state.module_wake.clone(),
        );
        let link_purge = tokio::spawn(crate::accounts::service::run_link_purge(
            self.state.db.clone(),
        ));
        let draft_purge = tokio::spawn(crate::applications::service::run_draft_purge(
            self.state.db.clone(),
        ));
        let contact_purge = tokio::spawn(crate::reports::service::run_contact_purge(
            self.state.db.clone(),
        ));
        // SQLite: a full-text index that no longer matches the listings is rebuilt.
        let db = self.state.db.clone();
        let fts_check = tokio::spawn(async move {
            if let Err(e) = crate::search::repair_fts(&db).await {
                tracing::warn!(error = %e, "checking the full-text index of the listings failed");
            }
        });
        // Deliveries being sent are leased: another server or the next start sends them;
        // pending index updates stay in the outbox for the next start.
        // The admin address: stopped with the background tasks.
        let admin = self.admin.map(|acceptor| {
            let app = admin_routes(self.state.clone());
            tokio::spawn(async move {
                if let Err(e) = Server::new_with_acceptor(acceptor).run(app).await {
                    tracing::error!(error = %e, "the admin address stopped serving");
                }
            })
        });
        let tasks = BackgroundTasks(
            [
                Some(sweeper),
                Some(reconciler),
                Some(fts_check),
                Some(link_purge),
                Some(draft_purge),
                Some(module_deliveries),
                Some(contact_purge),
            ]
            .into_iter()
            .chain([retention, notifications, indexer, admin])
            .flatten()
            .collect(),
        );
        let app = routes(self.state);
        let served = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(std::time::Duration::from_secs(10)))
            .await;
        tasks.stop().await;
        if let Some(s) = demo_gym {
            s.stop().await;
        }
        if let Some(e) = demo_examples {
            e.stop().await;
        }
        served
    }
}

/// A server's background tasks. They stop with the server, also when its `run` future
/// is dropped, so that none of them keeps the server's state (its database pool, its
/// partner connections) alive.
struct BackgroundTasks(Vec<tokio::task::JoinHandle<()>>);

impl BackgroundTasks {
    /// Aborts them and waits until they are gone.
    async fn stop(mut self) {
        let tasks = std::mem::take(&mut self.0);
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
    }
}

impl Drop for BackgroundTasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Starts the search indexer inside the server when Meilisearch is configured and
/// `SEARCH_INDEXER` is `server` (the default).
fn spawn_indexer(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    let target = state.search.meili.clone()?;
    if !state.config.search.indexer_in_server {
        return None;
    }
    Some(tokio::spawn(search_indexer::consumer::run(
        state.db.clone(),
        target,
        state.search.wake.clone(),
        std::future::pending(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_of_this_build_compiles_for_every_json_body() {
        let spec: serde_json::Value = serde_json::from_str(&spec_json()).unwrap();
        let bodies = spec["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|i| i.as_object().unwrap().values())
            .filter(|op| {
                op.pointer("/requestBody/content").is_some_and(|c| {
                    c.as_object()
                        .unwrap()
                        .keys()
                        .any(|k| k.starts_with("application/json"))
                })
            })
            .count();
        assert!(bodies > 20, "{bodies}");
        assert_eq!(body_schemas().len(), bodies);
    }
}
