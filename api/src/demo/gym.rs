//! The demo city's gym whose classes and memberships are booked through a partner's own
//! booking system: the sandbox partner (`partner-sandbox`), run inside the server on a
//! free loopback port while the demo data is on. Its calendar lives in memory, so its
//! bookings start afresh with each start; the portal's connection to it is brought up
//! to date (address, credentials, webhook secret) every time.

use std::net::SocketAddr;

use chrono::Utc;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use secrecy::SecretString;
use uuid::Uuid;

use crate::booking::offers::PartnerFacts;
use crate::listings::hours::{HourMinute, OpeningHours, WeeklyRule};
use crate::listings::model::*;
use crate::listings::service::{self, Insert};
use crate::organizations::{self, OrganizationKind};
use crate::web::state::AppState;
use entities::{listing, offer, organization, partner_connection};

/// The organization's slug and the listing's source.
pub const SLUG: &str = "sandbox-gym";
const SOURCE: &str = "demo:sandbox-gym";
const CLIENT_ID: &str = "city-portal";

/// The offers of the sandbox's catalogue the demo books, with their portal names.
const OFFERS: &[(&str, &str, &str, &str)] = &[
    (
        "sandbox-gym.yoga",
        "class",
        "Yoga am Morgen",
        "Morning yoga",
    ),
    (
        "sandbox-gym.spinning",
        "class",
        "Spinning am Abend",
        "Evening spinning",
    ),
    (
        "sandbox-gym.monthly",
        "membership",
        "Monatsmitgliedschaft",
        "Monthly membership",
    ),
];

fn err(e: impl Into<crate::core::problem::Problem>) -> anyhow::Error {
    let p = e.into();
    anyhow::anyhow!("{}: {}", p.title, p.detail.unwrap_or_default())
}

fn random_secret() -> String {
    let mut b = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn gym_data() -> ListingData {
    use chrono::Weekday::*;
    let weekly = [Mon, Tue, Wed, Thu, Fri, Sat, Sun]
        .into_iter()
        .filter_map(|d| {
            Some(WeeklyRule {
                weekday: d,
                opens: HourMinute::parse("06:00")?,
                closes: HourMinute::parse("22:00")?,
            })
        })
        .collect();
    ListingData {
        name: LocalizedText {
            de: "Sandbox Gym".into(),
            en: "Sandbox Gym".into(),
        },
        description: LocalizedText {
            de: "Fitnessstudio mit eigenem Buchungssystem: Kurse und Mitgliedschaften werden über das Partnersystem des Studios gebucht (Demo).".into(),
            en: "A gym with its own booking system: classes and memberships are booked through the gym's partner system (demo).".into(),
        },
        categories: vec!["sport.gym".into()],
        tags: vec!["fitness".into(), "yoga".into(), "spinning".into()],
        address: Address {
            street: Some("Mannerheimintie 10".into()),
            postcode: Some("00100".into()),
            city: Some("Helsinki".into()),
        },
        district: Some("Kluuvi".into()),
        location: Some(GeoPoint {
            lat: 60.1699,
            lng: 24.9384,
        }),
        contact: Contact::default(),
        wheelchair: None,
        languages: Vec::new(),
        hours: OpeningHours {
            weekly,
            exceptions: Vec::new(),
        },
        service: None,
    }
}

/// Starts the sandbox partner for the demo gym and connects the gym to it; `None` when
/// the demo data is off. `addr` is where this server listens (for the webhooks).
pub async fn start(
    state: &AppState,
    addr: SocketAddr,
) -> anyhow::Result<Option<partner_sandbox::Sandbox>> {
    if !state.config.city.demo_data {
        return Ok(None);
    }
    let secret = random_secret();
    let sandbox = partner_sandbox::spawn(partner_sandbox::SandboxConfig::with_client(
        CLIENT_ID,
        secret.clone(),
    ))
    .await?;
    let connection = ensure(&state.db, state, &sandbox, &secret).await?;
    let host = if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    };
    sandbox.set_webhook_target(Some(format!(
        "http://{host}/api/v1/partner-webhooks/{connection}"
    )));
    tracing::info!(partner = %sandbox.base_url(), "demo gym: sandbox partner running");
    Ok(Some(sandbox))
}

/// The gym's organization, listing, connection and linked offers, created on first use
/// and pointed at this sandbox; returns the connection id.
async fn ensure(
    db: &DatabaseConnection,
    state: &AppState,
    sandbox: &partner_sandbox::Sandbox,
    secret: &str,
) -> anyhow::Result<Uuid> {
    let city = &state.city;
    let org = match organization::Entity::find()
        .filter(organization::Column::CityId.eq(city.id))
        .filter(organization::Column::Slug.eq(SLUG))
        .one(db)
        .await?
    {
        Some(o) => o,
        None => {
            let o =
                organizations::create(db, city.id, None, "Sandbox Gym", OrganizationKind::Business)
                    .await
                    .map_err(err)?;
            organization::Entity::update_many()
                .col_expr(organization::Column::Slug, Expr::value(SLUG))
                .filter(organization::Column::Id.eq(o.id))
                .exec(db)
                .await?;
            o
        }
    };
    let listing = match listing::Entity::find()
        .filter(listing::Column::CityId.eq(city.id))
        .filter(listing::Column::Source.eq(SOURCE))
        .one(db)
        .await?
    {
        Some(l) => l.id,
        None => {
            let txn = db.begin().await?;
            let data = gym_data();
            let id = service::insert(
                &txn,
                Insert {
                    city_id: city.id,
                    organization_id: Some(org.id),
                    kind: ListingKind::Business,
                    status: ListingStatus::Published,
                    slug: SLUG.to_string(),
                    source: SOURCE.to_string(),
                    opening_hours_osm: None,
                    data: &data,
                },
            )
            .await
            .map_err(err)?
            .id;
            txn.commit().await?;
            id
        }
    };
    let key = state.partners.key();
    let now = Utc::now();
    let base_url = sandbox.base_url();
    let token_url = sandbox.token_url();
    let client_secret = key.encrypt(&SecretString::from(secret.to_string()));
    let webhook_secret = key.encrypt(&SecretString::from(sandbox.webhook_secret()));
    let connection = match partner_connection::Entity::find()
        .filter(partner_connection::Column::OrganizationId.eq(org.id))
        .one(db)
        .await?
    {
        Some(c) => {
            let mut am: partner_connection::ActiveModel = c.clone().into();
            am.base_url = Set(base_url);
            am.token_url = Set(token_url);
            am.client_id = Set(CLIENT_ID.into());
            am.client_secret_enc = Set(client_secret);
            am.webhook_secret_enc = Set(webhook_secret);
            am.updated_at = Set(now);
            state.partners.forget(c.id);
            am.update(db).await?
        }
        None => {
            partner_connection::ActiveModel {
                id: Set(Uuid::new_v4()),
                organization_id: Set(org.id),
                name: Set("Sandbox Gym booking system".into()),
                base_url: Set(base_url),
                token_url: Set(token_url),
                client_id: Set(CLIENT_ID.into()),
                client_secret_enc: Set(client_secret),
                webhook_secret_enc: Set(webhook_secret),
                status: Set("active".into()),
                module_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
        }
    };
    let c = crate::partners::connections::open(&state.partners, &connection)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let list = crate::partners::connections::partner_offers(&state.partners, &c)
        .await
        .map_err(|e| anyhow::anyhow!("the demo gym's sandbox: {e}"))?;
    for (offer_ref, kind, name_de, name_en) in OFFERS {
        let exists = offer::Entity::find()
            .filter(offer::Column::ListingId.eq(listing))
            .filter(offer::Column::PartnerOfferRef.eq(*offer_ref))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let Some(p) = list.offers.iter().find(|o| o.offer_id == *offer_ref) else {
            continue;
        };
        let mut am = offer::ActiveModel {
            id: Set(Uuid::new_v4()),
            listing_id: Set(listing),
            kind: Set(kind.to_string()),
            name_de: Set(name_de.to_string()),
            name_en: Set(name_en.to_string()),
            description_de: Set(p.description.clone().unwrap_or_default()),
            description_en: Set(p.description.clone().unwrap_or_default()),
            status: Set("active".into()),
            cancel_deadline_minutes: Set(60),
            max_active_per_resident: Set(if *kind == "membership" { 1 } else { 4 }),
            lead_time_minutes: Set(60),
            horizon_days: Set(42),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        // Provider, link, confirmation, shared data and plan follow the partner's offer,
        // as for an offer an owner links.
        crate::booking::offers::apply_partner(
            &mut am,
            Some(&PartnerFacts::of(connection.id, p, list.time_zone.clone())),
        );
        am.insert(db).await?;
    }
    Ok(connection.id)
}
