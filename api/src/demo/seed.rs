//! Loading the city, its taxonomy, its departments and services, and OSM imports.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;

use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::osm::{self, OsmHours, OsmPoi};
use super::osm_places::{OsmPlaceKind, OsmPlaces};
use super::services::{self as seeds, Channel as SeedChannel};
use crate::booking::model::OfferKind;
use crate::booking::offers::OfferInput;
use crate::core::city::CityCtx;
use crate::core::config::CityConfig;
use crate::core::email::is_plausible;
use crate::core::outbox;
use crate::core::problem::Problem;
use crate::core::slug::Slug;
use crate::core::validate::is_http_url;
use crate::listings::hours::{self, HourMinute, OpeningHours, WeeklyRule};
use crate::listings::model::*;
use crate::listings::service::{self, load_records, Insert};
use crate::organizations::{self, OrganizationKind};
use crate::places::service::NewPlace;
use crate::places::PlaceKind;
use entities::{category, city, listing, offer, organization};

/// The real OpenStreetMap extract the demo city is built from (ODbL, see demo/ATTRIBUTION.md).
pub const HELSINKI_PBF: &[u8] = include_bytes!("../../../demo/helsinki.osm.pbf");

/// Finds or creates the configured city.
pub async fn ensure_city(db: &DatabaseConnection, config: &CityConfig) -> anyhow::Result<CityCtx> {
    let slug = Slug::from_name(&config.name).into_string();
    let existing = city::Entity::find()
        .filter(city::Column::Slug.eq(slug.clone()))
        .one(db)
        .await?;
    let c = match existing {
        // The configuration decides the time zone; the row follows it.
        Some(c) if c.timezone != config.timezone.name() => {
            let mut row: city::ActiveModel = c.into();
            row.timezone = Set(config.timezone.name().to_string());
            row.update(db).await?
        }
        Some(c) => c,
        None => {
            city::ActiveModel {
                id: Set(Uuid::now_v7()),
                slug: Set(slug.clone()),
                name: Set(config.name.clone()),
                timezone: Set(config.timezone.name().to_string()),
                default_locale: Set(config.default_locale.as_str().to_string()),
                created_at: Set(Utc::now()),
            }
            .insert(db)
            .await?
        }
    };
    Ok(CityCtx {
        id: c.id,
        slug: c.slug,
        name: config.name.clone(),
        timezone: config.timezone,
    })
}

/// Inserts or refreshes the category taxonomy (idempotent).
pub async fn seed_taxonomy(db: &DatabaseConnection) -> anyhow::Result<()> {
    let rows = crate::listings::taxonomy::CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, c)| category::ActiveModel {
            key: Set(c.key.to_string()),
            parent_key: Set(c.parent.map(String::from)),
            label_de: Set(c.label_de.to_string()),
            label_en: Set(c.label_en.to_string()),
            sort: Set(i as i32),
        });
    category::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(category::Column::Key)
                .update_columns([
                    category::Column::ParentKey,
                    category::Column::LabelDe,
                    category::Column::LabelEn,
                    category::Column::Sort,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

fn seed_channel(c: SeedChannel) -> Channel {
    match c {
        SeedChannel::InPerson => Channel::InPerson,
        SeedChannel::Online => Channel::Online,
        SeedChannel::Post => Channel::Post,
        SeedChannel::Phone => Channel::Phone,
        SeedChannel::Email => Channel::Email,
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The listing content of a seeded municipal service.
pub fn service_data(
    s: &seeds::ServiceSeed,
    dept: &seeds::DepartmentSeed,
    city_name: &str,
) -> ListingData {
    let weekly = s
        .hours
        .iter()
        .filter_map(|h| {
            Some(WeeklyRule {
                weekday: hours::weekday_from_index(h.weekday as i16)?,
                opens: HourMinute::parse(h.opens)?,
                closes: HourMinute::parse(h.closes)?,
            })
        })
        .collect();
    ListingData {
        name: LocalizedText {
            de: s.name_de.into(),
            en: s.name_en.into(),
        },
        description: LocalizedText {
            de: s.description_de.into(),
            en: s.description_en.into(),
        },
        categories: vec![s.category.to_string()],
        tags: strings(s.tags),
        address: Address {
            street: Some(s.address.into()),
            postcode: Some(s.postcode.into()),
            city: Some(city_name.to_string()),
        },
        district: Some(s.district.into()),
        location: Some(GeoPoint {
            lat: s.lat,
            lng: s.lng,
        }),
        contact: Contact {
            phone: Some(dept.phone.into()),
            email: Some(dept.email.into()),
            website: s.online_url.map(String::from),
        },
        wheelchair: Some(Wheelchair::Yes),
        languages: vec!["de".into(), "en".into()],
        hours: OpeningHours {
            weekly,
            exceptions: Vec::new(),
        },
        service: Some(ServiceDetails {
            eligibility: LocalizedText {
                de: s.eligibility_de.into(),
                en: s.eligibility_en.into(),
            },
            what_to_bring: LocalizedList {
                de: strings(s.what_to_bring_de),
                en: strings(s.what_to_bring_en),
            },
            fees: LocalizedText {
                de: s.fees_de.into(),
                en: s.fees_en.into(),
            },
            processing_time: LocalizedText {
                de: s.processing_time_de.into(),
                en: s.processing_time_en.into(),
            },
            channels: s.channels.iter().copied().map(seed_channel).collect(),
            online_url: s.online_url.map(String::from),
        }),
    }
}

/// Creates the city's departments and municipal services that do not exist yet.
/// Returns how many services were created.
pub async fn seed_services(db: &DatabaseConnection, city: &CityCtx) -> anyhow::Result<usize> {
    let mut dept_ids = HashMap::new();
    for d in seeds::DEPARTMENTS {
        let existing = organization::Entity::find()
            .filter(organization::Column::CityId.eq(city.id))
            .filter(organization::Column::Slug.eq(d.slug))
            .one(db)
            .await?;
        let org = match existing {
            Some(o) => o,
            None => {
                let o = organizations::create(
                    db,
                    city.id,
                    None,
                    d.name_de,
                    OrganizationKind::Department,
                )
                .await
                .map_err(problem_err)?;
                // Departments keep their stable seed slug.
                organization::Entity::update_many()
                    .col_expr(organization::Column::Slug, Expr::value(d.slug))
                    .filter(organization::Column::Id.eq(o.id))
                    .exec(db)
                    .await?;
                o
            }
        };
        dept_ids.insert(d.slug, (org.id, d));
    }
    let txn = crate::core::db::begin_write(db).await?;
    let mut created = 0;
    for s in seeds::SERVICES {
        let source = format!("seed:{}", s.slug);
        let exists = listing::Entity::find()
            .filter(listing::Column::CityId.eq(city.id))
            .filter(listing::Column::Source.eq(source.clone()))
            .count(&txn)
            .await?
            > 0;
        if exists {
            continue;
        }
        let (org_id, dept) = dept_ids.get(s.department).copied().ok_or_else(|| {
            anyhow::anyhow!(
                "service {} names unknown department {}",
                s.slug,
                s.department
            )
        })?;
        let data = service_data(s, dept, &city.name);
        service::insert(
            &txn,
            Insert {
                city_id: city.id,
                organization_id: Some(org_id),
                kind: ListingKind::MunicipalService,
                status: ListingStatus::Published,
                slug: s.slug.to_string(),
                source,
                opening_hours_osm: None,
                data: &data,
            },
        )
        .await
        .map_err(problem_err)?;
        created += 1;
    }
    seed_appointments(&txn, city).await?;
    txn.commit().await?;
    Ok(created)
}

/// The offer of a seeded appointment: the service's name and what to bring, its fee,
/// the office's opening hours, closed on public holidays.
pub fn appointment_input(
    a: &seeds::AppointmentSeed,
    s: &seeds::ServiceSeed,
    dept: &seeds::DepartmentSeed,
) -> OfferInput {
    use crate::booking::offers::{AppointmentDetails, OfferStatus};
    let weekly = s
        .hours
        .iter()
        .filter_map(|h| {
            Some(OpeningRule {
                weekday: Weekday::from_chrono(hours::weekday_from_index(h.weekday as i16)?),
                opens: h.opens.to_string(),
                closes: h.closes.to_string(),
            })
        })
        .collect();
    OfferInput {
        kind: OfferKind::Appointment,
        name: LocalizedInput {
            de: Some(s.name_de.to_string()),
            en: Some(s.name_en.to_string()),
        },
        description: Some(LocalizedInput {
            de: Some(format!(
                "Ein persönlicher Termin im {} an einem von {} Schaltern.",
                dept.name_de, a.counters
            )),
            en: Some(format!(
                "An appointment in person at the {}, at one of {} counters.",
                dept.name_en, a.counters
            )),
        }),
        price: Some(LocalizedInput {
            de: Some(a.price_de.to_string()),
            en: Some(a.price_en.to_string()),
        }),
        what_to_bring: LocalizedList {
            de: strings(s.what_to_bring_de),
            en: strings(s.what_to_bring_en),
        },
        status: Some(OfferStatus::Active),
        confirmation: None,
        // Until two hours before; at most two appointments of a kind at a time.
        cancel_deadline_minutes: Some(120),
        max_active_per_resident: Some(2),
        collect_email: true,
        collect_phone: false,
        lead_time_minutes: Some(60),
        horizon_days: Some(42),
        appointment: Some(AppointmentDetails {
            duration_minutes: a.minutes,
            parallel: a.counters,
            availability: OpeningHoursInput {
                weekly,
                exceptions: Vec::new(),
            },
            closed_on_holidays: true,
        }),
        class: None,
        membership: None,
        partner: None,
    }
}

/// Creates the appointment offers of the seeded services that have none yet.
async fn seed_appointments<C: ConnectionTrait>(conn: &C, city: &CityCtx) -> anyhow::Result<()> {
    for a in seeds::APPOINTMENTS {
        let (Some(s), Some(l)) = (
            seeds::SERVICES.iter().find(|s| s.slug == a.service),
            listing::Entity::find()
                .filter(listing::Column::CityId.eq(city.id))
                .filter(listing::Column::Source.eq(format!("seed:{}", a.service)))
                .one(conn)
                .await?,
        ) else {
            continue;
        };
        let Some(dept) = seeds::DEPARTMENTS.iter().find(|d| d.slug == s.department) else {
            continue;
        };
        let has = offer::Entity::find()
            .filter(offer::Column::ListingId.eq(l.id))
            .count(conn)
            .await?
            > 0;
        if has {
            continue;
        }
        let data = appointment_input(a, s, dept)
            .validate(city.timezone)
            .map_err(problem_err)?;
        let now = Utc::now();
        let mut am = offer::ActiveModel {
            id: Set(Uuid::new_v4()),
            listing_id: Set(l.id),
            provider: Set("native".into()),
            partner_connection_id: Set(None),
            partner_offer_ref: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        crate::booking::offers::apply(&mut am, &data);
        am.insert(conn).await?;
    }
    Ok(())
}

fn problem_err(e: impl Into<Problem>) -> anyhow::Error {
    let p = e.into();
    anyhow::anyhow!("{}: {}", p.title, p.detail.unwrap_or_default())
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect::<String>().trim().to_string()
}

/// The listing content of an OSM point of interest; values our validation would refuse
/// (an odd phone number, an over-long tag) are dropped rather than stored.
pub fn poi_data(p: &OsmPoi) -> ListingData {
    let name = clip(&p.name, 200);
    let keep = |v: &Option<String>, max: usize| {
        v.as_deref().map(|s| clip(s, max)).filter(|s| !s.is_empty())
    };
    let phone = keep(&p.phone, 40).filter(|ph| {
        let digits = ph.chars().filter(char::is_ascii_digit).count();
        (3..=20).contains(&digits)
            && ph
                .chars()
                .all(|c| c.is_ascii_digit() || " +-/()".contains(c))
    });
    let mut tags: Vec<String> = Vec::new();
    for t in &p.tags {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && t.chars().count() <= 40 && !tags.contains(&t) && tags.len() < 20 {
            tags.push(t);
        }
    }
    let weekly = match &p.opening_hours {
        OsmHours::Parsed(rules) => rules
            .iter()
            .filter_map(|(d, o, c)| {
                Some(WeeklyRule {
                    weekday: *d,
                    opens: HourMinute::from_minutes(*o)?,
                    closes: HourMinute::from_minutes(*c)?,
                })
            })
            .filter(|r| r.opens < r.closes)
            .collect(),
        _ => Vec::new(),
    };
    ListingData {
        name: LocalizedText {
            de: name.clone(),
            en: name,
        },
        description: LocalizedText::default(),
        categories: vec![p.category.to_string()],
        tags,
        address: Address {
            street: keep(&p.street, 200),
            postcode: keep(&p.postcode, 16),
            city: keep(&p.city, 100),
        },
        district: keep(&p.district, 100),
        location: Some(GeoPoint {
            lat: p.lat,
            lng: p.lng,
        }),
        contact: Contact {
            phone,
            email: keep(&p.email, 254).filter(|e| is_plausible(e)),
            website: keep(&p.website, 500).filter(|w| is_http_url(w)),
        },
        wheelchair: p.wheelchair.as_deref().and_then(Wheelchair::parse),
        languages: Vec::new(),
        hours: OpeningHours {
            weekly,
            exceptions: Vec::new(),
        },
        service: None,
    }
}

/// The stored content of a listing, in the same shape as [`poi_data`] builds it.
fn stored_data(r: &service::ListingRecord) -> ListingData {
    let api = r.to_api();
    ListingData {
        name: api.name,
        description: api.description,
        categories: r.categories.clone(),
        tags: api.tags,
        address: api.address,
        district: api.district,
        location: api.location,
        contact: api.contact,
        wheelchair: api.wheelchair,
        languages: api.languages,
        hours: r.hours.clone(),
        service: api.service,
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub read: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub hours_unparseable: usize,
    /// Addresses, streets, squares and districts stored for the place field.
    pub places: usize,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {} points of interest: {} created, {} updated, {} unchanged; {} opening_hours values could not be parsed (kept as text); {} places (addresses, streets, squares, districts) stored",
            self.read, self.created, self.updated, self.unchanged, self.hours_unparseable, self.places
        )
    }
}

pub fn progress_bar(len: Option<u64>, show: bool, msg: &'static str) -> indicatif::ProgressBar {
    if !show || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg:>10} {bar:40} {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb.set_message(msg);
    pb
}

/// Imports (or re-imports) OSM points of interest as published business listings,
/// keyed by their OSM id: a second import updates and never duplicates.
pub async fn import_osm(
    db: &DatabaseConnection,
    city_id: Uuid,
    pbf: Vec<u8>,
    show_progress: bool,
) -> anyhow::Result<ImportSummary> {
    let reading = progress_bar(None, show_progress, "reading");
    let reading2 = reading.clone();
    let summary = tokio::task::spawn_blocking(move || {
        osm::read_pois(std::io::Cursor::new(pbf), &|n| reading2.set_position(n))
    })
    .await??;
    reading.finish_and_clear();

    let existing_models = listing::Entity::find()
        .filter(listing::Column::CityId.eq(city_id))
        .filter(listing::Column::Source.like("osm:%"))
        .all(db)
        .await?;
    let existing: HashMap<String, service::ListingRecord> = load_records(db, existing_models)
        .await
        .map_err(problem_err)?
        .into_iter()
        .map(|r| (r.model.source.clone(), r))
        .collect();
    let mut taken: HashSet<String> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Slug)
        .filter(listing::Column::CityId.eq(city_id))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();

    let mut out = ImportSummary {
        read: summary.pois.len(),
        hours_unparseable: summary.hours_unparseable,
        ..Default::default()
    };
    let bar = progress_bar(Some(summary.pois.len() as u64), show_progress, "importing");
    let txn = crate::core::db::begin_write(db).await?;
    for p in &summary.pois {
        bar.inc(1);
        let data = poi_data(p);
        match existing.get(&p.source) {
            None => {
                let slug = Slug::from_name(&p.name)
                    .first_free(&mut taken)
                    .into_string();
                service::insert(
                    &txn,
                    Insert {
                        city_id,
                        organization_id: None,
                        kind: ListingKind::Business,
                        status: ListingStatus::Published,
                        slug,
                        source: p.source.clone(),
                        opening_hours_osm: p.opening_hours_raw.clone(),
                        data: &data,
                    },
                )
                .await
                .map_err(problem_err)?;
                out.created += 1;
            }
            Some(rec) => {
                if stored_data(rec) == data && rec.model.opening_hours_osm == p.opening_hours_raw {
                    out.unchanged += 1;
                    continue;
                }
                let mut am = listing::ActiveModel {
                    updated_at: Set(Utc::now()),
                    opening_hours_osm: Set(p.opening_hours_raw.clone()),
                    ..Default::default()
                };
                service::apply_data(&mut am, &data);
                listing::Entity::update_many()
                    .set(am)
                    .col_expr(
                        listing::Column::Version,
                        Expr::col(listing::Column::Version).add(1),
                    )
                    .filter(listing::Column::Id.eq(rec.model.id))
                    .exec(&txn)
                    .await?;
                service::replace_children(&txn, rec.model.id, &data)
                    .await
                    .map_err(problem_err)?;
                outbox::record(
                    &txn,
                    city_id,
                    "listing",
                    rec.model.id,
                    "listing.updated",
                    serde_json::json!({
                        "listing_id": rec.model.id,
                        "slug": rec.model.slug,
                        "kind": rec.model.kind,
                        "status": rec.model.status,
                        "version": rec.model.version + 1,
                    }),
                )
                .await?;
                out.updated += 1;
            }
        }
    }
    crate::places::service::replace_all(&txn, city_id, &new_places(&summary.places)).await?;
    out.places = summary.places.places.len();
    txn.commit().await?;
    bar.finish_and_clear();
    // The search's full-text index, in one segment again after the bulk write.
    crate::search::optimize_fts(db).await?;
    Ok(out)
}

/// The places to store for an extract's places.
fn new_places(p: &OsmPlaces) -> Vec<NewPlace> {
    p.places
        .iter()
        .map(|p| NewPlace {
            kind: match p.kind {
                OsmPlaceKind::District => PlaceKind::District,
                OsmPlaceKind::Square => PlaceKind::Square,
                OsmPlaceKind::Street => PlaceKind::Street,
                OsmPlaceKind::Address => PlaceKind::Address,
            },
            name: p.name.clone(),
            district: p.district.clone(),
            lat: p.lat,
            lng: p.lng,
        })
        .collect()
}

/// A demo city loaded before places were stored gets the demo extract's places (its
/// listings stay as they are until the next `import-osm`).
pub async fn load_demo_places_if_missing(
    db: &DatabaseConnection,
    city: &CityCtx,
) -> anyhow::Result<()> {
    if crate::places::service::any(db, city.id).await? {
        return Ok(());
    }
    let summary =
        tokio::task::spawn_blocking(|| osm::read_pois(std::io::Cursor::new(HELSINKI_PBF), &|_| {}))
            .await??;
    let places = new_places(&summary.places);
    crate::places::service::replace_all(db, city.id, &places).await?;
    tracing::info!(places = places.len(), "stored the demo city's places");
    Ok(())
}

/// On first start with an empty city: the services and the OSM businesses.
pub async fn load_demo_if_empty(
    db: &DatabaseConnection,
    city: &CityCtx,
) -> anyhow::Result<Option<ImportSummary>> {
    let any = listing::Entity::find()
        .filter(listing::Column::CityId.eq(city.id))
        .count(db)
        .await?;
    if any > 0 {
        return Ok(None);
    }
    let services = seed_services(db, city).await?;
    tracing::info!(services, "seeded the city's municipal services");
    let summary = import_osm(db, city.id, HELSINKI_PBF.to_vec(), true).await?;
    tracing::info!("{summary}");
    // Without statistics SQLite's planner would not pick the search's covering index.
    analyze(db).await?;
    Ok(Some(summary))
}

/// Refreshes the planner statistics after a bulk insert: `ANALYZE` on PostgreSQL (its
/// autovacuum would get there later), `ANALYZE` and `PRAGMA optimize` on SQLite (which
/// never gathers them by itself), where the search's full-text index is also merged
/// into one segment. On PostgreSQL the search's trigram index gets the entries still
/// waiting in its pending list (GIN's fast update): until a vacuum moves them, every
/// word looked up reads that whole list, which made a word search on a freshly
/// imported demo city take several times as long.
pub async fn analyze(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            db.execute_unprepared("ANALYZE").await?;
            db.execute_unprepared("PRAGMA optimize").await?;
            crate::search::optimize_fts(db).await?;
        }
        _ => {
            db.execute_unprepared("ANALYZE").await?;
            db.execute_unprepared(
                "SELECT gin_clean_pending_list('ix_listings_search_text_trgm'::regclass)",
            )
            .await?;
        }
    }
    Ok(())
}
