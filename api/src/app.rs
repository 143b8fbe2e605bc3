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
use tokio::io::AsyncReadExt;

use crate::accounts::AccountsApi;
use crate::config::Config;
use crate::listings::api::{CategoriesApi, ListingsApi};
use crate::organizations::OrganizationsApi;
use crate::state::AppState;
use crate::store::Store;
use crate::{db, demo, health, pages, problem};

type Apis = (ListingsApi, CategoriesApi, OrganizationsApi, AccountsApi);

/// The API with its OpenAPI description.
pub fn api_service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (ListingsApi, CategoriesApi, OrganizationsApi, AccountsApi),
        "City Portal API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Find everything local — businesses and the city's own services — and manage \
         listings. Errors are RFC 9457 problem+json documents with a stable `type`. Writes to a \
         listing return an `ETag` and take `If-Match`. Lists use cursor pagination.",
    )
    .url_prefix("/api/v1")
}

/// The OpenAPI document as committed in `openapi/openapi.json`.
pub fn spec_json() -> String {
    let mut s = api_service().spec();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Connects, migrates, seeds reference data and (on first start) the demo city.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let db = db::connect(config.database_url.expose_secret()).await?;
    db::migrate(&db).await?;
    let city = demo::seed::ensure_city(&db, &config).await?;
    demo::seed::seed_taxonomy(&db).await?;
    if config.demo_data {
        demo::seed::load_demo_if_empty(&db, &city).await?;
    }
    let store = match &config.redis_url {
        Some(url) => Store::redis(url.expose_secret(), &config.redis_key_prefix)
            .await
            .map_err(|e| anyhow::anyhow!("REDIS_URL: cannot reach Redis: {e}"))?,
        None => Store::memory(),
    };
    Ok(AppState {
        db,
        store,
        config: Arc::new(config),
        city: Arc::new(city),
        templates: Arc::new(pages::templates()),
        metrics: Arc::new(health::Metrics::default()),
    })
}

/// All routes with their middleware.
pub fn routes(state: AppState) -> impl poem::Endpoint {
    let api = api_service();
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let max_body = state.config.max_body_bytes;
    Route::new()
        .nest(
            "/api/v1",
            api.around(move |ep, req| limit_body(ep, req, max_body)),
        )
        .at("/api/v1/openapi.json", spec)
        .nest("/docs", docs)
        .at("/", get(pages::home))
        .at("/listings/:slug", get(crate::listings::pages::listing_page))
        .at("/static/site.css", get(pages::site_css))
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .at("/metrics", get(health::metrics))
        .with(CookieJarManager::new())
        .with(CatchPanic::new().with_handler(|_| problem::Problem::internal().to_response()))
        .catch_all_error(problem::catch_all)
        .with(Compression::new())
        .around(health::track)
        .data(state)
        .into_endpoint()
}

/// Refuses request bodies over `max` bytes with 413, whether announced by
/// `Content-Length` or streamed in chunks, before any handler reads them.
async fn limit_body<E: Endpoint>(next: E, mut req: Request, max: usize) -> poem::Result<Response> {
    let too_large = || {
        problem::Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "The request body is too large",
        )
        .detail(format!("The request body may be at most {max} bytes."))
    };
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > max as u64 => return Err(too_large().into()),
        Some(_) => {}
        None if req
            .headers()
            .contains_key(poem::http::header::TRANSFER_ENCODING) =>
        {
            let mut buf = Vec::new();
            req.take_body()
                .into_async_read()
                .take(max as u64 + 1)
                .read_to_end(&mut buf)
                .await
                .map_err(|e| {
                    problem::Problem::bad_request(format!("could not read the body: {e}"))
                })?;
            if buf.len() > max {
                return Err(too_large().into());
            }
            req.set_body(buf);
        }
        None => {}
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// A server bound to its address, ready to run.
pub struct Bound {
    pub addr: SocketAddr,
    acceptor: poem::listener::TcpAcceptor,
    state: AppState,
}

/// Builds the state and binds the configured address (port 0 picks a free one).
pub async fn bind(config: Config) -> anyhow::Result<Bound> {
    let bind_addr = config.bind_addr;
    let state = build_state(config).await?;
    let acceptor = TcpListener::bind(bind_addr)
        .into_acceptor()
        .await
        .map_err(|e| anyhow::anyhow!("BIND_ADDR: cannot listen on {bind_addr}: {e}"))?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| anyhow::anyhow!("no local address"))?;
    Ok(Bound {
        addr,
        acceptor,
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
        let app = routes(self.state);
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(std::time::Duration::from_secs(10)))
            .await
    }
}
