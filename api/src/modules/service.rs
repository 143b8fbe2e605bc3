//! The module register: city admins register a module from its manifest, review what it
//! asks for, approve (which gives it an OAuth client with exactly the approved scopes)
//! or refuse; updates that widen wait for approval again, updates that narrow apply at
//! once; modules are paused, resumed and removed. Every manifest version is kept with
//! who decided what when.
//!
//! States of a module: `pending` (registered, never approved) → `active` | `refused`;
//! `refused` → `pending` (by a new manifest); `active` ⇄ `paused`; any → `removed`
//! (final: its id stays taken, its history kept). A manifest version is `pending`,
//! `approved` (in force from `applied_at` until `replaced_at`), `refused`, or
//! `superseded` (a newer manifest came before a decision).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::Value;
use uuid::Uuid;

use super::appointments::{self, BookingCredentials};
use super::error::ModuleError;
use super::manifest::{self, Capability, DataCategory, Manifest};
use crate::core::error::{FieldMessage, Invalid};
use crate::core::secrets::SecretsKey;
use crate::msg;
use crate::oauth::service as oauth;
use crate::partners::Partners;
use entities::{listing, module, module_service, module_version, organization};

/// What the register needs: the database, the city, and the city login's assurance
/// levels (`OIDC_ACR_LEVELS`, lowest first; empty without a city login).
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a DatabaseConnection,
    pub city_id: Uuid,
    pub acr_levels: &'a [String],
}

/// Where a module is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleStatus {
    /// Registered; its first manifest waits for review.
    Pending,
    /// Its first manifest was refused.
    Refused,
    /// Approved and running.
    Active,
    /// Approved, but its client is disabled until resumed.
    Paused,
    /// Gone (its history stays).
    Removed,
}

impl ModuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ModuleStatus::Pending => "pending",
            ModuleStatus::Refused => "refused",
            ModuleStatus::Active => "active",
            ModuleStatus::Paused => "paused",
            ModuleStatus::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> ModuleStatus {
        match s {
            "refused" => ModuleStatus::Refused,
            "active" => ModuleStatus::Active,
            "paused" => ModuleStatus::Paused,
            "removed" => ModuleStatus::Removed,
            _ => ModuleStatus::Pending,
        }
    }
}

/// One manifest version and its decision.
#[derive(Clone, Debug)]
pub struct Version {
    pub version: i32,
    pub manifest: Manifest,
    /// `pending` | `approved` | `refused` | `superseded`
    pub state: String,
    /// What it widened over the version in force when it came (field paths).
    pub widens: Vec<String>,
    pub submitted_by: Option<Uuid>,
    pub submitted_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub applied_at: Option<DateTime<Utc>>,
    pub replaced_at: Option<DateTime<Utc>>,
}

impl Version {
    fn from_model(m: module_version::Model) -> Version {
        Version {
            version: m.version,
            manifest: serde_json::from_str(&m.manifest).expect("stored manifests were checked"),
            widens: serde_json::from_str(&m.widens).unwrap_or_default(),
            state: m.state,
            submitted_by: m.submitted_by,
            submitted_at: m.submitted_at,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            note: m.note,
            applied_at: m.applied_at,
            replaced_at: m.replaced_at,
        }
    }
}

/// A module with its manifest in force and the one waiting for review.
#[derive(Clone, Debug)]
pub struct Module {
    pub id: Uuid,
    pub slug: String,
    pub status: ModuleStatus,
    pub client_id: Option<Uuid>,
    pub approved: Option<Version>,
    pub pending: Option<Version>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub paused_at: Option<DateTime<Utc>>,
    pub removed_at: Option<DateTime<Utc>>,
    /// The partner connection its appointment services are booked through, once
    /// approved with them: the module sends its booking webhooks to this connection's
    /// address (`partners::connections::webhook_url`).
    pub booking_connection: Option<Uuid>,
}

impl Module {
    /// The manifest to show: the one in force, else the one waiting.
    pub fn current(&self) -> Option<&Manifest> {
        self.approved
            .as_ref()
            .or(self.pending.as_ref())
            .map(|v| &v.manifest)
    }
}

/// The database rows a manifest names, found.
struct Resolved {
    /// Per service, its listing's id.
    listings: Vec<Uuid>,
    /// The operator organization's id.
    operator_id: Uuid,
}

fn field(path: impl Into<String>, message: crate::core::message::Message) -> FieldMessage {
    FieldMessage {
        field: path.into(),
        message,
    }
}

/// The checks that need the database: the operator is a department (or a module
/// operator) of the city; each service is a municipal-service listing of the city that
/// no other module serves with the same capability; each assurance level is one the city
/// login knows.
async fn resolve(
    conn: &impl ConnectionTrait,
    ctx: Ctx<'_>,
    m: &Manifest,
    module_id: Option<Uuid>,
) -> Result<Resolved, ModuleError> {
    let mut errors = Vec::new();
    let org = organization::Entity::find()
        .filter(organization::Column::CityId.eq(ctx.city_id))
        .filter(organization::Column::Slug.eq(&m.operator))
        .one(conn)
        .await?;
    let operator_id = org
        .filter(|o| o.kind == "department" || o.kind == "module_operator")
        .map(|o| o.id);
    if operator_id.is_none() {
        errors.push(field("operator", msg!("v-module-operator")));
    }
    let slugs: Vec<&str> = m.services.iter().map(|s| s.listing.as_str()).collect();
    let found = listing::Entity::find()
        .filter(listing::Column::CityId.eq(ctx.city_id))
        .filter(listing::Column::Slug.is_in(slugs))
        .all(conn)
        .await?;
    let taken = module_service::Entity::find()
        .filter(module_service::Column::ListingId.is_in(found.iter().map(|l| l.id)))
        .all(conn)
        .await?;
    let mut listings = Vec::new();
    for (i, s) in m.services.iter().enumerate() {
        match found.iter().find(|l| l.slug == s.listing) {
            None => errors.push(field(
                format!("services[{i}].listing"),
                msg!("v-module-listing"),
            )),
            Some(l) if l.kind != "municipal_service" => errors.push(field(
                format!("services[{i}].listing"),
                msg!("v-module-listing-kind"),
            )),
            Some(l) => {
                let other = taken.iter().find(|t| {
                    t.listing_id == l.id
                        && t.capability == s.capability.as_str()
                        && Some(t.module_id) != module_id
                });
                if let Some(o) = other {
                    let by = module::Entity::find_by_id(o.module_id)
                        .one(conn)
                        .await?
                        .map(|m| m.slug)
                        .unwrap_or_default();
                    errors.push(field(
                        format!("services[{i}].listing"),
                        msg!("v-module-service-taken", module = by),
                    ));
                }
                listings.push(l.id);
            }
        }
        if let Some(level) = &s.min_acr {
            if !ctx.acr_levels.contains(level) {
                errors.push(field(
                    format!("services[{i}].min_acr"),
                    msg!("v-module-acr", levels = ctx.acr_levels.join(", ")),
                ));
            }
        }
    }
    match operator_id {
        Some(operator_id) if errors.is_empty() => Ok(Resolved {
            listings,
            operator_id,
        }),
        _ => Err(Invalid(errors).into()),
    }
}

/// Parses and checks a manifest in full.
async fn checked(
    ctx: Ctx<'_>,
    raw: &Value,
    module_id: Option<Uuid>,
) -> Result<(Manifest, Resolved), ModuleError> {
    let m = manifest::parse(raw)?;
    let r = resolve(ctx.db, ctx, &m, module_id).await?;
    Ok((m, r))
}

async fn versions_of(
    conn: &impl ConnectionTrait,
    module_id: Uuid,
) -> Result<Vec<module_version::Model>, sea_orm::DbErr> {
    module_version::Entity::find()
        .filter(module_version::Column::ModuleId.eq(module_id))
        .order_by_asc(module_version::Column::Version)
        .all(conn)
        .await
}

/// Only the versions [`assemble`] keeps: the approved one and the one waiting (what a
/// Module API request needs, without the whole history).
async fn in_force_versions_of(
    conn: &impl ConnectionTrait,
    m: &module::Model,
) -> Result<Vec<module_version::Model>, sea_orm::DbErr> {
    let wanted: Vec<i32> = [m.approved_version, m.pending_version]
        .into_iter()
        .flatten()
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    module_version::Entity::find()
        .filter(module_version::Column::ModuleId.eq(m.id))
        .filter(module_version::Column::Version.is_in(wanted))
        .all(conn)
        .await
}

fn assemble(
    m: module::Model,
    versions: &[module_version::Model],
    booking_connection: Option<Uuid>,
) -> Module {
    let pick = |v: Option<i32>| {
        v.and_then(|n| versions.iter().find(|x| x.version == n))
            .cloned()
            .map(Version::from_model)
    };
    Module {
        approved: pick(m.approved_version),
        pending: pick(m.pending_version),
        id: m.id,
        slug: m.slug,
        status: ModuleStatus::parse(&m.status),
        client_id: m.client_id,
        created_at: m.created_at,
        updated_at: m.updated_at,
        paused_at: m.paused_at,
        removed_at: m.removed_at,
        booking_connection,
    }
}

/// The id of the module's booking connection, if it has one.
async fn booking_connection_of(
    conn: &impl ConnectionTrait,
    module_id: Uuid,
) -> Result<Option<Uuid>, sea_orm::DbErr> {
    Ok(super::appointments::connection_of(conn, module_id)
        .await?
        .map(|c| c.id))
}

async fn row(
    conn: &impl ConnectionTrait,
    city_id: Uuid,
    slug: &str,
) -> Result<module::Model, ModuleError> {
    module::Entity::find()
        .filter(module::Column::CityId.eq(city_id))
        .filter(module::Column::Slug.eq(slug))
        .one(conn)
        .await?
        .ok_or(ModuleError::NotFound)
}

/// One module of the city, by its id (the manifest's).
pub async fn get(ctx: Ctx<'_>, slug: &str) -> Result<Module, ModuleError> {
    let m = row(ctx.db, ctx.city_id, slug).await?;
    let versions = in_force_versions_of(ctx.db, &m).await?;
    let booking = booking_connection_of(ctx.db, m.id).await?;
    Ok(assemble(m, &versions, booking))
}

/// Every module of the city (removed ones too), by id.
pub async fn list(ctx: Ctx<'_>) -> Result<Vec<Module>, ModuleError> {
    let modules = module::Entity::find()
        .filter(module::Column::CityId.eq(ctx.city_id))
        .order_by_asc(module::Column::Slug)
        .all(ctx.db)
        .await?;
    let versions = module_version::Entity::find()
        .filter(module_version::Column::ModuleId.is_in(modules.iter().map(|m| m.id)))
        .all(ctx.db)
        .await?;
    let connections = entities::partner_connection::Entity::find()
        .filter(entities::partner_connection::Column::ModuleId.is_in(modules.iter().map(|m| m.id)))
        .all(ctx.db)
        .await?;
    Ok(modules
        .into_iter()
        .map(|m| {
            let own: Vec<module_version::Model> = versions
                .iter()
                .filter(|v| v.module_id == m.id)
                .cloned()
                .collect();
            let booking = connections
                .iter()
                .find(|c| c.module_id == Some(m.id))
                .map(|c| c.id);
            assemble(m, &own, booking)
        })
        .collect())
}

/// Every manifest version of a module, oldest first.
pub async fn history(ctx: Ctx<'_>, slug: &str) -> Result<Vec<Version>, ModuleError> {
    let m = row(ctx.db, ctx.city_id, slug).await?;
    Ok(versions_of(ctx.db, m.id)
        .await?
        .into_iter()
        .map(Version::from_model)
        .collect())
}

/// The module a client belongs to: how the Module API finds the module of a token
/// (`oauth::service::access(..).client_id`).
pub async fn of_client(
    conn: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<Option<Module>, sea_orm::DbErr> {
    let Some(m) = module::Entity::find()
        .filter(module::Column::ClientId.eq(client_id))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let versions = in_force_versions_of(conn, &m).await?;
    let booking = booking_connection_of(conn, m.id).await?;
    Ok(Some(assemble(m, &versions, booking)))
}

fn version_row(
    module_id: Uuid,
    version: i32,
    m: &Manifest,
    state: &str,
    widens: &[String],
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> module_version::ActiveModel {
    let applied = state == "approved";
    module_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        module_id: Set(module_id),
        version: Set(version),
        manifest: Set(m.to_json().to_string()),
        state: Set(state.to_string()),
        widens: Set(serde_json::to_string(widens).expect("strings serialize")),
        submitted_by: Set(by),
        submitted_at: Set(now),
        decided_by: Set(if applied { by } else { None }),
        decided_at: Set(applied.then_some(now)),
        note: Set(None),
        applied_at: Set(applied.then_some(now)),
        replaced_at: Set(None),
    }
}

/// Registers a module from its manifest; its first version waits for review.
pub async fn register(ctx: Ctx<'_>, raw: &Value, by: Uuid) -> Result<Module, ModuleError> {
    register_by(ctx, raw, Some(by)).await
}

/// [`register`], sent by an account or (`None`) by the server itself: the demo city
/// registers its example modules so.
pub async fn register_by(
    ctx: Ctx<'_>,
    raw: &Value,
    by: Option<Uuid>,
) -> Result<Module, ModuleError> {
    let m = manifest::parse(raw)?;
    // A taken id first: the module would otherwise seem to collide with itself.
    if module::Entity::find()
        .filter(module::Column::CityId.eq(ctx.city_id))
        .filter(module::Column::Slug.eq(&m.id))
        .one(ctx.db)
        .await?
        .is_some()
    {
        return Err(ModuleError::Exists);
    }
    resolve(ctx.db, ctx, &m, None).await?;
    let now = Utc::now();
    let txn = crate::core::db::begin_write(ctx.db).await?;
    if module::Entity::find()
        .filter(module::Column::CityId.eq(ctx.city_id))
        .filter(module::Column::Slug.eq(&m.id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(ModuleError::Exists);
    }
    let id = Uuid::now_v7();
    let inserted = module::ActiveModel {
        id: Set(id),
        city_id: Set(ctx.city_id),
        slug: Set(m.id.clone()),
        status: Set(ModuleStatus::Pending.as_str().to_string()),
        client_id: Set(None),
        approved_version: Set(None),
        pending_version: Set(Some(1)),
        created_at: Set(now),
        updated_at: Set(now),
        paused_at: Set(None),
        removed_at: Set(None),
        webhook_secret_enc: Set(None),
    }
    .insert(&txn)
    .await;
    if let Err(e) = inserted {
        return Err(match e.sql_err() {
            // Registered at the same moment by another request.
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ModuleError::Exists,
            _ => e.into(),
        });
    }
    version_row(id, 1, &m, "pending", &[], by, now)
        .insert(&txn)
        .await?;
    txn.commit().await?;
    get(ctx, &m.id).await
}

/// What became of an update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// It only narrowed or changed texts: in force now.
    Applied,
    /// It widens what the module gets: it waits for review; the version in force and the
    /// client's scopes stay as they are.
    Pending,
}

/// Makes the services of `m` the module's (the table that keeps one module per service
/// and capability).
async fn bind_services(
    conn: &impl ConnectionTrait,
    module_id: Uuid,
    m: &Manifest,
    r: &Resolved,
    now: DateTime<Utc>,
) -> Result<(), ModuleError> {
    module_service::Entity::delete_many()
        .filter(module_service::Column::ModuleId.eq(module_id))
        .exec(conn)
        .await?;
    for (s, listing_id) in m.services.iter().zip(&r.listings) {
        let inserted = module_service::ActiveModel {
            id: Set(Uuid::now_v7()),
            module_id: Set(module_id),
            listing_id: Set(*listing_id),
            capability: Set(s.capability.as_str().to_string()),
            created_at: Set(now),
        }
        .insert(conn)
        .await;
        if let Err(e) = inserted {
            return Err(match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ModuleError::ServiceTaken,
                _ => e.into(),
            });
        }
    }
    Ok(())
}

/// Puts a manifest in force now: the one in force before ends, the services are
/// bound, and the client (if any) gets exactly its scopes.
async fn put_in_force(
    conn: &impl ConnectionTrait,
    ctx: Ctx<'_>,
    module: &module::Model,
    m: &Manifest,
    r: &Resolved,
    client_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), ModuleError> {
    if let Some(before) = module.approved_version {
        module_version::Entity::update_many()
            .col_expr(module_version::Column::ReplacedAt, Expr::value(now))
            .filter(module_version::Column::ModuleId.eq(module.id))
            .filter(module_version::Column::Version.eq(before))
            .exec(conn)
            .await?;
    }
    bind_services(conn, module.id, m, r, now).await?;
    if let Some(c) = client_id {
        oauth::apply_client_scopes(conn, ctx.city_id, c, &m.scope_set()).await?;
    }
    Ok(())
}

/// The appointments' part of putting a manifest in force (see
/// [`appointments::put_in_force`]): without `prepared`, only the offers the manifest no
/// longer names are archived.
async fn appointments_in_force(
    conn: &impl ConnectionTrait,
    module: &module::Model,
    m: &Manifest,
    r: &Resolved,
    booking: Option<(&appointments::Prepared, &SecretsKey, String, bool)>,
    webhook_secret_enc: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), ModuleError> {
    let (prepared, key, name, active) = match booking {
        Some((p, k, n, a)) => (Some(p), Some(k), n, a),
        None => (None, None, String::new(), false),
    };
    appointments::put_in_force(
        conn,
        m,
        appointments::InForce {
            module,
            listings: &r.listings,
            operator_id: r.operator_id,
            name,
            active,
            webhook_secret_enc,
            key,
            now,
        },
        prepared,
    )
    .await
}

/// Ends the version waiting for review, if any, as `superseded`.
async fn supersede_pending(
    conn: &impl ConnectionTrait,
    module: &module::Model,
) -> Result<(), sea_orm::DbErr> {
    if let Some(p) = module.pending_version {
        module_version::Entity::update_many()
            .col_expr(module_version::Column::State, Expr::value("superseded"))
            .filter(module_version::Column::ModuleId.eq(module.id))
            .filter(module_version::Column::Version.eq(p))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// A new manifest for a module. Against the version in force, one that widens what the
/// module gets waits for review (replacing any other one waiting); one that only narrows
/// or changes texts is in force at once, narrowing the client's scopes if they shrink.
/// A module never approved gets the new manifest for review. `by` is the admin who
/// sent it, or none when the module sent it itself with its token.
pub async fn update(
    ctx: Ctx<'_>,
    slug: &str,
    raw: &Value,
    by: Option<Uuid>,
) -> Result<(Module, UpdateOutcome), ModuleError> {
    let current = row(ctx.db, ctx.city_id, slug).await?;
    let status = ModuleStatus::parse(&current.status);
    if status == ModuleStatus::Removed {
        return Err(ModuleError::State(status.as_str()));
    }
    if raw
        .get("id")
        .and_then(Value::as_str)
        .is_some_and(|id| id != slug)
    {
        return Err(ModuleError::Invalid(Invalid::field(
            "id",
            msg!("v-module-id-changed"),
        )));
    }
    let (m, r) = checked(ctx, raw, Some(current.id)).await?;
    let now = Utc::now();
    let txn = crate::core::db::begin_write(ctx.db).await?;
    // Read again inside the transaction: another update may have come meanwhile.
    let current = row(&txn, ctx.city_id, slug).await?;
    let versions = versions_of(&txn, current.id).await?;
    let next = versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
    let in_force = current
        .approved_version
        .and_then(|n| versions.iter().find(|v| v.version == n))
        .map(|v| Version::from_model(v.clone()));
    supersede_pending(&txn, &current).await?;
    let mut am: module::ActiveModel = current.clone().into();
    am.updated_at = Set(now);
    let outcome = match &in_force {
        Some(old) => {
            let widens = manifest::widens(&old.manifest, &m, ctx.acr_levels);
            if widens.is_empty() {
                version_row(current.id, next, &m, "approved", &[], by, now)
                    .insert(&txn)
                    .await?;
                put_in_force(&txn, ctx, &current, &m, &r, current.client_id, now).await?;
                // A narrowing: offers of services gone are withdrawn.
                appointments_in_force(&txn, &current, &m, &r, None, None, now).await?;
                am.approved_version = Set(Some(next));
                am.pending_version = Set(None);
                UpdateOutcome::Applied
            } else {
                version_row(current.id, next, &m, "pending", &widens, by, now)
                    .insert(&txn)
                    .await?;
                am.pending_version = Set(Some(next));
                UpdateOutcome::Pending
            }
        }
        None => {
            version_row(current.id, next, &m, "pending", &[], by, now)
                .insert(&txn)
                .await?;
            am.pending_version = Set(Some(next));
            am.status = Set(ModuleStatus::Pending.as_str().to_string());
            UpdateOutcome::Pending
        }
    };
    am.update(&txn).await?;
    txn.commit().await?;
    Ok((get(ctx, slug).await?, outcome))
}

/// The version waiting for review, which must be `version` (what the admin reviewed).
fn waiting(module: &module::Model, version: i32) -> Result<(), ModuleError> {
    match module.pending_version {
        Some(p) if p == version => Ok(()),
        Some(_) => Err(ModuleError::StaleVersion),
        None => Err(ModuleError::State("not-pending")),
    }
}

/// What the admin decides with an approval.
pub struct Approval<'a> {
    /// The version reviewed (the one waiting; another is [`ModuleError::StaleVersion`]).
    pub version: i32,
    /// The city admin deciding; none when the server itself approves (the demo city
    /// approves its example modules so).
    pub by: Option<Uuid>,
    /// The name of the module's OAuth client (and of its partner connection).
    pub client_name: &'a (dyn Fn(&Manifest) -> String + Sync),
    /// The Partner Booking API credentials the module issued the portal: required for
    /// a manifest with appointment services when the module has no connection yet;
    /// given later, they replace the connection's.
    pub booking: Option<BookingCredentials>,
}

/// An approved module and the secrets shown this once.
pub struct Approved {
    pub module: Module,
    /// The OAuth client's secret, on the first approval.
    pub client_secret: Option<String>,
    /// The webhook signing secret (`whsec_…`), when this approval made it: on the first
    /// approval, and on the first one of a module approved before modules had one.
    pub webhook_secret: Option<String>,
}

/// Approves the version waiting for review. The first approval registers the module's
/// OAuth client (client credentials, exactly the approved scopes) and returns its
/// secret, this once; a later one gives the client exactly the new scopes. A module
/// without a webhook secret gets one, in the approval's transaction. A manifest with
/// appointment services has the module's Partner Booking API asked for its offers first
/// (see [`appointments`]); the approval then puts its connection and offers in place in
/// the same transaction, or nothing at all.
pub async fn approve(
    ctx: Ctx<'_>,
    partners: &Partners,
    slug: &str,
    a: Approval<'_>,
) -> Result<Approved, ModuleError> {
    let current = row(ctx.db, ctx.city_id, slug).await?;
    waiting(&current, a.version)?;
    let v = module_version::Entity::find()
        .filter(module_version::Column::ModuleId.eq(current.id))
        .filter(module_version::Column::Version.eq(a.version))
        .one(ctx.db)
        .await?
        .ok_or(ModuleError::NotFound)?;
    let v = Version::from_model(v);
    // The listings or the operator may have changed since it came.
    let r = resolve(ctx.db, ctx, &v.manifest, Some(current.id)).await?;
    // The module is asked before anything is written.
    let prepared = appointments::prepare(
        ctx.db,
        partners,
        current.id,
        &v.manifest,
        a.booking.as_ref(),
    )
    .await?;
    let (client_id, secret) = match current.client_id {
        Some(c) => (c, None),
        None => {
            let (c, secret) = oauth::register_client(
                ctx.db,
                ctx.city_id,
                oauth::NewClient {
                    name: (a.client_name)(&v.manifest),
                    kind: oauth::ClientKind::Confidential,
                    scopes: v.manifest.scope_set(),
                    redirect_uris: Vec::new(),
                },
            )
            .await?;
            (c.id, secret)
        }
    };
    let approved = approve_in(
        ctx,
        partners.key(),
        &current,
        &v,
        &r,
        client_id,
        a.by,
        prepared.as_ref().map(|p| (p, (a.client_name)(&v.manifest))),
    )
    .await;
    let webhook_secret = match approved {
        Ok(w) => w,
        Err(e) => {
            if secret.is_some() {
                // The client made for this approval must not outlive its failure.
                if let Err(d) = oauth::disable_client(ctx.db, ctx.city_id, client_id).await {
                    tracing::error!(error = %d, "disabling the client of a failed approval");
                }
            }
            return Err(e);
        }
    };
    Ok(Approved {
        module: get(ctx, slug).await?,
        client_secret: secret,
        webhook_secret,
    })
}

/// A new webhook signing secret (`whsec_…`) and its stored form.
fn new_webhook_secret(key: &SecretsKey) -> (String, String) {
    let secret = partner_contract::webhook::Secret::generate().to_whsec();
    let stored = key.encrypt(&secrecy::SecretString::from(secret.clone()));
    (secret, stored)
}

#[allow(clippy::too_many_arguments)]
async fn approve_in(
    ctx: Ctx<'_>,
    key: &SecretsKey,
    current: &module::Model,
    v: &Version,
    r: &Resolved,
    client_id: Uuid,
    by: Option<Uuid>,
    booking: Option<(&appointments::Prepared, String)>,
) -> Result<Option<String>, ModuleError> {
    let now = Utc::now();
    let txn = crate::core::db::begin_write(ctx.db).await?;
    // Only if it is still the version waiting (two admins at once: one wins).
    let status = match ModuleStatus::parse(&current.status) {
        ModuleStatus::Pending | ModuleStatus::Refused => ModuleStatus::Active,
        s => s,
    };
    // Every approved module has a webhook secret (one approved before modules had
    // them gets it now), made with the approval or not at all.
    let (shown, stored) = match &current.webhook_secret_enc {
        Some(s) => (None, s.clone()),
        None => {
            let (secret, stored) = new_webhook_secret(key);
            (Some(secret), stored)
        }
    };
    let taken = module::Entity::update_many()
        .col_expr(
            module::Column::PendingVersion,
            Expr::value(Option::<i32>::None),
        )
        .col_expr(module::Column::ApprovedVersion, Expr::value(v.version))
        .col_expr(module::Column::ClientId, Expr::value(client_id))
        .col_expr(module::Column::Status, Expr::value(status.as_str()))
        .col_expr(module::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            module::Column::WebhookSecretEnc,
            Expr::value(Some(stored.clone())),
        )
        .filter(module::Column::Id.eq(current.id))
        .filter(module::Column::PendingVersion.eq(v.version))
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(ModuleError::StaleVersion);
    }
    module_version::Entity::update_many()
        .col_expr(module_version::Column::State, Expr::value("approved"))
        .col_expr(module_version::Column::DecidedBy, Expr::value(by))
        .col_expr(module_version::Column::DecidedAt, Expr::value(now))
        .col_expr(module_version::Column::AppliedAt, Expr::value(now))
        .filter(module_version::Column::ModuleId.eq(current.id))
        .filter(module_version::Column::Version.eq(v.version))
        .exec(&txn)
        .await?;
    put_in_force(&txn, ctx, current, &v.manifest, r, Some(client_id), now).await?;
    appointments_in_force(
        &txn,
        current,
        &v.manifest,
        r,
        booking.map(|(p, name)| (p, key, name, status == ModuleStatus::Active)),
        Some(stored),
        now,
    )
    .await?;
    // A paused module's client stays disabled (setting its scopes does not enable it).
    txn.commit().await?;
    Ok(shown)
}

/// Rotates a module's webhook signing secret (`whsec_…`): the new one signs every
/// delivery from now on and is the one the module signs its booking webhooks with (its
/// partner connection gets it in the same transaction); shown this once. Only a module
/// that was approved (active or paused) has one.
pub async fn rotate_webhook_secret(
    ctx: Ctx<'_>,
    key: &SecretsKey,
    slug: &str,
) -> Result<String, ModuleError> {
    let current = row(ctx.db, ctx.city_id, slug).await?;
    let status = ModuleStatus::parse(&current.status);
    if !matches!(status, ModuleStatus::Active | ModuleStatus::Paused) {
        return Err(ModuleError::State(status.as_str()));
    }
    let (secret, stored) = new_webhook_secret(key);
    let txn = crate::core::db::begin_write(ctx.db).await?;
    module::Entity::update_many()
        .col_expr(
            module::Column::WebhookSecretEnc,
            Expr::value(Some(stored.clone())),
        )
        .col_expr(module::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(module::Column::Id.eq(current.id))
        .exec(&txn)
        .await?;
    appointments::share_webhook_secret(&txn, current.id, &stored).await?;
    txn.commit().await?;
    Ok(secret)
}

/// A reason for refusing: 1 to 2000 characters, without control characters but line
/// breaks.
pub fn parse_reason(raw: &str) -> Result<String, Invalid> {
    let r = raw.trim();
    let bad = r.is_empty()
        || r.chars().count() > 2000
        || r.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    if bad {
        Err(Invalid::field("reason", msg!("v-module-reason")))
    } else {
        Ok(r.to_string())
    }
}

/// Refuses the version waiting for review, with the reason. A module never approved is
/// then `refused`; one that was keeps the version in force.
pub async fn refuse(
    ctx: Ctx<'_>,
    slug: &str,
    version: i32,
    reason: &str,
    by: Uuid,
) -> Result<Module, ModuleError> {
    let reason = parse_reason(reason)?;
    let current = row(ctx.db, ctx.city_id, slug).await?;
    waiting(&current, version)?;
    let now = Utc::now();
    let txn = crate::core::db::begin_write(ctx.db).await?;
    let mut q = module::Entity::update_many()
        .col_expr(
            module::Column::PendingVersion,
            Expr::value(Option::<i32>::None),
        )
        .col_expr(module::Column::UpdatedAt, Expr::value(now))
        .filter(module::Column::Id.eq(current.id))
        .filter(module::Column::PendingVersion.eq(version));
    if current.approved_version.is_none() {
        q = q.col_expr(
            module::Column::Status,
            Expr::value(ModuleStatus::Refused.as_str()),
        );
    }
    if q.exec(&txn).await?.rows_affected != 1 {
        return Err(ModuleError::StaleVersion);
    }
    module_version::Entity::update_many()
        .col_expr(module_version::Column::State, Expr::value("refused"))
        .col_expr(module_version::Column::DecidedBy, Expr::value(by))
        .col_expr(module_version::Column::DecidedAt, Expr::value(now))
        .col_expr(module_version::Column::Note, Expr::value(reason))
        .filter(module_version::Column::ModuleId.eq(current.id))
        .filter(module_version::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    get(ctx, slug).await
}

/// Pauses an active module: its client is disabled and its tokens stop working at once.
pub async fn pause(ctx: Ctx<'_>, slug: &str) -> Result<Module, ModuleError> {
    let current = row(ctx.db, ctx.city_id, slug).await?;
    let status = ModuleStatus::parse(&current.status);
    if status != ModuleStatus::Active {
        return Err(ModuleError::State(status.as_str()));
    }
    let now = Utc::now();
    let mut am: module::ActiveModel = current.clone().into();
    am.status = Set(ModuleStatus::Paused.as_str().to_string());
    am.paused_at = Set(Some(now));
    am.updated_at = Set(now);
    let txn = crate::core::db::begin_write(ctx.db).await?;
    am.update(&txn).await?;
    // Its appointments are not bookable while it is paused.
    appointments::set_active(&txn, current.id, false).await?;
    txn.commit().await?;
    if let Some(c) = current.client_id {
        oauth::disable_client(ctx.db, ctx.city_id, c).await?;
    }
    get(ctx, slug).await
}

/// Resumes a paused module: its client can get tokens again.
pub async fn resume(ctx: Ctx<'_>, slug: &str) -> Result<Module, ModuleError> {
    let current = row(ctx.db, ctx.city_id, slug).await?;
    let status = ModuleStatus::parse(&current.status);
    if status != ModuleStatus::Paused {
        return Err(ModuleError::State(status.as_str()));
    }
    let now = Utc::now();
    let txn = crate::core::db::begin_write(ctx.db).await?;
    let mut am: module::ActiveModel = current.clone().into();
    am.status = Set(ModuleStatus::Active.as_str().to_string());
    am.paused_at = Set(None);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    if let Some(c) = current.client_id {
        oauth::enable_client(&txn, ctx.city_id, c).await?;
    }
    appointments::set_active(&txn, current.id, true).await?;
    txn.commit().await?;
    get(ctx, slug).await
}

/// Removes a module: its client is disabled, its services are free for another module,
/// a manifest waiting for review is dropped; its id and history stay.
pub async fn remove(ctx: Ctx<'_>, slug: &str) -> Result<Module, ModuleError> {
    let current = row(ctx.db, ctx.city_id, slug).await?;
    let status = ModuleStatus::parse(&current.status);
    if status == ModuleStatus::Removed {
        return Err(ModuleError::State(status.as_str()));
    }
    let now = Utc::now();
    let txn = crate::core::db::begin_write(ctx.db).await?;
    supersede_pending(&txn, &current).await?;
    if let Some(v) = current.approved_version {
        module_version::Entity::update_many()
            .col_expr(module_version::Column::ReplacedAt, Expr::value(now))
            .filter(module_version::Column::ModuleId.eq(current.id))
            .filter(module_version::Column::Version.eq(v))
            .exec(&txn)
            .await?;
    }
    module_service::Entity::delete_many()
        .filter(module_service::Column::ModuleId.eq(current.id))
        .exec(&txn)
        .await?;
    // Its appointments are withdrawn; bookings made stay, and can be cancelled.
    appointments::withdraw(&txn, current.id).await?;
    let mut am: module::ActiveModel = current.clone().into();
    am.status = Set(ModuleStatus::Removed.as_str().to_string());
    am.pending_version = Set(None);
    am.removed_at = Set(Some(now));
    am.updated_at = Set(now);
    am.update(&txn).await?;
    txn.commit().await?;
    if let Some(c) = current.client_id {
        oauth::disable_client(ctx.db, ctx.city_id, c).await?;
    }
    get(ctx, slug).await
}

/// Since when the module has received each category of data for each service of the
/// version in force: the start of the unbroken run of versions in force that named it.
pub fn data_since(
    history: &[Version],
) -> BTreeMap<(String, Capability, DataCategory), DateTime<Utc>> {
    let mut in_force: Vec<&Version> = history.iter().filter(|v| v.applied_at.is_some()).collect();
    in_force.sort_by_key(|v| v.applied_at);
    let mut since: BTreeMap<(String, Capability, DataCategory), DateTime<Utc>> = BTreeMap::new();
    for v in in_force {
        let at = v.applied_at.expect("filtered");
        let now: BTreeSet<(String, Capability, DataCategory)> = v
            .manifest
            .services
            .iter()
            .flat_map(|s| {
                s.data
                    .iter()
                    .map(move |d| (s.listing.clone(), s.capability, *d))
            })
            .collect();
        since.retain(|k, _| now.contains(k));
        for k in now {
            since.entry(k).or_insert(at);
        }
    }
    since
}

/// A module as the public register shows it.
pub struct Public {
    pub module: Module,
    /// The operator's name.
    pub operator_name: String,
    /// Per service of the manifest in force, its listing's names (de, en).
    pub service_names: Vec<(String, String)>,
    pub since: BTreeMap<(String, Capability, DataCategory), DateTime<Utc>>,
    /// When it was first approved.
    pub approved_at: Option<DateTime<Utc>>,
}

/// The public register: every active module, and the paused ones (marked so: they hold
/// what they received and get more when resumed). Pending, refused and removed modules
/// are not in it.
pub async fn public_register(ctx: Ctx<'_>) -> Result<Vec<Public>, ModuleError> {
    let modules: Vec<Module> = list(ctx)
        .await?
        .into_iter()
        .filter(|m| matches!(m.status, ModuleStatus::Active | ModuleStatus::Paused))
        .filter(|m| m.approved.is_some())
        .collect();
    let mut out = Vec::new();
    for m in modules {
        let approved = m.approved.as_ref().expect("filtered");
        let history = versions_of(ctx.db, m.id).await?;
        let history: Vec<Version> = history.into_iter().map(Version::from_model).collect();
        let operator_name = organization::Entity::find()
            .filter(organization::Column::CityId.eq(ctx.city_id))
            .filter(organization::Column::Slug.eq(&approved.manifest.operator))
            .one(ctx.db)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let slugs: Vec<&str> = approved
            .manifest
            .services
            .iter()
            .map(|s| s.listing.as_str())
            .collect();
        let listings = listing::Entity::find()
            .filter(listing::Column::CityId.eq(ctx.city_id))
            .filter(listing::Column::Slug.is_in(slugs))
            .all(ctx.db)
            .await?;
        let service_names = approved
            .manifest
            .services
            .iter()
            .map(|s| {
                listings
                    .iter()
                    .find(|l| l.slug == s.listing)
                    .map(|l| (l.name_de.clone(), l.name_en.clone()))
                    .unwrap_or_else(|| (s.listing.clone(), s.listing.clone()))
            })
            .collect();
        let approved_at = history.iter().filter_map(|v| v.applied_at).min();
        out.push(Public {
            since: data_since(&history),
            module: m,
            operator_name,
            service_names,
            approved_at,
        });
    }
    Ok(out)
}

/// Erasure: an erased staff member's account no longer names who submitted or decided a
/// manifest version (what was decided when stays).
pub async fn erase_user(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<(), sea_orm::DbErr> {
    module_version::Entity::update_many()
        .col_expr(
            module_version::Column::SubmittedBy,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(module_version::Column::SubmittedBy.eq(user_id))
        .exec(conn)
        .await?;
    module_version::Entity::update_many()
        .col_expr(
            module_version::Column::DecidedBy,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(module_version::Column::DecidedBy.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}
