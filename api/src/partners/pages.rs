//! The dashboard pages of partner connections (an organization's own booking system):
//! the "Booking systems" section of `/manage` and `/manage/organizations/{org}/partner-connections`
//! (the list and the form to connect one), and `/manage/partner-connections/{id}` (edit,
//! remove, and what the partner offers, asked live). For the organization's owners;
//! secrets are write-only: a form never shows them, an empty secret field keeps the
//! stored one. Plain forms with CSRF tokens; errors next to their fields.

use std::collections::HashMap;

use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Request, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::connections::{self, ConnectionInput, ConnectionStatus};
use super::error::PartnerConnectionError as Error;
use crate::booking::pages::support::{self as support, error_page, flash, localized, see_other};
use crate::core::error::ErrorCode;
use crate::core::identity::AuthUser;
use crate::core::locale::Locale;
use crate::web::extract::{protected_form, CheckedForm, PageUser, TokenOnly};
use crate::web::pages::{render, PageCtx};
use crate::web::state::AppState;
use entities::{offer, organization, partner_connection};

/// The fields of the connection form, named as the service names them.
const FIELDS: [&str; 6] = [
    "name",
    "base_url",
    "token_url",
    "client_id",
    "client_secret",
    "webhook_secret",
];

/// A problem with its texts in the page's language.
fn page_for(state: &AppState, pc: &PageCtx, req: &Request, e: &Error) -> Response {
    error_page(state, pc, req, e)
}

/// A connection as the templates show it (never its secrets).
fn connection_ctx(state: &AppState, m: &partner_connection::Model) -> minijinja::Value {
    let api = connections::to_api(m, &state.config.server.public_url);
    context! {
        id => m.id.to_string(),
        name => api.name,
        base_url => api.base_url,
        token_url => api.token_url,
        client_id => api.client_id,
        status => api.status.as_str(),
        webhook_url => api.webhook_url,
    }
}

/// An organization's connections for the "Booking systems" section of the dashboard.
pub async fn section(state: &AppState, org_id: Uuid) -> Vec<minijinja::Value> {
    partner_connection::Entity::find()
        .filter(partner_connection::Column::OrganizationId.eq(org_id))
        .order_by_asc(partner_connection::Column::Name)
        .order_by_asc(partner_connection::Column::Id)
        .all(&state.db)
        .await
        .unwrap_or_default()
        .iter()
        .map(|m| connection_ctx(state, m))
        .collect()
}

/// The organization, when the user is one of its owners (a member who is not gets 403,
/// anyone else 404).
async fn owned_org(
    state: &AppState,
    u: &AuthUser,
    org_id: Uuid,
) -> Result<organization::Model, Error> {
    let org = organization::Entity::find_by_id(org_id)
        .one(&state.db)
        .await?
        .filter(|o| o.city_id == state.city.id)
        .ok_or_else(|| Error::not_found("organization"))?;
    match crate::organizations::my_membership(&state.db, org.id, u.id)
        .await
        .map_err(Error::from)?
    {
        Some(m) if m.role == "owner" => Ok(org),
        Some(_) => Err(Error::OwnersManage),
        None => Err(Error::not_found("organization")),
    }
}

/// A connection and its organization, when the user is one of its owners.
async fn owned_connection(
    state: &AppState,
    u: &AuthUser,
    id: &str,
) -> Result<(partner_connection::Model, organization::Model), Error> {
    let id = Uuid::parse_str(id).map_err(|_| Error::not_found("partner connection"))?;
    let m = partner_connection::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| Error::not_found("partner connection"))?;
    let org = owned_org(state, u, m.organization_id).await.map_err(|p| {
        if p.is_not_found() {
            Error::not_found("partner connection")
        } else {
            p
        }
    })?;
    Ok((m, org))
}

/// The connection form as submitted.
#[derive(serde::Deserialize)]
pub struct ConnectionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    token_url: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    webhook_secret: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    csrf: String,
}

protected_form!(ConnectionForm);

impl ConnectionForm {
    /// The service's input: an empty secret is left out (on a change: kept).
    fn input(&self) -> ConnectionInput {
        let given = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        ConnectionInput {
            name: self.name.clone(),
            base_url: self.base_url.clone(),
            token_url: given(&self.token_url),
            client_id: self.client_id.clone(),
            client_secret: given(&self.client_secret),
            webhook_secret: given(&self.webhook_secret),
            status: Some(if self.status == "disabled" {
                ConnectionStatus::Disabled
            } else {
                ConnectionStatus::Active
            }),
        }
    }

    /// The values to show again, by form id: never the secrets.
    fn values(&self, prefix: &str) -> HashMap<String, String> {
        HashMap::from([
            (format!("{prefix}name"), self.name.clone()),
            (format!("{prefix}base_url"), self.base_url.clone()),
            (format!("{prefix}token_url"), self.token_url.clone()),
            (format!("{prefix}client_id"), self.client_id.clone()),
            (
                format!("{prefix}status"),
                if self.status == "disabled" {
                    "disabled".into()
                } else {
                    "active".into()
                },
            ),
        ])
    }
}

/// The form ids of the fields of the form to connect a booking system.
fn new_prefix(org: Uuid) -> String {
    format!("pc-{org}-")
}

/// The form ids of the fields of a connection's edit form.
const EDIT_PREFIX: &str = "pc-";

/// The problems of a submitted form by form id, in the page's language.
fn placed(state: &AppState, l: Locale, e: &Error, prefix: &str) -> Vec<(String, String)> {
    if e.fields().is_empty() {
        let (title, explanation) = support::error_texts(state, l, e);
        let msg = if explanation.is_empty() {
            title
        } else {
            explanation
        };
        return vec![(format!("{prefix}name"), msg)];
    }
    e.fields()
        .iter()
        .map(|f| {
            let field = if FIELDS.contains(&f.field.as_str()) {
                f.field.as_str()
            } else {
                "name"
            };
            (
                format!("{prefix}{field}"),
                state.i18n.message(l, &f.message),
            )
        })
        .collect()
}

fn by_id(summary: &[(String, String)]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (id, msg) in summary {
        out.entry(id.clone()).or_insert_with(|| msg.clone());
    }
    out
}

fn summary_ctx(summary: Vec<(String, String)>) -> Vec<minijinja::Value> {
    summary
        .into_iter()
        .map(|(field, message)| context! { field, message })
        .collect()
}

/// Renders an organization's booking systems with the form to connect one.
async fn org_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    org: &organization::Model,
    status: StatusCode,
    values: HashMap<String, String>,
    summary: Vec<(String, String)>,
) -> Response {
    let connections = section(state, org.id).await;
    render(
        state,
        pc,
        req,
        "partner_connections.html",
        status,
        context! {
            o => context! {
                id => org.id.to_string(),
                name => org.name.clone(),
                owner => true,
                connections,
            },
            secrets_again => !summary.is_empty(),
            e => by_id(&summary),
            errors => summary_ctx(summary),
            values,
            done => flash(req),
        },
    )
}

/// `/manage/organizations/{org}/partner-connections`: an organization's booking systems.
#[handler]
pub async fn org_connections(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(org): Path<String>,
) -> Response {
    let org = match Uuid::parse_str(&org) {
        Ok(id) => owned_org(&state, &u, id).await,
        Err(_) => Err(Error::not_found("organization")),
    };
    match org {
        Ok(org) => {
            org_page(
                &state,
                &pc,
                req,
                &org,
                StatusCode::OK,
                HashMap::new(),
                Vec::new(),
            )
            .await
        }
        Err(p) => page_for(&state, &pc, req, &p),
    }
}

/// `POST /manage/organizations/{org}/partner-connections`: connects a booking system.
#[handler]
pub async fn create(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(org): Path<String>,
    CheckedForm(f): CheckedForm<ConnectionForm>,
) -> Response {
    let org = match Uuid::parse_str(&org) {
        Ok(id) => owned_org(&state, &u, id).await,
        Err(_) => Err(Error::not_found("organization")),
    };
    let org = match org {
        Ok(o) => o,
        Err(p) => return page_for(&state, &pc, req, &p),
    };
    match connections::create(
        &state.db,
        &state.partners,
        state.city.id,
        &u,
        org.id,
        &f.input(),
    )
    .await
    {
        Ok(m) => see_other(format!(
            "/manage/partner-connections/{}?done=connection-created",
            m.id
        )),
        Err(p) if p.status() == 422 => {
            let prefix = new_prefix(org.id);
            let summary = placed(&state, pc.locale, &p, &prefix);
            org_page(
                &state,
                &pc,
                req,
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                f.values(&prefix),
                summary,
            )
            .await
        }
        Err(p) => page_for(&state, &pc, req, &p),
    }
}

/// The form values of a stored connection (an unchanged default token URL stays empty).
fn stored_values(m: &partner_connection::Model) -> HashMap<String, String> {
    let default_token = format!("{}/oauth/token", m.base_url.trim_end_matches('/'));
    HashMap::from([
        (format!("{EDIT_PREFIX}name"), m.name.clone()),
        (format!("{EDIT_PREFIX}base_url"), m.base_url.clone()),
        (
            format!("{EDIT_PREFIX}token_url"),
            if m.token_url == default_token {
                String::new()
            } else {
                m.token_url.clone()
            },
        ),
        (format!("{EDIT_PREFIX}client_id"), m.client_id.clone()),
        (format!("{EDIT_PREFIX}status"), m.status.clone()),
    ])
}

/// What the partner's system offers now, asked live; `Err` with the words to show when
/// it does not answer usably.
async fn partner_offers(
    state: &AppState,
    l: Locale,
    m: &partner_connection::Model,
) -> Result<(Vec<minijinja::Value>, String), String> {
    let down = || state.i18n.t(l, "pc-partner-down", None);
    let c = connections::open(&state.partners, m).map_err(|_| down())?;
    let list = connections::partner_offers(&state.partners, &c)
        .await
        .map_err(|e| {
            tracing::warn!(connection = %m.id, error = %e, "listing partner offers failed");
            down()
        })?;
    let word = |v: serde_json::Result<serde_json::Value>| {
        v.ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    Ok((
        list.offers
            .iter()
            .map(|o| {
                context! {
                    offer_ref => o.offer_id.clone(),
                    name => o.name.clone(),
                    kind => word(serde_json::to_value(o.kind)),
                    confirmation => word(serde_json::to_value(o.confirmation)),
                }
            })
            .collect(),
        list.time_zone,
    ))
}

/// Renders a connection's page: its details, the edit form, the portal offers that book
/// through it, what the partner offers now, and the button to remove it.
#[allow(clippy::too_many_arguments)]
async fn connection_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    m: &partner_connection::Model,
    org: &organization::Model,
    status: StatusCode,
    values: HashMap<String, String>,
    summary: Vec<(String, String)>,
    remove_error: Option<String>,
) -> Response {
    let l = pc.locale;
    let linked = offer::Entity::find()
        .filter(offer::Column::PartnerConnectionId.eq(m.id))
        .order_by_asc(offer::Column::CreatedAt)
        .order_by_asc(offer::Column::Id)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let (partner_offers, time_zone, partner_error) = match partner_offers(state, l, m).await {
        Ok((offers, tz)) => (offers, Some(tz), None),
        Err(msg) => (Vec::new(), None, Some(msg)),
    };
    render(
        state,
        pc,
        req,
        "partner_connection.html",
        status,
        context! {
            org => context! { id => org.id.to_string(), name => org.name.clone() },
            c => connection_ctx(state, m),
            linked => linked.iter().map(|o| context! {
                id => o.id.to_string(),
                name => localized(l, &o.name_de, &o.name_en),
                status => o.status.clone(),
                offer_ref => o.partner_offer_ref.clone(),
            }).collect::<Vec<_>>(),
            partner_offers,
            time_zone,
            partner_error,
            remove_error,
            e => by_id(&summary),
            errors => summary_ctx(summary),
            values,
            done => flash(req),
        },
    )
}

/// `/manage/partner-connections/{id}`: a connection's page.
#[handler]
pub async fn edit_form(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    match owned_connection(&state, &u, &id).await {
        Ok((m, org)) => {
            let values = stored_values(&m);
            connection_page(
                &state,
                &pc,
                req,
                &m,
                &org,
                StatusCode::OK,
                values,
                Vec::new(),
                None,
            )
            .await
        }
        Err(p) => page_for(&state, &pc, req, &p),
    }
}

/// `POST /manage/partner-connections/{id}`: saves a connection (empty secrets: kept).
#[handler]
pub async fn update(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(f): CheckedForm<ConnectionForm>,
) -> Response {
    let (m, org) = match owned_connection(&state, &u, &id).await {
        Ok(x) => x,
        Err(p) => return page_for(&state, &pc, req, &p),
    };
    match connections::update(
        &state.db,
        &state.partners,
        state.city.id,
        &u,
        m.id,
        &f.input(),
    )
    .await
    {
        Ok(m) => see_other(format!(
            "/manage/partner-connections/{}?done=connection-saved",
            m.id
        )),
        Err(p) if p.status() == 422 => {
            let summary = placed(&state, pc.locale, &p, EDIT_PREFIX);
            connection_page(
                &state,
                &pc,
                req,
                &m,
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                f.values(EDIT_PREFIX),
                summary,
                None,
            )
            .await
        }
        Err(p) => page_for(&state, &pc, req, &p),
    }
}

/// `POST /manage/partner-connections/{id}/delete`: removes a connection no offer uses
/// (otherwise its page again, 409, saying why not).
#[handler]
pub async fn delete(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    let (m, org) = match owned_connection(&state, &u, &id).await {
        Ok(x) => x,
        Err(p) => return page_for(&state, &pc, req, &p),
    };
    match connections::delete(&state.db, &state.partners, state.city.id, &u, m.id).await {
        Ok(()) => see_other(format!("/manage?done=connection-removed#pc-{}", org.id)),
        Err(p @ Error::InUse { .. }) => {
            let msg = state.i18n.message(pc.locale, &p.message());
            connection_page(
                &state,
                &pc,
                req,
                &m,
                &org,
                StatusCode::CONFLICT,
                stored_values(&m),
                Vec::new(),
                Some(msg),
            )
            .await
        }
        Err(p) => page_for(&state, &pc, req, &p),
    }
}
