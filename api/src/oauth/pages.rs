//! The authorization endpoint (RFC 6749 3.1, 4.1.1, 4.1.2) with its consent page, where
//! a resident lets an app act for them, and the resident's own list of those apps.

use std::collections::HashMap;

use minijinja::context;
use poem::http::{header, HeaderValue, StatusCode};
use poem::web::{Data, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::Deserialize;

use super::protocol::{issuer, parameters, scope_param};
use super::service::{self, Client, Consent};
use crate::core::scope::ScopeSet;
use crate::web::extract::{message_page, protected_form, CheckedForm, PageUser};
use crate::web::pages::{here, render, to_login, PageCtx};
use crate::web::state::AppState;

/// A checked authorization request.
struct AuthRequest {
    client: Client,
    redirect_uri: String,
    state: Option<String>,
    scopes: ScopeSet,
    challenge: String,
}

/// Why an authorization request is refused.
enum Refusal {
    /// The client or the redirect URI cannot be trusted: shown as a page, never sent to
    /// the URI (RFC 6749 4.1.2.1). The message id says why.
    Page(&'static str),
    /// Sent back to the app's redirect URI with `error` (RFC 6749 4.1.2.1).
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
    },
}

/// Checks an authorization request's parameters (from the query, or the consent form).
async fn check(state: &AppState, p: &HashMap<String, String>) -> Result<AuthRequest, Refusal> {
    let client_id = p
        .get("client_id")
        .ok_or(Refusal::Page("oauth-refused-client"))?;
    let client = match uuid::Uuid::parse_str(client_id) {
        Ok(id) => service::client(&state.db, state.city.id, id)
            .await
            .ok()
            .flatten(),
        Err(_) => None,
    }
    .filter(|c| c.disabled_at.is_none())
    .ok_or(Refusal::Page("oauth-refused-client"))?;
    // Exactly one of its registered URIs, byte for byte (RFC 9700 2.1).
    let redirect_uri = p
        .get("redirect_uri")
        .filter(|u| client.has_redirect_uri(u))
        .ok_or(Refusal::Page("oauth-refused-redirect-uri"))?
        .clone();
    let st = p.get("state").cloned();
    let back = |error| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: st.clone(),
        error,
    };
    if p.get("response_type").map(String::as_str) != Some("code") {
        return Err(back("unsupported_response_type"));
    }
    // PKCE with S256 is required of every client (RFC 9700 2.1.1, RFC 7636 4.4.1).
    let challenge = p
        .get("code_challenge")
        .filter(|c| service::challenge_well_formed(c))
        .ok_or_else(|| back("invalid_request"))?
        .clone();
    if p.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return Err(back("invalid_request"));
    }
    let scopes = scope_param(p.get("scope"))
        .filter(|s| s.is_subset(&client.scopes))
        // A module's own scopes are not for residents to grant.
        .filter(|s| s.iter().all(|x| !x.is_for_modules()))
        .ok_or_else(|| back("invalid_scope"))?;
    Ok(AuthRequest {
        client,
        redirect_uri,
        state: st,
        scopes,
        challenge,
    })
}

/// A redirect to the app with the response's parameters added to its URI's query, with
/// `iss` (RFC 9207) and the `state` it sent (RFC 6749 4.1.2).
fn back_to_app(
    state: &AppState,
    redirect_uri: &str,
    params: &[(&str, &str)],
    st: Option<&str>,
) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        if let Some(s) = st {
            q.append_pair("state", s);
        }
        q.append_pair("iss", &issuer(state));
    }
    let mut resp = Redirect::see_other(url.as_str()).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn refused(state: &AppState, pc: &PageCtx, req: &Request, r: Refusal) -> Response {
    match r {
        Refusal::Page(key) => message_page(state, pc, req, StatusCode::BAD_REQUEST, key),
        Refusal::Redirect {
            redirect_uri,
            state: st,
            error,
        } => back_to_app(state, &redirect_uri, &[("error", error)], st.as_deref()),
    }
}

/// `GET /oauth/authorize`: the consent page, after logging in if needed.
#[handler]
pub async fn authorize(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let params = match parameters(req.uri().query().unwrap_or("").as_bytes()) {
        Ok(p) => p,
        Err(_) => {
            return message_page(
                &state,
                &pc,
                req,
                StatusCode::BAD_REQUEST,
                "oauth-refused-duplicate",
            )
        }
    };
    let ar = match check(&state, &params).await {
        Ok(ar) => ar,
        Err(r) => return refused(&state, &pc, req, r),
    };
    if pc.user.is_none() && pc.sessions_unavailable {
        return crate::web::extract::sessions_away(&state, &pc, req);
    }
    if pc.user.is_none() {
        return to_login(&here(req));
    }
    consent_page(&state, &pc, req, &ar)
}

fn consent_page(state: &AppState, pc: &PageCtx, req: &Request, ar: &AuthRequest) -> Response {
    let scopes: Vec<minijinja::Value> = ar
        .scopes
        .iter()
        .map(|s| {
            context! {
                name => s.as_str(),
                text => pc.t(state, &s.message_key()),
            }
        })
        .collect();
    let mut resp = render(
        state,
        pc,
        req,
        "oauth_consent.html",
        StatusCode::OK,
        context! {
            app => ar.client.name.clone(),
            scopes,
            client_id => ar.client.id.to_string(),
            redirect_uri => ar.redirect_uri.clone(),
            redirect_host => url::Url::parse(&ar.redirect_uri).ok().and_then(|u| u.host_str().map(str::to_string)),
            scope => ar.scopes.to_string_list(),
            oauth_state => ar.state.clone(),
            code_challenge => ar.challenge.clone(),
        },
    );
    // The form's answer redirects to the app: the page's CSP must allow the app's
    // origin as a form target, since browsers apply `form-action` to the redirect too.
    if let Ok(u) = url::Url::parse(&ar.redirect_uri) {
        let origin = u.origin().ascii_serialization();
        let csp = state.csp.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origin}"),
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            resp.headers_mut().insert("content-security-policy", v);
        }
    }
    resp.headers_mut()
        .insert("x-frame-options", HeaderValue::from_static("DENY"));
    resp
}

/// The consent form: the request's parameters again, and the resident's answer.
#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
    #[serde(default)]
    decision: String,
}
protected_form!(ConsentForm);

/// `POST /oauth/authorize`: the resident allowed or denied; back to the app with a code
/// or `access_denied`.
#[handler]
pub async fn consent(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user }: PageUser,
    CheckedForm(f): CheckedForm<ConsentForm>,
) -> Response {
    let params: HashMap<String, String> = [
        ("client_id", f.client_id),
        ("redirect_uri", f.redirect_uri),
        ("scope", f.scope),
        ("state", f.state),
        ("code_challenge", f.code_challenge),
        ("code_challenge_method", f.code_challenge_method),
        ("response_type", "code".to_string()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let ar = match check(&state, &params).await {
        Ok(ar) => ar,
        Err(r) => return refused(&state, &pc, req, r),
    };
    if f.decision != "allow" {
        return back_to_app(
            &state,
            &ar.redirect_uri,
            &[("error", "access_denied")],
            ar.state.as_deref(),
        );
    }
    let code = service::issue_code(
        &state.db,
        Consent {
            client: &ar.client,
            user_id: user.id,
            redirect_uri: &ar.redirect_uri,
            scopes: &ar.scopes,
            code_challenge: &ar.challenge,
        },
    )
    .await;
    match code {
        Ok(code) => back_to_app(
            &state,
            &ar.redirect_uri,
            &[("code", &code)],
            ar.state.as_deref(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "issuing an authorization code");
            back_to_app(
                &state,
                &ar.redirect_uri,
                &[("error", "server_error")],
                ar.state.as_deref(),
            )
        }
    }
}

/// The apps acting for the resident, for the account page.
pub async fn apps_of(
    state: &AppState,
    l: crate::core::locale::Locale,
    user_id: uuid::Uuid,
) -> Vec<minijinja::Value> {
    let grants = service::grants_of(&state.db, user_id)
        .await
        .unwrap_or_default();
    let tz = state.city.timezone;
    let date = |key: &str, at: chrono::DateTime<chrono::Utc>| {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set(
            "date",
            crate::core::i18n::format_date(l, at.with_timezone(&tz).date_naive()),
        );
        state.i18n.t(l, key, Some(&args))
    };
    grants
        .into_iter()
        .map(|g| {
            context! {
                id => g.id.to_string(),
                app => g.app.clone(),
                scopes => g.scopes.iter().map(|s| state.i18n.t(l, &s.message_key(), None)).collect::<Vec<_>>(),
                since => date("account-apps-since", g.created_at),
                last_used => g.last_used_at.map(|at| date("account-apps-last-used", at)),
            }
        })
        .collect()
}

/// `POST /account/apps/:id/revoke`: the resident takes an app's grant back; its tokens
/// stop working at once.
#[handler]
pub async fn revoke_grant(
    state: Data<&AppState>,
    req: &Request,
    poem::web::Path(id): poem::web::Path<String>,
    PageUser { pc, user }: PageUser,
    CheckedForm(_): CheckedForm<crate::web::extract::TokenOnly>,
) -> Response {
    let found = match uuid::Uuid::parse_str(&id) {
        Ok(id) => service::revoke_grant(&state.db, user.id, id).await,
        Err(_) => Ok(false),
    };
    match found {
        Ok(true) => Redirect::see_other("/account?done=apps#h-apps").into_response(),
        Ok(false) => message_page(&state, &pc, req, StatusCode::NOT_FOUND, "problem-not-found"),
        Err(e) => {
            tracing::error!(error = %e, "revoking an app's grant");
            message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}

/// A city admin on an admin page, or the 403 page for anyone else on the staff.
fn admin_only(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    user: &crate::core::identity::AuthUser,
) -> Option<Response> {
    (user.staff_role != Some(crate::core::identity::StaffRole::Admin)).then(|| {
        message_page(
            state,
            pc,
            req,
            StatusCode::FORBIDDEN,
            "admin-oauth-admins-only",
        )
    })
}

/// What the registration form shows again after an error.
#[derive(Default, serde::Serialize)]
struct ClientForm {
    name: String,
    kind: String,
    scopes: Vec<String>,
    redirect_uris: String,
}

/// A secret to show this once.
#[derive(serde::Serialize)]
struct ShownSecret {
    name: String,
    value: String,
    until: Option<String>,
}

async fn clients_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    status: StatusCode,
    form: ClientForm,
    errors: Vec<minijinja::Value>,
    secret: Option<ShownSecret>,
) -> Response {
    let l = pc.locale;
    let tz = state.city.timezone;
    let clients = service::list_clients(&state.db, state.city.id)
        .await
        .unwrap_or_default();
    let clients: Vec<minijinja::Value> = clients
        .into_iter()
        .map(|c| {
            context! {
                id => c.id.to_string(),
                name => c.name.clone(),
                kind => c.kind.as_str(),
                scopes => c.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                redirect_uris => c.redirect_uris.clone(),
                disabled => c.disabled_at.map(|at| {
                    let mut args = fluent_bundle::FluentArgs::new();
                    args.set("date", crate::core::i18n::format_date(l, at.with_timezone(&tz).date_naive()));
                    state.i18n.t(l, "admin-oauth-disabled", Some(&args))
                }),
            }
        })
        .collect();
    let all_scopes: Vec<minijinja::Value> = crate::core::scope::Scope::ALL
        .iter()
        .map(|s| context! { name => s.as_str(), text => pc.t(state, &s.message_key()) })
        .collect();
    // Each field's errors beside it (several redirect URIs may each have one).
    let mut field_errors: std::collections::BTreeMap<String, String> = Default::default();
    for e in &errors {
        let (Ok(field), Ok(message)) = (
            e.get_attr("field").map(|v| v.to_string()),
            e.get_attr("message").map(|v| v.to_string()),
        ) else {
            continue;
        };
        let joined = field_errors.entry(field).or_default();
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(&message);
    }
    render(
        state,
        pc,
        req,
        "admin_oauth_clients.html",
        status,
        context! { clients, all_scopes, form, errors, field_errors, secret },
    )
}

/// `GET /admin/oauth-clients`: the city's apps and modules, and a form to register one.
#[handler]
pub async fn admin_clients(
    state: Data<&AppState>,
    req: &Request,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let form = ClientForm {
        kind: "confidential".into(),
        ..ClientForm::default()
    };
    clients_page(&state, &pc, req, StatusCode::OK, form, Vec::new(), None).await
}

/// `POST /admin/oauth-clients`: registers a client and shows its secret once. The form's
/// scopes are checkboxes of one name, so the body is read as pairs (a struct cannot hold
/// repeated fields), and its CSRF token is checked here.
#[handler]
pub async fn admin_create(
    state: Data<&AppState>,
    req: &Request,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
    body: poem::Body,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let bytes = body.into_vec().await.unwrap_or_default();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if !crate::web::extract::token_matches(req, &one("csrf")) {
        return crate::web::extract::expired_page(&state, &pc, req);
    }
    let form = ClientForm {
        name: one("name"),
        kind: one("kind"),
        scopes: pairs
            .iter()
            .filter(|(n, _)| n == "scope")
            .map(|(_, v)| v.clone())
            .collect(),
        redirect_uris: one("redirect_uris"),
    };
    let uris: Vec<String> = form
        .redirect_uris
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let new = match service::NewClient::parse(&form.name, &form.kind, &form.scopes, &uris) {
        Ok(n) => n,
        Err(invalid) => {
            let errors = invalid
                .0
                .iter()
                .map(|f| {
                    context! {
                        field => f.field.clone(),
                        message => state.i18n.message(pc.locale, &f.message),
                    }
                })
                .collect();
            return clients_page(
                &state,
                &pc,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
            )
            .await;
        }
    };
    match service::register_client(&state.db, state.city.id, new).await {
        Ok((c, secret)) => {
            let shown = secret.map(|value| ShownSecret {
                name: c.name.clone(),
                value,
                until: None,
            });
            let form = ClientForm {
                kind: "confidential".into(),
                ..ClientForm::default()
            };
            clients_page(&state, &pc, req, StatusCode::OK, form, Vec::new(), shown).await
        }
        Err(e) => {
            tracing::error!(error = %e, "registering an OAuth client");
            message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}

/// `POST /admin/oauth-clients/:id/secret`: a new secret, shown once; the earlier ones
/// keep working for the default overlap.
#[handler]
pub async fn admin_rotate(
    state: Data<&AppState>,
    req: &Request,
    poem::web::Path(id): poem::web::Path<String>,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
    CheckedForm(_): CheckedForm<crate::web::extract::TokenOnly>,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return message_page(&state, &pc, req, StatusCode::NOT_FOUND, "problem-not-found");
    };
    let name = service::client(&state.db, state.city.id, id)
        .await
        .ok()
        .flatten()
        .map(|c| c.name);
    match service::rotate_secret(&state.db, state.city.id, id, service::DEFAULT_OVERLAP).await {
        Ok((value, until)) => {
            let tz = state.city.timezone;
            let until = until.with_timezone(&tz);
            let shown = ShownSecret {
                name: name.unwrap_or_default(),
                value,
                until: Some(format!(
                    "{}, {}",
                    crate::core::i18n::format_date(pc.locale, until.date_naive()),
                    until.format("%H:%M")
                )),
            };
            let form = ClientForm {
                kind: "confidential".into(),
                ..ClientForm::default()
            };
            clients_page(
                &state,
                &pc,
                req,
                StatusCode::OK,
                form,
                Vec::new(),
                Some(shown),
            )
            .await
        }
        Err(e) => {
            let (status, key) = match e {
                super::error::OAuthError::NotFound(_) => {
                    (StatusCode::NOT_FOUND, "problem-not-found")
                }
                super::error::OAuthError::PublicClient => {
                    (StatusCode::CONFLICT, "problem-oauth-public-client")
                }
                _ => (StatusCode::INTERNAL_SERVER_ERROR, "problem-internal"),
            };
            message_page(&state, &pc, req, status, key)
        }
    }
}

/// `POST /admin/oauth-clients/:id/disable`: the client and its tokens stop at once.
#[handler]
pub async fn admin_disable(
    state: Data<&AppState>,
    req: &Request,
    poem::web::Path(id): poem::web::Path<String>,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
    CheckedForm(_): CheckedForm<crate::web::extract::TokenOnly>,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return message_page(&state, &pc, req, StatusCode::NOT_FOUND, "problem-not-found");
    };
    match service::disable_client(&state.db, state.city.id, id).await {
        Ok(c) => Redirect::see_other(format!("/admin/oauth-clients#c-{}", c.id)).into_response(),
        Err(super::error::OAuthError::NotFound(_)) => {
            message_page(&state, &pc, req, StatusCode::NOT_FOUND, "problem-not-found")
        }
        Err(e) => {
            tracing::error!(error = %e, "disabling an OAuth client");
            message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}

/// `POST /admin/oauth-clients/:id/scopes`: the scopes the client may ask for from now
/// on; narrowing narrows its grants and tokens at once (see
/// `service::set_client_scopes`). The scopes are checkboxes of one name, so the body is
/// read as pairs, and its CSRF token is checked here.
#[handler]
pub async fn admin_set_scopes(
    state: Data<&AppState>,
    req: &Request,
    poem::web::Path(id): poem::web::Path<String>,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
    body: poem::Body,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let bytes = body.into_vec().await.unwrap_or_default();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let csrf = pairs
        .iter()
        .find(|(n, _)| n == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if !crate::web::extract::token_matches(req, csrf) {
        return crate::web::extract::expired_page(&state, &pc, req);
    }
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return message_page(&state, &pc, req, StatusCode::NOT_FOUND, "problem-not-found");
    };
    let scopes: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    match service::set_client_scopes(&state.db, state.city.id, id, &scopes).await {
        Ok(c) => Redirect::see_other(format!("/admin/oauth-clients#c-{}", c.id)).into_response(),
        Err(super::error::OAuthError::NotFound(_)) => {
            message_page(&state, &pc, req, StatusCode::NOT_FOUND, "problem-not-found")
        }
        Err(super::error::OAuthError::Invalid(invalid)) => {
            // Beside this client's scopes, not the new client's.
            let errors = invalid
                .0
                .iter()
                .map(|f| {
                    context! {
                        field => format!("scopes-{id}"),
                        message => state.i18n.message(pc.locale, &f.message),
                    }
                })
                .collect();
            let form = ClientForm {
                kind: "confidential".into(),
                ..ClientForm::default()
            };
            clients_page(
                &state,
                &pc,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
            )
            .await
        }
        Err(e) => {
            tracing::error!(error = %e, "changing an OAuth client's scopes");
            message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}
