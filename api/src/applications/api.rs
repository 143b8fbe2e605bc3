//! `/api/v1/module/applications`: a module's side of its cases, with its own OAuth token
//! (client credentials) and only the scopes it was granted: `module:cases:read` to list
//! and read cases, `module:resident-data:read` for what the resident agreed to send
//! (every such read is in the resident's access log, naming the module, the case and
//! the purpose), `module:cases:status` to move a case on, `module:cases:messages` to
//! post messages and documents.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::Value;
use uuid::Uuid;

use super::error::ApplicationError;
use super::service::{self, Case, StatusChange};
use crate::core::locale::Locale;
use crate::core::problem::{ApiError, Problem};
use crate::core::scope::Scope;
use crate::modules::api::{ModuleCaller, ModuleToken};
use crate::modules::manifest::Capability;
use crate::msg;
use crate::privacy::service::{access_record_of, Reader};
use crate::web::api_tags::ApiTags;
use crate::web::auth::Auth;
use crate::web::state::AppState;

fn problem(e: ApplicationError) -> ApiError {
    Problem::from_code(&e).into()
}

/// The module's token must carry `scope`: else 403 (RFC 6750 `insufficient_scope`).
fn need(caller: &ModuleCaller, scope: Scope) -> Result<(), Problem> {
    if caller.scopes.contains(scope) {
        Ok(())
    } else {
        Err(Problem::insufficient_scope(Some(scope)))
    }
}

/// One step of a case's timeline.
#[derive(Object)]
pub struct TimelineEntry {
    /// `submitted`, `received`, `in_progress`, `needs_information`, `answered`,
    /// `decided`, `closed`, `withdrawn` or `message`.
    pub kind: String,
    /// `resident` or `module`.
    pub by: String,
    /// For `decided`: `approved` or `refused`.
    #[oai(skip_serializing_if_is_none)]
    pub decision: Option<String>,
    /// The question, the answer, the message (an answer only with
    /// `module:resident-data:read`).
    #[oai(skip_serializing_if_is_none)]
    pub message: Option<String>,
    /// A document posted with it.
    #[oai(skip_serializing_if_is_none)]
    pub file_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// A file of a case (its bytes at `/module/applications/{id}/files/{file_id}`).
#[derive(Object)]
pub struct CaseFile {
    pub id: Uuid,
    /// `attachment` (the resident's) or `document` (the module's).
    pub role: String,
    /// The form field of an attachment.
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Whether its bytes are the JWE sealed to the module's key.
    pub sealed: bool,
}

/// What the resident agreed to send: in clear, or sealed to the module's key.
#[derive(Object)]
pub struct ResidentData {
    /// The profile fields the resident ticked (`name`, `email`), in clear.
    #[oai(skip_serializing_if_is_none)]
    pub resident: Option<Value>,
    /// The answers to the form, in clear.
    #[oai(skip_serializing_if_is_none)]
    pub answers: Option<Value>,
    /// Both as a compact JWE (RSA-OAEP-256, A256GCM) to the module's key, once the
    /// portal keeps only that.
    #[oai(skip_serializing_if_is_none)]
    pub sealed: Option<String>,
}

/// A case of the module.
#[derive(Object)]
pub struct ModuleApplication {
    pub id: Uuid,
    /// The service's listing slug.
    pub service: String,
    /// `submitted`, `received`, `in_progress`, `needs_information`, `approved`,
    /// `refused`, `closed` or `withdrawn`.
    pub status: String,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub delivered_at: Option<DateTime<Utc>>,
    /// The categories of resident data the resident agreed to send.
    pub data_categories: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
    pub files: Vec<CaseFile>,
    /// Only with `module:resident-data:read` (and then in the resident's access log).
    #[oai(skip_serializing_if_is_none)]
    pub data: Option<ResidentData>,
}

fn view(c: &Case, with_data: bool) -> ModuleApplication {
    let a = &c.application;
    let data = with_data.then(|| match c.plain() {
        Some((answers, profile)) => ResidentData {
            resident: Some(profile),
            answers: Some(answers),
            sealed: None,
        },
        None => ResidentData {
            resident: None,
            answers: None,
            sealed: Some(a.answers.clone()),
        },
    });
    ModuleApplication {
        id: a.id,
        service: c.listing_slug.clone(),
        status: c.status.as_str().into(),
        submitted_at: a.created_at,
        updated_at: a.updated_at,
        delivered_at: a.delivered_at,
        data_categories: c
            .categories()
            .iter()
            .map(|d| d.as_str().to_string())
            .collect(),
        timeline: c
            .events
            .iter()
            .map(|e| TimelineEntry {
                kind: e.kind.clone(),
                by: e.actor.clone(),
                decision: e.decision.clone(),
                // The resident's answers are their data.
                message: if e.kind == "answered" && !with_data {
                    None
                } else {
                    e.message.clone()
                },
                file_id: e.file_id,
                at: e.created_at,
            })
            .collect(),
        files: c
            .files
            .iter()
            .map(|f| CaseFile {
                id: f.id,
                role: f.role.clone(),
                field: f.field.clone(),
                content_type: f.content_type.clone(),
                size: f.size,
                sha256: f.sha256.clone(),
                sealed: f.sealed,
            })
            .collect(),
        data,
    }
}

/// A module's cases.
#[derive(Object)]
pub struct ModuleApplicationList {
    pub items: Vec<ModuleApplication>,
}

/// A document a module posts: base64 bytes of a PDF, JPEG or PNG (at most 10 MiB) whose
/// content matches `content_type`.
#[derive(Object)]
pub struct DocumentInput {
    pub file_name: String,
    pub content_type: String,
    /// The bytes, base64 (standard alphabet, padded).
    pub data: String,
}

/// A new state of a case.
#[derive(Object)]
#[oai(rename = "CaseStatusInput")]
pub struct StatusInput {
    /// `received`, `in_progress`, `needs_information` (with `question`), `approved`,
    /// `refused` or `closed`; only legal steps (409 otherwise).
    #[oai(validator(
        pattern = r"^(received|in_progress|needs_information|approved|refused|closed)$"
    ))]
    pub status: String,
    /// For `needs_information`: what the resident is asked (1 to 5000 characters).
    #[oai(skip_serializing_if_is_none)]
    pub question: Option<String>,
    /// A message to the resident (with a decision, its reasons).
    #[oai(skip_serializing_if_is_none)]
    pub message: Option<String>,
    /// A document, e.g. the permit or the notice.
    #[oai(skip_serializing_if_is_none)]
    pub document: Option<DocumentInput>,
}

/// A message and/or a document for the resident.
#[derive(Object)]
pub struct MessageInput {
    #[oai(skip_serializing_if_is_none)]
    pub message: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub document: Option<DocumentInput>,
}

#[derive(ApiResponse)]
pub enum FileResponse {
    /// The file's bytes (for a sealed file, its compact JWE).
    #[oai(status = 200)]
    Ok(
        Binary<Vec<u8>>,
        #[oai(header = "content-type")] String,
        #[oai(header = "cache-control")] String,
    ),
}

fn document(d: Option<DocumentInput>) -> Result<Option<service::NewDocument>, Problem> {
    d.map(|d| service::parse_document(&d.file_name, &d.content_type, &d.data))
        .transpose()
        .map_err(|i| Problem::from_code(&ApplicationError::from(i)))
}

fn case_id(id: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(id).map_err(|_| Problem::from_code(&ApplicationError::NotFound))
}

/// Writes the access record of a module reading a resident's data of a case.
async fn record_read(
    state: &AppState,
    caller: &ModuleCaller,
    c: &Case,
    what: &str,
) -> Result<(), ApiError> {
    let decl = caller.module.approved.as_ref().and_then(|v| {
        v.manifest
            .services
            .iter()
            .find(|s| s.listing == c.listing_slug && s.capability == Capability::Application)
    });
    let i18n = crate::core::i18n::I18n::embedded();
    let words = |l: Locale| {
        c.categories()
            .iter()
            .map(|d| i18n.t(l, &d.message_key(), None))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let resource = msg!(
        "access-application-read",
        case = c.application.id.to_string(),
        what = what.to_string(),
        fields_de = words(Locale::De),
        fields_en = words(Locale::En),
        service_de = c.listing_name_de.clone(),
        service_en = c.listing_name_en.clone(),
    );
    let purpose = msg!(
        "access-purpose-application",
        purpose_de = decl.map(|d| d.purpose.de.clone()).unwrap_or_default(),
        purpose_en = decl.map(|d| d.purpose.en.clone()).unwrap_or_default(),
    );
    state
        .access_log
        .record(access_record_of(
            c.application.city_id,
            c.application.user_id,
            &Reader::Module(caller.module.slug.clone()),
            resource,
            purpose,
        ))
        .await
        .map_err(ApiError::from)
}

pub struct ModuleApplicationsApi;

#[OpenApi(tag = "ApiTags::Modules")]
impl ModuleApplicationsApi {
    /// A module lists its cases
    ///
    /// With the module's own token and `module:cases:read`: its applications, newest
    /// first (at most `limit`, 1 to 200, default 50), optionally of one `status`;
    /// without the resident's data.
    #[oai(
        path = "/module/applications",
        method = "get",
        operation_id = "list_module_applications"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        /// Only cases in this state.
        #[oai(validator(
            pattern = r"^(received|in_progress|needs_information|approved|refused|closed)$"
        ))]
        status: Query<Option<String>>,
        /// At most this many (1 to 200, default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<ModuleApplicationList>, ApiError> {
        let caller = auth.caller();
        need(caller, Scope::ModuleCasesRead)?;
        let status = match status.0.as_deref() {
            Some(s) => Some(service::Status::parse(s).ok_or_else(|| {
                problem(
                    crate::core::error::Invalid::field("status", msg!("v-application-status"))
                        .into(),
                )
            })?),
            None => None,
        };
        let limit = limit.0.unwrap_or(50).clamp(1, 200);
        let cases = service::cases_of_module(&state.db, caller.module.id, status, limit)
            .await
            .map_err(problem)?;
        Ok(Json(ModuleApplicationList {
            items: cases.iter().map(|c| view(c, false)).collect(),
        }))
    }

    /// A module reads one of its cases
    ///
    /// With `module:cases:read`; with `module:resident-data:read` too, `data` holds
    /// exactly what the resident agreed to send (in clear, or sealed to the module's
    /// key), and the read is written to the resident's access log naming the module,
    /// the case and the purpose.
    #[oai(
        path = "/module/applications/:id",
        method = "get",
        operation_id = "get_module_application"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        id: Path<String>,
    ) -> Result<Json<ModuleApplication>, ApiError> {
        let caller = auth.caller();
        need(caller, Scope::ModuleCasesRead)?;
        let c = service::case_of_module(&state.db, caller.module.id, case_id(&id.0)?)
            .await
            .map_err(problem)?;
        let with_data = caller.scopes.contains(Scope::ModuleResidentDataRead);
        if with_data {
            record_read(&state, caller, &c, "application").await?;
        }
        Ok(Json(view(&c, with_data)))
    }

    /// A module reads a file of its case
    ///
    /// The resident's attachments need `module:resident-data:read` (the read is in the
    /// resident's access log); the module's own documents `module:cases:read`.
    #[oai(
        path = "/module/applications/:id/files/:file_id",
        method = "get",
        operation_id = "get_module_application_file"
    )]
    async fn file(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        id: Path<String>,
        file_id: Path<String>,
    ) -> Result<FileResponse, ApiError> {
        let caller = auth.caller();
        need(caller, Scope::ModuleCasesRead)?;
        let file_id = case_id(&file_id.0)?;
        let (c, f) = service::file_of_module(&state.db, caller.module.id, case_id(&id.0)?, file_id)
            .await
            .map_err(problem)?;
        if f.role == "attachment" {
            need(caller, Scope::ModuleResidentDataRead)?;
            record_read(&state, caller, &c, "attachment").await?;
        }
        let ct = if f.sealed {
            "application/jose".to_string()
        } else {
            f.content_type.clone()
        };
        Ok(FileResponse::Ok(
            Binary(f.bytes),
            ct,
            "private, no-store".into(),
        ))
    }

    /// A module moves its case on
    ///
    /// With `module:cases:status`. Legal steps only: `submitted` → `received` →
    /// `in_progress` ⇄ `needs_information` (with a `question`; the resident's answer
    /// puts it back `in_progress`) → `approved` | `refused` (with an optional message
    /// and document) → `closed`. Another step answers 409 naming both states and the
    /// steps allowed from the current one. The
    /// resident is emailed in their language.
    #[oai(
        path = "/module/applications/:id/status",
        method = "post",
        operation_id = "set_module_application_status"
    )]
    async fn status(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        id: Path<String>,
        body: Json<StatusInput>,
    ) -> Result<Json<ModuleApplication>, ApiError> {
        let caller = auth.caller();
        need(caller, Scope::ModuleCasesStatus)?;
        let b = body.0;
        let to = service::Status::parse(&b.status).ok_or_else(|| {
            problem(
                crate::core::error::Invalid::field("status", msg!("v-application-status")).into(),
            )
        })?;
        let change = StatusChange {
            to,
            message: if to == service::Status::NeedsInformation {
                b.question.or(b.message)
            } else {
                b.message
            },
            document: document(b.document)?,
        };
        let c = service::set_status(
            &state.db,
            state.city.id,
            caller.module.id,
            case_id(&id.0)?,
            change,
        )
        .await
        .map_err(|e| {
            if matches!(e, ApplicationError::Transition { .. }) {
                // Counted for `city-portal module check` (`/metrics`), by module id.
                crate::core::metrics::refused_step(&caller.module.slug);
            }
            problem(e)
        })?;
        Ok(Json(view(&c, false)))
    }

    /// A module writes to the resident
    ///
    /// With `module:cases:messages`: a message and/or a document (a PDF, JPEG or PNG
    /// of at most 10 MiB whose content matches its type) on the case's timeline; the
    /// resident is emailed.
    #[oai(
        path = "/module/applications/:id/messages",
        method = "post",
        operation_id = "post_module_application_message"
    )]
    async fn message(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        id: Path<String>,
        body: Json<MessageInput>,
    ) -> Result<Json<ModuleApplication>, ApiError> {
        let caller = auth.caller();
        need(caller, Scope::ModuleCasesMessages)?;
        let b = body.0;
        let doc = document(b.document)?;
        let c = service::post_message(
            &state.db,
            state.city.id,
            caller.module.id,
            case_id(&id.0)?,
            b.message.as_deref(),
            doc,
        )
        .await
        .map_err(problem)?;
        Ok(Json(view(&c, false)))
    }
}

/// A file a resident attaches: its name, the type it claims and its bytes (base64). The
/// portal sniffs the bytes; a file that is not what it claims is the field's error.
#[derive(Object)]
pub struct FileInput {
    pub file_name: String,
    pub content_type: String,
    /// The bytes, base64 (standard alphabet, padded).
    pub data: String,
}

/// A resident's application through the API: the answers by the form's field names
/// (an address as `{street, postcode, city}`, a file as a [`FileInput`] object), and
/// the profile fields to send (`name`, `email`; only those the service receives).
#[derive(Object)]
pub struct ApplicationInput {
    pub answers: std::collections::BTreeMap<String, Value>,
    #[oai(default)]
    pub share: Vec<String>,
}

/// A case the resident sent.
#[derive(Object)]
pub struct SentApplication {
    pub id: Uuid,
    pub status: String,
    /// Its page, with the timeline.
    pub url: String,
}

#[derive(ApiResponse)]
pub enum ApplicationCreated {
    /// Sent: stored, and on its way to the module.
    #[oai(status = 201)]
    Created(Json<SentApplication>),
}

/// The answers as the form's fields would send them.
fn submitted(
    spec: &super::form::FormSpec,
    answers: &std::collections::BTreeMap<String, Value>,
) -> Result<
    (
        super::form::Submitted,
        Vec<crate::core::error::FieldMessage>,
    ),
    ApplicationError,
> {
    use super::form::{address_name, Kind, Submitted, ADDRESS_PARTS};
    let mut sent = Submitted::default();
    let mut wrong = Vec::new();
    for f in spec.fields() {
        let Some(v) = answers.get(&f.name) else {
            continue;
        };
        match (&f.kind, v) {
            (Kind::Address, Value::Object(parts)) => {
                for p in ADDRESS_PARTS {
                    if let Some(Value::String(t)) = parts.get(p) {
                        sent.add_text(address_name(&f.name, p), t.clone());
                    }
                }
            }
            (Kind::File { max_bytes, .. }, Value::Object(o)) => {
                let data = o.get("data").and_then(Value::as_str).unwrap_or_default();
                let bytes =
                    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data.trim())
                        .map_err(|_| {
                            ApplicationError::from(crate::core::error::Invalid::field(
                                f.name.clone(),
                                msg!("v-form-invalid"),
                            ))
                        })?;
                if bytes.len() as u64 > *max_bytes {
                    sent.add_oversize(f.name.clone());
                    continue;
                }
                sent.add_file(
                    f.name.clone(),
                    super::upload::Upload {
                        file_name: o
                            .get("file_name")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        content_type: o
                            .get("content_type")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        bytes,
                    },
                );
            }
            (_, Value::String(t)) => sent.add_text(f.name.clone(), t.clone()),
            (_, Value::Bool(b)) => sent.add_text(f.name.clone(), b.to_string()),
            (_, Value::Number(n)) => sent.add_text(f.name.clone(), n.to_string()),
            // Anything else is not an answer to this field.
            _ => wrong.push(crate::core::error::FieldMessage {
                field: f.name.clone(),
                message: msg!("v-form-invalid"),
            }),
        }
    }
    for k in answers.keys() {
        if !spec.fields().iter().any(|f| &f.name == k) {
            wrong.push(crate::core::error::FieldMessage {
                field: k.clone(),
                message: msg!("v-form-invalid"),
            });
        }
    }
    Ok((sent, wrong))
}

pub struct ResidentApplicationsApi;

#[OpenApi(tag = "ApiTags::Modules")]
impl ResidentApplicationsApi {
    /// Apply for a service online
    ///
    /// A logged-in resident (session or personal token) sends the service's form
    /// (`GET /api/v1/modules` names the services; the form is the manifest's): it is
    /// checked against the module's schema — every bad answer a 422 naming its field —
    /// stored, and delivered to the module. The service's login level (`min_acr`)
    /// applies. The portal's pages show the resident what goes to whom first; an app
    /// sending this must do the same.
    #[oai(
        path = "/services/:slug/applications",
        method = "post",
        operation_id = "apply_for_service"
    )]
    async fn apply(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<ApplicationInput>,
    ) -> Result<ApplicationCreated, ApiError> {
        let user = auth.user();
        let offer = service::offer(&state.db, state.city.id, &slug.0)
            .await
            .map_err(problem)?;
        if let Some(level) = &offer.decl.min_acr {
            let met = state
                .city_login
                .as_ref()
                .is_some_and(|l| l.config.satisfies(user.acr.as_deref(), level));
            if !met {
                return Err(Problem::forbidden(format!(
                    "This service needs a city login at the level {level}."
                ))
                .into());
            }
        }
        let (sent, wrong) = submitted(&offer.spec, &body.0.answers).map_err(problem)?;
        let today = Utc::now().with_timezone(&state.city.timezone).date_naive();
        let answers = offer.spec.validate(&sent, today);
        let share = service::parse_share(&offer, &body.0.share);
        let (answers, share) = match (answers, share) {
            (Ok(a), Ok(s)) if wrong.is_empty() => (a, s),
            (a, s) => {
                let mut fields = wrong;
                if let Err(i) = a {
                    // A field of the wrong type is named once.
                    let named: Vec<String> = fields.iter().map(|f| f.field.clone()).collect();
                    fields.extend(i.0.into_iter().filter(|f| !named.contains(&f.field)));
                }
                if let Err(i) = s {
                    fields.extend(i.0);
                }
                return Err(problem(crate::core::error::Invalid(fields).into()));
            }
        };
        let resident = service::Resident {
            id: user.id,
            name: user.display_name.clone(),
            email: user.email.clone(),
        };
        let locale = user_locale(&state, user.id).await;
        let id = service::create_draft(
            &state.db,
            state.city.id,
            &offer,
            &resident,
            &share,
            answers,
            locale,
        )
        .await
        .map_err(problem)?;
        service::submit(&state.db, state.city.id, user.id, id)
            .await
            .map_err(problem)?;
        Ok(ApplicationCreated::Created(Json(SentApplication {
            id,
            status: service::Status::Submitted.as_str().into(),
            url: format!("/account/applications/{id}"),
        })))
    }
}

/// The resident's language for emails: their preference, else the city's.
async fn user_locale(state: &AppState, user_id: Uuid) -> Locale {
    use sea_orm::EntityTrait;
    entities::user::Entity::find_by_id(user_id)
        .one(&state.db)
        .await
        .ok()
        .flatten()
        .and_then(|u| u.locale)
        .and_then(|l| l.parse().ok())
        .unwrap_or(state.config.city.default_locale)
}
