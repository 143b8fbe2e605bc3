//! `/api/v1/module/reports`: a module reads the reports of its own services and posts
//! status changes and comments back (they show in Open311's `GET requests` and
//! `servicerequestupdates` and on the resident's My reports).
//!
//! Scopes: `module:cases:read` to read, `module:cases:status` to change a status,
//! `module:cases:messages` to comment. The reporter's personal data comes only with
//! `module:resident-data:read` as well, only the categories the module's manifest names
//! for the service, and every read of a resident's data is recorded in their access log.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::Value;
use uuid::Uuid;

use super::error::ReportError;
use super::service::{self, Ctx, Filter, NewUpdate, State};
use crate::core::error::Invalid;
use crate::core::problem::{ApiError, Problem};
use crate::core::scope::Scope;
use crate::core::validate::Errors;
use crate::modules::api::ModuleToken;
use crate::modules::manifest::DataCategory;
use crate::msg;
use crate::privacy::service::{access_record_of, Reader};
use crate::web::api_tags::ApiTags;
use crate::web::state::AppState;
use entities::report;

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        db: &state.db,
        city_id: state.city.id,
    }
}

fn need(token: &ModuleToken, scope: Scope) -> Result<(), Problem> {
    if token.0.scopes.contains(scope) {
        Ok(())
    } else {
        Err(Problem::insufficient_scope(Some(scope)))
    }
}

fn problem(e: ReportError) -> ApiError {
    Problem::from_code(&e).into()
}

/// The names of a service's form fields whose answers are personal data (an email
/// address or a phone number).
fn personal_answers(services: &[service::ReportService], code: &str) -> Vec<String> {
    use crate::applications::form::{Kind, TextFormat};
    services
        .iter()
        .find(|s| s.code == code)
        .and_then(|s| s.form.as_ref())
        .map(|form| {
            form.fields()
                .iter()
                .filter(|f| {
                    matches!(
                        f.kind,
                        Kind::Text {
                            format: Some(TextFormat::Email | TextFormat::Tel),
                            ..
                        }
                    )
                })
                .map(|f| f.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// A report as its module sees it in a list: no personal data.
#[derive(Object)]
pub struct ModuleReport {
    /// The Open311 `service_request_id`.
    pub id: Uuid,
    pub service_code: String,
    /// `open` or `closed`.
    pub status: String,
    /// `open`, `investigating`, `in_progress`, `action_scheduled`, `fixed`, `duplicate`,
    /// `not_councils_responsibility`, `no_further_action`, `internal_referral` or
    /// `closed`.
    pub state: String,
    pub description: String,
    /// The answers to the service's attributes (its form), as JSON.
    pub attributes: Value,
    #[oai(skip_serializing_if_is_none)]
    pub status_notes: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub expected_datetime: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub service_notice: Option<String>,
    /// `portal` (a resident in the portal) or `app` (a third-party Open311 app).
    pub channel: String,
    pub requested_datetime: DateTime<Utc>,
    pub updated_datetime: DateTime<Utc>,
}

impl From<&report::Model> for ModuleReport {
    fn from(r: &report::Model) -> ModuleReport {
        ModuleReport {
            id: r.id,
            service_code: r.service_code.clone(),
            status: r.status.clone(),
            state: r.state.clone(),
            description: r.description.clone(),
            attributes: serde_json::from_str(&r.attributes).unwrap_or(Value::Null),
            status_notes: r.status_notes.clone(),
            expected_datetime: r.expected_at,
            service_notice: r.service_notice.clone(),
            channel: if r.key_id.is_some() { "app" } else { "portal" }.to_string(),
            requested_datetime: r.created_at,
            updated_datetime: r.updated_at,
        }
    }
}

/// A module's reports, newest first.
#[derive(Object)]
pub struct ModuleReportList {
    pub items: Vec<ModuleReport>,
}

/// The place a report is about.
#[derive(Object)]
pub struct ReportPlace {
    #[oai(skip_serializing_if_is_none)]
    pub lat: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub long: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub address: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub address_id: Option<String>,
}

/// Who reported it: only what the manifest lets the module receive.
#[derive(Object, Default)]
pub struct ReportReporter {
    #[oai(skip_serializing_if_is_none)]
    pub first_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub last_name: Option<String>,
    /// A resident's name as their account shows it.
    #[oai(skip_serializing_if_is_none)]
    pub name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub email: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub phone: Option<String>,
}

/// One status change or comment.
#[derive(Object)]
pub struct ModuleReportUpdate {
    pub id: Uuid,
    /// `status` or `comment` (the module's), or `reporter_comment` (what the reporter
    /// added for the module; not shown publicly).
    pub kind: String,
    pub state: String,
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A report in full, for its module.
#[derive(Object)]
pub struct ModuleReportDetail {
    pub report: ModuleReport,
    /// The place (with the `location` data category).
    #[oai(skip_serializing_if_is_none)]
    pub place: Option<ReportPlace>,
    /// Its photo (with the `attachments` data category), or the picture an app sent.
    #[oai(skip_serializing_if_is_none)]
    pub media_url: Option<String>,
    /// The reporter (with the scope `module:resident-data:read` and the `name`, `email`
    /// or `phone` data category).
    #[oai(skip_serializing_if_is_none)]
    pub reporter: Option<ReportReporter>,
    pub updates: Vec<ModuleReportUpdate>,
}

/// A status change.
#[derive(Object)]
pub struct StatusInput {
    /// The new state (see `ModuleReport.state`), in any case (`in_progress`,
    /// `IN_PROGRESS`).
    #[oai(validator(
        pattern = r"^([oO][pP][eE][nN]|[iI][nN][vV][eE][sS][tT][iI][gG][aA][tT][iI][nN][gG]|[iI][nN]_[pP][rR][oO][gG][rR][eE][sS][sS]|[aA][cC][tT][iI][oO][nN]_[sS][cC][hH][eE][dD][uU][lL][eE][dD]|[fF][iI][xX][eE][dD]|[dD][uU][pP][lL][iI][cC][aA][tT][eE]|[nN][oO][tT]_[cC][oO][uU][nN][cC][iI][lL][sS]_[rR][eE][sS][pP][oO][nN][sS][iI][bB][iI][lL][iI][tT][yY]|[nN][oO]_[fF][uU][rR][tT][hH][eE][rR]_[aA][cC][tT][iI][oO][nN]|[iI][nN][tT][eE][rR][nN][aA][lL]_[rR][eE][fF][eE][rR][rR][aA][lL]|[cC][lL][oO][sS][eE][dD])$"
    ))]
    pub state: String,
    /// A note for the public, up to 4000 characters (Open311 `status_notes`).
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    /// When the module expects to have dealt with it.
    #[oai(skip_serializing_if_is_none)]
    pub expected_datetime: Option<DateTime<Utc>>,
    /// A notice for the reporter (Open311 `service_notice`), up to 1000 characters.
    #[oai(skip_serializing_if_is_none)]
    pub service_notice: Option<String>,
}

/// A comment.
#[derive(Object)]
pub struct CommentInput {
    /// 1-4000 characters, shown publicly.
    #[oai(validator(
        pattern = r"^[ \t\n\r]*[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,3998}[^\s\u0000-\u001F\u007F-\u009F])?[ \t\n\r]*$"
    ))]
    pub text: String,
}

#[derive(ApiResponse)]
pub enum UpdatePosted {
    /// Stored; it shows in Open311's `servicerequestupdates`.
    #[oai(status = 201)]
    Created(Json<ModuleReportUpdate>),
}

fn update_of(u: entities::report_update::Model) -> ModuleReportUpdate {
    ModuleReportUpdate {
        id: u.id,
        kind: u.kind,
        state: u.state,
        description: u.description,
        created_at: u.created_at,
    }
}

fn note(errors: &mut Errors, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    let v = crate::core::validate::long_text(errors, field, v, max);
    (!v.is_empty()).then_some(v)
}

pub struct ReportsApi;

#[OpenApi(tag = "ApiTags::Modules")]
impl ReportsApi {
    /// A module's reports
    ///
    /// With the module's own token and `module:cases:read`: the reports of its own
    /// services, newest first, without personal data.
    #[oai(
        path = "/module/reports",
        method = "get",
        operation_id = "list_module_reports"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        /// `open` or `closed`.
        #[oai(validator(pattern = r"^(open|closed)$"))]
        status: Query<Option<String>>,
        /// Only this service's reports.
        service_code: Query<Option<String>>,
        /// At most this many (1 to 1000, default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<ModuleReportList>, ApiError> {
        need(&auth, Scope::ModuleCasesRead)?;
        let mut f = Filter {
            module_id: Some(auth.0.module.id),
            limit: limit.0.unwrap_or(100),
            ..Default::default()
        };
        match status.0.as_deref() {
            None => {}
            Some("open") => f.statuses.push("open"),
            Some("closed") => f.statuses.push("closed"),
            Some(_) => {
                return Err(problem(
                    Invalid::field("status", msg!("v-report-status-filter")).into(),
                ))
            }
        }
        if let Some(c) = service_code.0 {
            f.codes.push(c);
        }
        let rows = service::find(ctx(&state), &f).await.map_err(problem)?;
        // Answers that are an email address or a phone number are personal data: the
        // list leaves them out (one report, read with its scope, has them).
        let services = service::services(ctx(&state)).await.map_err(problem)?;
        let items = rows
            .iter()
            .map(|r| {
                let mut item = ModuleReport::from(r);
                let personal = personal_answers(&services, &r.service_code);
                if let Value::Object(answers) = &mut item.attributes {
                    answers.retain(|k, _| !personal.contains(k));
                }
                item
            })
            .collect();
        Ok(Json(ModuleReportList { items }))
    }

    /// A module reads one of its reports
    ///
    /// With `module:cases:read`. The place and photo come when the manifest names
    /// `location` and `attachments` for the service; the reporter only with
    /// `module:resident-data:read` too, and only the categories the manifest names; so do
    /// the answers that are an email address or a phone number. A resident's data read
    /// this way is recorded in their access log, naming the module.
    #[oai(
        path = "/module/reports/:id",
        method = "get",
        operation_id = "get_module_report"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        id: Path<Uuid>,
    ) -> Result<Json<ModuleReportDetail>, ApiError> {
        need(&auth, Scope::ModuleCasesRead)?;
        let module = &auth.0.module;
        let r = service::get(ctx(&state), id.0).await.map_err(problem)?;
        if r.module_id != Some(module.id) {
            return Err(problem(ReportError::NotFound));
        }
        let data: Vec<DataCategory> = module
            .approved
            .as_ref()
            .and_then(|v| {
                v.manifest
                    .services
                    .iter()
                    .find(|s| {
                        s.listing == r.service_code
                            && s.capability == crate::modules::manifest::Capability::Report
                    })
                    .map(|s| s.data.clone())
            })
            .unwrap_or_default();
        let base = state
            .config
            .server
            .public_url
            .as_str()
            .trim_end_matches('/');
        let place = data.contains(&DataCategory::Location).then(|| ReportPlace {
            lat: r.lat,
            long: r.lng,
            address: r.address_string.clone(),
            address_id: r.address_id.clone(),
        });
        let media_url = if data.contains(&DataCategory::Attachments) {
            let has_photo = !service::with_photo(ctx(&state), &[r.id])
                .await
                .map_err(problem)?
                .is_empty();
            r.media_url
                .clone()
                .or_else(|| has_photo.then(|| format!("{base}/reports/{}/photo", r.id)))
        } else {
            None
        };
        let mut reporter = None;
        let mut read_fields: Vec<&str> = Vec::new();
        // Answers that are an email address or a phone number are the reporter's
        // contact data: they come only with the resident-data scope, and reading them is
        // recorded like the reporter's own fields.
        let mut item = ModuleReport::from(&r);
        let services = service::services(ctx(&state)).await.map_err(problem)?;
        let personal = personal_answers(&services, &r.service_code);
        let read_contact = if let Value::Object(answers) = &mut item.attributes {
            if auth.0.scopes.contains(Scope::ModuleResidentDataRead) {
                answers.iter().any(|(k, v)| {
                    personal.contains(k) && v.as_str().is_some_and(|t| !t.trim().is_empty())
                })
            } else {
                answers.retain(|k, _| !personal.contains(k));
                false
            }
        } else {
            false
        };
        if auth.0.scopes.contains(Scope::ModuleResidentDataRead) {
            let mut who = ReportReporter::default();
            let resident = service::reporter_of(ctx(&state), &r)
                .await
                .map_err(problem)?;
            if data.contains(&DataCategory::Name) {
                who.first_name = r.reporter_first_name.clone();
                who.last_name = r.reporter_last_name.clone();
                who.name = resident.as_ref().map(|u| u.display_name.clone());
                if who.name.is_some() {
                    read_fields.push("name");
                }
            }
            if data.contains(&DataCategory::Email) {
                who.email = r
                    .reporter_email
                    .clone()
                    .or_else(|| resident.as_ref().map(|u| u.email.clone()));
                if resident.is_some() {
                    read_fields.push("email");
                }
            }
            if data.contains(&DataCategory::Phone) {
                who.phone = r.reporter_phone.clone();
            }
            reporter = Some(who);
        }
        if let Some(subject) = r.reporter_user_id {
            if place.is_some() {
                read_fields.push("location");
            }
            if !read_fields.is_empty() {
                let record = access_record_of(
                    state.city.id,
                    subject,
                    &Reader::Module(module.slug.clone()),
                    msg!(
                        "access-report-data",
                        fields = read_fields.join("-"),
                        report = r.id.to_string(),
                    ),
                    msg!("access-purpose-report", module = module.slug.clone()),
                );
                state
                    .access_log
                    .record(record)
                    .await
                    .map_err(|e| problem(e.into()))?;
            }
            if read_contact {
                let record = access_record_of(
                    state.city.id,
                    subject,
                    &Reader::Module(module.slug.clone()),
                    msg!("access-report-answers", report = r.id.to_string()),
                    msg!("access-purpose-report", module = module.slug.clone()),
                );
                state
                    .access_log
                    .record(record)
                    .await
                    .map_err(|e| problem(e.into()))?;
            }
        }
        let updates = service::updates(ctx(&state), Some(&[r.id]), None, None, false)
            .await
            .map_err(problem)?;
        Ok(Json(ModuleReportDetail {
            report: item,
            place,
            media_url,
            reporter,
            updates: updates.into_iter().map(update_of).collect(),
        }))
    }

    /// A module changes a report's status
    ///
    /// With `module:cases:status`. `open`, `investigating`, `in_progress` and
    /// `action_scheduled` keep it open; the others close it. The note is public.
    #[oai(
        path = "/module/reports/:id/status",
        method = "post",
        operation_id = "set_module_report_status"
    )]
    async fn status(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        id: Path<Uuid>,
        body: Json<StatusInput>,
    ) -> Result<UpdatePosted, ApiError> {
        need(&auth, Scope::ModuleCasesStatus)?;
        let mut errors = Errors::default();
        let st = State::parse(&body.0.state);
        if st.is_none() {
            errors.add("state", msg!("v-report-state"));
        }
        let description = note(&mut errors, "note", body.0.note.as_deref(), 4000);
        let service_notice = note(
            &mut errors,
            "service_notice",
            body.0.service_notice.as_deref(),
            1000,
        );
        errors.into_result(()).map_err(|e| problem(e.into()))?;
        let u = service::post_update(
            ctx(&state),
            auth.0.module.id,
            id.0,
            NewUpdate {
                state: st,
                description,
                expected_at: body.0.expected_datetime,
                service_notice,
            },
        )
        .await
        .map_err(problem)?;
        Ok(UpdatePosted::Created(Json(update_of(u))))
    }

    /// A module comments on a report
    ///
    /// With `module:cases:messages`. The comment is public (Open311
    /// `servicerequestupdates`) and shows on the reporter's My reports.
    #[oai(
        path = "/module/reports/:id/comments",
        method = "post",
        operation_id = "comment_module_report"
    )]
    async fn comment(
        &self,
        state: Data<&AppState>,
        auth: ModuleToken,
        id: Path<Uuid>,
        body: Json<CommentInput>,
    ) -> Result<UpdatePosted, ApiError> {
        need(&auth, Scope::ModuleCasesMessages)?;
        let mut errors = Errors::default();
        let text = note(&mut errors, "text", Some(&body.0.text), 4000);
        if text.is_none() && errors.is_empty() {
            errors.add("text", msg!("v-report-update-empty"));
        }
        errors.into_result(()).map_err(|e| problem(e.into()))?;
        let u = service::post_update(
            ctx(&state),
            auth.0.module.id,
            id.0,
            NewUpdate {
                state: None,
                description: text,
                expected_at: None,
                service_notice: None,
            },
        )
        .await
        .map_err(problem)?;
        Ok(UpdatePosted::Created(Json(update_of(u))))
    }
}
