//! The module's small HTTP server: one endpoint, `POST /webhooks/portal`, that verifies
//! each webhook, answers at once (the portal waits at most ten seconds, and retries
//! what is not answered 2xx), and does the work in the background.

use std::net::SocketAddr;
use std::sync::Arc;

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpAcceptor};
use poem::{Request, Response, Route};

use crate::webhook::{Inbox, Verdict};
use crate::{
    citizens_office, defects, parking, portal::Portal, Context, Example, Options, WEBHOOK_PATH,
};

/// A listening socket, before the module runs on it: its address goes into the
/// manifest's `webhook_url`.
pub struct Bound {
    acceptor: TcpAcceptor,
    addr: SocketAddr,
}

/// Listens on `addr` (port 0: any free port).
pub async fn bind(addr: SocketAddr) -> anyhow::Result<Bound> {
    let acceptor = poem::listener::TcpListener::bind(addr)
        .into_acceptor()
        .await?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| anyhow::anyhow!("no local address"))?;
    Ok(Bound { acceptor, addr })
}

/// A module running in this process.
pub struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops listening (work already started goes on to its end).
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

impl Bound {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The webhook URL for the manifest: plain `http` only because it is loopback (the
    /// portal accepts plain http on loopback only; anywhere else it must be https).
    pub fn webhook_url(&self) -> String {
        let host = if self.addr.ip().is_unspecified() {
            SocketAddr::from(([127, 0, 0, 1], self.addr.port()))
        } else {
            self.addr
        };
        format!("http://{host}{WEBHOOK_PATH}")
    }

    /// Runs `example` on this socket until stopped.
    pub fn run(self, example: Example, options: Options) -> anyhow::Result<Running> {
        let inbox = Inbox::new(&options.webhook_secret)
            .map_err(|e| anyhow::anyhow!("the webhook secret: {e}"))?;
        let cx = Arc::new(Context {
            portal: Portal::new(&options.portal, &options.client_id, &options.client_secret),
            delay: options.delay,
            key: options.private_key,
            cases: Default::default(),
        });
        let inbox = Arc::new(inbox);
        let endpoint = poem::endpoint::make(move |req: Request| {
            let (inbox, cx) = (inbox.clone(), cx.clone());
            async move { receive(example, &inbox, cx, req).await }
        });
        let app = Route::new().at(WEBHOOK_PATH, poem::post(endpoint));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = poem::Server::new_with_acceptor(self.acceptor);
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = server
                .run_with_graceful_shutdown(app, shutdown, Some(std::time::Duration::from_secs(2)))
                .await
            {
                tracing::error!(module = example.id(), error = %e, "the module's server failed");
            }
        });
        tracing::info!(module = example.id(), addr = %self.addr, "example module listening");
        Ok(Running {
            addr: self.addr,
            stop,
            task,
        })
    }
}

/// One webhook: 204 for a new event (worked on in the background), 200 for a repeat,
/// 401 for a bad signature, 400 for a body that is no event.
async fn receive(example: Example, inbox: &Inbox, cx: Arc<Context>, req: Request) -> Response {
    let headers = req.headers().clone();
    let Ok(body) = req.into_body().into_bytes().await else {
        return status(StatusCode::BAD_REQUEST);
    };
    match inbox.receive(&headers, &body) {
        Verdict::New(event) => {
            // Log the event's type and id: never its data (it may be personal).
            tracing::info!(module = example.id(), webhook = %event.id, kind = %event.kind, "event received");
            tokio::spawn(async move {
                let done = match example {
                    Example::ParkingPermits => parking::handle(&cx, &event).await,
                    Example::StreetDefects => defects::handle(&cx, &event).await,
                    Example::CitizensOffice => citizens_office::handle(&cx, &event).await,
                };
                if let Err(e) = done {
                    // A real module keeps the event in a queue of its own and retries.
                    tracing::warn!(module = example.id(), webhook = %event.id, error = %format!("{e:#}"), "handling the event failed");
                }
            });
            status(StatusCode::NO_CONTENT)
        }
        Verdict::Repeat => status(StatusCode::OK),
        Verdict::Forged(e) => {
            tracing::warn!(module = example.id(), error = %e, "a webhook with a bad signature was refused");
            status(StatusCode::UNAUTHORIZED)
        }
        Verdict::Malformed => status(StatusCode::BAD_REQUEST),
    }
}

fn status(s: StatusCode) -> Response {
    Response::builder().status(s).finish()
}
