//! Reports, their updates and the Open311 API keys.
//!
//! A report service is a municipal service (its listing's slug is the Open311
//! `service_code`) that an active module serves with the `report` capability. A report
//! is `open` or `closed` (Open311's two statuses) and has a detailed state from
//! FixMyStreet's extension; only its module changes it. A report never shows who sent
//! it: the reporter (a resident, or what a third-party app sent about its user) is read
//! only by the report's module, and each such read of a resident's data is recorded in
//! the resident's access log.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Value};
use uuid::Uuid;

use super::error::ReportError;
use crate::applications::form::FormSpec;
use crate::core::outbox;
use crate::core::secrets::{random_secret, sha256_hex};
use crate::modules::manifest::{Capability, DataCategory, Localized};
use crate::modules::service::{self as modules, ModuleStatus};
use entities::{listing, open311_key, report, report_photo, report_update};

/// The longest description (Open311: 4,000 characters).
pub const MAX_DESCRIPTION: usize = 4000;
/// The most reports one `GET requests` answers (Open311: 1,000).
pub const MAX_RESULTS: u64 = 1000;
/// The longest date range of one query, and the default one (Open311: 90 days).
pub const MAX_RANGE_DAYS: i64 = 90;
/// The largest photo a resident may attach (5 MiB).
pub const MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;
/// The key prefix that tells the city's Open311 keys apart from other secrets.
pub const KEY_PREFIX: &str = "o311_";

/// What the reports need: the database and the city.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a DatabaseConnection,
    pub city_id: Uuid,
}

/// Where a report is, in FixMyStreet's words (its Open311 extension's states).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Open,
    Investigating,
    InProgress,
    ActionScheduled,
    Fixed,
    Duplicate,
    NotCouncilsResponsibility,
    NoFurtherAction,
    InternalReferral,
    Closed,
}

impl State {
    pub const ALL: [State; 10] = [
        State::Open,
        State::Investigating,
        State::InProgress,
        State::ActionScheduled,
        State::Fixed,
        State::Duplicate,
        State::NotCouncilsResponsibility,
        State::NoFurtherAction,
        State::InternalReferral,
        State::Closed,
    ];

    /// As stored and in the Module API: `in_progress`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Investigating => "investigating",
            State::InProgress => "in_progress",
            State::ActionScheduled => "action_scheduled",
            State::Fixed => "fixed",
            State::Duplicate => "duplicate",
            State::NotCouncilsResponsibility => "not_councils_responsibility",
            State::NoFurtherAction => "no_further_action",
            State::InternalReferral => "internal_referral",
            State::Closed => "closed",
        }
    }

    /// A state by its name, in any case (`IN_PROGRESS` as FixMyStreet writes it).
    pub fn parse(s: &str) -> Option<State> {
        State::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether the issue still waits to be dealt with.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Open | State::Investigating | State::InProgress | State::ActionScheduled
        )
    }

    /// Open311's status: `open` or `closed`.
    pub fn status(self) -> &'static str {
        if self.is_open() {
            "open"
        } else {
            "closed"
        }
    }

    /// As FixMyStreet's `servicerequestupdates` writes it: `IN_PROGRESS`.
    pub fn fms(self) -> String {
        self.as_str().to_ascii_uppercase()
    }

    /// The message id of its name on pages.
    pub fn message_key(self) -> String {
        format!("report-state-{}", self.as_str().replace('_', "-"))
    }
}

/// A service residents and apps can report to.
pub struct ReportService {
    pub listing_id: Uuid,
    /// The Open311 `service_code`: the listing's slug.
    pub code: String,
    pub name: Localized,
    pub description: Localized,
    pub module_id: Uuid,
    pub module_slug: String,
    /// The module's name: the Open311 `group`.
    pub module_name: Localized,
    /// The resident data the module receives for it.
    pub data: Vec<DataCategory>,
    /// What it asks beyond place, description and photo (its Open311 attributes).
    pub form: Option<FormSpec>,
}

impl ReportService {
    /// Whether the module receives `category` for this service.
    pub fn receives(&self, category: DataCategory) -> bool {
        self.data.contains(&category)
    }
}

/// Every report service of the city's active modules, by name.
pub async fn services(ctx: Ctx<'_>) -> Result<Vec<ReportService>, ReportError> {
    let mctx = modules::Ctx {
        db: ctx.db,
        city_id: ctx.city_id,
        acr_levels: &[],
    };
    let all = modules::list(mctx).await.map_err(|e| match e {
        crate::modules::error::ModuleError::Db(d) => ReportError::Db(d),
        other => ReportError::Db(sea_orm::DbErr::Custom(other.to_string())),
    })?;
    let mut wanted = Vec::new();
    for m in all.iter().filter(|m| m.status == ModuleStatus::Active) {
        let Some(v) = &m.approved else { continue };
        for s in v
            .manifest
            .services
            .iter()
            .filter(|s| s.capability == Capability::Report)
        {
            wanted.push((m, &v.manifest, s));
        }
    }
    let listings = listing::Entity::find()
        .filter(listing::Column::CityId.eq(ctx.city_id))
        .filter(listing::Column::Slug.is_in(wanted.iter().map(|(_, _, s)| s.listing.clone())))
        .all(ctx.db)
        .await?;
    let mut out: Vec<ReportService> = wanted
        .into_iter()
        .filter_map(|(m, manifest, s)| {
            let l = listings.iter().find(|l| l.slug == s.listing)?;
            Some(ReportService {
                listing_id: l.id,
                code: l.slug.clone(),
                name: Localized {
                    de: l.name_de.clone(),
                    en: l.name_en.clone(),
                },
                description: Localized {
                    de: l.description_de.clone(),
                    en: l.description_en.clone(),
                },
                module_id: m.id,
                module_slug: m.slug.clone(),
                module_name: manifest.name.clone(),
                data: s.data.clone(),
                form: s.form.as_ref().and_then(|f| FormSpec::parse(f).ok()),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.en.cmp(&b.name.en));
    Ok(out)
}

/// The report service with `code`, if an active module serves it.
pub async fn service(ctx: Ctx<'_>, code: &str) -> Result<ReportService, ReportError> {
    services(ctx)
        .await?
        .into_iter()
        .find(|s| s.code == code)
        .ok_or(ReportError::NoService)
}

/// The report service of a listing, if it has one (for its page's "Report" link).
pub async fn service_of_listing(
    ctx: Ctx<'_>,
    listing_id: Uuid,
) -> Result<Option<ReportService>, ReportError> {
    // Most services take no reports: one indexed look-up says so before the modules
    // and their manifests are read.
    let served = entities::module_service::Entity::find()
        .filter(entities::module_service::Column::ListingId.eq(listing_id))
        .filter(entities::module_service::Column::Capability.eq(Capability::Report.as_str()))
        .one(ctx.db)
        .await?;
    if served.is_none() {
        return Ok(None);
    }
    Ok(services(ctx)
        .await?
        .into_iter()
        .find(|s| s.listing_id == listing_id))
}

/// Who sent a report.
#[derive(Clone, Debug)]
pub enum Reporter {
    /// A resident, in the portal.
    Resident(Uuid),
    /// A third-party app, with what it sent about its user.
    App {
        key_id: Uuid,
        email: Option<String>,
        first_name: Option<String>,
        last_name: Option<String>,
        phone: Option<String>,
    },
}

/// A photo, checked: its type is what its bytes are.
#[derive(Clone, Debug)]
pub struct Photo {
    pub content_type: &'static str,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A report to store, checked at the edge.
#[derive(Clone, Debug)]
pub struct NewReport {
    pub description: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    /// The answers to the service's attributes (a JSON object).
    pub attributes: Value,
    pub media_url: Option<String>,
    pub reporter: Reporter,
    pub photo: Option<Photo>,
    /// The language the reporter reads (the page's, or an app's `Accept-Language`, else
    /// the city's): the module writes its public notes in it.
    pub locale: crate::core::locale::Locale,
}

/// A latitude in degrees, as sent: a finite number within ±90.
pub fn parse_lat(raw: &str) -> Option<f64> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && (-90.0..=90.0).contains(v))
}

/// A longitude in degrees, as sent: a finite number within ±180.
pub fn parse_long(raw: &str) -> Option<f64> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && (-180.0..=180.0).contains(v))
}

/// Stores a report for `svc` and its `report.submitted` event for the module, in one
/// transaction. The event names the report, not the reporter: the module reads the
/// reporter through the Module API, where the read is recorded.
pub async fn submit(
    ctx: Ctx<'_>,
    svc: &ReportService,
    r: NewReport,
) -> Result<report::Model, ReportError> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let locale = r.locale;
    let (user, key, email, first, last, phone) = match r.reporter {
        Reporter::Resident(u) => (Some(u), None, None, None, None, None),
        Reporter::App {
            key_id,
            email,
            first_name,
            last_name,
            phone,
        } => (None, Some(key_id), email, first_name, last_name, phone),
    };
    let txn = crate::core::db::begin_write(ctx.db).await?;
    let row = report::ActiveModel {
        id: Set(id),
        city_id: Set(ctx.city_id),
        listing_id: Set(svc.listing_id),
        module_id: Set(Some(svc.module_id)),
        service_code: Set(svc.code.clone()),
        status: Set(State::Open.status().to_string()),
        state: Set(State::Open.as_str().to_string()),
        status_notes: Set(None),
        description: Set(r.description),
        lat: Set(r.lat),
        lng: Set(r.lng),
        address_string: Set(r.address_string),
        address_id: Set(r.address_id),
        attributes: Set(r.attributes.to_string()),
        media_url: Set(r.media_url),
        reporter_user_id: Set(user),
        reporter_email: Set(email),
        reporter_first_name: Set(first),
        reporter_last_name: Set(last),
        reporter_phone: Set(phone),
        key_id: Set(key),
        service_notice: Set(None),
        expected_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    if let Some(p) = r.photo {
        report_photo::ActiveModel {
            report_id: Set(id),
            content_type: Set(p.content_type.to_string()),
            file_name: Set(p.file_name),
            bytes: Set(p.bytes),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    outbox::record(
        &txn,
        ctx.city_id,
        "report",
        id,
        "report.submitted",
        json!({
            "report_id": id,
            "service_code": svc.code,
            // The modules' delivery finds the module by its id.
            "module_id": svc.module_id,
            "module": svc.module_slug,
            "status": "open",
            "requested_datetime": now,
            "locale": locale.as_str(),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Which reports a query asks for.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// These reports only (overrides everything else).
    pub ids: Vec<Uuid>,
    pub codes: Vec<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// `open`, `closed`, or both when empty.
    pub statuses: Vec<&'static str>,
    /// Only the reports of this module.
    pub module_id: Option<Uuid>,
    /// Only this resident's reports.
    pub reporter: Option<Uuid>,
    pub limit: u64,
}

/// The reports `f` asks for, newest first.
pub async fn find(ctx: Ctx<'_>, f: &Filter) -> Result<Vec<report::Model>, ReportError> {
    let mut q = report::Entity::find().filter(report::Column::CityId.eq(ctx.city_id));
    if !f.ids.is_empty() {
        q = q.filter(report::Column::Id.is_in(f.ids.clone()));
    } else {
        if !f.codes.is_empty() {
            q = q.filter(report::Column::ServiceCode.is_in(f.codes.clone()));
        }
        if let Some(from) = f.from {
            q = q.filter(report::Column::CreatedAt.gte(from));
        }
        if let Some(to) = f.to {
            q = q.filter(report::Column::CreatedAt.lte(to));
        }
        if !f.statuses.is_empty() {
            q = q.filter(report::Column::Status.is_in(f.statuses.clone()));
        }
    }
    if let Some(m) = f.module_id {
        q = q.filter(report::Column::ModuleId.eq(m));
    }
    if let Some(u) = f.reporter {
        q = q.filter(report::Column::ReporterUserId.eq(u));
    }
    Ok(q.order_by_desc(report::Column::CreatedAt)
        .order_by_desc(report::Column::Id)
        .limit(f.limit.clamp(1, MAX_RESULTS))
        .all(ctx.db)
        .await?)
}

/// One report of the city.
pub async fn get(ctx: Ctx<'_>, id: Uuid) -> Result<report::Model, ReportError> {
    report::Entity::find_by_id(id)
        .filter(report::Column::CityId.eq(ctx.city_id))
        .one(ctx.db)
        .await?
        .ok_or(ReportError::NotFound)
}

/// Which reports have a photo, of `ids`.
pub async fn with_photo(ctx: Ctx<'_>, ids: &[Uuid]) -> Result<Vec<Uuid>, ReportError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(report_photo::Entity::find()
        .select_only()
        .column(report_photo::Column::ReportId)
        .filter(report_photo::Column::ReportId.is_in(ids.to_vec()))
        .into_tuple::<Uuid>()
        .all(ctx.db)
        .await?)
}

/// A report's photo.
pub async fn photo(ctx: Ctx<'_>, id: Uuid) -> Result<report_photo::Model, ReportError> {
    get(ctx, id).await?;
    report_photo::Entity::find_by_id(id)
        .one(ctx.db)
        .await?
        .ok_or(ReportError::NotFound)
}

/// The updates of the reports `ids` (all of the city's when `None`) within the range,
/// oldest first, at most [`MAX_RESULTS`] (the first after `from`, else the newest); `public`: only the modules' (what Open311
/// shows), not what reporters added for the module.
pub async fn updates(
    ctx: Ctx<'_>,
    ids: Option<&[Uuid]>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    public: bool,
) -> Result<Vec<report_update::Model>, ReportError> {
    let mut q = report_update::Entity::find().filter(report_update::Column::CityId.eq(ctx.city_id));
    if public {
        q = q.filter(report_update::Column::Kind.ne(REPORTER_COMMENT));
    }
    if let Some(ids) = ids {
        q = q.filter(report_update::Column::ReportId.is_in(ids.to_vec()));
    }
    if let Some(from) = from {
        q = q.filter(report_update::Column::CreatedAt.gte(from));
    }
    if let Some(to) = to {
        q = q.filter(report_update::Column::CreatedAt.lte(to));
    }
    if from.is_some() {
        return Ok(q
            .order_by_asc(report_update::Column::CreatedAt)
            .order_by_asc(report_update::Column::Id)
            .limit(MAX_RESULTS)
            .all(ctx.db)
            .await?);
    }
    // Open at the start: the newest MAX_RESULTS, still oldest first.
    let mut rows = q
        .order_by_desc(report_update::Column::CreatedAt)
        .order_by_desc(report_update::Column::Id)
        .limit(MAX_RESULTS)
        .all(ctx.db)
        .await?;
    rows.reverse();
    Ok(rows)
}

/// What a module posts about one of its reports: a new state, a note, or both.
#[derive(Clone, Debug)]
pub struct NewUpdate {
    pub state: Option<State>,
    pub description: Option<String>,
    /// When the module expects to have dealt with it.
    pub expected_at: Option<DateTime<Utc>>,
    /// A notice for whoever reported it (Open311 `service_notice`).
    pub service_notice: Option<String>,
}

/// Stores a module's update of its report and the report's new state, in one
/// transaction. (No event: the module made it; Open311's `servicerequestupdates` and the
/// reporter's My reports show it.)
pub async fn post_update(
    ctx: Ctx<'_>,
    module_id: Uuid,
    id: Uuid,
    u: NewUpdate,
) -> Result<report_update::Model, ReportError> {
    let txn = crate::core::db::begin_write(ctx.db).await?;
    let r = report::Entity::find_by_id(id)
        .filter(report::Column::CityId.eq(ctx.city_id))
        .filter(report::Column::ModuleId.eq(module_id))
        .one(&txn)
        .await?
        .ok_or(ReportError::NotFound)?;
    let now = Utc::now();
    let state = u
        .state
        .or_else(|| State::parse(&r.state))
        .unwrap_or(State::Open);
    let kind = if u.state.is_some() {
        "status"
    } else {
        "comment"
    };
    let mut row: report::ActiveModel = r.clone().into();
    row.state = Set(state.as_str().to_string());
    row.status = Set(state.status().to_string());
    if u.description.is_some() {
        row.status_notes = Set(u.description.clone());
    }
    if u.expected_at.is_some() {
        row.expected_at = Set(u.expected_at);
    }
    if u.service_notice.is_some() {
        row.service_notice = Set(u.service_notice.clone());
    }
    // Once closed, a request's updated_datetime is its closing: notes on a closed
    // request (still closed after) do not move it; reopening does.
    if !(r.status == "closed" && state.status() == "closed") {
        row.updated_at = Set(now);
    }
    row.update(&txn).await?;
    let update = report_update::ActiveModel {
        id: Set(Uuid::now_v7()),
        report_id: Set(id),
        city_id: Set(ctx.city_id),
        module_id: Set(Some(module_id)),
        kind: Set(kind.to_string()),
        status: Set(state.status().to_string()),
        state: Set(state.as_str().to_string()),
        description: Set(u.description),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(update)
}

/// A reporter adds information to their own open report: stored as an update of kind
/// `reporter_comment` (for the module, not in the public updates), with the
/// `report.commented` event for the module in the same transaction.
pub async fn reporter_comment(
    ctx: Ctx<'_>,
    user_id: Uuid,
    id: Uuid,
    text: String,
) -> Result<report_update::Model, ReportError> {
    let txn = crate::core::db::begin_write(ctx.db).await?;
    let r = report::Entity::find_by_id(id)
        .filter(report::Column::CityId.eq(ctx.city_id))
        .filter(report::Column::ReporterUserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or(ReportError::NotFound)?;
    let now = Utc::now();
    let update = report_update::ActiveModel {
        id: Set(Uuid::now_v7()),
        report_id: Set(id),
        city_id: Set(ctx.city_id),
        module_id: Set(None),
        kind: Set(REPORTER_COMMENT.to_string()),
        status: Set(r.status.clone()),
        state: Set(r.state.clone()),
        description: Set(Some(text)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    outbox::record(
        &txn,
        ctx.city_id,
        "report",
        id,
        "report.commented",
        json!({
            "report_id": id,
            "update_id": update.id,
            "service_code": r.service_code,
            "module_id": r.module_id,
            "commented_datetime": now,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(update)
}

/// The kind of an update a reporter wrote.
pub const REPORTER_COMMENT: &str = "reporter_comment";

/// The resident's reports for their export: what they reported, where, and what came of
/// it.
pub async fn export_for_resident(
    db: &DatabaseConnection,
    user_id: Uuid,
) -> Result<Value, sea_orm::DbErr> {
    let rows = report::Entity::find()
        .filter(report::Column::ReporterUserId.eq(user_id))
        .order_by_asc(report::Column::CreatedAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let ups = report_update::Entity::find()
        .filter(report_update::Column::ReportId.is_in(ids.clone()))
        .order_by_asc(report_update::Column::CreatedAt)
        .all(db)
        .await?;
    let photos = report_photo::Entity::find()
        .filter(report_photo::Column::ReportId.is_in(ids))
        .all(db)
        .await?;
    Ok(Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "service_code": r.service_code,
                    "status": r.status,
                    "state": r.state,
                    "description": r.description,
                    "lat": r.lat,
                    "long": r.lng,
                    "address": r.address_string,
                    "attributes": serde_json::from_str::<Value>(&r.attributes).unwrap_or(Value::Null),
                    "photo": photos.iter().find(|p| p.report_id == r.id).map(|p| json!({
                        "file_name": p.file_name, "content_type": p.content_type, "bytes": p.bytes.len(),
                        // Where the resident fetches it (on the portal's address).
                        "url": format!("/reports/{}/photo", r.id),
                    })),
                    "requested_at": r.created_at,
                    "updated_at": r.updated_at,
                    "updates": ups.iter().filter(|u| u.report_id == r.id).map(|u| json!({
                        "at": u.created_at, "state": u.state, "description": u.description,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    ))
}

/// Erasure: the resident's reports stay for the city (the issue is still there), but no
/// longer say who sent them.
pub async fn erase_user(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<(), sea_orm::DbErr> {
    // The report stays for the city (the place, the service's answers, what the module
    // did), but what the resident wrote and photographed goes.
    let ids: Vec<Uuid> = report::Entity::find()
        .filter(report::Column::ReporterUserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    if !ids.is_empty() {
        report_photo::Entity::delete_many()
            .filter(report_photo::Column::ReportId.is_in(ids.clone()))
            .exec(conn)
            .await?;
        report_update::Entity::delete_many()
            .filter(report_update::Column::ReportId.is_in(ids.clone()))
            .filter(report_update::Column::Kind.eq(REPORTER_COMMENT))
            .exec(conn)
            .await?;
        report::Entity::update_many()
            .col_expr(report::Column::Description, Expr::value(String::new()))
            .filter(report::Column::Id.is_in(ids))
            .exec(conn)
            .await?;
    }
    report::Entity::update_many()
        .col_expr(
            report::Column::ReporterUserId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(report::Column::ReporterUserId.eq(user_id))
        .exec(conn)
        .await?;
    open311_key::Entity::update_many()
        .col_expr(
            open311_key::Column::CreatedBy,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(open311_key::Column::CreatedBy.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The listings (the services reported to) of `rows`.
pub async fn listings_of(
    ctx: Ctx<'_>,
    rows: &[report::Model],
) -> Result<Vec<entities::listing::Model>, ReportError> {
    Ok(entities::listing::Entity::find()
        .filter(entities::listing::Column::Id.is_in(rows.iter().map(|r| r.listing_id)))
        .all(ctx.db)
        .await?)
}

/// The resident who sent a report, if one did and still has an account.
pub async fn reporter_of(
    ctx: Ctx<'_>,
    r: &report::Model,
) -> Result<Option<entities::user::Model>, ReportError> {
    match r.reporter_user_id {
        Some(u) => Ok(entities::user::Entity::find_by_id(u).one(ctx.db).await?),
        None => Ok(None),
    }
}

/// Where a service's map starts: its listing's place, else the city's first place.
pub async fn map_center(
    ctx: Ctx<'_>,
    svc: &ReportService,
) -> Result<Option<(f64, f64)>, ReportError> {
    let listing = entities::listing::Entity::find_by_id(svc.listing_id)
        .one(ctx.db)
        .await?;
    if let Some(p) = listing.and_then(|l| l.lat.zip(l.lng)) {
        return Ok(Some(p));
    }
    Ok(entities::place::Entity::find()
        .filter(entities::place::Column::CityId.eq(ctx.city_id))
        .one(ctx.db)
        .await?
        .map(|p| (p.lat, p.lng)))
}

/// How long the contact details an app sent with a report (email, names, phone) are
/// kept: long enough for the module to ask back while it handles the report.
pub const APP_CONTACT_RETENTION_DAYS: i64 = 180;

/// Clears the contact details apps sent with reports made before `before`; the
/// reports stay. The number of reports cleared.
pub async fn purge_app_contacts(
    db: &DatabaseConnection,
    before: DateTime<Utc>,
) -> Result<u64, sea_orm::DbErr> {
    let none = || Expr::value(Option::<String>::None);
    let r = report::Entity::update_many()
        .col_expr(report::Column::ReporterEmail, none())
        .col_expr(report::Column::ReporterFirstName, none())
        .col_expr(report::Column::ReporterLastName, none())
        .col_expr(report::Column::ReporterPhone, none())
        .filter(report::Column::CreatedAt.lt(before))
        .filter(
            sea_orm::Condition::any()
                .add(report::Column::ReporterEmail.is_not_null())
                .add(report::Column::ReporterFirstName.is_not_null())
                .add(report::Column::ReporterLastName.is_not_null())
                .add(report::Column::ReporterPhone.is_not_null()),
        )
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

/// Clears apps' contact details past [`APP_CONTACT_RETENTION_DAYS`] a minute after
/// start and then hourly. Several servers may run it.
pub async fn run_contact_purge(db: DatabaseConnection) {
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    loop {
        let before = Utc::now() - chrono::Duration::days(APP_CONTACT_RETENTION_DAYS);
        match purge_app_contacts(&db, before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                reports = n,
                "reports: apps' contact details past retention cleared"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "reports: clearing apps' old contact details failed; will retry")
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

/// An Open311 API key and, when just made, the key itself (shown this once).
pub struct IssuedKey {
    pub key: open311_key::Model,
    pub secret: String,
}

/// An app's name: trimmed, 1 to 100 characters, no control characters.
pub fn parse_app_name(raw: &str) -> Result<String, crate::core::error::Invalid> {
    let name = raw.trim();
    if name.is_empty()
        || name.chars().count() > 100
        || crate::core::validate::has_control_chars(name, false)
        || name
            .chars()
            .any(crate::core::validate::is_invisible_or_bidi)
    {
        return Err(crate::core::error::Invalid::field(
            "app_name",
            crate::msg!("v-report-app-name"),
        ));
    }
    Ok(name.to_string())
}

/// Issues an API key to an app; only its hash is stored.
pub async fn issue_key(
    ctx: Ctx<'_>,
    app_name: &str,
    by: Option<Uuid>,
) -> Result<IssuedKey, ReportError> {
    let app_name = parse_app_name(app_name)?;
    let secret = format!("{KEY_PREFIX}{}", random_secret());
    let key = open311_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        city_id: Set(ctx.city_id),
        app_name: Set(app_name),
        prefix: Set(secret.chars().take(12).collect()),
        key_hash: Set(sha256_hex(&secret)),
        created_by: Set(by),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(ctx.db)
    .await?;
    Ok(IssuedKey { key, secret })
}

/// The city's API keys, newest first.
pub async fn keys(ctx: Ctx<'_>) -> Result<Vec<open311_key::Model>, ReportError> {
    Ok(open311_key::Entity::find()
        .filter(open311_key::Column::CityId.eq(ctx.city_id))
        .order_by_desc(open311_key::Column::CreatedAt)
        .all(ctx.db)
        .await?)
}

/// Revokes a key: apps using it get 403 from now on.
pub async fn revoke_key(ctx: Ctx<'_>, id: Uuid) -> Result<(), ReportError> {
    let done = open311_key::Entity::update_many()
        .col_expr(
            open311_key::Column::RevokedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(open311_key::Column::Id.eq(id))
        .filter(open311_key::Column::CityId.eq(ctx.city_id))
        .filter(open311_key::Column::RevokedAt.is_null())
        .exec(ctx.db)
        .await?;
    if done.rows_affected == 0 {
        return Err(ReportError::NotFound);
    }
    Ok(())
}

/// The key an app sent, if it is one of the city's and not revoked; notes its use.
pub async fn check_key(ctx: Ctx<'_>, raw: &str) -> Result<open311_key::Model, ReportError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 200 {
        return Err(ReportError::BadKey);
    }
    let key = open311_key::Entity::find()
        .filter(open311_key::Column::KeyHash.eq(sha256_hex(raw)))
        .filter(open311_key::Column::CityId.eq(ctx.city_id))
        .filter(open311_key::Column::RevokedAt.is_null())
        .one(ctx.db)
        .await?
        .ok_or(ReportError::BadKey)?;
    open311_key::Entity::update_many()
        .col_expr(
            open311_key::Column::LastUsedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(open311_key::Column::Id.eq(key.id))
        .exec(ctx.db)
        .await?;
    Ok(key)
}
