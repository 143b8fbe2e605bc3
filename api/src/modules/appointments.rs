//! Appointments through a module: a module whose manifest has `appointment` services
//! implements the Partner Booking API (`openapi/partner-booking-api.json`) at
//! `<base_url>/partner/v1`, with its OAuth 2.0 token endpoint at `<base_url>/oauth/token`
//! (client credentials the module issues the portal; the city admin enters them when
//! approving). The portal books its offers like a business's own system — holds,
//! confirmations, cancellations, webhooks, reconciliation: `booking::partner` — through
//! a partner connection that belongs to the module (`partner_connections.module_id`),
//! of the module's operator.
//!
//! Both directions share one Standard Webhooks secret: the module's own `whsec_` secret
//! (shown at its first approval, rotated by the city's admins), with which the portal
//! signs its events to the module and the module signs its booking webhooks to the
//! portal.
//!
//! - Approval ([`prepare`], before the approval's transaction; [`put_in_force`] inside
//!   it): the module is asked for its offers (a module that cannot be asked leaves the
//!   module as it was); every offer of the manifest must be one of them and carry only
//!   resident data the service names; the connection is created or updated; each
//!   service's offers are put on its listing, named as the module names them; offers the
//!   manifest no longer names are archived.
//! - An update in force at once (a narrowing: a service gone) archives the offers of the
//!   services gone ([`put_in_force`] without a [`Prepared`]).
//! - Pause: the connection is disabled (its offers are not bookable, and are shown so);
//!   resume: active again; removal: disabled, and its offers archived. Bookings made
//!   stay, and residents can still cancel them (a cancellation carries no resident data
//!   and is passed on through a disabled connection too).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::error::ModuleError;
use super::manifest::{Capability, DataCategory, Manifest};
use crate::booking::offers::PartnerFacts;
use crate::core::error::{FieldMessage, Invalid};
use crate::msg;
use crate::partners::client::{Conn, PartnerError, Partners};
use entities::{module, offer, partner_connection};
use partner_contract::model::{OfferList, ResidentField};

/// The Partner Booking API credentials a module issued the portal, as the admin enters
/// them when approving.
#[derive(Clone, Default)]
pub struct BookingCredentials {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for BookingCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BookingCredentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// What an approval learned from the module before its transaction.
pub struct Prepared {
    /// The connection's id (the one there, or the one to create).
    connection_id: Uuid,
    base_url: String,
    token_url: String,
    /// New credentials to store (none: the connection's stay).
    credentials: Option<(String, SecretString)>,
    /// The module's offers, as it listed them.
    list: OfferList,
}

/// Whether the manifest has appointment services.
pub fn books(m: &Manifest) -> bool {
    m.services
        .iter()
        .any(|s| s.capability == Capability::Appointment)
}

/// The module's connection, if it has one.
pub async fn connection_of<C: ConnectionTrait>(
    conn: &C,
    module_id: Uuid,
) -> Result<Option<partner_connection::Model>, sea_orm::DbErr> {
    partner_connection::Entity::find()
        .filter(partner_connection::Column::ModuleId.eq(module_id))
        .one(conn)
        .await
}

fn field(path: &str, message: crate::core::message::Message) -> FieldMessage {
    FieldMessage {
        field: path.into(),
        message,
    }
}

/// The credentials checked: 1 to 200 (id) and 500 (secret) characters without control
/// characters.
fn checked(c: &BookingCredentials) -> Result<(String, SecretString), Invalid> {
    let mut errors = Vec::new();
    let id = c.client_id.trim();
    if id.is_empty() || id.chars().count() > 200 || id.chars().any(char::is_control) {
        errors.push(field(
            "booking_client_id",
            msg!("v-module-booking-client-id"),
        ));
    }
    let secret = c.client_secret.as_str();
    if secret.is_empty() || secret.chars().count() > 500 || secret.chars().any(char::is_control) {
        errors.push(field(
            "booking_client_secret",
            msg!("v-module-booking-client-secret"),
        ));
    }
    if errors.is_empty() {
        Ok((id.to_string(), SecretString::from(secret.to_string())))
    } else {
        Err(Invalid(errors))
    }
}

/// The data category a resident field of the Partner Booking API is.
fn category(f: ResidentField) -> DataCategory {
    match f {
        ResidentField::Name => DataCategory::Name,
        ResidentField::Email => DataCategory::Email,
        ResidentField::Phone => DataCategory::Phone,
    }
}

/// Before an approval's transaction: for a manifest with appointment services, the
/// module's Partner Booking API is asked for its offers with the credentials given (or
/// those of its connection), and each service's offers are checked against the answer.
/// `None` for a manifest without appointment services. Credentials are required when
/// the module has no connection yet (`booking_client_id`, `booking_client_secret`).
pub async fn prepare(
    db: &DatabaseConnection,
    partners: &Partners,
    module_id: Uuid,
    m: &Manifest,
    credentials: Option<&BookingCredentials>,
) -> Result<Option<Prepared>, ModuleError> {
    if !books(m) {
        return Ok(None);
    }
    let existing = connection_of(db, module_id).await?;
    let given = match credentials {
        Some(c) => Some(checked(c)?),
        None => None,
    };
    let (client_id, client_secret) = match (&given, &existing) {
        (Some((id, secret)), _) => (id.clone(), secret.clone()),
        (None, Some(c)) => {
            let open = crate::partners::connections::open(partners, c)
                .map_err(|_| ModuleError::BookingUnreachable)?;
            (open.client_id, open.client_secret)
        }
        (None, None) => {
            return Err(Invalid(vec![
                field("booking_client_id", msg!("v-module-booking-required")),
                field("booking_client_secret", msg!("v-module-booking-required")),
            ])
            .into())
        }
    };
    let base_url = m.base_url.trim_end_matches('/').to_string();
    let token_url = format!("{base_url}/oauth/token");
    let connection_id = existing.as_ref().map(|c| c.id).unwrap_or_else(Uuid::new_v4);
    // A cached token of other credentials or another address must not be used.
    partners.forget(connection_id);
    let conn = Conn {
        id: connection_id,
        name: m.id.clone(),
        organization_id: existing
            .as_ref()
            .map(|c| c.organization_id)
            .unwrap_or_default(),
        base_url: base_url.clone(),
        token_url: token_url.clone(),
        client_id,
        client_secret,
        module: true,
    };
    let list = match crate::partners::connections::partner_offers(partners, &conn).await {
        Ok(list) => list,
        Err(PartnerError::Invalid(why)) if why.contains("refused the client credentials") => {
            let at = if given.is_some() {
                "booking_client_secret"
            } else {
                "booking_client_id"
            };
            return Err(Invalid::field(at, msg!("v-module-booking-refused")).into());
        }
        Err(e) => {
            tracing::warn!(module = %m.id, error = %e, "asking a module for its offers failed");
            return Err(ModuleError::BookingUnreachable);
        }
    };
    let mut errors = Vec::new();
    for (i, s) in m.services.iter().enumerate() {
        for (j, id) in s.offers.iter().flatten().enumerate() {
            let at = format!("services[{i}].offers[{j}]");
            match list.offers.iter().find(|o| o.offer_id == *id) {
                None => errors.push(field(
                    &at,
                    msg!("v-module-offer-unknown", offer = id.clone()),
                )),
                Some(o) => {
                    for f in &o.resident_fields {
                        let c = category(*f);
                        if !s.data.contains(&c) {
                            errors.push(field(
                                &at,
                                msg!("v-module-offer-data", offer = id.clone(), data = c.as_str()),
                            ));
                        }
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(Invalid(errors).into());
    }
    Ok(Some(Prepared {
        connection_id,
        base_url,
        token_url,
        credentials: given,
        list,
    }))
}

/// What [`put_in_force`] needs besides the manifest.
pub struct InForce<'a> {
    pub module: &'a module::Model,
    /// Per service of the manifest, its listing's id.
    pub listings: &'a [Uuid],
    /// The operator organization's id.
    pub operator_id: Uuid,
    /// The connection's name (the module's name in the city's language).
    pub name: String,
    /// Whether the module is active (else its connection stays disabled).
    pub active: bool,
    /// The module's webhook secret, as stored (encrypted with the same key).
    pub webhook_secret_enc: Option<String>,
    pub key: Option<&'a crate::core::secrets::SecretsKey>,
    pub now: DateTime<Utc>,
}

/// Inside the transaction that puts a manifest in force: with what [`prepare`] learned
/// (an approval), the connection is created or updated and each appointment service's
/// offers are on its listing, as the module names them; in any case the offers of the
/// module's connection that the manifest no longer names are archived.
pub async fn put_in_force<C: ConnectionTrait>(
    conn: &C,
    m: &Manifest,
    f: InForce<'_>,
    prepared: Option<&Prepared>,
) -> Result<(), ModuleError> {
    let existing = connection_of(conn, f.module.id).await?;
    let connection = match (prepared, existing) {
        (Some(p), existing) => Some(upsert_connection(conn, &f, p, existing).await?),
        (None, existing) => existing,
    };
    let Some(connection) = connection else {
        return Ok(());
    };
    let wanted: Vec<(Uuid, &str)> = m
        .services
        .iter()
        .zip(f.listings)
        .filter(|(s, _)| s.capability == Capability::Appointment)
        .flat_map(|(s, l)| s.offers.iter().flatten().map(move |o| (*l, o.as_str())))
        .collect();
    let there = offer::Entity::find()
        .filter(offer::Column::PartnerConnectionId.eq(connection.id))
        .all(conn)
        .await?;
    for o in &there {
        let named = wanted
            .iter()
            .any(|(l, r)| o.listing_id == *l && o.partner_offer_ref.as_deref() == Some(*r));
        if !named && o.status != "archived" {
            offer::Entity::update_many()
                .col_expr(offer::Column::Status, Expr::value("archived"))
                .col_expr(offer::Column::UpdatedAt, Expr::value(f.now))
                .col_expr(
                    offer::Column::Version,
                    Expr::col(offer::Column::Version).add(1),
                )
                .filter(offer::Column::Id.eq(o.id))
                .exec(conn)
                .await?;
        }
    }
    let Some(p) = prepared else {
        return Ok(());
    };
    for (listing_id, offer_ref) in wanted {
        let Some(found) = p.list.offers.iter().find(|o| o.offer_id == offer_ref) else {
            continue; // checked in `prepare`
        };
        let facts = PartnerFacts::of(connection.id, found, p.list.time_zone.clone());
        let kind = match found.kind {
            partner_contract::model::OfferKind::Appointment => "appointment",
            partner_contract::model::OfferKind::Class => "class",
            partner_contract::model::OfferKind::Membership => "membership",
        };
        let description = found.description.clone().unwrap_or_default();
        let mine = there.iter().find(|o| {
            o.listing_id == listing_id && o.partner_offer_ref.as_deref() == Some(offer_ref)
        });
        let mut am = match mine {
            Some(o) => {
                let mut am: offer::ActiveModel = o.clone().into();
                am.version = Set(o.version + 1);
                am
            }
            None => offer::ActiveModel {
                id: Set(Uuid::new_v4()),
                listing_id: Set(listing_id),
                cancel_deadline_minutes: Set(60),
                max_active_per_resident: Set(2),
                lead_time_minutes: Set(60),
                horizon_days: Set(60),
                version: Set(1),
                created_at: Set(f.now),
                ..Default::default()
            },
        };
        am.kind = Set(kind.into());
        am.name_de = Set(found.name.clone());
        am.name_en = Set(found.name.clone());
        am.description_de = Set(description.clone());
        am.description_en = Set(description);
        am.status = Set("active".into());
        am.updated_at = Set(f.now);
        crate::booking::offers::apply_partner(&mut am, Some(&facts));
        match mine {
            Some(_) => {
                am.update(conn).await?;
            }
            None => {
                am.insert(conn).await?;
            }
        }
    }
    Ok(())
}

async fn upsert_connection<C: ConnectionTrait>(
    conn: &C,
    f: &InForce<'_>,
    p: &Prepared,
    existing: Option<partner_connection::Model>,
) -> Result<partner_connection::Model, ModuleError> {
    let status = if f.active { "active" } else { "disabled" };
    let key = f
        .key
        .ok_or_else(|| ModuleError::Db(sea_orm::DbErr::Custom("no secrets key".into())))?;
    let webhook = f
        .webhook_secret_enc
        .clone()
        .ok_or_else(|| ModuleError::Db(sea_orm::DbErr::Custom("no webhook secret".into())))?;
    Ok(match existing {
        Some(c) => {
            let mut am: partner_connection::ActiveModel = c.into();
            am.organization_id = Set(f.operator_id);
            am.name = Set(f.name.clone());
            am.base_url = Set(p.base_url.clone());
            am.token_url = Set(p.token_url.clone());
            if let Some((id, secret)) = &p.credentials {
                am.client_id = Set(id.clone());
                am.client_secret_enc = Set(key.encrypt(secret));
            }
            am.webhook_secret_enc = Set(webhook);
            am.status = Set(status.into());
            am.updated_at = Set(f.now);
            am.update(conn).await?
        }
        None => {
            let (id, secret) = p.credentials.as_ref().ok_or_else(|| {
                ModuleError::Db(sea_orm::DbErr::Custom("no credentials checked".into()))
            })?;
            partner_connection::ActiveModel {
                id: Set(p.connection_id),
                organization_id: Set(f.operator_id),
                name: Set(f.name.clone()),
                base_url: Set(p.base_url.clone()),
                token_url: Set(p.token_url.clone()),
                client_id: Set(id.clone()),
                client_secret_enc: Set(
                    key.encrypt(&SecretString::from(secret.expose_secret().to_string()))
                ),
                webhook_secret_enc: Set(webhook),
                status: Set(status.into()),
                module_id: Set(Some(f.module.id)),
                created_at: Set(f.now),
                updated_at: Set(f.now),
            }
            .insert(conn)
            .await?
        }
    })
}

/// Pause (`false`) or resume (`true`): the module's connection follows.
pub async fn set_active<C: ConnectionTrait>(
    conn: &C,
    module_id: Uuid,
    active: bool,
) -> Result<(), sea_orm::DbErr> {
    partner_connection::Entity::update_many()
        .col_expr(
            partner_connection::Column::Status,
            Expr::value(if active { "active" } else { "disabled" }),
        )
        .col_expr(
            partner_connection::Column::UpdatedAt,
            Expr::value(Utc::now()),
        )
        .filter(partner_connection::Column::ModuleId.eq(module_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Removal: the connection is disabled and its offers archived (bookings made stay).
pub async fn withdraw<C: ConnectionTrait>(conn: &C, module_id: Uuid) -> Result<(), sea_orm::DbErr> {
    set_active(conn, module_id, false).await?;
    if let Some(c) = connection_of(conn, module_id).await? {
        offer::Entity::update_many()
            .col_expr(offer::Column::Status, Expr::value("archived"))
            .col_expr(offer::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(offer::Column::PartnerConnectionId.eq(c.id))
            .filter(offer::Column::Status.ne("archived"))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// A new webhook secret for the module's connection too (the same, encrypted alike).
pub async fn share_webhook_secret<C: ConnectionTrait>(
    conn: &C,
    module_id: Uuid,
    webhook_secret_enc: &str,
) -> Result<(), sea_orm::DbErr> {
    partner_connection::Entity::update_many()
        .col_expr(
            partner_connection::Column::WebhookSecretEnc,
            Expr::value(webhook_secret_enc),
        )
        .col_expr(
            partner_connection::Column::UpdatedAt,
            Expr::value(Utc::now()),
        )
        .filter(partner_connection::Column::ModuleId.eq(module_id))
        .exec(conn)
        .await?;
    Ok(())
}
