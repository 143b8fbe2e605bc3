//! Applications as cases: a resident fills in a module's form (a draft), reviews exactly
//! what goes to whom and submits it (stored with its outbox event in one transaction);
//! the module moves the case through its states, asks questions, posts messages and
//! documents; the resident answers and may withdraw until it is decided.
//!
//! States: `draft` → `submitted` (resident) → `received` → `in_progress` ⇄
//! `needs_information` (module; the resident's answer puts it back `in_progress`) →
//! `approved` | `refused` (decided) → `closed`; `withdrawn` by the resident from any
//! state before a decision.

use base64::Engine;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::error::ApplicationError;
use super::form::{Answers, FormSpec};
use super::seal::ModuleKey;
use crate::core::error::Invalid;
use crate::core::locale::Locale;
use crate::modules::manifest::{Capability, DataCategory, Manifest, ServiceDecl};
use crate::modules::service::{self as modules, Module, ModuleStatus};
use crate::msg;
use entities::{
    application, application_event, application_file, listing, module, module_service,
    module_version, organization, user,
};

/// The aggregate type of applications in the outbox.
pub const AGGREGATE: &str = "application";

/// The longest message, question or answer, in characters.
pub const MAX_TEXT: usize = 5000;

/// Where a case is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Filled in, not yet sent (only the resident sees it).
    Draft,
    Submitted,
    Received,
    InProgress,
    NeedsInformation,
    Approved,
    Refused,
    Closed,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Draft,
        Status::Submitted,
        Status::Received,
        Status::InProgress,
        Status::NeedsInformation,
        Status::Approved,
        Status::Refused,
        Status::Closed,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::InProgress => "in_progress",
            Status::NeedsInformation => "needs_information",
            Status::Approved => "approved",
            Status::Refused => "refused",
            Status::Closed => "closed",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the module decided (or it is over): no withdrawing then.
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            Status::Approved | Status::Refused | Status::Closed | Status::Withdrawn
        )
    }

    /// The states a module may move a case to from here.
    pub fn module_may_go_to(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Submitted, Received)
                | (Received | NeedsInformation, InProgress)
                | (Received | InProgress, NeedsInformation)
                | (Received | InProgress | NeedsInformation, Approved | Refused)
                | (Approved | Refused, Closed)
        )
    }

    /// The states a module may move a case to from here, in the graph's order.
    pub fn module_next(self) -> Vec<Status> {
        Status::ALL
            .into_iter()
            .filter(|to| self.module_may_go_to(*to))
            .collect()
    }

    /// The message id of its name on pages (`application-status-...`).
    pub fn message_key(self) -> String {
        format!("application-status-{}", self.as_str().replace('_', "-"))
    }
}

/// A service residents can apply for online: its module (active, with the manifest in
/// force), the service's declaration in that manifest, and its form.
pub struct Offer {
    pub module: Module,
    pub decl: ServiceDecl,
    pub spec: FormSpec,
    pub listing: listing::Model,
    /// The operating organization's name.
    pub operator_name: String,
}

impl Offer {
    /// The categories of profile data the portal holds that the manifest declares: the
    /// only ones a resident may choose to send from their profile.
    pub fn profile_categories(&self) -> Vec<DataCategory> {
        [DataCategory::Name, DataCategory::Email]
            .into_iter()
            .filter(|c| self.decl.data.contains(c))
            .collect()
    }

    /// The approved manifest version.
    pub fn version(&self) -> i32 {
        self.module
            .approved
            .as_ref()
            .map(|v| v.version)
            .unwrap_or(0)
    }
}

/// Whether a listing takes applications online (an active module serves it with the
/// `application` capability).
pub async fn offered(db: &impl ConnectionTrait, listing_id: Uuid) -> Result<bool, sea_orm::DbErr> {
    let Some(s) = module_service::Entity::find()
        .filter(module_service::Column::ListingId.eq(listing_id))
        .filter(module_service::Column::Capability.eq(Capability::Application.as_str()))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    Ok(module::Entity::find_by_id(s.module_id)
        .one(db)
        .await?
        .is_some_and(|m| m.status == ModuleStatus::Active.as_str()))
}

/// The online application of a municipal service (by its listing slug), if it has one.
pub async fn offer(
    db: &DatabaseConnection,
    city_id: Uuid,
    listing_slug: &str,
) -> Result<Offer, ApplicationError> {
    let listing = listing::Entity::find()
        .filter(listing::Column::CityId.eq(city_id))
        .filter(listing::Column::Slug.eq(listing_slug))
        .filter(listing::Column::Kind.eq("municipal_service"))
        .one(db)
        .await?
        .ok_or(ApplicationError::NotOffered)?;
    offer_of_listing(db, city_id, listing).await
}

async fn offer_of_listing(
    db: &DatabaseConnection,
    city_id: Uuid,
    listing: listing::Model,
) -> Result<Offer, ApplicationError> {
    let bound = module_service::Entity::find()
        .filter(module_service::Column::ListingId.eq(listing.id))
        .filter(module_service::Column::Capability.eq(Capability::Application.as_str()))
        .one(db)
        .await?
        .ok_or(ApplicationError::NotOffered)?;
    let row = module::Entity::find_by_id(bound.module_id)
        .one(db)
        .await?
        .filter(|m| m.city_id == city_id)
        .ok_or(ApplicationError::NotOffered)?;
    let ctx = modules::Ctx {
        db,
        city_id,
        acr_levels: &[],
    };
    let module = modules::get(ctx, &row.slug)
        .await
        .map_err(|_| ApplicationError::NotOffered)?;
    if module.status != ModuleStatus::Active {
        return Err(ApplicationError::NotOffered);
    }
    let approved = module
        .approved
        .as_ref()
        .ok_or(ApplicationError::NotOffered)?;
    let decl = approved
        .manifest
        .services
        .iter()
        .find(|s| s.listing == listing.slug && s.capability == Capability::Application)
        .cloned()
        .ok_or(ApplicationError::NotOffered)?;
    let spec = decl
        .form
        .as_ref()
        .and_then(|f| FormSpec::parse(f).ok())
        .ok_or(ApplicationError::NotOffered)?;
    let operator_name = organization::Entity::find()
        .filter(organization::Column::CityId.eq(city_id))
        .filter(organization::Column::Slug.eq(&approved.manifest.operator))
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_else(|| approved.manifest.operator.clone());
    Ok(Offer {
        module,
        decl,
        spec,
        listing,
        operator_name,
    })
}

/// The profile categories a resident ticked, as sent in a form (`share` values); any
/// the manifest does not declare or the portal does not hold is refused.
pub fn parse_share(offer: &Offer, ticked: &[String]) -> Result<Vec<DataCategory>, Invalid> {
    let allowed = offer.profile_categories();
    let mut out = Vec::new();
    for t in ticked {
        match DataCategory::parse(t).filter(|c| allowed.contains(c)) {
            Some(c) if !out.contains(&c) => out.push(c),
            Some(_) => {}
            None => return Err(Invalid::field("share", msg!("v-application-share"))),
        }
    }
    Ok(out)
}

/// A resident as the profile data of an application needs them.
pub struct Resident {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

impl Resident {
    pub async fn load(db: &impl ConnectionTrait, id: Uuid) -> Result<Resident, sea_orm::DbErr> {
        let u = user::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| sea_orm::DbErr::RecordNotFound("user".into()))?;
        Ok(Resident {
            id,
            name: u.display_name,
            email: u.email,
        })
    }
}

/// Drafts are kept this long for the review page.
const DRAFT_TTL: chrono::Duration = chrono::Duration::hours(24);

/// Stores what a resident filled in as a draft, for the review page: the answers, the
/// files, and exactly the profile fields they chose to send.
pub async fn create_draft(
    db: &DatabaseConnection,
    city_id: Uuid,
    offer: &Offer,
    resident: &Resident,
    share: &[DataCategory],
    answers: Answers,
    locale: Locale,
) -> Result<Uuid, ApplicationError> {
    let now = Utc::now();
    let mut profile = Map::new();
    for c in share {
        match c {
            DataCategory::Name => {
                profile.insert("name".into(), Value::String(resident.name.clone()));
            }
            DataCategory::Email => {
                profile.insert("email".into(), Value::String(resident.email.clone()));
            }
            _ => {}
        }
    }
    let mut categories: Vec<&str> = share.iter().map(|c| c.as_str()).collect();
    if offer.decl.data.contains(&DataCategory::FormAnswers) {
        categories.push(DataCategory::FormAnswers.as_str());
    }
    if !answers.attachments.is_empty() {
        categories.push(DataCategory::Attachments.as_str());
    }
    let id = Uuid::now_v7();
    // Drafts never sent are not kept: anyone's, not only this resident's (the hourly
    // purge catches those of residents who never come back).
    purge_drafts(db).await?;
    let txn = db.begin().await?;
    application::ActiveModel {
        id: Set(id),
        city_id: Set(city_id),
        user_id: Set(resident.id),
        module_id: Set(offer.module.id),
        listing_id: Set(offer.listing.id),
        manifest_version: Set(offer.version()),
        status: Set(Status::Draft.as_str().into()),
        data_categories: Set(serde_json::to_string(&categories).expect("strings")),
        profile: Set((!profile.is_empty()).then(|| Value::Object(profile).to_string())),
        answers: Set(answers.data.to_string()),
        sealed: Set(false),
        locale: Set(locale.as_str().into()),
        created_at: Set(now),
        updated_at: Set(now),
        delivered_at: Set(None),
        decided_at: Set(None),
    }
    .insert(&txn)
    .await?;
    for a in answers.attachments {
        application_file::ActiveModel {
            id: Set(a.id),
            application_id: Set(id),
            role: Set("attachment".into()),
            field: Set(Some(a.field)),
            file_name: Set(a.file_name),
            content_type: Set(a.content_type.into()),
            size: Set(a.bytes.len() as i64),
            sha256: Set(a.sha256),
            bytes: Set(a.bytes),
            sealed: Set(false),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(id)
}

/// Deletes the resident's unsent draft `id` (replaced by a changed one); its files go
/// with it. A case already sent is left alone.
pub async fn discard_draft(
    db: &DatabaseConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), ApplicationError> {
    let txn = crate::core::db::begin_write(db).await?;
    let draft = application::Entity::find_by_id(id)
        .filter(application::Column::UserId.eq(user_id))
        .filter(application::Column::Status.eq(Status::Draft.as_str()))
        .one(&txn)
        .await?;
    if draft.is_some() {
        delete_drafts(&txn, vec![id]).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Deletes the drafts `ids` (still drafts: a case sent meanwhile stays) with their
/// files; how many went.
async fn delete_drafts<C: ConnectionTrait>(
    conn: &C,
    ids: Vec<Uuid>,
) -> Result<u64, sea_orm::DbErr> {
    application_file::Entity::delete_many()
        .filter(application_file::Column::ApplicationId.is_in(ids.clone()))
        .filter(
            application_file::Column::ApplicationId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(application::Column::Id)
                    .from(application::Entity)
                    .and_where(application::Column::Status.eq(Status::Draft.as_str()))
                    .to_owned(),
            ),
        )
        .exec(conn)
        .await?;
    Ok(application::Entity::delete_many()
        .filter(application::Column::Id.is_in(ids))
        .filter(application::Column::Status.eq(Status::Draft.as_str()))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Deletes every draft older than [`DRAFT_TTL`], with its files: what a resident filled
/// in but never sent is not kept. Returns how many went.
pub async fn purge_drafts(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    let expired: Vec<Uuid> = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .filter(application::Column::Status.eq(Status::Draft.as_str()))
        .filter(application::Column::CreatedAt.lt(Utc::now() - DRAFT_TTL))
        .into_tuple()
        .all(db)
        .await?;
    if expired.is_empty() {
        return Ok(0);
    }
    let txn = db.begin().await?;
    let gone = delete_drafts(&txn, expired).await?;
    txn.commit().await?;
    Ok(gone)
}

/// Purges expired drafts a minute after start and then hourly, as the other purges do.
/// Several servers may run it.
pub async fn run_draft_purge(db: DatabaseConnection) {
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    loop {
        match purge_drafts(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(drafts = n, "applications: expired drafts deleted"),
            Err(e) => {
                tracing::warn!(error = %e, "applications: deleting expired drafts failed; will retry")
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

/// The public key a module's manifest `version` publishes, if it does.
async fn sealing_key(
    db: &impl ConnectionTrait,
    module_id: Uuid,
    version: i32,
) -> Result<Option<ModuleKey>, ApplicationError> {
    let Some(v) = module_version::Entity::find()
        .filter(module_version::Column::ModuleId.eq(module_id))
        .filter(module_version::Column::Version.eq(version))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Ok(manifest) = serde_json::from_str::<Manifest>(&v.manifest) else {
        return Ok(None);
    };
    manifest
        .encryption_key
        .as_ref()
        .map(|jwk| ModuleKey::from_jwk(jwk).map_err(|e| ApplicationError::Seal(e.to_string())))
        .transpose()
}

/// Whether a timeline text is a compact JWE (a resident's answer sealed to the module).
pub fn is_sealed_text(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 5
        && parts[0].starts_with("eyJ")
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A file of a case, without its bytes.
#[derive(Clone, Debug)]
pub struct FileMeta {
    pub id: Uuid,
    pub role: String,
    pub field: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub sealed: bool,
}

/// A case with its timeline and files.
#[derive(Clone, Debug)]
pub struct Case {
    pub application: application::Model,
    pub status: Status,
    pub listing_slug: String,
    pub listing_name_de: String,
    pub listing_name_en: String,
    pub module_slug: String,
    pub events: Vec<application_event::Model>,
    pub files: Vec<FileMeta>,
}

impl Case {
    /// The service's name in `locale`.
    pub fn service_name(&self, locale: Locale) -> &str {
        match locale {
            Locale::De => &self.listing_name_de,
            _ => &self.listing_name_en,
        }
    }

    /// The answers and profile fields, while the portal holds them in plain text.
    pub fn plain(&self) -> Option<(Value, Value)> {
        if self.application.sealed {
            return None;
        }
        let answers = serde_json::from_str(&self.application.answers).ok()?;
        let profile = self
            .application
            .profile
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_else(|| json!({}));
        Some((answers, profile))
    }

    /// A timeline entry's text as the resident's pages show it: a sealed answer is the
    /// module's to open, not shown.
    pub fn shown_message<'a>(&self, e: &'a application_event::Model) -> Option<&'a str> {
        e.message
            .as_deref()
            .filter(|m| !(self.application.sealed && e.kind == "answered" && is_sealed_text(m)))
    }

    /// The data categories sent.
    pub fn categories(&self) -> Vec<DataCategory> {
        serde_json::from_str::<Vec<String>>(&self.application.data_categories)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| DataCategory::parse(c))
            .collect()
    }

    /// The open question, when the module waits for an answer.
    pub fn open_question(&self) -> Option<&str> {
        if self.status != Status::NeedsInformation {
            return None;
        }
        self.events
            .iter()
            .rev()
            .find(|e| e.kind == "needs_information")
            .and_then(|e| e.message.as_deref())
    }
}

/// A file's row without its bytes: a list never needs them.
#[derive(sea_orm::FromQueryResult)]
struct FileRow {
    id: Uuid,
    role: String,
    field: Option<String>,
    file_name: String,
    content_type: String,
    size: i64,
    sha256: String,
    sealed: bool,
}

async fn files_of(
    db: &impl ConnectionTrait,
    application_id: Uuid,
) -> Result<Vec<FileMeta>, sea_orm::DbErr> {
    use application_file::Column as F;
    let rows = application_file::Entity::find()
        .select_only()
        .columns([
            F::Id,
            F::Role,
            F::Field,
            F::FileName,
            F::ContentType,
            F::Size,
            F::Sha256,
            F::Sealed,
        ])
        .filter(F::ApplicationId.eq(application_id))
        .order_by_asc(F::CreatedAt)
        .order_by_asc(F::Id)
        .into_model::<FileRow>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|f| FileMeta {
            id: f.id,
            role: f.role,
            field: f.field,
            file_name: f.file_name,
            content_type: f.content_type,
            size: f.size,
            sha256: f.sha256,
            sealed: f.sealed,
        })
        .collect())
}

async fn assemble(
    db: &impl ConnectionTrait,
    a: application::Model,
) -> Result<Case, ApplicationError> {
    let l = listing::Entity::find_by_id(a.listing_id).one(db).await?;
    let m = module::Entity::find_by_id(a.module_id).one(db).await?;
    let events = application_event::Entity::find()
        .filter(application_event::Column::ApplicationId.eq(a.id))
        .order_by_asc(application_event::Column::CreatedAt)
        .order_by_asc(application_event::Column::Id)
        .all(db)
        .await?;
    let files = files_of(db, a.id).await?;
    Ok(Case {
        status: Status::parse(&a.status).unwrap_or(Status::Submitted),
        listing_slug: l.as_ref().map(|l| l.slug.clone()).unwrap_or_default(),
        listing_name_de: l.as_ref().map(|l| l.name_de.clone()).unwrap_or_default(),
        listing_name_en: l.as_ref().map(|l| l.name_en.clone()).unwrap_or_default(),
        module_slug: m.map(|m| m.slug).unwrap_or_default(),
        application: a,
        events,
        files,
    })
}

/// A resident's own case (a draft too).
pub async fn case_of_resident(
    db: &DatabaseConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<Case, ApplicationError> {
    let a = application::Entity::find_by_id(id)
        .filter(application::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    assemble(db, a).await
}

/// A resident's cases (not the drafts), newest first.
pub async fn cases_of_resident(
    db: &DatabaseConnection,
    user_id: Uuid,
) -> Result<Vec<Case>, ApplicationError> {
    let rows = application::Entity::find()
        .filter(application::Column::UserId.eq(user_id))
        .filter(application::Column::Status.ne(Status::Draft.as_str()))
        .order_by_desc(application::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        out.push(assemble(db, a).await?);
    }
    Ok(out)
}

fn event_row(
    application_id: Uuid,
    kind: &str,
    actor: &str,
    decision: Option<&str>,
    message: Option<String>,
    file_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> application_event::ActiveModel {
    application_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(application_id),
        kind: Set(kind.into()),
        actor: Set(actor.into()),
        decision: Set(decision.map(str::to_string)),
        message: Set(message),
        file_id: Set(file_id),
        created_at: Set(now),
    }
}

/// The outbox payload of an application event: who it goes to, never personal data
/// (the delivery reads that from the case when it sends).
fn payload(a: &application::Model, extra: Value) -> Value {
    let mut p = json!({
        "module_id": a.module_id,
        "application_id": a.id,
    });
    if let (Some(o), Value::Object(e)) = (p.as_object_mut(), extra) {
        o.extend(e);
    }
    p
}

/// Sets the case's status only if it still is `from` (a concurrent change loses).
async fn move_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: Status,
    to: Status,
    now: DateTime<Utc>,
) -> Result<(), ApplicationError> {
    let mut q = application::Entity::update_many()
        .col_expr(application::Column::Status, Expr::value(to.as_str()))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::Status.eq(from.as_str()));
    if matches!(to, Status::Approved | Status::Refused) {
        q = q.col_expr(application::Column::DecidedAt, Expr::value(now));
    }
    if to == Status::Submitted {
        q = q.col_expr(application::Column::CreatedAt, Expr::value(now));
    }
    if q.exec(conn).await?.rows_affected != 1 {
        return Err(ApplicationError::State(from.as_str().into()));
    }
    Ok(())
}

/// Sends a draft: the case is `submitted` and its event `application.submitted` is in
/// the outbox, in one transaction. The module must still be active with the manifest
/// the resident reviewed.
pub async fn submit(
    db: &DatabaseConnection,
    city_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), ApplicationError> {
    let a = application::Entity::find_by_id(id)
        .filter(application::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    if a.status != Status::Draft.as_str() {
        return Err(ApplicationError::State(a.status));
    }
    let m = module::Entity::find_by_id(a.module_id)
        .one(db)
        .await?
        .ok_or(ApplicationError::NotOffered)?;
    if m.status != ModuleStatus::Active.as_str() || m.approved_version != Some(a.manifest_version) {
        // What the resident reviewed is no longer what the module receives.
        return Err(ApplicationError::State("changed".into()));
    }
    // Sealed now, once, to the key the resident's reviewed manifest publishes: the
    // portal keeps only the ciphertext, and every delivery attempt sends these bytes.
    let sealed = match sealing_key(db, a.module_id, a.manifest_version).await? {
        Some(k) => Some(seal_case(db, &k, &a).await?),
        None => None,
    };
    let now = Utc::now();
    let txn = db.begin().await?;
    move_status(&txn, id, Status::Draft, Status::Submitted, now).await?;
    if let Some(s) = sealed {
        keep_sealed(&txn, id, s).await?;
    }
    event_row(id, "submitted", "resident", None, None, None, now)
        .insert(&txn)
        .await?;
    crate::core::outbox::record(
        &txn,
        city_id,
        AGGREGATE,
        id,
        "application.submitted",
        payload(&a, json!({})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A text of a case (a question, an answer, a message): 1 to [`MAX_TEXT`] characters,
/// no control characters but line breaks and tabs.
pub fn parse_text(field: &str, raw: &str) -> Result<String, Invalid> {
    let t = raw.trim().replace("\r\n", "\n");
    let bad = t.is_empty()
        || t.chars().count() > MAX_TEXT
        || t.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'));
    if bad {
        Err(Invalid::field(
            field,
            msg!("v-application-text", max = MAX_TEXT as i64),
        ))
    } else {
        Ok(t)
    }
}

/// The resident answers the module's question: the case is `in_progress` again and
/// `application.answered` goes to the module.
pub async fn answer(
    db: &DatabaseConnection,
    city_id: Uuid,
    user_id: Uuid,
    id: Uuid,
    text: &str,
) -> Result<(), ApplicationError> {
    let text = parse_text("answer", text)?;
    let a = application::Entity::find_by_id(id)
        .filter(application::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    if a.status != Status::NeedsInformation.as_str() {
        return Err(ApplicationError::State(a.status));
    }
    // A sealed case's answer is sealed too, now and once, to the key in force.
    let key = match (
        a.sealed,
        module::Entity::find_by_id(a.module_id).one(db).await?,
    ) {
        (true, Some(m)) => match m.approved_version {
            Some(v) => sealing_key(db, a.module_id, v).await?,
            None => None,
        },
        _ => None,
    };
    let text = match key {
        Some(k) => k
            .seal(
                json!({ "answer": text }).to_string().as_bytes(),
                "application/json",
            )
            .map_err(|e| ApplicationError::Seal(e.to_string()))?,
        None => text,
    };
    let now = Utc::now();
    let txn = db.begin().await?;
    move_status(&txn, id, Status::NeedsInformation, Status::InProgress, now).await?;
    let ev = event_row(id, "answered", "resident", None, Some(text), None, now);
    let event_id = *ev.id.as_ref();
    ev.insert(&txn).await?;
    crate::core::outbox::record(
        &txn,
        city_id,
        AGGREGATE,
        id,
        "application.answered",
        payload(&a, json!({ "event_id": event_id })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The resident withdraws a case not yet decided; `application.withdrawn` goes to the
/// module.
pub async fn withdraw(
    db: &DatabaseConnection,
    city_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), ApplicationError> {
    let a = application::Entity::find_by_id(id)
        .filter(application::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    let from = Status::parse(&a.status).ok_or(ApplicationError::NotFound)?;
    if from == Status::Draft || from.is_decided() {
        return Err(ApplicationError::State(a.status));
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    move_status(&txn, id, from, Status::Withdrawn, now).await?;
    event_row(id, "withdrawn", "resident", None, None, None, now)
        .insert(&txn)
        .await?;
    crate::core::outbox::record(
        &txn,
        city_id,
        AGGREGATE,
        id,
        "application.withdrawn",
        payload(&a, json!({})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A document a module posts to a case (a permit, a notice).
pub struct NewDocument {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The largest document a module may post (10 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// A document as sent by a module: base64 bytes whose content must be what it claims
/// (PDF, JPEG or PNG), its name made safe.
pub fn parse_document(
    file_name: &str,
    content_type: &str,
    base64: &str,
) -> Result<NewDocument, Invalid> {
    use super::upload::{display_name, FileType};
    let bad = || Invalid::field("document", msg!("v-application-document"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|_| bad())?;
    if bytes.is_empty() || bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(bad());
    }
    let kind = FileType::sniff(&bytes).ok_or_else(bad)?;
    if FileType::from_mime(content_type) != Some(kind) {
        return Err(bad());
    }
    Ok(NewDocument {
        file_name: display_name(Some(file_name), kind),
        content_type: kind.mime(),
        bytes,
    })
}

async fn of_module(
    conn: &impl ConnectionTrait,
    module_id: Uuid,
    id: Uuid,
) -> Result<application::Model, ApplicationError> {
    application::Entity::find_by_id(id)
        .filter(application::Column::ModuleId.eq(module_id))
        .filter(application::Column::Status.ne(Status::Draft.as_str()))
        .one(conn)
        .await?
        .ok_or(ApplicationError::NotFound)
}

/// A module's cases, newest first, `limit` at most, those created before `before`.
pub async fn cases_of_module(
    db: &DatabaseConnection,
    module_id: Uuid,
    status: Option<Status>,
    limit: u64,
) -> Result<Vec<Case>, ApplicationError> {
    let mut q = application::Entity::find()
        .filter(application::Column::ModuleId.eq(module_id))
        .filter(application::Column::Status.ne(Status::Draft.as_str()));
    if let Some(s) = status {
        q = q.filter(application::Column::Status.eq(s.as_str()));
    }
    let rows = q
        .order_by_desc(application::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        out.push(assemble(db, a).await?);
    }
    Ok(out)
}

/// One case of a module.
pub async fn case_of_module(
    db: &DatabaseConnection,
    module_id: Uuid,
    id: Uuid,
) -> Result<Case, ApplicationError> {
    let a = of_module(db, module_id, id).await?;
    assemble(db, a).await
}

/// A file of a module's case, with its bytes (or their JWE when sealed).
pub async fn file_of_module(
    db: &DatabaseConnection,
    module_id: Uuid,
    id: Uuid,
    file_id: Uuid,
) -> Result<(Case, application_file::Model), ApplicationError> {
    let case = case_of_module(db, module_id, id).await?;
    let f = application_file::Entity::find_by_id(file_id)
        .filter(application_file::Column::ApplicationId.eq(id))
        .one(db)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    Ok((case, f))
}

/// A document of a resident's own case (the module's documents and their own uploads,
/// while not sealed).
pub async fn file_of_resident(
    db: &DatabaseConnection,
    user_id: Uuid,
    id: Uuid,
    file_id: Uuid,
) -> Result<application_file::Model, ApplicationError> {
    case_of_resident(db, user_id, id).await?;
    application_file::Entity::find_by_id(file_id)
        .filter(application_file::Column::ApplicationId.eq(id))
        .filter(application_file::Column::Sealed.eq(false))
        .one(db)
        .await?
        .ok_or(ApplicationError::NotFound)
}

async fn insert_document(
    conn: &impl ConnectionTrait,
    application_id: Uuid,
    d: NewDocument,
    now: DateTime<Utc>,
) -> Result<Uuid, sea_orm::DbErr> {
    use sha2::Digest;
    let id = Uuid::now_v7();
    application_file::ActiveModel {
        id: Set(id),
        application_id: Set(application_id),
        role: Set("document".into()),
        field: Set(None),
        file_name: Set(d.file_name),
        content_type: Set(d.content_type.into()),
        size: Set(d.bytes.len() as i64),
        sha256: Set(hex::encode(sha2::Sha256::digest(&d.bytes))),
        bytes: Set(d.bytes),
        sealed: Set(false),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

/// What a module changes about a case.
pub struct StatusChange {
    pub to: Status,
    /// The question (for `needs_information`, required) or the message.
    pub message: Option<String>,
    pub document: Option<NewDocument>,
}

/// A module moves its case to another state, if that is a legal step; the resident is
/// told (the event `application.status_changed`).
pub async fn set_status(
    db: &DatabaseConnection,
    city_id: Uuid,
    module_id: Uuid,
    id: Uuid,
    change: StatusChange,
) -> Result<Case, ApplicationError> {
    let message = match (&change.message, change.to) {
        (Some(m), _) => Some(parse_text(
            if change.to == Status::NeedsInformation {
                "question"
            } else {
                "message"
            },
            m,
        )?),
        (None, Status::NeedsInformation) => {
            return Err(Invalid::field(
                "question",
                msg!("v-application-text", max = MAX_TEXT as i64),
            )
            .into())
        }
        (None, _) => None,
    };
    if matches!(
        change.to,
        Status::Draft | Status::Submitted | Status::Withdrawn
    ) {
        return Err(Invalid::field("status", msg!("v-application-status")).into());
    }
    let a = of_module(db, module_id, id).await?;
    let from = Status::parse(&a.status).ok_or(ApplicationError::NotFound)?;
    let transition = || ApplicationError::Transition {
        from: from.as_str().into(),
        to: change.to.as_str().into(),
        allowed: from
            .module_next()
            .into_iter()
            .map(|s| s.as_str().to_string())
            .collect(),
    };
    if !from.module_may_go_to(change.to) {
        return Err(transition());
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    move_status(&txn, id, from, change.to, now)
        .await
        .map_err(|_| transition())?;
    let file_id = match change.document {
        Some(d) => Some(insert_document(&txn, id, d, now).await?),
        None => None,
    };
    let (kind, decision) = match change.to {
        Status::Approved => ("decided", Some("approved")),
        Status::Refused => ("decided", Some("refused")),
        s => (s.as_str(), None),
    };
    let ev = event_row(id, kind, "module", decision, message, file_id, now);
    let event_id = *ev.id.as_ref();
    ev.insert(&txn).await?;
    crate::core::outbox::record(
        &txn,
        city_id,
        AGGREGATE,
        id,
        "application.status_changed",
        payload(
            &a,
            json!({ "status": change.to.as_str(), "event_id": event_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    case_of_module(db, module_id, id).await
}

/// A module posts a message and/or a document to its case; the resident is told.
pub async fn post_message(
    db: &DatabaseConnection,
    city_id: Uuid,
    module_id: Uuid,
    id: Uuid,
    message: Option<&str>,
    document: Option<NewDocument>,
) -> Result<Case, ApplicationError> {
    let message = message.map(|m| parse_text("message", m)).transpose()?;
    if message.is_none() && document.is_none() {
        return Err(
            Invalid::field("message", msg!("v-application-text", max = MAX_TEXT as i64)).into(),
        );
    }
    let a = of_module(db, module_id, id).await?;
    if a.status == Status::Withdrawn.as_str() {
        return Err(ApplicationError::State(a.status));
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let file_id = match document {
        Some(d) => Some(insert_document(&txn, id, d, now).await?),
        None => None,
    };
    let ev = event_row(id, "message", "module", None, message, file_id, now);
    let event_id = *ev.id.as_ref();
    ev.insert(&txn).await?;
    application::Entity::update_many()
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    crate::core::outbox::record(
        &txn,
        city_id,
        AGGREGATE,
        id,
        "application.message",
        payload(&a, json!({ "event_id": event_id })),
    )
    .await?;
    txn.commit().await?;
    case_of_module(db, module_id, id).await
}

/// What a sealed submission leaves in the portal: the ciphertexts.
pub struct Sealed {
    pub answers: String,
    pub files: Vec<(Uuid, String)>,
}

/// Seals a draft's profile fields, answers and files to `key`: one JWE of
/// `{"resident", "answers", "attachments": [{"id", "file_name"}]}` and one per file.
async fn seal_case(
    db: &DatabaseConnection,
    key: &ModuleKey,
    a: &application::Model,
) -> Result<Sealed, ApplicationError> {
    let seal_err = |e: super::seal::SealError| ApplicationError::Seal(e.to_string());
    let rows = application_file::Entity::find()
        .filter(application_file::Column::ApplicationId.eq(a.id))
        .filter(application_file::Column::Sealed.eq(false))
        .order_by_asc(application_file::Column::CreatedAt)
        .order_by_asc(application_file::Column::Id)
        .all(db)
        .await?;
    let answers: Value = serde_json::from_str(&a.answers).unwrap_or_else(|_| json!({}));
    let profile: Value = a
        .profile
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_else(|| json!({}));
    let names: Vec<Value> = rows
        .iter()
        .map(|f| json!({"id": f.id, "file_name": f.file_name}))
        .collect();
    let inner = json!({"resident": profile, "answers": answers, "attachments": names});
    let jwe = key
        .seal(inner.to_string().as_bytes(), "application/json")
        .map_err(seal_err)?;
    let mut files = Vec::with_capacity(rows.len());
    for f in &rows {
        files.push((f.id, key.seal(&f.bytes, &f.content_type).map_err(seal_err)?));
    }
    Ok(Sealed {
        answers: jwe,
        files,
    })
}

/// The portal keeps only the ciphertext: the answers' JWE instead of the answers and
/// profile fields, each file's JWE instead of its bytes and name, and the hash and size
/// of what is stored (a hash of a small plaintext could be guessed).
async fn keep_sealed(
    conn: &impl ConnectionTrait,
    id: Uuid,
    sealed: Sealed,
) -> Result<(), sea_orm::DbErr> {
    use sha2::Digest;
    application::Entity::update_many()
        .col_expr(application::Column::Answers, Expr::value(sealed.answers))
        .col_expr(
            application::Column::Profile,
            Expr::value(Option::<String>::None),
        )
        .col_expr(application::Column::Sealed, Expr::value(true))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::Sealed.eq(false))
        .exec(conn)
        .await?;
    for (file_id, jwe) in sealed.files {
        let bytes = jwe.into_bytes();
        application_file::Entity::update_many()
            .col_expr(
                application_file::Column::Sha256,
                Expr::value(hex::encode(sha2::Sha256::digest(&bytes))),
            )
            .col_expr(
                application_file::Column::Size,
                Expr::value(bytes.len() as i64),
            )
            .col_expr(application_file::Column::Bytes, Expr::value(bytes))
            .col_expr(
                application_file::Column::FileName,
                Expr::value("sealed".to_string()),
            )
            .col_expr(application_file::Column::Sealed, Expr::value(true))
            .filter(application_file::Column::Id.eq(file_id))
            .filter(application_file::Column::Sealed.eq(false))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// The status an event put its case in: what its webhook says, on every attempt alike.
fn status_of_event(event_type: &str, event_payload: &Value, now: Status) -> String {
    match event_type {
        "application.submitted" => Status::Submitted.as_str().into(),
        "application.answered" => Status::InProgress.as_str().into(),
        "application.withdrawn" => Status::Withdrawn.as_str().into(),
        _ => event_payload["status"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| now.as_str().into()),
    }
}

/// The Module API path of a file of a case.
pub fn file_href(application_id: Uuid, file_id: Uuid) -> String {
    format!("/api/v1/module/applications/{application_id}/files/{file_id}")
}

/// The `data` of a webhook about a case, built when it is sent (the outbox holds no
/// personal data) from what the portal stores, so that every attempt sends the same
/// bytes: for `application.submitted` the resident's data as agreed (in clear, or the
/// ciphertext sealed at submission) with the files by reference, for
/// `application.answered` the answer (sealed when the resident answered, for a sealed
/// case); each with the resident's language. `None` when the case is gone.
pub async fn webhook_data(
    db: &DatabaseConnection,
    id: Uuid,
    event_type: &str,
    event_payload: &Value,
) -> Result<Option<Value>, ApplicationError> {
    let Some(mut a) = application::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if event_type == "application.submitted" && !a.sealed {
        // Submitted before the portal sealed at submission, to a module with a key: sealed
        // now, once, before it goes out, and kept only so.
        if let Some(k) = sealing_key(db, a.module_id, a.manifest_version).await? {
            let sealed = seal_case(db, &k, &a).await?;
            let txn = db.begin().await?;
            keep_sealed(&txn, a.id, sealed).await?;
            txn.commit().await?;
            let Some(again) = application::Entity::find_by_id(id).one(db).await? else {
                return Ok(None);
            };
            a = again;
        }
    }
    let case = assemble(db, a).await?;
    let a = &case.application;
    let mut data = json!({
        "application_id": a.id,
        "status": status_of_event(event_type, event_payload, case.status),
        "service": case.listing_slug,
        "submitted_at": a.created_at,
        "locale": a.locale,
    });
    match event_type {
        "application.submitted" => {
            data["data_categories"] = json!(case.categories());
            match case.plain() {
                Some((answers, profile)) => {
                    data["resident"] = profile;
                    data["answers"] = answers;
                }
                None => data["sealed"] = Value::String(a.answers.clone()),
            }
            data["attachments"] = Value::Array(
                case.files
                    .iter()
                    .filter(|f| f.role == "attachment")
                    .map(|f| {
                        let mut v = json!({
                            "id": f.id, "field": f.field, "role": f.role,
                            "content_type": f.content_type, "size": f.size,
                            "sha256": f.sha256, "sealed": f.sealed,
                            "href": file_href(a.id, f.id),
                        });
                        if !f.sealed {
                            v["file_name"] = Value::String(f.file_name.clone());
                        }
                        v
                    })
                    .collect(),
            );
        }
        "application.answered" => {
            let event_id = event_payload["event_id"]
                .as_str()
                .and_then(|s| s.parse::<Uuid>().ok());
            let text = case
                .events
                .iter()
                .find(|e| Some(e.id) == event_id)
                .and_then(|e| e.message.clone())
                .unwrap_or_default();
            if a.sealed && is_sealed_text(&text) {
                data["sealed"] = Value::String(text);
            } else {
                data["answer"] = Value::String(text);
            }
        }
        _ => {}
    }
    Ok(Some(data))
}

/// The case was delivered (first time only).
pub async fn mark_delivered(db: &DatabaseConnection, id: Uuid) -> Result<(), sea_orm::DbErr> {
    application::Entity::update_many()
        .col_expr(application::Column::DeliveredAt, Expr::value(Utc::now()))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::DeliveredAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Whether the case was withdrawn before its submission reached the module: then neither
/// the submission nor the withdrawal goes out.
pub async fn withdrawn_undelivered(
    db: &DatabaseConnection,
    id: Uuid,
) -> Result<bool, sea_orm::DbErr> {
    Ok(application::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some_and(|a| a.status == Status::Withdrawn.as_str() && a.delivered_at.is_none()))
}

/// A submitted case whose module was removed before it could take it: closed by the
/// portal, with a timeline entry saying why and the resident's email, instead of waiting
/// for ever. Nothing happens to a case no longer `submitted`.
pub async fn undeliverable(db: &DatabaseConnection, id: Uuid) -> Result<(), ApplicationError> {
    let Some(a) = application::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    if a.status != Status::Submitted.as_str() || a.delivered_at.is_some() {
        return Ok(());
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    if move_status(&txn, id, Status::Submitted, Status::Closed, now)
        .await
        .is_err()
    {
        return Ok(()); // the resident withdrew it meanwhile
    }
    let ev = event_row(id, "undeliverable", "portal", None, None, None, now);
    let event_id = *ev.id.as_ref();
    ev.insert(&txn).await?;
    crate::core::outbox::record(
        &txn,
        a.city_id,
        AGGREGATE,
        id,
        "application.status_changed",
        payload(
            &a,
            json!({ "status": Status::Closed.as_str(), "event_id": event_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The resident's applications for their export: every case with its timeline and, while
/// the portal holds them in plain text, the answers and profile fields sent (files by
/// name, type and size).
pub async fn export(db: &DatabaseConnection, user_id: Uuid) -> Result<Value, ApplicationError> {
    let rows = application::Entity::find()
        .filter(application::Column::UserId.eq(user_id))
        .order_by_asc(application::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for a in rows {
        let case = assemble(db, a).await?;
        let a = &case.application;
        let (answers, profile) = match case.plain() {
            Some((a, p)) => (a, p),
            None => (Value::Null, Value::Null),
        };
        out.push(json!({
            "id": a.id,
            "service": case.listing_slug,
            "module": case.module_slug,
            "status": case.status.as_str(),
            "data_categories": case.categories(),
            "answers": answers,
            "profile": profile,
            "sealed_for_module": a.sealed,
            "sealed": if a.sealed { Value::String(a.answers.clone()) } else { Value::Null },
            "created_at": a.created_at,
            "updated_at": a.updated_at,
            "timeline": case.events.iter().map(|e| json!({
                "kind": e.kind, "by": e.actor, "decision": e.decision,
                "message": e.message, "file_id": e.file_id, "at": e.created_at,
            })).collect::<Vec<_>>(),
            "files": case.files.iter().map(|f| json!({
                "id": f.id, "role": f.role, "field": f.field, "file_name": f.file_name,
                "content_type": f.content_type, "size": f.size, "sealed": f.sealed,
            })).collect::<Vec<_>>(),
        }));
    }
    Ok(Value::Array(out))
}

/// Erasure: the resident's applications go, with their timelines and files. The
/// module's own copies are the module's (its operator is named in the public register).
pub async fn erase_user(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<(), sea_orm::DbErr> {
    let rows = application::Entity::find()
        .filter(application::Column::UserId.eq(user_id))
        .order_by_asc(application::Column::CreatedAt)
        .all(conn)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    // Each module that holds one of the cases is told to delete its copy
    // (`application.erased`, only the case's id), through the same signed outbox.
    for a in rows.iter().filter(|a| a.status != Status::Draft.as_str()) {
        let service = listing::Entity::find_by_id(a.listing_id)
            .one(conn)
            .await?
            .map(|l| l.slug)
            .unwrap_or_default();
        crate::core::outbox::record(
            conn,
            a.city_id,
            AGGREGATE,
            a.id,
            "application.erased",
            payload(a, json!({ "service": service })),
        )
        .await?;
    }
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    application_file::Entity::delete_many()
        .filter(application_file::Column::ApplicationId.is_in(ids.clone()))
        .exec(conn)
        .await?;
    application_event::Entity::delete_many()
        .filter(application_event::Column::ApplicationId.is_in(ids.clone()))
        .exec(conn)
        .await?;
    application::Entity::delete_many()
        .filter(application::Column::Id.is_in(ids))
        .exec(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn a_module_moves_a_case_only_by_legal_steps() {
        assert!(Submitted.module_may_go_to(Received));
        assert!(Received.module_may_go_to(InProgress));
        assert!(InProgress.module_may_go_to(NeedsInformation));
        assert!(NeedsInformation.module_may_go_to(Approved));
        assert!(Refused.module_may_go_to(Closed));
        assert!(!Submitted.module_may_go_to(Closed));
        assert!(!Approved.module_may_go_to(Refused));
        assert!(!Withdrawn.module_may_go_to(InProgress));
        assert!(!Closed.module_may_go_to(Received));
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn texts_of_a_case_are_bounded() {
        assert!(parse_text("m", "  ").is_err());
        assert!(parse_text("m", &"x".repeat(MAX_TEXT + 1)).is_err());
        assert!(parse_text("m", "a\u{7}b").is_err());
        assert_eq!(parse_text("m", " Line\r\nnext ").unwrap(), "Line\nnext");
    }
}
