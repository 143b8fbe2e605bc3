//! Listing queries and changes. Every change runs in one transaction together with its
//! outbox event; optimistic concurrency is enforced by the UPDATE itself
//! (`WHERE version = ?`), never by a read followed by a write.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::error::ListingError;
use super::hours::{self, DatedException, HourMinute, OpeningHours, WeeklyRule};
use super::model::*;
use super::review::{self, ReservedNames};
use crate::core::error::Invalid;
use crate::core::identity::AuthUser;
use crate::core::outbox;
use crate::core::slug::Slug;
use crate::msg;
use entities::{
    listing, listing_category, membership, opening_hours_exception, opening_hours_rule,
    organization,
};

/// A listing with its categories and opening hours.
#[derive(Clone, Debug)]
pub struct ListingRecord {
    pub model: listing::Model,
    pub categories: Vec<String>,
    pub hours: OpeningHours,
}

/// The ETag of a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// Parses an `If-Match` header: the version it names, or `Any` for `*`.
pub enum IfMatch {
    Any,
    Versions(Vec<i32>),
}

impl IfMatch {
    /// Reads `*` or a list of entity tags (RFC 9110 13.1.1). A tag's quotes may hold
    /// commas; a weak tag (`W/"3"`) is read but never matches (writes compare strongly);
    /// an empty list (RFC 9110 5.6.1) names no version, so it matches none.
    pub fn parse(header: &str) -> Result<IfMatch, ListingError> {
        let header = header.trim();
        if header == "*" {
            return Ok(IfMatch::Any);
        }
        let mut versions = Vec::new();
        let mut rest = header;
        loop {
            rest = rest.trim_start_matches([' ', '\t', ',']);
            if rest.is_empty() {
                return Ok(IfMatch::Versions(versions));
            }
            let (weak, tag) = match rest.strip_prefix("W/") {
                Some(tag) => (true, tag),
                None => (false, rest),
            };
            let quoted = tag.strip_prefix('"').ok_or(ListingError::BadIfMatch)?;
            let end = quoted.find('"').ok_or(ListingError::BadIfMatch)?;
            rest = &quoted[end + 1..];
            // After a tag, only spaces up to the next comma.
            if !rest.trim_start_matches([' ', '\t']).is_empty()
                && !rest.trim_start_matches([' ', '\t']).starts_with(',')
            {
                return Err(ListingError::BadIfMatch);
            }
            if let (false, Ok(v)) = (weak, quoted[..end].parse()) {
                versions.push(v);
            }
        }
    }

    pub fn matches(&self, version: i32) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Versions(v) => v.contains(&version),
        }
    }
}

async fn unique_slug<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    slug: &Slug,
) -> Result<String, ListingError> {
    let base = slug.as_str();
    let taken: Vec<String> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Slug)
        .filter(listing::Column::CityId.eq(city_id))
        .filter(
            listing::Column::Slug
                .eq(base)
                .or(listing::Column::Slug.like(format!("{}-%", base.replace(['%', '_'], "")))),
        )
        .into_tuple()
        .all(conn)
        .await?;
    let mut set: HashSet<String> = taken.into_iter().collect();
    Ok(slug.first_free(&mut set).into_string())
}

impl ListingRecord {
    /// The API view.
    pub fn to_api(&self) -> Listing {
        let m = &self.model;
        let list = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        Listing {
            id: m.id,
            slug: m.slug.clone(),
            kind: ListingKind::parse(&m.kind).unwrap_or(ListingKind::Business),
            status: ListingStatus::of(m),
            organization_id: m.organization_id,
            name: LocalizedText {
                de: m.name_de.clone(),
                en: m.name_en.clone(),
            },
            description: LocalizedText {
                de: m.description_de.clone(),
                en: m.description_en.clone(),
            },
            categories: self.categories.clone(),
            tags: list(&m.tags),
            address: Address {
                street: m.address_street.clone(),
                postcode: m.address_postcode.clone(),
                city: m.address_city.clone(),
            },
            district: m.district.clone(),
            location: match (m.lat, m.lng) {
                (Some(lat), Some(lng)) => Some(GeoPoint { lat, lng }),
                _ => None,
            },
            contact: Contact {
                phone: m.phone.clone(),
                email: m.email.clone(),
                website: m.website.clone(),
            },
            wheelchair: m.wheelchair.as_deref().and_then(Wheelchair::parse),
            languages: list(&m.languages),
            opening_hours: OpeningHoursDto {
                weekly: self
                    .hours
                    .weekly
                    .iter()
                    .map(|r| OpeningRule {
                        weekday: Weekday::from_chrono(r.weekday),
                        opens: r.opens.to_string(),
                        closes: r.closes.to_string(),
                    })
                    .collect(),
                exceptions: self
                    .hours
                    .exceptions
                    .iter()
                    .map(|e| OpeningException {
                        date: e.date,
                        closed: e.hours.is_none(),
                        opens: e.hours.map(|h| h.0.to_string()),
                        closes: e.hours.map(|h| h.1.to_string()),
                        note: e.note.clone(),
                    })
                    .collect(),
                osm: m.opening_hours_osm.clone(),
            },
            service: m
                .service_details
                .as_ref()
                .and_then(|v| serde_json::from_value(v.clone()).ok()),
            source: m.source.clone(),
            suspended_reason: m.suspended_reason.clone(),
            review_terms: m
                .review_terms
                .as_deref()
                .map(|t| t.split(',').map(String::from).collect())
                .unwrap_or_default(),
            review_note: m.review_note.clone(),
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
            published_at: m.published_at,
        }
    }

    pub fn status(&self) -> ListingStatus {
        ListingStatus::of(&self.model)
    }

    pub fn kind(&self) -> ListingKind {
        ListingKind::parse(&self.model.kind).unwrap_or(ListingKind::Business)
    }
}

/// Loads categories and hours for many listings with three queries.
pub async fn load_records<C: ConnectionTrait>(
    conn: &C,
    models: Vec<listing::Model>,
) -> Result<Vec<ListingRecord>, ListingError> {
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let mut cats: HashMap<Uuid, Vec<String>> = HashMap::new();
    for c in listing_category::Entity::find()
        .filter(listing_category::Column::ListingId.is_in(ids.clone()))
        .order_by_asc(listing_category::Column::Position)
        .order_by_asc(listing_category::Column::CategoryKey)
        .all(conn)
        .await?
    {
        cats.entry(c.listing_id).or_default().push(c.category_key);
    }
    let mut hours: HashMap<Uuid, OpeningHours> = HashMap::new();
    for r in opening_hours_rule::Entity::find()
        .filter(opening_hours_rule::Column::ListingId.is_in(ids.clone()))
        .order_by_asc(opening_hours_rule::Column::Weekday)
        .order_by_asc(opening_hours_rule::Column::Opens)
        .all(conn)
        .await?
    {
        if let (Some(weekday), Some(opens), Some(closes)) = (
            hours::weekday_from_index(r.weekday),
            HourMinute::parse(&r.opens),
            HourMinute::parse(&r.closes),
        ) {
            hours
                .entry(r.listing_id)
                .or_default()
                .weekly
                .push(WeeklyRule {
                    weekday,
                    opens,
                    closes,
                });
        }
    }
    for e in opening_hours_exception::Entity::find()
        .filter(opening_hours_exception::Column::ListingId.is_in(ids))
        .order_by_asc(opening_hours_exception::Column::Date)
        .all(conn)
        .await?
    {
        let span = match (
            e.closed,
            e.opens.as_deref().and_then(HourMinute::parse),
            e.closes.as_deref().and_then(HourMinute::parse),
        ) {
            (false, Some(o), Some(c)) => Some((o, c)),
            _ => None,
        };
        hours
            .entry(e.listing_id)
            .or_default()
            .exceptions
            .push(DatedException {
                date: e.date,
                hours: span,
                note: e.note,
            });
    }
    Ok(models
        .into_iter()
        .map(|m| ListingRecord {
            categories: cats.remove(&m.id).unwrap_or_default(),
            hours: hours.remove(&m.id).unwrap_or_default(),
            model: m,
        })
        .collect())
}

/// Finds a listing of the city by id or slug, whatever its status.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    id_or_slug: &str,
) -> Result<Option<ListingRecord>, ListingError> {
    let mut q = listing::Entity::find().filter(listing::Column::CityId.eq(city_id));
    q = match (Uuid::parse_str(id_or_slug), Slug::parse(id_or_slug)) {
        (Ok(id), _) => q.filter(listing::Column::Id.eq(id)),
        (_, Some(slug)) => q.filter(listing::Column::Slug.eq(slug.into_string())),
        // Neither an id nor a slug: no listing has it.
        (Err(_), None) => return Ok(None),
    };
    let Some(m) = q.one(conn).await? else {
        return Ok(None);
    };
    Ok(load_records(conn, vec![m]).await?.pop())
}

/// Filters of the public listing index.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub kind: Option<ListingKind>,
    /// A category key; a top-level key also matches its sub-categories.
    pub category: Option<String>,
    pub district: Option<String>,
}

/// Published listings after the cursor, in id order; `limit + 1` rows tell whether a
/// next page exists.
pub async fn list_published(
    db: &DatabaseConnection,
    city_id: Uuid,
    filter: &ListFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<ListingRecord>, bool), ListingError> {
    let mut q = listing::Entity::find()
        .filter(listing::Column::CityId.eq(city_id))
        .filter(listing::Column::Status.eq(ListingStatus::Published.as_str()));
    if let Some(kind) = filter.kind {
        q = q.filter(listing::Column::Kind.eq(kind.as_str()));
    }
    if let Some(district) = &filter.district {
        q = q.filter(listing::Column::District.eq(district.as_str()));
    }
    if let Some(category) = &filter.category {
        let sub = Query::select()
            .column(listing_category::Column::ListingId)
            .from(listing_category::Entity)
            .cond_where(
                Expr::col(listing_category::Column::CategoryKey)
                    .eq(category.as_str())
                    .or(Expr::col(listing_category::Column::CategoryKey)
                        .like(format!("{category}.%"))),
            )
            .to_owned();
        q = q.filter(listing::Column::Id.in_subquery(sub));
    }
    if let Some(after) = after {
        q = q.filter(listing::Column::Id.gt(after));
    }
    let mut models = q
        .order_by_asc(listing::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = models.len() as u64 > limit;
    models.truncate(limit as usize);
    Ok((load_records(db, models).await?, more))
}

/// Whether the user is a member (owner or staff) of the organization.
pub async fn is_member<C: ConnectionTrait>(
    conn: &C,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<bool, ListingError> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(org_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .is_some())
}

/// Whether the user may change the listing's content: members of its organization;
/// city staff for municipal services and for listings no organization owns (imports).
pub async fn can_edit<C: ConnectionTrait>(
    conn: &C,
    user: &AuthUser,
    m: &listing::Model,
) -> Result<bool, ListingError> {
    if user.is_staff()
        && (m.kind == ListingKind::MunicipalService.as_str() || m.organization_id.is_none())
    {
        return Ok(true);
    }
    match m.organization_id {
        Some(org) => is_member(conn, org, user.id).await,
        None => Ok(false),
    }
}

/// Whether the user may see the listing in its current status.
pub async fn can_view<C: ConnectionTrait>(
    conn: &C,
    user: Option<&AuthUser>,
    m: &listing::Model,
) -> Result<bool, ListingError> {
    if m.status == ListingStatus::Published.as_str() {
        return Ok(true);
    }
    match user {
        Some(u) if u.is_staff() => Ok(true),
        Some(u) => can_edit(conn, u, m).await,
        None => Ok(false),
    }
}

fn event_payload(m: &listing::Model) -> serde_json::Value {
    serde_json::json!({
        "listing_id": m.id,
        "slug": m.slug,
        "kind": m.kind,
        "status": m.status,
        "version": m.version,
    })
}

/// Folds text for the database search, stored text and queries alike.
pub use search_indexer::text::fold_search;

/// The folded names and the full text stored for the database search, both made by
/// [`search_indexer::text::search_text`] (the folding its queries use): the names alone,
/// and the text in sections by weight, names, then category labels and tags, then
/// descriptions and address.
pub fn search_columns(data: &ListingData) -> (String, String) {
    let names = format!("{} {}", data.name.de, data.name.en);
    let mut keys: Vec<&str> = data
        .categories
        .iter()
        .filter_map(|k| super::taxonomy::find(k))
        .flat_map(|c| [c.label_de, c.label_en])
        .collect();
    keys.extend(data.tags.iter().map(String::as_str));
    let mut rest: Vec<&str> = vec![&data.description.de, &data.description.en];
    rest.extend(
        [
            &data.district,
            &data.address.street,
            &data.address.postcode,
            &data.address.city,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str),
    );
    (
        search_indexer::text::search_text(&[&names]),
        search_indexer::text::search_text(&[names, keys.join(" "), rest.join(" ")]),
    )
}

/// Writes the content columns of `data` into an active model.
pub fn apply_data(am: &mut listing::ActiveModel, data: &ListingData) {
    let (search_name, search_text) = search_columns(data);
    am.search_name = Set(Some(search_name));
    am.search_text = Set(Some(search_text));
    am.name_de = Set(data.name.de.clone());
    am.name_en = Set(data.name.en.clone());
    am.description_de = Set(data.description.de.clone());
    am.description_en = Set(data.description.en.clone());
    am.address_street = Set(data.address.street.clone());
    am.address_postcode = Set(data.address.postcode.clone());
    am.address_city = Set(data.address.city.clone());
    am.district = Set(data.district.clone());
    am.lat = Set(data.location.map(|p| p.lat));
    am.lng = Set(data.location.map(|p| p.lng));
    am.phone = Set(data.contact.phone.clone());
    am.email = Set(data.contact.email.clone());
    am.website = Set(data.contact.website.clone());
    am.wheelchair = Set(data.wheelchair.map(|w| w.as_str().to_string()));
    am.languages = Set(serde_json::json!(data.languages));
    am.tags = Set(serde_json::json!(data.tags));
    am.service_details = Set(data
        .service
        .as_ref()
        .map(|s| serde_json::to_value(s).expect("service details serialize")));
}

/// Replaces a listing's categories and opening hours.
pub async fn replace_children<C: ConnectionTrait>(
    conn: &C,
    listing_id: Uuid,
    data: &ListingData,
) -> Result<(), ListingError> {
    listing_category::Entity::delete_many()
        .filter(listing_category::Column::ListingId.eq(listing_id))
        .exec(conn)
        .await?;
    opening_hours_rule::Entity::delete_many()
        .filter(opening_hours_rule::Column::ListingId.eq(listing_id))
        .exec(conn)
        .await?;
    opening_hours_exception::Entity::delete_many()
        .filter(opening_hours_exception::Column::ListingId.eq(listing_id))
        .exec(conn)
        .await?;
    if !data.categories.is_empty() {
        listing_category::Entity::insert_many(data.categories.iter().zip(0..).map(|(c, i)| {
            listing_category::ActiveModel {
                listing_id: Set(listing_id),
                category_key: Set(c.clone()),
                position: Set(i),
            }
        }))
        .exec(conn)
        .await?;
    }
    if !data.hours.weekly.is_empty() {
        opening_hours_rule::Entity::insert_many(data.hours.weekly.iter().map(|r| {
            opening_hours_rule::ActiveModel {
                listing_id: Set(listing_id),
                weekday: Set(hours::weekday_index(r.weekday)),
                opens: Set(r.opens.to_string()),
                closes: Set(r.closes.to_string()),
                ..Default::default()
            }
        }))
        .exec(conn)
        .await?;
    }
    if !data.hours.exceptions.is_empty() {
        opening_hours_exception::Entity::insert_many(data.hours.exceptions.iter().map(|e| {
            opening_hours_exception::ActiveModel {
                listing_id: Set(listing_id),
                date: Set(e.date),
                closed: Set(e.hours.is_none()),
                opens: Set(e.hours.map(|h| h.0.to_string())),
                closes: Set(e.hours.map(|h| h.1.to_string())),
                note: Set(e.note.clone()),
                ..Default::default()
            }
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// Everything needed to insert a listing (API, import, seed).
pub struct Insert<'a> {
    pub city_id: Uuid,
    pub organization_id: Option<Uuid>,
    pub kind: ListingKind,
    pub status: ListingStatus,
    pub slug: String,
    pub source: String,
    pub opening_hours_osm: Option<String>,
    pub data: &'a ListingData,
}

/// Inserts a listing with its children and its `listing.created` event.
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    ins: Insert<'_>,
) -> Result<listing::Model, ListingError> {
    let now = Utc::now();
    let mut am = listing::ActiveModel {
        id: Set(Uuid::now_v7()),
        city_id: Set(ins.city_id),
        organization_id: Set(ins.organization_id),
        kind: Set(ins.kind.as_str().to_string()),
        slug: Set(ins.slug),
        status: Set(ins.status.as_str().to_string()),
        opening_hours_osm: Set(ins.opening_hours_osm),
        source: Set(ins.source),
        suspended_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        published_at: Set((ins.status == ListingStatus::Published).then_some(now)),
        ..Default::default()
    };
    apply_data(&mut am, ins.data);
    let m = am.insert(conn).await?;
    replace_children(conn, m.id, ins.data).await?;
    outbox::record(
        conn,
        ins.city_id,
        "listing",
        m.id,
        "listing.created",
        event_payload(&m),
    )
    .await?;
    Ok(m)
}

/// Whether the listing is a business's own (an organization owns it), to which the
/// rules against passing oneself off as the city apply; city services and the city's
/// imports are not checked.
fn business_owned(kind: ListingKind, organization_id: Option<Uuid>) -> bool {
    kind == ListingKind::Business && organization_id.is_some()
}

/// A business's listing may not take the city administration's categories.
fn check_categories(data: &ListingData) -> Result<(), ListingError> {
    let mut errors = crate::core::validate::Errors::default();
    for (i, c) in data.categories.iter().enumerate() {
        if review::is_city_category(c) {
            errors.add(format!("categories[{i}]"), msg!("v-category-city-only"));
        }
    }
    errors.into_result(()).map_err(ListingError::from)
}

/// The reserved terms a business's listing name holds that wait for staff's review,
/// comma-separated; none when staff approved exactly these names.
fn review_terms(
    reserved: &ReservedNames,
    data: &ListingData,
    approved: Option<&str>,
) -> Option<String> {
    let names = [data.name.de.as_str(), data.name.en.as_str()];
    if approved.is_some_and(|a| a == ReservedNames::folded(&names)) {
        return None;
    }
    let terms = reserved.found_in(&names);
    (!terms.is_empty()).then(|| terms.join(","))
}

/// Creates a listing for the user, checking who may create what.
pub async fn create(
    db: &DatabaseConnection,
    city_id: Uuid,
    reserved: &ReservedNames,
    user: &AuthUser,
    new: NewListing,
) -> Result<ListingRecord, ListingError> {
    let data = new.fields.validate(new.kind)?;
    let checked = business_owned(new.kind, new.organization_id);
    if checked {
        check_categories(&data)?;
    }
    match new.kind {
        ListingKind::Business => {
            let Some(org_id) = new.organization_id else {
                return Err(
                    Invalid::field("organization_id", msg!("v-organization-required")).into(),
                );
            };
            let org = organization::Entity::find_by_id(org_id).one(db).await?;
            let member = match &org {
                Some(o) if o.city_id == city_id => is_member(db, o.id, user.id).await?,
                _ => false,
            };
            if !member {
                return Err(ListingError::NotMember);
            }
        }
        ListingKind::MunicipalService => {
            if !user.is_staff() {
                return Err(ListingError::StaffCreateServices);
            }
            if let Some(org_id) = new.organization_id {
                match organization::Entity::find_by_id(org_id).one(db).await? {
                    Some(o) if o.city_id == city_id && o.kind == "department" => {}
                    _ => return Err(Invalid::field("organization_id", msg!("v-department")).into()),
                }
            }
        }
    }
    let base = Slug::from_name(if data.name.de.is_empty() {
        &data.name.en
    } else {
        &data.name.de
    });
    let txn = crate::core::db::begin_write(db).await?;
    let slug = unique_slug(&txn, city_id, &base).await?;
    let m = insert(
        &txn,
        Insert {
            city_id,
            organization_id: new.organization_id,
            kind: new.kind,
            status: ListingStatus::Draft,
            slug,
            source: "manual".to_string(),
            opening_hours_osm: None,
            data: &data,
        },
    )
    .await?;
    let mut m = m;
    let terms = if checked {
        review_terms(reserved, &data, None)
    } else {
        None
    };
    if terms.is_some() {
        listing::Entity::update_many()
            .col_expr(listing::Column::ReviewTerms, Expr::value(terms.clone()))
            .filter(listing::Column::Id.eq(m.id))
            .exec(&txn)
            .await?;
        m.review_terms = terms;
    }
    txn.commit().await?;
    Ok(load_records(db, vec![m])
        .await?
        .pop()
        .expect("just inserted"))
}

async fn find_for_write<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    user: &AuthUser,
    id: &str,
) -> Result<ListingRecord, ListingError> {
    let rec = find(conn, city_id, id)
        .await?
        .ok_or_else(|| ListingError::not_found("listing"))?;
    if !can_view(conn, Some(user), &rec.model).await? {
        return Err(ListingError::not_found("listing"));
    }
    Ok(rec)
}

/// A listing whose page (public or not yet) the user may preview: the members of its
/// organization and city staff (who review it). For anyone else, and anonymous
/// visitors, it is not found, so that a listing not public stays unknown.
pub async fn previewable<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    user: Option<&AuthUser>,
    id: &str,
) -> Result<ListingRecord, ListingError> {
    let not_found = || ListingError::not_found("listing");
    let user = user.ok_or_else(not_found)?;
    let rec = find(conn, city_id, id).await?.ok_or_else(not_found)?;
    if user.is_staff() || can_edit(conn, user, &rec.model).await? {
        Ok(rec)
    } else {
        Err(not_found())
    }
}

/// A listing the user may change, answered as the whole API answers "exists but not
/// yours": not found when they may not see it (its existence stays hidden), forbidden
/// when they see it (published) but may not change it. The listing, offer and
/// management endpoints all decide through this.
pub async fn editable<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    user: &AuthUser,
    id: &str,
) -> Result<ListingRecord, ListingError> {
    let rec = find_for_write(conn, city_id, user, id).await?;
    if !can_edit(conn, user, &rec.model).await? {
        return Err(ListingError::MayNotChange);
    }
    Ok(rec)
}

fn check_if_match(if_match: Option<&IfMatch>, current: i32) -> Result<(), ListingError> {
    match if_match {
        Some(m) if !m.matches(current) => Err(ListingError::stale(etag(current))),
        _ => Ok(()),
    }
}

/// Replaces the editable fields; `If-Match` is required. A business's listing renamed
/// to a name holding a reserved term waits for review again (a published one leaves
/// the public pages until staff approve it); one waiting whose new name holds none is
/// published.
pub async fn update(
    db: &DatabaseConnection,
    city_id: Uuid,
    reserved: &ReservedNames,
    user: &AuthUser,
    id: &str,
    if_match: Option<&IfMatch>,
    fields: ListingFields,
) -> Result<ListingRecord, ListingError> {
    let if_match = if_match.ok_or(ListingError::IfMatchRequired)?;
    let rec = editable(db, city_id, user, id).await?;
    let data = fields.validate(rec.kind())?;
    let checked = business_owned(rec.kind(), rec.model.organization_id);
    if checked {
        check_categories(&data)?;
    }
    check_if_match(Some(if_match), rec.model.version)?;
    let now = Utc::now();
    let txn = crate::core::db::begin_write(db).await?;
    let mut am = listing::ActiveModel {
        updated_at: Set(now),
        ..Default::default()
    };
    apply_data(&mut am, &data);
    if checked {
        let terms = review_terms(reserved, &data, rec.model.approved_name.as_deref());
        match (rec.status(), terms.is_some()) {
            (ListingStatus::Published, true) => {
                am.status = Set(ListingStatus::Draft.as_str().to_string());
                am.published_at = Set(None);
                am.review_requested_at = Set(Some(now));
                am.review_note = Set(None);
            }
            (ListingStatus::PendingReview, false) => {
                am.status = Set(ListingStatus::Published.as_str().to_string());
                am.published_at = Set(Some(now));
                am.review_requested_at = Set(None);
            }
            _ => {}
        }
        am.review_terms = Set(terms);
    }
    let res = listing::Entity::update_many()
        .set(am)
        .col_expr(
            listing::Column::Version,
            Expr::col(listing::Column::Version).add(1),
        )
        .filter(listing::Column::Id.eq(rec.model.id))
        .filter(listing::Column::Version.eq(rec.model.version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        // Someone else changed it between our read and this write.
        let current = listing::Entity::find_by_id(rec.model.id).one(&txn).await?;
        return Err(match current {
            Some(c) => ListingError::stale(etag(c.version)),
            None => ListingError::not_found("listing"),
        });
    }
    replace_children(&txn, rec.model.id, &data).await?;
    let m = listing::Entity::find_by_id(rec.model.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ListingError::not_found("listing"))?;
    outbox::record(
        &txn,
        city_id,
        "listing",
        m.id,
        "listing.updated",
        event_payload(&m),
    )
    .await?;
    txn.commit().await?;
    Ok(load_records(db, vec![m]).await?.pop().expect("exists"))
}

/// A status change.
#[derive(Clone, Debug)]
pub enum Transition {
    Publish,
    Unpublish,
    Suspend {
        reason: String,
    },
    Restore,
    /// City staff approve the name of a listing waiting for review: it is published.
    Approve,
    /// City staff refuse the name: the listing goes back to draft with the reason.
    Reject {
        reason: String,
    },
}

/// Applies a status change; `If-Match` is honoured when given. Publishing a business's
/// listing whose name holds a reserved term asks city staff to review it instead.
pub async fn transition(
    db: &DatabaseConnection,
    city_id: Uuid,
    user: &AuthUser,
    id: &str,
    if_match: Option<&IfMatch>,
    t: Transition,
) -> Result<ListingRecord, ListingError> {
    let rec = find_for_write(db, city_id, user, id).await?;
    let status = rec.status();
    let (to, event) = match &t {
        Transition::Publish | Transition::Unpublish => {
            if !can_edit(db, user, &rec.model).await? {
                return Err(ListingError::MayNotChange);
            }
            if status == ListingStatus::Suspended {
                return Err(ListingError::Suspended);
            }
            match t {
                Transition::Publish if rec.model.review_terms.is_some() => {
                    (ListingStatus::PendingReview, "listing.review_requested")
                }
                Transition::Publish => (ListingStatus::Published, "listing.published"),
                _ => (ListingStatus::Draft, "listing.unpublished"),
            }
        }
        Transition::Approve | Transition::Reject { .. } => {
            if !user.is_staff() {
                return Err(ListingError::StaffReview);
            }
            if status != ListingStatus::PendingReview {
                return Err(ListingError::NotPendingReview);
            }
            match t {
                Transition::Approve => (ListingStatus::Published, "listing.review_approved"),
                _ => (ListingStatus::Draft, "listing.review_rejected"),
            }
        }
        Transition::Suspend { .. } => {
            if !user.is_staff() {
                return Err(ListingError::StaffSuspend);
            }
            (ListingStatus::Suspended, "listing.suspended")
        }
        Transition::Restore => {
            if !user.is_staff() {
                return Err(ListingError::StaffRestore);
            }
            if status != ListingStatus::Suspended {
                return Err(ListingError::NotSuspended);
            }
            let to = if rec.model.published_at.is_some() && rec.model.review_terms.is_none() {
                ListingStatus::Published
            } else {
                ListingStatus::Draft
            };
            (to, "listing.restored")
        }
    };
    check_if_match(if_match, rec.model.version)?;
    if status == to {
        // Nothing changes: no new version and no event.
        return Ok(rec);
    }
    if matches!(to, ListingStatus::Published | ListingStatus::PendingReview)
        && rec.categories.is_empty()
    {
        return Err(Invalid::field("categories", msg!("v-category-before-publish")).into());
    }
    let now = Utc::now();
    let txn = crate::core::db::begin_write(db).await?;
    // Waiting for review is stored as a draft with the time of the request, so that
    // everything that shows only published listings hides it as it hides a draft.
    let stored = match to {
        ListingStatus::PendingReview => ListingStatus::Draft,
        s => s,
    };
    let never = Option::<chrono::DateTime<Utc>>::None;
    let mut upd = listing::Entity::update_many()
        .col_expr(listing::Column::Status, Expr::value(stored.as_str()))
        .col_expr(
            listing::Column::ReviewRequestedAt,
            Expr::value((to == ListingStatus::PendingReview).then_some(now)),
        )
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            listing::Column::Version,
            Expr::col(listing::Column::Version).add(1),
        )
        .filter(listing::Column::Id.eq(rec.model.id))
        .filter(listing::Column::Version.eq(rec.model.version));
    match &t {
        Transition::Publish if to == ListingStatus::PendingReview => {
            upd = upd.col_expr(listing::Column::ReviewNote, Expr::value(never_text()));
        }
        Transition::Publish => {
            upd = upd.col_expr(listing::Column::PublishedAt, Expr::value(now));
        }
        Transition::Unpublish => {
            upd = upd.col_expr(listing::Column::PublishedAt, Expr::value(never));
        }
        Transition::Approve => {
            let names = [rec.model.name_de.as_str(), rec.model.name_en.as_str()];
            upd = upd
                .col_expr(listing::Column::PublishedAt, Expr::value(now))
                .col_expr(listing::Column::ReviewTerms, Expr::value(never_text()))
                .col_expr(listing::Column::ReviewNote, Expr::value(never_text()))
                .col_expr(
                    listing::Column::ApprovedName,
                    Expr::value(ReservedNames::folded(&names)),
                );
        }
        Transition::Reject { reason } => {
            upd = upd
                .col_expr(listing::Column::PublishedAt, Expr::value(never))
                .col_expr(listing::Column::ReviewNote, Expr::value(reason.clone()));
        }
        Transition::Suspend { reason } => {
            upd = upd.col_expr(
                listing::Column::SuspendedReason,
                Expr::value(reason.clone()),
            );
        }
        Transition::Restore => {
            upd = upd.col_expr(
                listing::Column::SuspendedReason,
                Expr::value(Option::<String>::None),
            );
        }
    }
    if upd.exec(&txn).await?.rows_affected == 0 {
        let current = listing::Entity::find_by_id(rec.model.id).one(&txn).await?;
        return Err(match current {
            Some(c) => ListingError::stale(etag(c.version)),
            None => ListingError::not_found("listing"),
        });
    }
    let m = listing::Entity::find_by_id(rec.model.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ListingError::not_found("listing"))?;
    let mut payload = event_payload(&m);
    if let Transition::Suspend { reason } | Transition::Reject { reason } = &t {
        payload["reason"] = serde_json::json!(reason);
    }
    outbox::record(&txn, city_id, "listing", m.id, event, payload).await?;
    txn.commit().await?;
    Ok(ListingRecord {
        model: m,
        categories: rec.categories,
        hours: rec.hours,
    })
}

fn never_text() -> Option<String> {
    None
}

/// Deletes a listing and everything hanging off it, unless residents filed cases to it
/// (applications, reports), booked its offers (bookings would go with the offers), or a
/// module serves it: those stay, and the listing with them.
pub async fn delete(
    db: &DatabaseConnection,
    city_id: Uuid,
    user: &AuthUser,
    id: &str,
    if_match: Option<&IfMatch>,
) -> Result<(), ListingError> {
    let rec = find_for_write(db, city_id, user, id).await?;
    if !can_edit(db, user, &rec.model).await? {
        return Err(ListingError::MayNotDelete);
    }
    check_if_match(if_match, rec.model.version)?;
    let txn = crate::core::db::begin_write(db).await?;
    // Residents' cases keep their listing (the foreign keys restrict): asked first for
    // a clear answer, and a case filed meanwhile is caught by the constraint.
    let id = rec.model.id;
    let cases = entities::application::Entity::find()
        .filter(entities::application::Column::ListingId.eq(id))
        .count(&txn)
        .await?
        + entities::report::Entity::find()
            .filter(entities::report::Column::ListingId.eq(id))
            .count(&txn)
            .await?
        + entities::booking::Entity::find()
            .filter(
                entities::booking::Column::OfferId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(entities::offer::Column::Id)
                        .from(entities::offer::Entity)
                        .and_where(entities::offer::Column::ListingId.eq(id))
                        .to_owned(),
                ),
            )
            .count(&txn)
            .await?;
    if cases > 0 {
        return Err(ListingError::HasCases);
    }
    if entities::module_service::Entity::find()
        .filter(entities::module_service::Column::ListingId.eq(id))
        .count(&txn)
        .await?
        > 0
    {
        return Err(ListingError::ServedByModule);
    }
    let res = listing::Entity::delete_many()
        .filter(listing::Column::Id.eq(rec.model.id))
        .filter(listing::Column::Version.eq(rec.model.version))
        .exec(&txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => ListingError::HasCases,
            _ => e.into(),
        })?;
    if res.rows_affected == 0 {
        let current = listing::Entity::find_by_id(rec.model.id).one(&txn).await?;
        return Err(match current {
            Some(c) => ListingError::stale(etag(c.version)),
            None => ListingError::not_found("listing"),
        });
    }
    outbox::record(
        &txn,
        city_id,
        "listing",
        rec.model.id,
        "listing.deleted",
        event_payload(&rec.model),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Checks the names of businesses' listings against the reserved terms as configured
/// now (at start, so that a term added to `RESERVED_NAMES`, or a listing written
/// before the check existed, is caught): a name holding one that staff did not approve
/// gets its terms, and a published one waits for review again, out of public view.
/// Returns how many listings were flagged.
pub async fn check_reserved_names(
    db: &DatabaseConnection,
    reserved: &ReservedNames,
) -> Result<usize, ListingError> {
    /// What the check reads of a listing (run on every start: the names, not the rows).
    #[derive(sea_orm::FromQueryResult)]
    struct Candidate {
        id: Uuid,
        name_de: String,
        name_en: String,
        approved_name: Option<String>,
        status: String,
        version: i32,
    }
    let candidates: Vec<Candidate> = listing::Entity::find()
        .select_only()
        .columns([
            listing::Column::Id,
            listing::Column::NameDe,
            listing::Column::NameEn,
            listing::Column::ApprovedName,
            listing::Column::Status,
            listing::Column::Version,
        ])
        .filter(listing::Column::Kind.eq(ListingKind::Business.as_str()))
        .filter(listing::Column::OrganizationId.is_not_null())
        .filter(listing::Column::ReviewTerms.is_null())
        .into_model()
        .all(db)
        .await?;
    let mut flagged = 0;
    for m in candidates {
        let data = ListingData {
            name: LocalizedText {
                de: m.name_de,
                en: m.name_en,
            },
            ..Default::default()
        };
        let Some(terms) = review_terms(reserved, &data, m.approved_name.as_deref()) else {
            continue;
        };
        let now = Utc::now();
        let txn = crate::core::db::begin_write(db).await?;
        let mut upd = listing::Entity::update_many()
            .col_expr(listing::Column::ReviewTerms, Expr::value(terms))
            .filter(listing::Column::Id.eq(m.id))
            .filter(listing::Column::Version.eq(m.version));
        let published = m.status == ListingStatus::Published.as_str();
        if published {
            upd = upd
                .col_expr(
                    listing::Column::Status,
                    Expr::value(ListingStatus::Draft.as_str()),
                )
                .col_expr(listing::Column::ReviewRequestedAt, Expr::value(now))
                .col_expr(
                    listing::Column::PublishedAt,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                .col_expr(listing::Column::UpdatedAt, Expr::value(now))
                .col_expr(
                    listing::Column::Version,
                    Expr::col(listing::Column::Version).add(1),
                );
        }
        if upd.exec(&txn).await?.rows_affected == 1 && published {
            if let Some(changed) = listing::Entity::find_by_id(m.id).one(&txn).await? {
                outbox::record(
                    &txn,
                    changed.city_id,
                    "listing",
                    changed.id,
                    "listing.review_requested",
                    event_payload(&changed),
                )
                .await?;
            }
        }
        txn.commit().await?;
        flagged += 1;
    }
    Ok(flagged)
}

/// Fills the search columns of listings written before they existed.
pub async fn backfill_search_columns(db: &DatabaseConnection) -> Result<usize, ListingError> {
    let mut done = 0;
    loop {
        let batch = listing::Entity::find()
            .filter(listing::Column::SearchText.is_null())
            .limit(500)
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(done);
        }
        let txn = crate::core::db::begin_write(db).await?;
        for rec in load_records(&txn, batch).await? {
            let api = rec.to_api();
            let data = ListingData {
                name: api.name,
                description: api.description,
                categories: rec.categories.clone(),
                tags: api.tags,
                address: api.address,
                district: api.district,
                ..Default::default()
            };
            let (name, text) = search_columns(&data);
            listing::Entity::update_many()
                .col_expr(listing::Column::SearchName, Expr::value(name))
                .col_expr(listing::Column::SearchText, Expr::value(text))
                .filter(listing::Column::Id.eq(rec.model.id))
                .exec(&txn)
                .await?;
            done += 1;
        }
        txn.commit().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(
            fold_search("Bürgeramt  MITTE – Straße"),
            "burgeramt mitte strasse"
        );
        assert_eq!(fold_search("Buergeramt"), fold_search("Bürgeramt"));
        assert_eq!(fold_search("Café/Bar"), "cafe bar");
    }

    #[test]
    fn if_match_parsing() {
        assert!(IfMatch::parse("\"3\"").unwrap().matches(3));
        assert!(!IfMatch::parse("\"3\"").unwrap().matches(4));
        assert!(IfMatch::parse("\"2\", \"4\"").unwrap().matches(4));
        assert!(IfMatch::parse("*").unwrap().matches(9));
        assert!(!IfMatch::parse("W/\"3\"").is_ok_and(|m| m.matches(3)));
        assert!(IfMatch::parse("3").is_err());
        // Commas inside a tag's quotes belong to the tag (RFC 9110 8.8.3).
        assert!(IfMatch::parse("\"a,b\", \"5\"").unwrap().matches(5));
        assert!(!IfMatch::parse("\"5,\"").unwrap().matches(5));
        assert!(IfMatch::parse("\"\", \t\"7\"").unwrap().matches(7));
        assert!(IfMatch::parse("\"3\" \"4\"").is_err());
        assert!(IfMatch::parse("\"3").is_err());
        assert!(!IfMatch::parse("W/\"3\", \"4\"").unwrap().matches(3));
    }
}
