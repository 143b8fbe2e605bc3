//! Delivering events to the city's modules: the outbox consumer [`outbox::MODULES`]
//! posts every event of a module's cases (`application.*`, `report.*`, `booking.*`) to
//! the webhook of the module concerned — named by the event payload's `module_id` — if
//! its manifest in force subscribes to the event type.
//!
//! Each webhook is signed per Standard Webhooks (`webhook-id` the same on every retry,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`
//! with the module's `whsec_` secret, made with its first approval and rotated by the
//! city's admins). The body is
//! `{"type", "timestamp", "data"}`; `data` is built when it is sent (the outbox holds no
//! personal data), for bookings of a module's offers `{booking_id, offer_ref, status,
//! start}`, for applications by [`applications::service::webhook_data`] from what the
//! portal stores (sealed to the module's key at submission when its manifest has one:
//! the portal keeps only the ciphertext), so every attempt sends the same body; files
//! go by reference, fetched through the Module API. A failure is retried with backoff and nothing is dropped; the
//! outbox hands out a case's events in order, each one only after the one before it
//! reached the module. Every attempt is in `module_deliveries`, which city admins read.

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use secrecy::ExposeSecret;
use serde_json::json;
use uuid::Uuid;

use super::manifest::{self, Manifest};
use super::service::ModuleStatus;
use crate::applications;
use crate::core::locale::Locale;
use crate::core::outbox::{self, Claimed, Deliveries};
use crate::core::secrets::SecretsKey;
use crate::msg;
use crate::partners::client::Reach;
use entities::{module, module_delivery, module_version};
use partner_contract::webhook::{self, Secret, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};

/// The outbox deliveries of the modules' webhooks.
pub const DELIVERIES: Deliveries = Deliveries {
    consumer: outbox::MODULES,
    batch: 20,
    // Far longer than one batch of webhooks may take (each at most [`TIMEOUT`]).
    lease: Duration::from_secs(600),
};

/// How long a module has to answer a webhook.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The `webhook-id` of an event: the same on every attempt.
pub fn webhook_id(event_id: i32) -> String {
    format!("msg_{event_id}")
}

/// Sends the modules' webhooks.
#[derive(Clone)]
pub struct Deliverer {
    pub db: DatabaseConnection,
    pub key: SecretsKey,
    /// Where modules may be called (`MODULE_NETWORKS`), kept to by `http`.
    pub reach: Reach,
    pub http: reqwest::Client,
}

/// What became of one delivery.
enum Outcome {
    /// Delivered (or nothing to deliver): done.
    Done,
    /// Not now (the module failed or is paused): retried later.
    Retry(String),
    /// Not sent, for good: logged with why (`module-inactive`, `not-subscribed`,
    /// `withdrawn-before-delivery`), and done.
    Skipped(&'static str),
}

/// A delivery's `outcome` in the log.
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";
pub const SKIPPED: &str = "skipped";

impl Deliverer {
    pub fn new(db: DatabaseConnection, key: SecretsKey, reach: Reach) -> Deliverer {
        let http = reach.client(TIMEOUT);
        Deliverer {
            db,
            key,
            reach,
            http,
        }
    }

    /// Claims and handles one batch; returns how many deliveries it handled.
    pub async fn process_batch(&self) -> Result<usize, DbErr> {
        let claimed = DELIVERIES.claim(&self.db).await?;
        let mut done = Vec::new();
        for c in &claimed {
            match self.deliver(c).await {
                Ok(Outcome::Done) => done.push(c.event.id),
                Ok(Outcome::Skipped(why)) => {
                    self.log_skipped(c, why).await?;
                    done.push(c.event.id);
                }
                Ok(Outcome::Retry(error)) => DELIVERIES.failed(&self.db, c, &error).await?,
                Err(e) => {
                    tracing::warn!(event = c.event.id, error = %e, "module delivery failed; will retry");
                    DELIVERIES.failed(&self.db, c, &e.to_string()).await?;
                }
            }
        }
        DELIVERIES.done_many(&self.db, &done).await?;
        Ok(claimed.len())
    }

    async fn deliver(&self, c: &Claimed) -> Result<Outcome, applications::error::ApplicationError> {
        let e = &c.event;
        let Some(module_id) = e.payload["module_id"]
            .as_str()
            .and_then(|s| s.parse::<Uuid>().ok())
        else {
            return Ok(Outcome::Done); // about no module
        };
        let Some(m) = module::Entity::find_by_id(module_id).one(&self.db).await? else {
            return Ok(Outcome::Done);
        };
        // Only the events of the published vocabulary go to modules; the others are the
        // portal's own (a status a module set, for the resident's email).
        if !manifest::EVENTS.contains(&e.event_type.as_str()) {
            return Ok(Outcome::Done);
        }
        match ModuleStatus::parse(&m.status) {
            ModuleStatus::Active => {}
            // Paused: it gets its events when resumed.
            ModuleStatus::Paused => return Ok(Outcome::Retry("the module is paused".into())),
            // Removed (or never approved): nobody will take the case. The resident is
            // told rather than left waiting.
            _ => {
                if e.event_type == "application.submitted" {
                    applications::service::undeliverable(&self.db, e.aggregate_id).await?;
                }
                return Ok(Outcome::Skipped("module-inactive"));
            }
        }
        let Some(manifest) = in_force(&self.db, &m).await? else {
            // An active module always has one; this is the portal's fault: say so and
            // keep the event.
            tracing::error!(module = %m.slug, "an active module without a readable manifest");
            return Ok(Outcome::Retry(
                "the manifest in force cannot be read".into(),
            ));
        };
        if !manifest::subscribes(&manifest.events, &e.event_type) {
            return Ok(Outcome::Skipped("not-subscribed"));
        }
        // A case withdrawn before it went out is not sent at all, nor its withdrawal.
        if e.aggregate_type == applications::service::AGGREGATE
            && applications::service::withdrawn_undelivered(&self.db, e.aggregate_id).await?
        {
            return Ok(Outcome::Skipped("withdrawn-before-delivery"));
        }
        let data = match e.aggregate_type.as_str() {
            // Erased with the resident's account: only the case's id (the case is gone).
            applications::service::AGGREGATE if e.event_type == "application.erased" => json!({
                "application_id": e.aggregate_id,
                "service": e.payload["service"],
            }),
            applications::service::AGGREGATE => {
                match applications::service::webhook_data(
                    &self.db,
                    e.aggregate_id,
                    &e.event_type,
                    &e.payload,
                )
                .await?
                {
                    Some(d) => d,
                    None => return Ok(Outcome::Done), // the case is gone (erased)
                }
            }
            // A booking of the module's offer: which booking, which offer, its status
            // and start; the resident's data goes only through the Partner Booking API,
            // with the confirmation they agreed to.
            "booking" => json!({
                "booking_id": e.aggregate_id,
                "offer_ref": e.payload["offer_ref"],
                "status": e.payload["status"],
                "start": e.payload["starts_at"],
            }),
            // Reports carry what the module gets in their payload, and the reporter's
            // language.
            _ => {
                let mut data = e.payload.clone();
                let locale = if e.aggregate_type == "report" {
                    Some(self.reporter_locale(e.aggregate_id, e.city_id).await?)
                } else {
                    None
                };
                if let Some(o) = data.as_object_mut() {
                    o.remove("module_id");
                    // A booking's events name it only as their aggregate.
                    if e.aggregate_type == "booking" {
                        o.entry("booking_id")
                            .or_insert_with(|| json!(e.aggregate_id));
                    }
                    if let Some(l) = locale {
                        o.entry("locale").or_insert_with(|| json!(l));
                    }
                }
                data
            }
        };
        let Some(secret) = m
            .webhook_secret_enc
            .as_deref()
            .and_then(|s| self.key.decrypt(s).ok())
            .and_then(|s| Secret::parse(s.expose_secret()).ok())
        else {
            tracing::error!(module = %m.slug, "the module's webhook secret cannot be opened");
            return Ok(Outcome::Retry("no webhook secret".into()));
        };
        let body = json!({
            "type": e.event_type,
            "timestamp": e.created_at,
            "data": data,
        })
        .to_string();
        let id = webhook_id(e.id);
        let now = Utc::now();
        let ts = now.timestamp();
        let started = Instant::now();
        if !self.reach.admits_url(&manifest.webhook_url) {
            let error = "the module's address is not in the networks modules may be called at";
            log_attempt(&self.db, c, m.id, None, Some(error.into()), FAILED, 0, now).await?;
            return Ok(Outcome::Retry(error.into()));
        }
        let sent = self
            .http
            .post(&manifest.webhook_url)
            .header("content-type", "application/json")
            .header(HEADER_ID, &id)
            .header(HEADER_TIMESTAMP, ts.to_string())
            .header(
                HEADER_SIGNATURE,
                webhook::sign(&secret, &id, ts, body.as_bytes()),
            )
            .body(body)
            .send()
            .await;
        let took = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let (status, error) = match &sent {
            Ok(r) if r.status().is_success() => (Some(r.status().as_u16() as i32), None),
            Ok(r) => (
                Some(r.status().as_u16() as i32),
                Some(format!("the module answered {}", r.status().as_u16())),
            ),
            Err(err) if err.is_timeout() => {
                (None, Some("the module did not answer in time".into()))
            }
            Err(_) => (None, Some("the module could not be reached".into())),
        };
        let outcome = if error.is_some() { FAILED } else { DELIVERED };
        log_attempt(&self.db, c, m.id, status, error.clone(), outcome, took, now).await?;
        if let Some(error) = error {
            return Ok(Outcome::Retry(error));
        }
        if e.aggregate_type == applications::service::AGGREGATE {
            if e.event_type == "application.submitted" {
                applications::service::mark_delivered(&self.db, e.aggregate_id).await?;
            }
            if matches!(
                e.event_type.as_str(),
                "application.submitted" | "application.answered"
            ) {
                self.record_sent(&m, &manifest, e.aggregate_id, &e.event_type)
                    .await?;
            }
        }
        Ok(Outcome::Done)
    }

    /// The language a report's reporter reads, for an event whose payload does not say
    /// (`report.submitted` does: the language they reported in): their account's, else
    /// the city's default (a report from an Open311 app, or a reporter who never chose).
    async fn reporter_locale(&self, report_id: Uuid, city_id: Uuid) -> Result<String, DbErr> {
        let user_id = entities::report::Entity::find_by_id(report_id)
            .one(&self.db)
            .await?
            .and_then(|r| r.reporter_user_id);
        let chosen = match user_id {
            Some(u) => entities::user::Entity::find_by_id(u)
                .one(&self.db)
                .await?
                .and_then(|u| u.locale)
                .and_then(|l| l.parse::<Locale>().ok()),
            None => None,
        };
        let locale = match chosen {
            Some(l) => l,
            None => entities::city::Entity::find_by_id(city_id)
                .one(&self.db)
                .await?
                .and_then(|c| c.default_locale.parse::<Locale>().ok())
                .unwrap_or(Locale::De),
        };
        Ok(locale.as_str().to_string())
    }

    /// Logs an event not sent, with why, for the city admins' delivery log.
    async fn log_skipped(&self, c: &Claimed, why: &str) -> Result<(), DbErr> {
        let e = &c.event;
        let Some(module_id) = e.payload["module_id"]
            .as_str()
            .and_then(|s| s.parse::<Uuid>().ok())
        else {
            return Ok(());
        };
        log_attempt(
            &self.db,
            c,
            module_id,
            None,
            Some(why.into()),
            SKIPPED,
            0,
            Utc::now(),
        )
        .await
    }

    /// The resident's access log names the module that received their data.
    async fn record_sent(
        &self,
        m: &module::Model,
        manifest: &Manifest,
        application_id: Uuid,
        event_type: &str,
    ) -> Result<(), DbErr> {
        let Some(a) = entities::application::Entity::find_by_id(application_id)
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        let listing = entities::listing::Entity::find_by_id(a.listing_id)
            .one(&self.db)
            .await?;
        let decl = listing.as_ref().and_then(|l| {
            manifest
                .services
                .iter()
                .find(|s| s.listing == l.slug && s.capability == manifest::Capability::Application)
        });
        let i18n = crate::core::i18n::I18n::embedded();
        let words = |l: crate::core::locale::Locale| {
            serde_json::from_str::<Vec<String>>(&a.data_categories)
                .unwrap_or_default()
                .iter()
                .filter_map(|c| manifest::DataCategory::parse(c))
                .map(|c| i18n.t(l, &c.message_key(), None))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let resource = msg!(
            "access-application-sent",
            case = application_id.to_string(),
            fields_de = words(crate::core::locale::Locale::De),
            fields_en = words(crate::core::locale::Locale::En),
            what = if event_type == "application.answered" {
                "answer"
            } else {
                "application"
            },
            service_de = listing
                .as_ref()
                .map(|l| l.name_de.clone())
                .unwrap_or_default(),
            service_en = listing
                .as_ref()
                .map(|l| l.name_en.clone())
                .unwrap_or_default(),
        );
        let purpose = msg!(
            "access-purpose-application",
            purpose_de = decl.map(|d| d.purpose.de.clone()).unwrap_or_default(),
            purpose_en = decl.map(|d| d.purpose.en.clone()).unwrap_or_default(),
        );
        crate::privacy::service::record_access(
            &self.db,
            a.city_id,
            a.user_id,
            &crate::privacy::service::Reader::Module(m.slug.clone()),
            resource,
            purpose,
        )
        .await
    }

    /// Runs until `stop` resolves: handles deliveries as they come (polling every
    /// 500 ms when idle, and at once when `wake` is notified after a write), backing
    /// off while the database fails.
    pub async fn run(
        self,
        wake: std::sync::Arc<tokio::sync::Notify>,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        let mut failures: i32 = 0;
        loop {
            let pause = match self.process_batch().await {
                Ok(n) if n > 0 => {
                    failures = 0;
                    Duration::from_millis(0)
                }
                Ok(_) => {
                    failures = 0;
                    Duration::from_millis(500)
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!(error = %e, "module deliveries: the database failed; will retry");
                    search_indexer::consumer::backoff(failures)
                }
            };
            let woken = failures == 0;
            tokio::select! {
                biased;
                _ = &mut stop => return,
                _ = wake.notified(), if woken => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// One row of a module's delivery log: the attempt at `c`'s event and its outcome.
#[allow(clippy::too_many_arguments)]
async fn log_attempt(
    db: &DatabaseConnection,
    c: &Claimed,
    module_id: Uuid,
    status_code: Option<i32>,
    error: Option<String>,
    outcome: &str,
    duration_ms: i32,
    at: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    let e = &c.event;
    module_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        module_id: Set(module_id),
        event_id: Set(e.id),
        webhook_id: Set(webhook_id(e.id)),
        event_type: Set(e.event_type.clone()),
        aggregate_id: Set(e.aggregate_id),
        attempt: Set(c.delivery.attempts + 1),
        status_code: Set(status_code),
        error: Set(error),
        outcome: Set(outcome.into()),
        duration_ms: Set(duration_ms),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The manifest in force of a module.
async fn in_force(db: &DatabaseConnection, m: &module::Model) -> Result<Option<Manifest>, DbErr> {
    let Some(v) = m.approved_version else {
        return Ok(None);
    };
    Ok(module_version::Entity::find()
        .filter(module_version::Column::ModuleId.eq(m.id))
        .filter(module_version::Column::Version.eq(v))
        .one(db)
        .await?
        .and_then(|v| serde_json::from_str(&v.manifest).ok()))
}

/// Starts the deliveries inside the server.
pub fn spawn(
    db: DatabaseConnection,
    key: SecretsKey,
    reach: Reach,
    wake: std::sync::Arc<tokio::sync::Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(Deliverer::new(db, key, reach).run(wake, std::future::pending()))
}

/// A module's delivery log, newest first.
pub async fn log(
    db: &DatabaseConnection,
    module_id: Uuid,
    limit: u64,
) -> Result<Vec<module_delivery::Model>, DbErr> {
    module_delivery::Entity::find()
        .filter(module_delivery::Column::ModuleId.eq(module_id))
        .order_by_desc(module_delivery::Column::CreatedAt)
        .order_by_desc(module_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
