//! Partner connections: an organization's own booking system. Owners add, change and
//! remove them; their secrets (the OAuth2 client secret and the webhook signing secret)
//! are encrypted at rest and never shown again.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::client::{Body, Conn, PartnerError, Partners};
use super::error::PartnerConnectionError as Error;
use crate::core::error::CommonError;
use crate::core::identity::AuthUser;
use crate::core::validate::{text, Errors};
use crate::msg;
use entities::{offer, organization, partner_connection};
use partner_contract::model::{Offer as PartnerOffer, OfferList};

/// Whether the portal books through the connection.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[oai(rename_all = "lowercase")]
pub enum ConnectionStatus {
    #[default]
    Active,
    Disabled,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Active => "active",
            ConnectionStatus::Disabled => "disabled",
        }
    }
}

/// A connection as submitted. On update, leave a secret out to keep it.
#[derive(Object, Clone)]
pub struct ConnectionInput {
    /// A name for the owners, e.g. "Our booking system" (1-200 characters).
    pub name: String,
    /// Where the partner's Partner Booking API lives: `https://...` (plain `http://` only
    /// on loopback), without `/partner/v1`.
    pub base_url: String,
    /// The OAuth2 token endpoint; default `<base_url>/oauth/token`.
    pub token_url: Option<String>,
    /// The OAuth2 client id the partner gave the portal (1-200 characters).
    pub client_id: String,
    /// The OAuth2 client secret (1-500 characters). Stored encrypted; never shown again.
    #[oai(write_only)]
    pub client_secret: Option<String>,
    /// The Standard Webhooks signing secret, `whsec_<base64>`. Stored encrypted; never
    /// shown again.
    #[oai(write_only)]
    pub webhook_secret: Option<String>,
    /// Default `active`.
    pub status: Option<ConnectionStatus>,
}

impl std::fmt::Debug for ConnectionInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionInput")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// A partner connection (its secrets are never returned).
#[derive(Object, Clone, Debug)]
pub struct Connection {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub base_url: String,
    pub token_url: String,
    pub client_id: String,
    pub status: ConnectionStatus,
    /// Where the partner sends its webhooks (give this to the partner).
    pub webhook_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The portal's webhook address of a connection.
pub fn webhook_url(public_url: &url::Url, id: Uuid) -> String {
    format!(
        "{}/api/v1/partner-webhooks/{id}",
        public_url.as_str().trim_end_matches('/')
    )
}

pub fn to_api(m: &partner_connection::Model, public_url: &url::Url) -> Connection {
    Connection {
        id: m.id,
        organization_id: m.organization_id,
        name: m.name.clone(),
        base_url: m.base_url.clone(),
        token_url: m.token_url.clone(),
        client_id: m.client_id.clone(),
        status: if m.status == "disabled" {
            ConnectionStatus::Disabled
        } else {
            ConnectionStatus::Active
        },
        webhook_url: webhook_url(public_url, m.id),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// An https URL (plain http only to a loopback host, and only where private networks
/// are allowed: development and tests).
fn partner_url(errors: &mut Errors, field: &str, v: &str, allow_private: bool) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        errors.add(field, msg!("v-partners-required"));
        return None;
    }
    if v.len() > 500 {
        errors.add(field, msg!("v-partners-max-500"));
        return None;
    }
    let Ok(u) = url::Url::parse(v) else {
        errors.add(field, msg!("v-partners-absolute-url"));
        return None;
    };
    let loopback = matches!(u.host(), Some(url::Host::Domain("localhost")))
        || matches!(u.host(), Some(url::Host::Ipv4(a)) if a.is_loopback())
        || matches!(u.host(), Some(url::Host::Ipv6(a)) if a.is_loopback());
    match u.scheme() {
        "https" => {}
        "http" if loopback && allow_private => {}
        "http" => {
            errors.add(field, msg!("v-partners-use-https"));
            return None;
        }
        _ => {
            errors.add(field, msg!("v-partners-https-url"));
            return None;
        }
    }
    if !u.username().is_empty() || u.password().is_some() {
        errors.add(field, msg!("v-partners-no-credentials"));
        return None;
    }
    if u.query().is_some() || u.fragment().is_some() {
        errors.add(field, msg!("v-partners-no-query"));
        return None;
    }
    Some(v.trim_end_matches('/').to_string())
}

/// Checks that the connection's hosts resolve to public addresses only (unless private
/// networks are allowed). A name that does not resolve is refused too.
async fn check_hosts(v: &Valid, allow_private: bool) -> Result<(), Error> {
    if allow_private {
        return Ok(());
    }
    let mut e = Errors::default();
    for (field, url) in [("base_url", &v.base_url), ("token_url", &v.token_url)] {
        let Ok(u) = url::Url::parse(url) else {
            continue;
        };
        let Some(host) = u.host_str() else {
            continue;
        };
        let port = u.port_or_known_default().unwrap_or(443);
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let found = tokio::net::lookup_host((host, port)).await;
        match found {
            Ok(addrs) => {
                let addrs: Vec<_> = addrs.collect();
                if addrs.is_empty() || addrs.iter().any(|a| !super::client::is_public(a.ip())) {
                    e.add(field, msg!("v-partners-public"));
                }
            }
            Err(_) => e.add(field, msg!("v-partners-resolve")),
        }
    }
    Ok(e.into_result(())?)
}

/// The validated fields of a connection.
struct Valid {
    name: String,
    base_url: String,
    token_url: String,
    client_id: String,
    client_secret: Option<SecretString>,
    webhook_secret: Option<SecretString>,
    status: ConnectionStatus,
}

fn validate(input: &ConnectionInput, creating: bool, allow_private: bool) -> Result<Valid, Error> {
    let mut e = Errors::default();
    let name = text(&mut e, "name", Some(&input.name), 200);
    if name.is_none() && !e.0.iter().any(|f| f.field == "name") {
        e.add("name", msg!("v-partners-required"));
    }
    let base_url = partner_url(&mut e, "base_url", &input.base_url, allow_private);
    let token_url = match input.token_url.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => partner_url(&mut e, "token_url", t, allow_private),
        _ => base_url.as_ref().map(|b| format!("{b}/oauth/token")),
    };
    let client_id = text(&mut e, "client_id", Some(&input.client_id), 200);
    if client_id.is_none() && !e.0.iter().any(|f| f.field == "client_id") {
        e.add("client_id", msg!("v-partners-required"));
    }
    let client_secret = match input.client_secret.as_deref() {
        Some(s) if s.is_empty() || s.len() > 500 => {
            e.add("client_secret", msg!("v-partners-secret-length"));
            None
        }
        Some(s) => Some(SecretString::from(s.to_string())),
        None if creating => {
            e.add("client_secret", msg!("v-partners-required"));
            None
        }
        None => None,
    };
    let webhook_secret = match input.webhook_secret.as_deref().map(str::trim) {
        Some(s) => {
            use base64::Engine;
            // At least 16 random bytes (Standard Webhooks secrets are 24 to 64).
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s.strip_prefix("whsec_").unwrap_or(s))
                .unwrap_or_default();
            if partner_contract::webhook::Secret::parse(s).is_ok() && bytes.len() >= 16 {
                Some(SecretString::from(s.to_string()))
            } else {
                e.add("webhook_secret", msg!("v-partners-whsec"));
                None
            }
        }
        None if creating => {
            e.add("webhook_secret", msg!("v-partners-required"));
            None
        }
        None => None,
    };
    Ok(e.into_result(Valid {
        name: name.unwrap_or_default(),
        base_url: base_url.unwrap_or_default(),
        token_url: token_url.unwrap_or_default(),
        client_id: client_id.unwrap_or_default(),
        client_secret,
        webhook_secret,
        status: input.status.unwrap_or_default(),
    })?)
}

/// What the caller may do with an organization's connections.
async fn role_in(
    db: &DatabaseConnection,
    city_id: Uuid,
    user: &AuthUser,
    org_id: Uuid,
) -> Result<(organization::Model, bool), Error> {
    let org = organization::Entity::find_by_id(org_id)
        .one(db)
        .await?
        .filter(|o| o.city_id == city_id)
        .ok_or_else(|| Error::not_found("organization"))?;
    let mine = crate::organizations::my_membership(db, org_id, user.id)
        .await
        .map_err(Error::from)?;
    match mine {
        Some(m) => Ok((org, m.role == "owner")),
        None => Err(Error::not_found("organization")),
    }
}

async fn owned(
    db: &DatabaseConnection,
    city_id: Uuid,
    user: &AuthUser,
    id: Uuid,
) -> Result<partner_connection::Model, Error> {
    let m = partner_connection::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("partner connection"))?;
    let (_, owner) = role_in(db, city_id, user, m.organization_id)
        .await
        .map_err(|_| Error::not_found("partner connection"))?;
    if !owner {
        return Err(Error::OwnersManage);
    }
    // A module's connection follows its approvals, pauses and removal, nothing else.
    if m.module_id.is_some() {
        return Err(Error::ModuleManaged);
    }
    Ok(m)
}

/// Adds a connection (owners only).
pub async fn create(
    db: &DatabaseConnection,
    partners: &Partners,
    city_id: Uuid,
    user: &AuthUser,
    org_id: Uuid,
    input: &ConnectionInput,
) -> Result<partner_connection::Model, Error> {
    let (org, owner) = role_in(db, city_id, user, org_id).await?;
    if !owner {
        return Err(Error::OwnersAdd);
    }
    let v = validate(input, true, partners.allow_private())?;
    check_hosts(&v, partners.allow_private()).await?;
    let now = Utc::now();
    let key = partners.key();
    let m = partner_connection::ActiveModel {
        id: Set(Uuid::new_v4()),
        organization_id: Set(org.id),
        name: Set(v.name),
        base_url: Set(v.base_url),
        token_url: Set(v.token_url),
        client_id: Set(v.client_id),
        client_secret_enc: Set(key.encrypt(v.client_secret.as_ref().ok_or_else(|| {
            Error::from(CommonError::Internal(
                "a secret checked before is missing".into(),
            ))
        })?)),
        webhook_secret_enc: Set(key.encrypt(v.webhook_secret.as_ref().ok_or_else(|| {
            Error::from(CommonError::Internal(
                "a secret checked before is missing".into(),
            ))
        })?)),
        status: Set(v.status.as_str().into()),
        module_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(m)
}

/// Changes a connection (owners only); absent secrets are kept.
pub async fn update(
    db: &DatabaseConnection,
    partners: &Partners,
    city_id: Uuid,
    user: &AuthUser,
    id: Uuid,
    input: &ConnectionInput,
) -> Result<partner_connection::Model, Error> {
    let m = owned(db, city_id, user, id).await?;
    let v = validate(input, false, partners.allow_private())?;
    check_hosts(&v, partners.allow_private()).await?;
    let key = partners.key();
    let mut am: partner_connection::ActiveModel = m.clone().into();
    am.name = Set(v.name);
    am.base_url = Set(v.base_url);
    am.token_url = Set(v.token_url);
    am.client_id = Set(v.client_id);
    if let Some(s) = &v.client_secret {
        am.client_secret_enc = Set(key.encrypt(s));
    }
    if let Some(s) = &v.webhook_secret {
        am.webhook_secret_enc = Set(key.encrypt(s));
    }
    am.status = Set(v.status.as_str().into());
    am.updated_at = Set(Utc::now());
    let m = am.update(db).await?;
    partners.forget(m.id);
    Ok(m)
}

/// Removes a connection no offer uses (owners only).
pub async fn delete(
    db: &DatabaseConnection,
    partners: &Partners,
    city_id: Uuid,
    user: &AuthUser,
    id: Uuid,
) -> Result<(), Error> {
    let m = owned(db, city_id, user, id).await?;
    let used = offer::Entity::find()
        .filter(offer::Column::PartnerConnectionId.eq(m.id))
        .count(db)
        .await?;
    if used > 0 {
        return Err(Error::InUse { offers: used });
    }
    partner_connection::Entity::delete_by_id(m.id)
        .exec(db)
        .await?;
    partners.forget(m.id);
    Ok(())
}

/// An organization's connections (its members see them; secrets never).
pub async fn list(
    db: &DatabaseConnection,
    city_id: Uuid,
    user: &AuthUser,
    org_id: Uuid,
) -> Result<Vec<partner_connection::Model>, Error> {
    role_in(db, city_id, user, org_id).await?;
    Ok(partner_connection::Entity::find()
        .filter(partner_connection::Column::OrganizationId.eq(org_id))
        .order_by_asc(partner_connection::Column::Name)
        .all(db)
        .await?)
}

/// The partner connections of this city that residents book through: those with an
/// offer that is or was bookable (not a draft), as (connection name, organization name),
/// for the privacy page.
pub async fn in_use(
    db: &DatabaseConnection,
    city_id: Uuid,
) -> Result<Vec<(String, String)>, DbErr> {
    let ids: Vec<Uuid> = offer::Entity::find()
        .select_only()
        .column(offer::Column::PartnerConnectionId)
        .filter(offer::Column::PartnerConnectionId.is_not_null())
        .filter(offer::Column::Status.ne("draft"))
        .distinct()
        .into_tuple::<Option<Uuid>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let conns = partner_connection::Entity::find()
        .filter(partner_connection::Column::Id.is_in(ids))
        .order_by_asc(partner_connection::Column::Name)
        .all(db)
        .await?;
    let orgs: std::collections::HashMap<Uuid, String> = organization::Entity::find()
        .filter(organization::Column::CityId.eq(city_id))
        .filter(
            organization::Column::Id
                .is_in(conns.iter().map(|c| c.organization_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(conns
        .into_iter()
        .filter_map(|c| orgs.get(&c.organization_id).map(|o| (c.name, o.clone())))
        .collect())
}

/// A connection a member of its organization may use (e.g. to link an offer).
pub async fn usable(
    db: &DatabaseConnection,
    city_id: Uuid,
    user: &AuthUser,
    id: Uuid,
) -> Result<partner_connection::Model, Error> {
    let m = partner_connection::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("partner connection"))?;
    role_in(db, city_id, user, m.organization_id)
        .await
        .map_err(|_| Error::not_found("partner connection"))?;
    Ok(m)
}

/// The connection with its secrets opened, to call the partner.
pub fn open(partners: &Partners, m: &partner_connection::Model) -> Result<Conn, Error> {
    let client_secret = partners.key().decrypt(&m.client_secret_enc).map_err(|e| {
        tracing::error!(connection = %m.id, error = %e, "cannot open a partner secret (PARTNER_SECRETS_KEY changed?)");
        Error::Unreachable
    })?;
    Ok(Conn {
        id: m.id,
        name: m.name.clone(),
        organization_id: m.organization_id,
        base_url: m.base_url.clone(),
        token_url: m.token_url.clone(),
        client_id: m.client_id.clone(),
        client_secret,
        module: m.module_id.is_some(),
    })
}

/// The webhook secret of a connection.
pub fn webhook_secret(
    partners: &Partners,
    m: &partner_connection::Model,
) -> Option<partner_contract::webhook::Secret> {
    let s = partners.key().decrypt(&m.webhook_secret_enc).ok()?;
    partner_contract::webhook::Secret::parse(s.expose_secret()).ok()
}

/// The offers the partner has, as its `GET /offers` lists them.
pub async fn partner_offers(partners: &Partners, c: &Conn) -> Result<OfferList, PartnerError> {
    partners
        .call::<OfferList>(c, reqwest::Method::GET, "/offers", Body::None, None)
        .await
}

/// How long the dashboard's offer editors show a partner's offer list before asking
/// the partner again. Linking an offer always asks the partner.
pub const EDITOR_OFFER_LIST_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// The partner's offers for the dashboard's offer editors: fetched at most once a
/// minute per connection, so that opening an editor does not call every partner.
pub async fn partner_offers_for_editor(
    partners: &Partners,
    c: &Conn,
) -> Result<OfferList, PartnerError> {
    if let Some(list) = partners.recent_offer_list(c.id, EDITOR_OFFER_LIST_AGE) {
        return Ok(list);
    }
    let list = partner_offers(partners, c).await?;
    partners.remember_offer_list(c.id, &list);
    Ok(list)
}

/// One offer of the partner with the partner's time zone, or why not.
pub async fn partner_offer(
    partners: &Partners,
    c: &Conn,
    offer_ref: &str,
) -> Result<Option<(PartnerOffer, String)>, PartnerError> {
    let list = partner_offers(partners, c).await?;
    let tz = list.time_zone;
    Ok(list
        .offers
        .into_iter()
        .find(|o| o.offer_id == offer_ref)
        .map(|o| (o, tz)))
}
