//! `/api/v1/admin/modules`: city admins register modules from their manifests, review,
//! approve or refuse them, update, pause, resume and remove them; `/api/v1/modules`: the
//! public register of the modules in force and exactly what each receives.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::auth::Bearer;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, SecurityScheme};
use serde_json::Value;
use uuid::Uuid;

use super::error::ModuleError;
use super::manifest::Localized;
use super::service::{self, Ctx, Module, UpdateOutcome, Version};
use crate::core::identity::{AuthUser, StaffRole};
use crate::core::problem::{ApiError, FieldError, Problem};
use crate::web::api_tags::ApiTags;
use crate::web::auth::Auth;
use crate::web::state::AppState;

/// The register's context of a request.
pub fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        db: &state.db,
        city_id: state.city.id,
        acr_levels: state
            .config
            .oidc
            .as_ref()
            .map(|o| o.acr_levels.as_slice())
            .unwrap_or(&[]),
    }
}

/// The name of a module's OAuth client: its name in the city's language.
pub fn client_name(state: &AppState) -> impl Fn(&super::manifest::Manifest) -> String + '_ {
    move |m| m.name.get(state.config.city.default_locale).to_string()
}

/// A module's error as a problem; a taken id names the field `id`.
pub fn problem(e: ModuleError) -> ApiError {
    let mut p = Problem::from_code(&e);
    if matches!(e, ModuleError::Exists) {
        p.errors = vec![FieldError {
            field: "id".into(),
            message: p.detail.clone().unwrap_or_default(),
        }];
    }
    p.into()
}

/// A manifest version waiting for review.
#[derive(Object)]
pub struct PendingManifest {
    pub version: i32,
    /// The manifest as sent (see `module-manifest.schema.json`).
    pub manifest: Value,
    /// What it widens over the manifest in force, as field paths of `manifest` (empty
    /// for a module's first manifest: everything in it is new).
    pub widens: Vec<String>,
    pub submitted_at: DateTime<Utc>,
}

/// A registered module, for city admins.
#[derive(Object)]
pub struct AdminModule {
    /// The manifest's `id`.
    pub id: String,
    /// `pending` (first manifest waits for review), `refused`, `active`, `paused` or
    /// `removed`.
    pub status: String,
    /// Its OAuth client (client credentials), from its first approval on.
    #[oai(skip_serializing_if_is_none)]
    pub client_id: Option<Uuid>,
    /// The version of the manifest in force.
    #[oai(skip_serializing_if_is_none)]
    pub approved_version: Option<i32>,
    /// The manifest in force.
    #[oai(skip_serializing_if_is_none)]
    pub manifest: Option<Value>,
    /// A manifest waiting for review.
    #[oai(skip_serializing_if_is_none)]
    pub pending: Option<PendingManifest>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub paused_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub removed_at: Option<DateTime<Utc>>,
    /// For a module with `appointment` services, once approved: where its Partner
    /// Booking API implementation sends its booking webhooks (signed with the module's
    /// webhook secret).
    #[oai(skip_serializing_if_is_none)]
    pub booking_webhook_url: Option<String>,
}

impl AdminModule {
    /// The module as city admins see it; `public_url` is the portal's.
    pub fn of(m: Module, public_url: &url::Url) -> AdminModule {
        AdminModule {
            booking_webhook_url: m
                .booking_connection
                .map(|id| crate::partners::connections::webhook_url(public_url, id)),
            id: m.slug,
            status: m.status.as_str().to_string(),
            client_id: m.client_id,
            approved_version: m.approved.as_ref().map(|v| v.version),
            manifest: m.approved.as_ref().map(|v| v.manifest.to_json()),
            pending: m.pending.map(|v| PendingManifest {
                version: v.version,
                manifest: v.manifest.to_json(),
                widens: v.widens,
                submitted_at: v.submitted_at,
            }),
            created_at: m.created_at,
            updated_at: m.updated_at,
            paused_at: m.paused_at,
            removed_at: m.removed_at,
        }
    }
}

/// The city's modules.
#[derive(Object)]
pub struct AdminModuleList {
    pub items: Vec<AdminModule>,
}

/// One manifest version a module sent, and what became of it.
#[derive(Object)]
pub struct ManifestVersion {
    pub version: i32,
    /// `pending`, `approved` (in force from `applied_at` until `replaced_at`),
    /// `refused` or `superseded` (a newer manifest came before a decision).
    pub state: String,
    pub manifest: Value,
    /// What it widened over the manifest in force when it came.
    pub widens: Vec<String>,
    /// The account that sent it.
    #[oai(skip_serializing_if_is_none)]
    pub submitted_by: Option<Uuid>,
    pub submitted_at: DateTime<Utc>,
    /// The admin who approved or refused it (for an update that applied at once, who
    /// sent it).
    #[oai(skip_serializing_if_is_none)]
    pub decided_by: Option<Uuid>,
    #[oai(skip_serializing_if_is_none)]
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was refused.
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub applied_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub replaced_at: Option<DateTime<Utc>>,
}

impl From<Version> for ManifestVersion {
    fn from(v: Version) -> ManifestVersion {
        ManifestVersion {
            version: v.version,
            state: v.state,
            manifest: v.manifest.to_json(),
            widens: v.widens,
            submitted_by: v.submitted_by,
            submitted_at: v.submitted_at,
            decided_by: v.decided_by,
            decided_at: v.decided_at,
            note: v.note,
            applied_at: v.applied_at,
            replaced_at: v.replaced_at,
        }
    }
}

/// Every manifest version of a module, oldest first.
#[derive(Object)]
pub struct ManifestHistory {
    pub items: Vec<ManifestVersion>,
}

/// The version approved, as reviewed.
#[derive(Object)]
pub struct ApproveInput {
    /// The version waiting for review (`pending.version`); another answers 409.
    pub version: i32,
    /// For a manifest with `appointment` services: the OAuth 2.0 client id the module
    /// issued the portal for its Partner Booking API (`<base_url>/partner/v1`, token
    /// endpoint `<base_url>/oauth/token`), 1-200 characters. Required when the module
    /// has no booking connection yet; given later, it replaces the one stored.
    pub booking_client_id: Option<String>,
    /// Its client secret, 1-500 characters; with `booking_client_id`. Stored encrypted,
    /// never shown again.
    #[oai(write_only)]
    pub booking_client_secret: Option<String>,
}

impl ApproveInput {
    /// The booking credentials given, if any (one without the other is checked as an
    /// empty field).
    pub fn booking(&self) -> Option<super::appointments::BookingCredentials> {
        if self.booking_client_id.is_none() && self.booking_client_secret.is_none() {
            return None;
        }
        Some(super::appointments::BookingCredentials {
            client_id: self.booking_client_id.clone().unwrap_or_default(),
            client_secret: self.booking_client_secret.clone().unwrap_or_default(),
        })
    }
}

/// A module's new webhook signing secret, shown this once.
#[derive(Object)]
pub struct WebhookSecret {
    /// `whsec_…` (Standard Webhooks): the portal signs every delivery with it from now
    /// on, and the module signs its booking webhooks to the portal with it.
    pub webhook_secret: String,
}

/// The version refused, and why.
#[derive(Object)]
pub struct RefuseInput {
    pub version: i32,
    /// Why, for the module's operator: 1 to 2000 characters.
    pub reason: String,
}

/// An approved module and, on its first approval, its client secret: shown this once,
/// stored only hashed.
#[derive(Object)]
pub struct ApprovedModule {
    pub module: AdminModule,
    #[oai(skip_serializing_if_is_none)]
    pub client_secret: Option<String>,
    /// The webhook signing secret (`whsec_…`, Standard Webhooks), with the client
    /// secret on the first approval (and on the first approval of a module that had
    /// none): shown this once. The portal signs its events to the module with it, and
    /// the module signs its booking webhooks to the portal with it.
    #[oai(skip_serializing_if_is_none)]
    pub webhook_secret: Option<String>,
}

#[derive(ApiResponse)]
pub enum ModuleCreated {
    /// Registered; its manifest waits for review.
    #[oai(status = 201)]
    Created(Json<AdminModule>),
}

#[derive(ApiResponse)]
pub enum ManifestUpdated {
    /// It only narrowed or changed texts: in force now.
    #[oai(status = 200)]
    Applied(Json<AdminModule>),
    /// It widens what the module gets (or the module was never approved): it waits for
    /// review under `pending`; the manifest in force and the client's scopes are
    /// unchanged.
    #[oai(status = 202)]
    Pending(Json<AdminModule>),
}

/// German and English text.
#[derive(Object)]
pub struct Texts {
    pub de: String,
    pub en: String,
}

impl From<&Localized> for Texts {
    fn from(l: &Localized) -> Texts {
        Texts {
            de: l.de.clone(),
            en: l.en.clone(),
        }
    }
}

/// One category of resident data a module receives for a service.
#[derive(Object)]
pub struct ReceivedData {
    /// `name`, `email`, `phone`, `postal_address`, `date_of_birth`, `form_answers`,
    /// `attachments` or `location`.
    pub category: String,
    /// Since when it receives it (the start of the unbroken run of approved manifests
    /// naming it).
    pub since: DateTime<Utc>,
}

/// A service a module provides, and what it receives for it.
#[derive(Object)]
pub struct RegisterService {
    /// The service's listing slug; its page is `/services/<listing>`.
    pub listing: String,
    /// The service's name.
    pub name: Texts,
    /// `application`, `report` or `appointment`.
    pub capability: String,
    /// The FIM/LeiKa Leistungsschlüssel.
    #[oai(skip_serializing_if_is_none)]
    pub leika_key: Option<String>,
    /// Exactly the resident data it receives, and nothing else.
    pub data: Vec<ReceivedData>,
    pub purpose: Texts,
    pub legal_basis: Texts,
    /// The login assurance level a resident needs.
    #[oai(skip_serializing_if_is_none)]
    pub min_acr: Option<String>,
    /// For `appointment`: the module's Partner Booking API offers residents book on
    /// the service's page (its data goes to the module only when a resident confirms a
    /// booking, exactly the categories in `data`).
    #[oai(default, skip_serializing_if_is_empty)]
    pub offers: Vec<String>,
}

/// The organization that runs a module.
#[derive(Object)]
pub struct Operator {
    pub slug: String,
    pub name: String,
}

/// A module contact.
#[derive(Object)]
pub struct ModuleContact {
    pub email: String,
    #[oai(skip_serializing_if_is_none)]
    pub url: Option<String>,
}

/// A module in the public register.
#[derive(Object)]
pub struct RegisterModule {
    pub id: String,
    pub name: Texts,
    /// `active`, or `paused` (it receives nothing until resumed, and keeps what it
    /// received).
    pub status: String,
    pub operator: Operator,
    pub contact: ModuleContact,
    /// When the city first approved it.
    pub approved_at: DateTime<Utc>,
    /// Whether what residents send is encrypted to the module's own key.
    pub encrypted: bool,
    /// What it may do with the Module API.
    pub scopes: Vec<String>,
    pub services: Vec<RegisterService>,
}

/// The public register of modules.
#[derive(Object)]
pub struct ModuleRegister {
    pub items: Vec<RegisterModule>,
}

/// The public register, as the API and the page show it.
pub fn register_items(items: Vec<service::Public>) -> Vec<RegisterModule> {
    items
        .into_iter()
        .filter_map(|p| {
            let approved = p.module.approved.as_ref()?;
            let m = &approved.manifest;
            let services = m
                .services
                .iter()
                .zip(&p.service_names)
                .map(|(s, (de, en))| RegisterService {
                    listing: s.listing.clone(),
                    name: Texts {
                        de: de.clone(),
                        en: en.clone(),
                    },
                    capability: s.capability.as_str().to_string(),
                    leika_key: s.leika_key.clone(),
                    data: s
                        .data
                        .iter()
                        .map(|d| ReceivedData {
                            category: d.as_str().to_string(),
                            since: p
                                .since
                                .get(&(s.listing.clone(), s.capability, *d))
                                .copied()
                                .unwrap_or(approved.applied_at.unwrap_or(approved.submitted_at)),
                        })
                        .collect(),
                    purpose: (&s.purpose).into(),
                    legal_basis: (&s.legal_basis).into(),
                    min_acr: s.min_acr.clone(),
                    offers: s.offers.clone().unwrap_or_default(),
                })
                .collect();
            Some(RegisterModule {
                id: p.module.slug.clone(),
                name: (&m.name).into(),
                status: p.module.status.as_str().to_string(),
                operator: Operator {
                    slug: m.operator.clone(),
                    name: p.operator_name.clone(),
                },
                contact: ModuleContact {
                    email: m.contact.email.clone(),
                    url: m.contact.url.clone(),
                },
                approved_at: p.approved_at.unwrap_or(approved.submitted_at),
                encrypted: m.encryption_key.is_some(),
                scopes: m.scopes.clone(),
                services,
            })
        })
        .collect()
}

/// The module a request comes from: found by its access token's client.
pub struct ModuleCaller {
    pub module: Module,
    pub scopes: crate::core::scope::ScopeSet,
}

/// A module's own access token is valid (issued by client credentials, unexpired, not
/// revoked, its client enabled) and its client is an active module's.
async fn check_module(req: &poem::Request, bearer: Bearer) -> poem::Result<ModuleCaller> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| poem::Error::from(Problem::internal()))?;
    let access = crate::oauth::service::access(&state.db, bearer.token.trim())
        .await
        .map_err(Problem::from)?;
    let Some(access) = access.filter(|a| a.user_id.is_none()) else {
        return Err(Problem::unauthorized().into());
    };
    let module = service::of_client(&state.db, access.client_id)
        .await
        .map_err(Problem::from)?
        .filter(|m| m.status == service::ModuleStatus::Active);
    match module {
        Some(module) => Ok(ModuleCaller {
            module,
            scopes: access.scopes,
        }),
        None => Err(Problem::unauthorized().into()),
    }
}

/// A module's own OAuth access token (client credentials at `/oauth/token`):
/// `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", rename = "ModuleToken", checker = "check_module")]
pub struct ModuleToken(pub ModuleCaller);

impl ModuleToken {
    /// The module the token belongs to, and the token's scopes.
    pub fn caller(&self) -> &ModuleCaller {
        &self.0
    }
}

fn admin(user: &AuthUser) -> Result<(), Problem> {
    if user.staff_role == Some(StaffRole::Admin) {
        Ok(())
    } else {
        Err(Problem::forbidden("Only the city's admins manage modules."))
    }
}

/// One attempt to deliver an event to a module's webhook.
#[derive(Object)]
pub struct DeliveryAttempt {
    /// The `webhook-id` (the same on every attempt of one event).
    pub webhook_id: String,
    /// The event type, e.g. `application.submitted`.
    pub event_type: String,
    /// The case (application, report, booking) it is about.
    pub aggregate_id: Uuid,
    /// 1, 2, ... per event.
    pub attempt: i32,
    /// The module's HTTP status; none when it could not be reached.
    #[oai(skip_serializing_if_is_none)]
    pub status_code: Option<i32>,
    /// `delivered` (the module answered 2xx), `failed` (it did not; retried) or
    /// `skipped` (not sent, for good; `error` says why).
    pub outcome: DeliveryOutcome,
    /// Why it failed; for a skipped event `module-inactive` (the module was removed:
    /// a submitted application is then closed and its resident told),
    /// `not-subscribed` or `withdrawn-before-delivery` (neither the submission nor its
    /// withdrawal is sent).
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<String>,
    pub duration_ms: i32,
    pub at: DateTime<Utc>,
}

/// What became of a delivery attempt.
#[derive(poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum DeliveryOutcome {
    Delivered,
    Failed,
    Skipped,
}

impl DeliveryOutcome {
    fn parse(s: &str) -> DeliveryOutcome {
        match s {
            super::delivery::DELIVERED => DeliveryOutcome::Delivered,
            super::delivery::SKIPPED => DeliveryOutcome::Skipped,
            _ => DeliveryOutcome::Failed,
        }
    }
}

/// A module's delivery log, newest first.
#[derive(Object)]
pub struct DeliveryLog {
    pub items: Vec<DeliveryAttempt>,
}

pub struct ModulesApi;

#[OpenApi(tag = "ApiTags::Modules")]
impl ModulesApi {
    /// The public register of modules
    ///
    /// Every module in force (active or paused) with its operator, contact, the services
    /// it provides, and exactly which resident data it receives for each, for what
    /// purpose, on which legal basis, and since when. No login needed.
    #[oai(path = "/modules", method = "get", operation_id = "list_modules")]
    async fn public(&self, state: Data<&AppState>) -> Result<Json<ModuleRegister>, ApiError> {
        let items = service::public_register(ctx(&state))
            .await
            .map_err(problem)?;
        Ok(Json(ModuleRegister {
            items: register_items(items),
        }))
    }

    /// Register a module
    ///
    /// City admins only. The body is the module's manifest, checked against
    /// `module-manifest.schema.json` (at most 256 KiB); every bad field is named by its
    /// path (`services[1].leika_key`). The module waits for review.
    #[oai(
        path = "/admin/modules",
        method = "post",
        operation_id = "register_module"
    )]
    async fn register(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<Value>,
    ) -> Result<ModuleCreated, ApiError> {
        admin(auth.user())?;
        let m = service::register(ctx(&state), &body.0, auth.user().id)
            .await
            .map_err(problem)?;
        Ok(ModuleCreated::Created(Json(AdminModule::of(
            m,
            &state.config.server.public_url,
        ))))
    }

    /// List the modules
    ///
    /// City admins only; every module, with its manifest in force and any waiting for
    /// review.
    #[oai(
        path = "/admin/modules",
        method = "get",
        operation_id = "list_admin_modules"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<AdminModuleList>, ApiError> {
        admin(auth.user())?;
        let items = service::list(ctx(&state)).await.map_err(problem)?;
        let url = &state.config.server.public_url;
        Ok(Json(AdminModuleList {
            items: items.into_iter().map(|m| AdminModule::of(m, url)).collect(),
        }))
    }

    /// Get a module
    ///
    /// City admins only.
    #[oai(
        path = "/admin/modules/:id",
        method = "get",
        operation_id = "get_admin_module"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<Json<AdminModule>, ApiError> {
        admin(auth.user())?;
        let m = service::get(ctx(&state), &id.0).await.map_err(problem)?;
        Ok(Json(AdminModule::of(m, &state.config.server.public_url)))
    }

    /// A module's manifest history
    ///
    /// City admins only. Every manifest version with who sent and decided it when: since
    /// when the module receives what.
    #[oai(
        path = "/admin/modules/:id/versions",
        method = "get",
        operation_id = "list_module_versions"
    )]
    async fn versions(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<Json<ManifestHistory>, ApiError> {
        admin(auth.user())?;
        let items = service::history(ctx(&state), &id.0)
            .await
            .map_err(problem)?;
        Ok(Json(ManifestHistory {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Update a module's manifest
    ///
    /// City admins only. An update that widens what the module gets (a service, a data
    /// category, a scope or an event added; another address, key or operator; a lower
    /// assurance level; a changed form) waits for review (202) while the manifest in
    /// force and the client's scopes stay; one that only narrows or changes texts is in
    /// force at once (200), and a scope taken away ends the client's tokens.
    #[oai(
        path = "/admin/modules/:id/manifest",
        method = "put",
        operation_id = "update_module_manifest"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
        body: Json<Value>,
    ) -> Result<ManifestUpdated, ApiError> {
        admin(auth.user())?;
        let (m, outcome) = service::update(ctx(&state), &id.0, &body.0, Some(auth.user().id))
            .await
            .map_err(problem)?;
        Ok(match outcome {
            UpdateOutcome::Applied => {
                ManifestUpdated::Applied(Json(AdminModule::of(m, &state.config.server.public_url)))
            }
            UpdateOutcome::Pending => {
                ManifestUpdated::Pending(Json(AdminModule::of(m, &state.config.server.public_url)))
            }
        })
    }

    /// A module updates its own manifest
    ///
    /// With the module's own access token (any of its scopes). As for an admin's update:
    /// one that widens what the module gets waits for the city's review (202), one that
    /// only narrows or changes texts is in force at once (200).
    #[oai(
        path = "/module/manifest",
        method = "put",
        operation_id = "update_own_module_manifest"
    )]
    async fn update_own(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        body: Json<Value>,
    ) -> Result<ManifestUpdated, ApiError> {
        let (m, outcome) = service::update(ctx(&state), &auth.0.module.slug, &body.0, None)
            .await
            .map_err(problem)?;
        Ok(match outcome {
            UpdateOutcome::Applied => {
                ManifestUpdated::Applied(Json(AdminModule::of(m, &state.config.server.public_url)))
            }
            UpdateOutcome::Pending => {
                ManifestUpdated::Pending(Json(AdminModule::of(m, &state.config.server.public_url)))
            }
        })
    }

    /// Approve a module's manifest
    ///
    /// City admins only. The first approval registers the module's OAuth client (client
    /// credentials, exactly the approved scopes) and answers its secret and the webhook
    /// signing secret, this once. A manifest with `appointment` services needs the
    /// module's Partner Booking API credentials (`booking_client_id`,
    /// `booking_client_secret`) unless the portal has them already: the module is asked
    /// for its offers first (503 when it cannot be, and nothing is approved), then each
    /// service's offers are put on its listing, bookable like a business's own system.
    #[oai(
        path = "/admin/modules/:id/approve",
        method = "post",
        operation_id = "approve_module"
    )]
    async fn approve(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
        body: Json<ApproveInput>,
    ) -> Result<Json<ApprovedModule>, ApiError> {
        admin(auth.user())?;
        let name = client_name(&state);
        let a = service::approve(
            ctx(&state),
            &state.partners,
            &id.0,
            service::Approval {
                version: body.0.version,
                by: Some(auth.user().id),
                client_name: &name,
                booking: body.0.booking(),
            },
        )
        .await
        .map_err(problem)?;
        Ok(Json(ApprovedModule {
            module: AdminModule::of(a.module, &state.config.server.public_url),
            client_secret: a.client_secret,
            webhook_secret: a.webhook_secret,
        }))
    }

    /// Rotate a module's webhook secret
    ///
    /// City admins only; for an approved module (active or paused). A new `whsec_`
    /// secret, shown this once, signs every delivery from now on (retries of earlier
    /// events too) and is the one the module signs its booking webhooks with; the old
    /// one stops working at once.
    #[oai(
        path = "/admin/modules/:id/webhook-secret",
        method = "post",
        operation_id = "rotate_module_webhook_secret"
    )]
    async fn rotate_webhook_secret(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<Json<WebhookSecret>, ApiError> {
        admin(auth.user())?;
        let webhook_secret =
            service::rotate_webhook_secret(ctx(&state), state.partners.key(), &id.0)
                .await
                .map_err(problem)?;
        Ok(Json(WebhookSecret { webhook_secret }))
    }

    /// Refuse a module's manifest
    ///
    /// City admins only, with a reason. A module never approved is then `refused`; one
    /// in force keeps its manifest.
    #[oai(
        path = "/admin/modules/:id/refuse",
        method = "post",
        operation_id = "refuse_module"
    )]
    async fn refuse(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
        body: Json<RefuseInput>,
    ) -> Result<Json<AdminModule>, ApiError> {
        admin(auth.user())?;
        let m = service::refuse(
            ctx(&state),
            &id.0,
            body.0.version,
            &body.0.reason,
            auth.user().id,
        )
        .await
        .map_err(problem)?;
        Ok(Json(AdminModule::of(m, &state.config.server.public_url)))
    }

    /// Pause a module
    ///
    /// City admins only. Its client is disabled: its tokens stop working at once.
    #[oai(
        path = "/admin/modules/:id/pause",
        method = "post",
        operation_id = "pause_module"
    )]
    async fn pause(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<Json<AdminModule>, ApiError> {
        admin(auth.user())?;
        let m = service::pause(ctx(&state), &id.0).await.map_err(problem)?;
        Ok(Json(AdminModule::of(m, &state.config.server.public_url)))
    }

    /// Resume a paused module
    ///
    /// City admins only. Its client can get tokens again.
    #[oai(
        path = "/admin/modules/:id/resume",
        method = "post",
        operation_id = "resume_module"
    )]
    async fn resume(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<Json<AdminModule>, ApiError> {
        admin(auth.user())?;
        let m = service::resume(ctx(&state), &id.0).await.map_err(problem)?;
        Ok(Json(AdminModule::of(m, &state.config.server.public_url)))
    }

    /// A module's delivery log
    ///
    /// City admins only. The latest 200 attempts to deliver events to the module's
    /// webhook, newest first: each with its `webhook-id`, the module's answer and how
    /// long it took.
    #[oai(
        path = "/admin/modules/:id/deliveries",
        method = "get",
        operation_id = "list_module_deliveries"
    )]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<Json<DeliveryLog>, ApiError> {
        admin(auth.user())?;
        let m = service::get(ctx(&state), &id.0).await.map_err(problem)?;
        let items = super::delivery::log(&state.db, m.id, 200)
            .await
            .map_err(|e| problem(ModuleError::Db(e)))?;
        Ok(Json(DeliveryLog {
            items: items
                .into_iter()
                .map(|d| DeliveryAttempt {
                    webhook_id: d.webhook_id,
                    event_type: d.event_type,
                    aggregate_id: d.aggregate_id,
                    attempt: d.attempt,
                    status_code: d.status_code,
                    outcome: DeliveryOutcome::parse(&d.outcome),
                    error: d.error,
                    duration_ms: d.duration_ms,
                    at: d.created_at,
                })
                .collect(),
        }))
    }

    /// Remove a module
    ///
    /// City admins only. Its client is disabled, its services are free for another
    /// module; its id stays taken and its history kept.
    #[oai(
        path = "/admin/modules/:id",
        method = "delete",
        operation_id = "remove_module"
    )]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<Json<AdminModule>, ApiError> {
        admin(auth.user())?;
        let m = service::remove(ctx(&state), &id.0).await.map_err(problem)?;
        Ok(Json(AdminModule::of(m, &state.config.server.public_url)))
    }
}
