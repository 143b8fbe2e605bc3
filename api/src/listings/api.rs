//! `/api/v1/listings` and `/api/v1/categories`.

use crate::web::json_body::PreJson;
use base64::Engine;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{EntityTrait, QueryOrder};
use uuid::Uuid;

use super::error::ListingError;
use super::model::*;
use super::service::{self, IfMatch, ListFilter, ListingRecord};
use crate::core::error::Invalid;
use crate::core::param::Required;
use crate::core::problem::ApiError;
use crate::core::scope::Scope;
use crate::msg;
use crate::web::api_tags::ApiTags;
use crate::web::auth::{self, AppAuth, Auth};
use crate::web::state::AppState;
use entities::category;

/// One page of listings.
#[derive(Object)]
pub struct ListingPage {
    pub items: Vec<Listing>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A category of the taxonomy.
#[derive(Object)]
pub struct Category {
    /// Stable key, e.g. `health.doctor`.
    pub key: String,
    /// The key of the parent group, if any.
    pub parent: Option<String>,
    pub label: LocalizedText,
}

/// Why a moderator suspends a listing.
#[derive(Object)]
pub struct SuspendRequest {
    /// 3-500 characters, shown to the listing's organization.
    #[oai(validator(
        pattern = r"^[ \t\n\r]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]{1,498}[^\s\u0000-\u001F\u007F-\u009F][ \t\n\r]*$"
    ))]
    pub reason: String,
}

/// Why city staff refuse a listing's name.
#[derive(Object, Clone, Debug)]
pub struct RejectRequest {
    /// 3-500 characters, shown to the listing's organization.
    #[oai(validator(
        pattern = r"^[ \t\n\r]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]{1,498}[^\s\u0000-\u001F\u007F-\u009F][ \t\n\r]*$"
    ))]
    pub reason: String,
}

#[derive(ApiResponse)]
pub enum ListingResponse {
    /// The listing.
    #[oai(status = 200)]
    Ok(PreJson<Listing>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum ListingCreated {
    /// Created as a draft.
    #[oai(status = 201)]
    Created(
        Json<Listing>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    NoContent,
}

fn ok(rec: ListingRecord) -> ListingResponse {
    let tag = service::etag(rec.model.version);
    ListingResponse::Ok(PreJson::new(&rec.to_api()), tag)
}

/// An opaque cursor for id-ordered pages.
pub fn encode_cursor(id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// The id of a cursor from [`encode_cursor`]; 422 naming `cursor` otherwise.
pub fn decode_cursor(c: &str) -> Result<Uuid, Invalid> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| Uuid::from_slice(&b).ok())
        .ok_or_else(|| Invalid::field("cursor", msg!("v-cursor")))
}

fn if_match(h: Option<String>) -> Result<Option<IfMatch>, ListingError> {
    h.map(|v| IfMatch::parse(&v)).transpose()
}

pub struct ListingsApi;

#[OpenApi(tag = "ApiTags::Listings")]
impl ListingsApi {
    /// List published listings
    ///
    /// Businesses and municipal services, newest last, with cursor pagination.
    #[oai(path = "/listings", method = "get", operation_id = "list_listings")]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// Only this kind.
        kind: Query<Option<ListingKind>>,
        /// A category key; a group key (e.g. `health`) includes its sub-categories.
        category: Query<Option<String>>,
        /// Only this district.
        district: Query<Option<String>>,
        /// From `next_cursor` of the previous page.
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{21}[AQgw]$"))]
        cursor: Query<Option<String>>,
        /// Page size, 1-100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<ListingPage>, ApiError> {
        let limit = limit.0.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(Invalid::field("limit", msg!("v-limit")).into());
        }
        let after = cursor.0.as_deref().map(decode_cursor).transpose()?;
        let category = category
            .0
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if let Some(c) = &category {
            if super::taxonomy::find(c).is_none() {
                return Err(Invalid::field("category", msg!("v-unknown-category", c = c)).into());
            }
        }
        let filter = ListFilter {
            kind: kind.0,
            category,
            district: district
                .0
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty()),
        };
        let (records, more) =
            service::list_published(&state.db, state.city.id, &filter, after, limit as u64).await?;
        let next_cursor = if more {
            records.last().map(|r| encode_cursor(r.model.id))
        } else {
            None
        };
        Ok(Json(ListingPage {
            items: records.iter().map(ListingRecord::to_api).collect(),
            next_cursor,
        }))
    }

    /// Read one listing
    ///
    /// By id or slug. Drafts and suspended listings are visible only to their
    /// organization's members and city staff; to everybody else they do not exist.
    #[oai(path = "/listings/:id", method = "get", operation_id = "get_listing")]
    async fn get(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        /// The listing's id or its slug.
        #[oai(name = "id")]
        id_or_slug: Path<String>,
    ) -> Result<ListingResponse, ApiError> {
        let user = auth::optional_user(req).await?;
        let rec = crate::listings::cache::find_cached(
            &state.listing_cache,
            &state.db,
            state.city.id,
            &id_or_slug.0,
        )
        .await?
        .ok_or_else(|| ListingError::not_found("listing"))?;
        if !service::can_view(&state.db, user.as_ref(), &rec.model).await? {
            return Err(ListingError::not_found("listing").into());
        }
        let tag = service::etag(rec.model.version);
        Ok(ListingResponse::Ok(rec.api_json(), tag))
    }

    /// Create a listing
    ///
    /// A business listing for an organization you are a member of, or (city staff) a
    /// municipal service. It starts as a draft. A business listing may not take the
    /// city administration's categories (`admin.*`); one whose name holds a reserved
    /// term of the city lists the terms in `review_terms` and, when published, waits
    /// for city staff's review (`pending_review`).
    #[oai(path = "/listings", method = "post", operation_id = "create_listing")]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::ListingsWrite")] auth: AppAuth,
        body: Json<NewListing>,
    ) -> Result<ListingCreated, ApiError> {
        let rec = service::create(
            &state.db,
            state.city.id,
            &state.reserved_names(),
            auth.user(Scope::ListingsWrite)?,
            body.0,
        )
        .await?;
        let location = format!("/api/v1/listings/{}", rec.model.id);
        let tag = service::etag(rec.model.version);
        Ok(ListingCreated::Created(Json(rec.to_api()), tag, location))
    }

    /// Update a listing
    ///
    /// Replaces all editable fields. Send the ETag you read as `If-Match`. A business
    /// listing renamed to a name holding a reserved term of the city (and not approved
    /// before) leaves the public pages until city staff approve it.
    #[oai(
        path = "/listings/:id",
        method = "put",
        operation_id = "update_listing"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::ListingsWrite")] auth: AppAuth,
        id: Path<String>,
        /// The ETag last read; required (without it: 428 `if-match-required`).
        #[oai(
            name = "If-Match",
            validator(pattern = r#"^[ \t]*(\*|"[^"]*"([ \t]*,[ \t]*"[^"]*")*)?[ \t]*$"#)
        )]
        if_match_header: Header<Required<String>>,
        body: Json<ListingFields>,
    ) -> Result<ListingResponse, ApiError> {
        let m = if_match(if_match_header.0 .0)?;
        let rec = service::update(
            &state.db,
            state.city.id,
            &state.reserved_names(),
            auth.user(Scope::ListingsWrite)?,
            &id.0,
            m.as_ref(),
            body.0,
        )
        .await?;
        Ok(ok(rec))
    }

    /// Publish a listing
    ///
    /// A business listing whose name holds a reserved term of the city (`review_terms`)
    /// becomes `pending_review` instead: public once city staff approve it.
    #[oai(
        path = "/listings/:id/publish",
        method = "post",
        operation_id = "publish_listing"
    )]
    async fn publish(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::ListingsWrite")] auth: AppAuth,
        id: Path<String>,
        /// The ETag last read; optional.
        #[oai(
            name = "If-Match",
            validator(pattern = r#"^[ \t]*(\*|"[^"]*"([ \t]*,[ \t]*"[^"]*")*)?[ \t]*$"#)
        )]
        if_match_header: Header<Option<String>>,
    ) -> Result<ListingResponse, ApiError> {
        let m = if_match(if_match_header.0)?;
        let rec = service::transition(
            &state.db,
            state.city.id,
            auth.user(Scope::ListingsWrite)?,
            &id.0,
            m.as_ref(),
            service::Transition::Publish,
        )
        .await?;
        Ok(ok(rec))
    }

    /// Unpublish a listing
    ///
    /// Back to draft: it disappears from public pages and search.
    #[oai(
        path = "/listings/:id/unpublish",
        method = "post",
        operation_id = "unpublish_listing"
    )]
    async fn unpublish(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::ListingsWrite")] auth: AppAuth,
        id: Path<String>,
        /// The ETag last read; optional.
        #[oai(
            name = "If-Match",
            validator(pattern = r#"^[ \t]*(\*|"[^"]*"([ \t]*,[ \t]*"[^"]*")*)?[ \t]*$"#)
        )]
        if_match_header: Header<Option<String>>,
    ) -> Result<ListingResponse, ApiError> {
        let m = if_match(if_match_header.0)?;
        let rec = service::transition(
            &state.db,
            state.city.id,
            auth.user(Scope::ListingsWrite)?,
            &id.0,
            m.as_ref(),
            service::Transition::Unpublish,
        )
        .await?;
        Ok(ok(rec))
    }

    /// Suspend a listing (city staff)
    #[oai(
        path = "/listings/:id/suspend",
        method = "post",
        operation_id = "suspend_listing"
    )]
    async fn suspend(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
        /// The ETag last read; optional.
        #[oai(
            name = "If-Match",
            validator(pattern = r#"^[ \t]*(\*|"[^"]*"([ \t]*,[ \t]*"[^"]*")*)?[ \t]*$"#)
        )]
        if_match_header: Header<Option<String>>,
        body: Json<SuspendRequest>,
    ) -> Result<ListingResponse, ApiError> {
        let reason = body.0.reason.trim().to_string();
        let len = reason.chars().count();
        if !(3..=500).contains(&len) {
            return Err(Invalid::field("reason", msg!("v-suspend-reason")).into());
        }
        let m = if_match(if_match_header.0)?;
        let rec = service::transition(
            &state.db,
            state.city.id,
            auth.user(),
            &id.0,
            m.as_ref(),
            service::Transition::Suspend { reason },
        )
        .await?;
        Ok(ok(rec))
    }

    /// Restore a suspended listing (city staff)
    #[oai(
        path = "/listings/:id/restore",
        method = "post",
        operation_id = "restore_listing"
    )]
    async fn restore(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
        /// The ETag last read; optional.
        #[oai(
            name = "If-Match",
            validator(pattern = r#"^[ \t]*(\*|"[^"]*"([ \t]*,[ \t]*"[^"]*")*)?[ \t]*$"#)
        )]
        if_match_header: Header<Option<String>>,
    ) -> Result<ListingResponse, ApiError> {
        let m = if_match(if_match_header.0)?;
        let rec = service::transition(
            &state.db,
            state.city.id,
            auth.user(),
            &id.0,
            m.as_ref(),
            service::Transition::Restore,
        )
        .await?;
        Ok(ok(rec))
    }

    /// Approve a listing's name (city staff)
    ///
    /// A listing waiting for review (`pending_review`) is published; its name needs no
    /// review again until it changes.
    #[oai(
        path = "/listings/:id/approve",
        method = "post",
        operation_id = "approve_listing"
    )]
    async fn approve(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
        /// The ETag last read; optional.
        #[oai(
            name = "If-Match",
            validator(pattern = r#"^[ \t]*(\*|"[^"]*"([ \t]*,[ \t]*"[^"]*")*)?[ \t]*$"#)
        )]
        if_match_header: Header<Option<String>>,
    ) -> Result<ListingResponse, ApiError> {
        let m = if_match(if_match_header.0)?;
        let rec = service::transition(
            &state.db,
            state.city.id,
            auth.user(),
            &id.0,
            m.as_ref(),
            service::Transition::Approve,
        )
        .await?;
        Ok(ok(rec))
    }

    /// Refuse a listing's name (city staff)
    ///
    /// A listing waiting for review goes back to draft; the reason is shown to its
    /// organization as `review_note`.
    #[oai(
        path = "/listings/:id/reject",
        method = "post",
        operation_id = "reject_listing"
    )]
    async fn reject(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
        /// The ETag last read; optional.
        #[oai(
            name = "If-Match",
            validator(pattern = r#"^[ \t]*(\*|"[^"]*"([ \t]*,[ \t]*"[^"]*")*)?[ \t]*$"#)
        )]
        if_match_header: Header<Option<String>>,
        body: Json<RejectRequest>,
    ) -> Result<ListingResponse, ApiError> {
        let reason = body.0.reason.trim().to_string();
        if !(3..=500).contains(&reason.chars().count()) {
            return Err(Invalid::field("reason", msg!("v-review-reason")).into());
        }
        let m = if_match(if_match_header.0)?;
        let rec = service::transition(
            &state.db,
            state.city.id,
            auth.user(),
            &id.0,
            m.as_ref(),
            service::Transition::Reject { reason },
        )
        .await?;
        Ok(ok(rec))
    }

    /// Delete a listing
    #[oai(
        path = "/listings/:id",
        method = "delete",
        operation_id = "delete_listing"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::ListingsWrite")] auth: AppAuth,
        id: Path<String>,
        /// The ETag last read; optional.
        #[oai(
            name = "If-Match",
            validator(pattern = r#"^[ \t]*(\*|"[^"]*"([ \t]*,[ \t]*"[^"]*")*)?[ \t]*$"#)
        )]
        if_match_header: Header<Option<String>>,
    ) -> Result<Deleted, ApiError> {
        let m = if_match(if_match_header.0)?;
        service::delete(
            &state.db,
            state.city.id,
            auth.user(Scope::ListingsWrite)?,
            &id.0,
            m.as_ref(),
        )
        .await?;
        Ok(Deleted::NoContent)
    }
}

pub struct CategoriesApi;

#[OpenApi(tag = "ApiTags::Categories")]
impl CategoriesApi {
    /// List categories
    ///
    /// The taxonomy listings are filed under: groups and their sub-categories.
    #[oai(path = "/categories", method = "get", operation_id = "list_categories")]
    async fn list(&self, state: Data<&AppState>) -> Result<Json<Vec<Category>>, ApiError> {
        let rows = category::Entity::find()
            .order_by_asc(category::Column::Sort)
            .all(&state.db)
            .await?;
        Ok(Json(
            rows.into_iter()
                .map(|c| Category {
                    key: c.key,
                    parent: c.parent_key,
                    label: LocalizedText {
                        de: c.label_de,
                        en: c.label_en,
                    },
                })
                .collect(),
        ))
    }
}
