//! The reports' pages: a report's photo; (below) the residents' report form, My
//! reports, the public list of open reports, and the admins' Open311 API keys.

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{IntoResponse, Response};
use uuid::Uuid;

use super::service::{self, Ctx};
use crate::web::state::AppState;

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        db: &state.db,
        city_id: state.city.id,
    }
}

/// `/reports/<id>/photo`: a report's photo, as its bytes are (sniffed when stored).
#[poem::handler]
pub async fn photo(state: Data<&AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match service::photo(ctx(&state), id).await {
        Ok(p) => Response::builder()
            .content_type(p.content_type)
            .header("X-Content-Type-Options", "nosniff")
            // An hour at most: erasure deletes a resident's photo, and caches should follow.
            .header("Cache-Control", "public, max-age=3600")
            .body(p.bytes),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The Open311 API keys page, for city admins only.
fn admins_only(
    state: &AppState,
    pc: &crate::web::pages::PageCtx,
    req: &poem::Request,
    user: &crate::core::identity::AuthUser,
) -> Option<Response> {
    (user.staff_role != Some(crate::core::identity::StaffRole::Admin)).then(|| {
        crate::web::extract::message_page(
            state,
            pc,
            req,
            StatusCode::FORBIDDEN,
            "admin-open311-admins-only",
        )
    })
}

async fn keys_page(
    state: &AppState,
    pc: &crate::web::pages::PageCtx,
    req: &poem::Request,
    status: StatusCode,
    app_name: &str,
    error: Option<String>,
    shown: Option<(String, String)>,
) -> Response {
    let l = pc.locale;
    let tz = state.city.timezone;
    let day = |t: chrono::DateTime<chrono::Utc>| {
        crate::core::i18n::format_date(l, t.with_timezone(&tz).date_naive())
    };
    let keys: Vec<minijinja::Value> = service::keys(ctx(state))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|k| {
            minijinja::context! {
                id => k.id.to_string(),
                app_name => k.app_name,
                prefix => k.prefix,
                created => day(k.created_at),
                last_used => k.last_used_at.map(day),
                revoked => k.revoked_at.map(day),
            }
        })
        .collect();
    let errors: Vec<minijinja::Value> = error
        .iter()
        .map(|m| minijinja::context! { field => "app_name", message => m.clone() })
        .collect();
    let base = state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/');
    let secret_shown = shown.is_some();
    let mut page = crate::web::pages::render(
        state,
        pc,
        req,
        "admin_open311_keys.html",
        status,
        minijinja::context! {
            keys, errors, error, app_name,
            shown => shown.map(|(name, key)| minijinja::context! { name, key }),
            endpoint => format!("{base}/open311/v2"),
        },
    );
    if secret_shown {
        // The new key is shown once: no cache (the browser's, a proxy's) may keep it.
        page.headers_mut().insert(
            poem::http::header::CACHE_CONTROL,
            poem::http::HeaderValue::from_static("no-store"),
        );
    }
    page
}

/// `GET /admin/open311-keys`: the apps' API keys, and a form to issue one.
#[poem::handler]
pub async fn admin_keys(
    state: Data<&AppState>,
    req: &poem::Request,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
) -> Response {
    if let Some(denied) = admins_only(&state, &pc, req, &user) {
        return denied;
    }
    keys_page(&state, &pc, req, StatusCode::OK, "", None, None).await
}

/// What the key form sends.
#[derive(serde::Deserialize, Default)]
pub struct KeyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    app_name: String,
}
crate::web::extract::protected_form!(KeyForm);

/// `POST /admin/open311-keys`: issues a key and shows it this once.
#[poem::handler]
pub async fn admin_issue_key(
    state: Data<&AppState>,
    req: &poem::Request,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
    crate::web::extract::CheckedForm(form): crate::web::extract::CheckedForm<KeyForm>,
) -> Response {
    if let Some(denied) = admins_only(&state, &pc, req, &user) {
        return denied;
    }
    match service::issue_key(ctx(&state), &form.app_name, Some(user.id)).await {
        Ok(issued) => {
            keys_page(
                &state,
                &pc,
                req,
                StatusCode::CREATED,
                "",
                None,
                Some((issued.key.app_name, issued.secret)),
            )
            .await
        }
        Err(super::error::ReportError::Invalid(i)) => {
            let message =
                i.0.first()
                    .map(|f| state.i18n.message(pc.locale, &f.message));
            keys_page(
                &state,
                &pc,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.app_name,
                message,
                None,
            )
            .await
        }
        Err(e) => {
            tracing::error!(error = %e, "issuing an Open311 key");
            crate::web::extract::message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}

/// `POST /admin/open311-keys/:id/revoke`: apps using the key get 403 from now on.
#[poem::handler]
pub async fn admin_revoke_key(
    state: Data<&AppState>,
    req: &poem::Request,
    Path(id): Path<String>,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
    crate::web::extract::CheckedForm(_): crate::web::extract::CheckedForm<
        crate::web::extract::TokenOnly,
    >,
) -> Response {
    if let Some(denied) = admins_only(&state, &pc, req, &user) {
        return denied;
    }
    let revoked = match Uuid::parse_str(&id) {
        Ok(id) => service::revoke_key(ctx(&state), id).await,
        Err(_) => Err(super::error::ReportError::NotFound),
    };
    match revoked {
        Ok(()) => crate::web::pages::see_other(format!("/admin/open311-keys#k-{id}")),
        Err(super::error::ReportError::NotFound) => crate::web::extract::message_page(
            &state,
            &pc,
            req,
            StatusCode::NOT_FOUND,
            "problem-not-found",
        ),
        Err(e) => {
            tracing::error!(error = %e, "revoking an Open311 key");
            crate::web::extract::message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}

/// The fields of the report form beside the service's own (prefixed, so that a
/// module's form cannot take their names).
const F_DESCRIPTION: &str = "report_description";
const F_ADDRESS: &str = "report_address";
const F_LAT: &str = "report_lat";
const F_LNG: &str = "report_lng";
const F_PHOTO: &str = "report_photo";

/// What the report form sent: texts by name, the photo, and the fields too large to read.
#[derive(Default)]
struct Sent {
    texts: std::collections::BTreeMap<String, String>,
    photo: Option<crate::applications::upload::Upload>,
    oversize: Vec<String>,
}

impl Sent {
    fn text(&self, name: &str) -> &str {
        self.texts.get(name).map(String::as_str).unwrap_or("")
    }
}

/// The most a report form's body may carry altogether: the photo and the texts.
const MAX_FORM_BYTES: u64 = service::MAX_PHOTO_BYTES + 256 * 1024;

/// Reads the report form (`multipart/form-data`): the photo up to its limit, every other
/// part as a short text; at most 64 parts and [`MAX_FORM_BYTES`] in all.
async fn read_form(mut body: poem::web::Multipart) -> Result<Sent, ()> {
    use tokio::io::AsyncReadExt;
    let mut sent = Sent::default();
    let mut parts = 0;
    let mut total: u64 = 0;
    while let Some(part) = body.next_field().await.map_err(|_| ())? {
        parts += 1;
        if parts > 64 {
            return Err(());
        }
        let name = part.name().unwrap_or_default().to_string();
        let is_photo = name == F_PHOTO;
        let limit = if is_photo {
            service::MAX_PHOTO_BYTES
        } else {
            crate::applications::upload::MAX_TEXT_BYTES as u64
        };
        let file_name = part.file_name().map(str::to_string);
        let content_type = part.content_type().map(str::to_string);
        let mut bytes = Vec::new();
        part.into_async_read()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|_| ())?;
        total += bytes.len() as u64;
        if total > MAX_FORM_BYTES {
            return Err(());
        }
        if bytes.len() as u64 > limit {
            sent.oversize.push(name);
            continue;
        }
        if is_photo {
            sent.photo = Some(crate::applications::upload::Upload {
                file_name,
                content_type,
                bytes,
            });
        } else if let Ok(text) = String::from_utf8(bytes) {
            sent.texts.entry(name).or_insert(text);
        } else {
            sent.oversize.push(name);
        }
    }
    Ok(sent)
}

/// The service's own questions as the form shows them (those Open311 can carry too:
/// no files or addresses).
fn attribute_fields(
    state: &AppState,
    svc: &service::ReportService,
    locale: crate::core::locale::Locale,
    sent: &crate::applications::form::Submitted,
    errors: &[crate::core::error::FieldMessage],
) -> Vec<crate::applications::form::FieldView> {
    let Some(form) = &svc.form else {
        return Vec::new();
    };
    crate::applications::form::FormView::new(
        form,
        locale,
        &state.i18n,
        sent,
        errors,
        chrono::Utc::now().date_naive(),
    )
    .fields
    .into_iter()
    .filter(|f| f.widget != "file" && f.widget != "address")
    .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    pc: &crate::web::pages::PageCtx,
    req: &poem::Request,
    status: StatusCode,
    slug: &str,
    svc: &service::ReportService,
    sent: &Sent,
    errors: &[crate::core::error::FieldMessage],
) -> Response {
    let l = pc.locale;
    let attrs = crate::applications::form::Submitted::from_pairs(
        sent.texts.iter().map(|(k, v)| (k.clone(), v.clone())),
    );
    let attribute_errors: Vec<crate::core::error::FieldMessage> = errors
        .iter()
        .filter(|e| !e.field.starts_with("report_"))
        .cloned()
        .collect();
    let fields = attribute_fields(state, svc, l, &attrs, &attribute_errors);
    let message = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| state.i18n.message(l, &e.message))
    };
    let summary: Vec<minijinja::Value> = errors
        .iter()
        .map(|e| {
            minijinja::context! {
                field => e.field.clone(),
                message => state.i18n.message(l, &e.message),
            }
        })
        .collect();
    // The map starts at the service's own place, else the city's first place.
    let center = service::map_center(ctx(state), svc).await.ok().flatten();
    crate::web::pages::render(
        state,
        pc,
        req,
        "report_form.html",
        status,
        minijinja::context! {
            slug,
            service_name => svc.name.get(l),
            module_name => svc.module_name.get(l),
            receives => svc.data.iter().map(|d| pc.t(state, &d.message_key())).collect::<Vec<_>>(),
            fields,
            errors => summary,
            description => sent.text(F_DESCRIPTION),
            address => sent.text(F_ADDRESS),
            lat => sent.text(F_LAT),
            lng => sent.text(F_LNG),
            description_error => message(F_DESCRIPTION),
            address_error => message(F_ADDRESS),
            photo_error => message(F_PHOTO),
            map_points => center.map(|(lat, lng)| serde_json::json!([{ "lat": lat, "lng": lng }]).to_string()),
            tile_url => state.config.theme.map_tile_url.clone(),
            tile_host => crate::web::trust::tile_host(&state.config.theme.map_tile_url),
            max_photo_mb => crate::applications::upload::mib(service::MAX_PHOTO_BYTES),
        },
    )
}

/// The service a report page is for, or the page saying it takes no reports.
async fn report_service(
    state: &AppState,
    pc: &crate::web::pages::PageCtx,
    req: &poem::Request,
    slug: &str,
) -> Result<service::ReportService, Response> {
    match service::service(ctx(state), slug).await {
        Ok(s) => Ok(s),
        Err(super::error::ReportError::NoService) => Err(crate::web::extract::message_page(
            state,
            pc,
            req,
            StatusCode::NOT_FOUND,
            "problem-report-service-unknown",
        )),
        Err(e) => {
            tracing::error!(error = %e, "the report page");
            Err(crate::web::extract::message_page(
                state,
                pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            ))
        }
    }
}

/// `GET /services/:slug/report`: the report form of a service a module takes reports
/// for. It works without JavaScript (the place by address); with it, a map on request
/// lets the resident point at the place.
#[poem::handler]
pub async fn report_form(
    state: Data<&AppState>,
    req: &poem::Request,
    Path(slug): Path<String>,
    crate::web::extract::PageUser { pc, .. }: crate::web::extract::PageUser,
) -> Response {
    let svc = match report_service(&state, &pc, req, &slug).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    form_page(
        &state,
        &pc,
        req,
        StatusCode::OK,
        &slug,
        &svc,
        &Sent::default(),
        &[],
    )
    .await
}

/// `POST /services/:slug/report`: checks the report, resolves its address with the
/// city's places, stores it (and its photo) and goes to My reports.
#[poem::handler]
pub async fn report_submit(
    state: Data<&AppState>,
    req: &poem::Request,
    Path(slug): Path<String>,
    crate::web::extract::PageUser { pc, user }: crate::web::extract::PageUser,
    body: poem::web::Multipart,
) -> Response {
    use crate::core::validate::Errors;
    use crate::msg;
    let svc = match report_service(&state, &pc, req, &slug).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(sent) = read_form(body).await else {
        return crate::web::extract::message_page(
            &state,
            &pc,
            req,
            StatusCode::BAD_REQUEST,
            "problem-bad-request",
        );
    };
    if !crate::web::extract::token_matches(req, sent.text("csrf")) {
        return crate::web::extract::expired_page(&state, &pc, req);
    }
    let mut errors = Errors::default();
    for name in &sent.oversize {
        if name == F_PHOTO {
            errors.add(
                F_PHOTO,
                msg!(
                    "v-report-photo-size",
                    max = crate::applications::upload::mib(service::MAX_PHOTO_BYTES)
                ),
            );
        } else {
            errors.add(
                name.clone(),
                msg!(
                    "v-max-chars",
                    max = crate::applications::upload::MAX_TEXT_BYTES
                ),
            );
        }
    }
    let description = sent.text(F_DESCRIPTION).trim().to_string();
    if description.is_empty() {
        errors.add(F_DESCRIPTION, msg!("v-report-required"));
    } else if description.chars().count() > service::MAX_DESCRIPTION {
        errors.add(
            F_DESCRIPTION,
            msg!("v-max-chars", max = service::MAX_DESCRIPTION),
        );
    } else if crate::core::validate::has_control_chars(&description, true) {
        errors.add(F_DESCRIPTION, msg!("v-control-chars"));
    }
    // The place: a point from the map, else the address through the city's places.
    let (mut lat, mut lng) = (None, None);
    let (raw_lat, raw_lng) = (sent.text(F_LAT).trim(), sent.text(F_LNG).trim());
    if !raw_lat.is_empty() || !raw_lng.is_empty() {
        lat = service::parse_lat(raw_lat);
        lng = service::parse_long(raw_lng);
        if lat.is_none() || lng.is_none() {
            errors.add(F_ADDRESS, msg!("v-report-location"));
            lat = None;
            lng = None;
        }
    }
    let typed = sent.text(F_ADDRESS).trim().to_string();
    let mut address = None;
    if !typed.is_empty() {
        match crate::places::service::PlaceText::parse(&typed) {
            Err(m) => errors.add(F_ADDRESS, m),
            Ok(text) => {
                match crate::places::service::resolve(&state.db, state.city.id, &text).await {
                    Ok(Some(place)) => {
                        if lat.is_none() {
                            lat = Some(place.lat);
                            lng = Some(place.lng);
                        }
                        address = Some(place.label());
                    }
                    Ok(None) if lat.is_some() => address = Some(typed.clone()),
                    Ok(None) => errors.add(F_ADDRESS, msg!("v-report-place-unknown")),
                    Err(e) => {
                        tracing::error!(error = %e, "resolving a report's address");
                        errors.add(F_ADDRESS, msg!("v-report-place-unknown"));
                    }
                }
            }
        }
    } else if lat.is_none() && !errors.0.iter().any(|e| e.field == F_ADDRESS) {
        errors.add(F_ADDRESS, msg!("v-report-location"));
    }
    let picture = match &sent.photo {
        Some(p) if !p.is_empty() => match crate::applications::upload::FileType::sniff(&p.bytes) {
            Some(
                kind @ (crate::applications::upload::FileType::Jpeg
                | crate::applications::upload::FileType::Png),
            ) => match super::photo::strip_metadata(kind, &p.bytes) {
                // Shown publicly: without the place, time and device the camera wrote
                // into it.
                Some(bytes) => Some(service::Photo {
                    content_type: kind.mime(),
                    file_name: crate::applications::upload::display_name(
                        p.file_name.as_deref(),
                        kind,
                    ),
                    bytes,
                }),
                None => {
                    errors.add(F_PHOTO, msg!("v-report-photo-type"));
                    None
                }
            },
            _ => {
                errors.add(F_PHOTO, msg!("v-report-photo-type"));
                None
            }
        },
        _ => None,
    };
    let pairs: Vec<(String, String)> = sent
        .texts
        .iter()
        .filter(|(k, _)| {
            svc.form
                .as_ref()
                .is_some_and(|f| f.fields().iter().any(|x| &x.name == *k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut attribute_errors = Errors::default();
    let attributes =
        super::open311::attribute_answers(&svc, state.city.timezone, pairs, &mut attribute_errors);
    // On the page each of the service's questions is its own field.
    for e in attribute_errors.0 {
        let field = e
            .field
            .trim_start_matches("attribute[")
            .trim_end_matches(']')
            .to_string();
        errors.add(field, e.message);
    }
    if !errors.is_empty() {
        return form_page(
            &state,
            &pc,
            req,
            StatusCode::UNPROCESSABLE_ENTITY,
            &slug,
            &svc,
            &sent,
            &errors.0,
        )
        .await;
    }
    let new = service::NewReport {
        description,
        lat,
        lng,
        address_string: address,
        address_id: None,
        attributes,
        media_url: None,
        reporter: service::Reporter::Resident(user.id),
        photo: picture,
        locale: pc.locale,
    };
    match service::submit(ctx(&state), &svc, new).await {
        Ok(r) => crate::web::pages::see_other(format!("/account/reports?sent=1#r-{}", r.id)),
        Err(e) => {
            tracing::error!(error = %e, "storing a report");
            crate::web::extract::message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}

/// A report as the pages show it.
fn report_view(
    state: &AppState,
    l: crate::core::locale::Locale,
    r: &entities::report::Model,
    names: &[(uuid::Uuid, String)],
    has_photo: bool,
) -> minijinja::Value {
    let tz = state.city.timezone;
    let st = service::State::parse(&r.state).unwrap_or(service::State::Open);
    minijinja::context! {
        id => r.id.to_string(),
        service => names.iter().find(|(id, _)| *id == r.listing_id).map(|(_, n)| n.clone()).unwrap_or_else(|| r.service_code.clone()),
        state => state.i18n.t(l, &st.message_key(), None),
        open => st.is_open(),
        description => r.description.clone(),
        address => r.address_string.clone(),
        status_notes => r.status_notes.clone(),
        date => crate::core::i18n::format_date(l, r.created_at.with_timezone(&tz).date_naive()),
        photo => has_photo.then(|| format!("/reports/{}/photo", r.id)),
    }
}

async fn listing_names(
    state: &AppState,
    l: crate::core::locale::Locale,
    rows: &[entities::report::Model],
) -> Vec<(uuid::Uuid, String)> {
    service::listings_of(ctx(state), rows)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|x| {
            let name = match l {
                crate::core::locale::Locale::De => x.name_de,
                _ => x.name_en,
            };
            (x.id, name)
        })
        .collect()
}

/// A reporter's note that came back with an error: the report, what was typed, why.
struct CommentError {
    report: Uuid,
    text: String,
    message: String,
}

async fn my_reports_page(
    state: &AppState,
    pc: &crate::web::pages::PageCtx,
    req: &poem::Request,
    user: Uuid,
    status: StatusCode,
    error: Option<CommentError>,
) -> Response {
    let l = pc.locale;
    let f = service::Filter {
        reporter: Some(user),
        limit: service::MAX_RESULTS,
        ..Default::default()
    };
    let rows = service::find(ctx(state), &f).await.unwrap_or_default();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let photos = service::with_photo(ctx(state), &ids)
        .await
        .unwrap_or_default();
    let updates = service::updates(ctx(state), Some(&ids), None, None, false)
        .await
        .unwrap_or_default();
    let names = listing_names(state, l, &rows).await;
    let tz = state.city.timezone;
    let reports: Vec<minijinja::Value> = rows
        .iter()
        .map(|r| {
            let timeline: Vec<minijinja::Value> = updates
                .iter()
                .filter(|u| u.report_id == r.id)
                .map(|u| {
                    let st = service::State::parse(&u.state).unwrap_or(service::State::Open);
                    minijinja::context! {
                        date => crate::core::i18n::format_date(l, u.created_at.with_timezone(&tz).date_naive()),
                        state => state.i18n.t(l, &st.message_key(), None),
                        comment => u.kind == "comment",
                        mine => u.kind == service::REPORTER_COMMENT,
                        description => u.description.clone(),
                    }
                })
                .collect();
            let err = error.as_ref().filter(|e| e.report == r.id);
            minijinja::context! {
                report => report_view(state, l, r, &names, photos.contains(&r.id)),
                timeline,
                comment_text => err.map(|e| e.text.clone()),
                comment_error => err.map(|e| e.message.clone()),
            }
        })
        .collect();
    let sent = crate::web::pages::query_param(req, "sent").is_some();
    let added = crate::web::pages::query_param(req, "added").is_some();
    crate::web::pages::render(
        state,
        pc,
        req,
        "my_reports.html",
        status,
        minijinja::context! { reports, sent, added },
    )
}

/// `GET /account/reports`: the resident's reports, each with what the city answered.
#[poem::handler]
pub async fn my_reports(
    state: Data<&AppState>,
    req: &poem::Request,
    crate::web::extract::PageUser { pc, user }: crate::web::extract::PageUser,
) -> Response {
    my_reports_page(&state, &pc, req, user.id, StatusCode::OK, None).await
}

/// What the "add information" form sends.
#[derive(serde::Deserialize, Default)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}
crate::web::extract::protected_form!(CommentForm);

/// `POST /account/reports/:id/comments`: the reporter adds information for the module.
#[poem::handler]
pub async fn add_comment(
    state: Data<&AppState>,
    req: &poem::Request,
    Path(id): Path<String>,
    crate::web::extract::PageUser { pc, user }: crate::web::extract::PageUser,
    crate::web::extract::CheckedForm(form): crate::web::extract::CheckedForm<CommentForm>,
) -> Response {
    let Ok(report) = Uuid::parse_str(&id) else {
        return crate::web::extract::message_page(
            &state,
            &pc,
            req,
            StatusCode::NOT_FOUND,
            "problem-not-found",
        );
    };
    let mut errors = crate::core::validate::Errors::default();
    let text = crate::core::validate::long_text(
        &mut errors,
        "text",
        Some(&form.text),
        service::MAX_DESCRIPTION,
    );
    if text.is_empty() && errors.is_empty() {
        errors.add("text", crate::msg!("v-report-update-empty"));
    }
    if let Some(e) = errors.0.first() {
        let message = state.i18n.message(pc.locale, &e.message);
        return my_reports_page(
            &state,
            &pc,
            req,
            user.id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(CommentError {
                report,
                text: form
                    .text
                    .chars()
                    .take(service::MAX_DESCRIPTION + 100)
                    .collect(),
                message,
            }),
        )
        .await;
    }
    match service::reporter_comment(ctx(&state), user.id, report, text).await {
        Ok(_) => crate::web::pages::see_other(format!("/account/reports?added=1#r-{report}")),
        Err(super::error::ReportError::NotFound) => crate::web::extract::message_page(
            &state,
            &pc,
            req,
            StatusCode::NOT_FOUND,
            "problem-not-found",
        ),
        Err(e) => {
            tracing::error!(error = %e, "storing a reporter's note");
            crate::web::extract::message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}

/// `GET /reports`: the city's open reports, newest first, and a map of them on request;
/// nothing about who reported them.
#[poem::handler]
pub async fn public_reports(
    state: Data<&AppState>,
    req: &poem::Request,
    pc: crate::web::pages::PageCtx,
) -> Response {
    let l = pc.locale;
    let f = service::Filter {
        statuses: vec!["open"],
        limit: 200,
        ..Default::default()
    };
    let rows = service::find(ctx(&state), &f).await.unwrap_or_default();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let photos = service::with_photo(ctx(&state), &ids)
        .await
        .unwrap_or_default();
    let names = listing_names(&state, l, &rows).await;
    let reports: Vec<minijinja::Value> = rows
        .iter()
        .map(|r| report_view(&state, l, r, &names, photos.contains(&r.id)))
        .collect();
    let points: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|r| {
            let (lat, lng) = r.lat.zip(r.lng)?;
            let name = names
                .iter()
                .find(|(id, _)| *id == r.listing_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            Some(serde_json::json!({ "lat": lat, "lng": lng, "name": name, "url": format!("#r-{}", r.id) }))
        })
        .collect();
    let services: Vec<minijinja::Value> = service::services(ctx(&state))
        .await
        .unwrap_or_default()
        .iter()
        .map(|s| minijinja::context! { slug => s.code.clone(), name => s.name.get(l) })
        .collect();
    crate::web::pages::render(
        &state,
        &pc,
        req,
        "reports.html",
        StatusCode::OK,
        minijinja::context! {
            reports,
            services,
            map_points => (!points.is_empty()).then(|| serde_json::Value::Array(points).to_string()),
            tile_url => state.config.theme.map_tile_url.clone(),
            tile_host => crate::web::trust::tile_host(&state.config.theme.map_tile_url),
        },
    )
}
