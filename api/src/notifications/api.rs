//! `GET /api/v1/bookings/{id}.ics` (also `/bookings/{id}/calendar.ics`, the form the
//! OpenAPI document can describe) and `/api/v1/accounts/me/calendar-feed`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem::{handler, Request, Response};
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::error::NotificationError;
use super::feed::{self, CALENDAR_CONTENT_TYPE};
use super::message::Site;
use crate::core::identity::AuthUser;
use crate::core::problem::{ApiError, Problem};
use crate::core::scope::Scope;
use crate::web::api_tags::ApiTags;
use crate::web::auth::{self, AppAuth, Auth};
use crate::web::state::AppState;

fn site(state: &AppState) -> Site {
    Site {
        public_url: state.config.server.public_url.clone(),
        from: state.config.notifications.smtp_from.clone(),
    }
}

/// One of the caller's bookings as an iCalendar object; 404 for anyone else's.
async fn booking_calendar(
    state: &AppState,
    user: &AuthUser,
    id: &str,
) -> Result<String, NotificationError> {
    feed::calendar_for_booking(
        &state.db,
        state.city.id,
        user.id,
        id,
        &site(state),
        &state.i18n,
        state.config.city.default_locale,
    )
    .await
}

#[derive(ApiResponse)]
pub enum CalendarFile {
    /// The booking as an RFC 5545 calendar object (`METHOD:PUBLISH`, one `VEVENT` whose
    /// `UID` stays the same and whose `SEQUENCE` grows with every change).
    #[oai(status = 200, content_type = "text/calendar; charset=utf-8")]
    Ok(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

fn disposition(id: &str) -> String {
    let safe: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("attachment; filename=\"booking-{safe}.ics\"")
}

pub struct CalendarApi;

#[OpenApi(tag = "ApiTags::Booking")]
impl CalendarApi {
    /// One of my bookings as a calendar file
    ///
    /// Also served as `GET /api/v1/bookings/{id}.ics`. Import it into a calendar app;
    /// the emails about the booking carry the same event.
    #[oai(
        path = "/bookings/:id/calendar.ics",
        method = "get",
        operation_id = "get_booking_calendar"
    )]
    async fn booking_calendar(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsRead")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<CalendarFile, ApiError> {
        let body = booking_calendar(&state, auth.user(Scope::BookingsRead)?, &id.0).await?;
        Ok(CalendarFile::Ok(PlainText(body), disposition(&id.0)))
    }
}

/// `GET /api/v1/bookings/{id}.ics`: the same as `/bookings/{id}/calendar.ics`, outside
/// the OpenAPI service (whose paths cannot put a suffix after a parameter).
#[handler]
pub async fn booking_ics_endpoint(
    req: &Request,
    state: Data<&AppState>,
    poem::web::Path(file): poem::web::Path<String>,
) -> poem::Result<Response> {
    let id = file.strip_suffix(".ics").unwrap_or(&file);
    let user = auth::optional_user(req)
        .await?
        .ok_or_else(Problem::unauthorized)?;
    let body = booking_calendar(&state, &user, id)
        .await
        .map_err(Problem::from)?;
    Ok(Response::builder()
        .content_type(CALENDAR_CONTENT_TYPE)
        .header("Content-Disposition", disposition(id))
        .body(body))
}

/// `GET /calendar/{token}.ics`: the feed, without login; 404 for an unknown or
/// rotated token.
#[handler]
pub async fn feed_endpoint(
    poem::web::Path(file): poem::web::Path<String>,
    state: Data<&AppState>,
) -> poem::Result<Response> {
    let not_found = || Problem::from(NotificationError::FeedNotFound);
    let token = file.strip_suffix(".ics").ok_or_else(not_found)?;
    if token.is_empty() || token.len() > 100 {
        return Err(not_found().into());
    }
    let body = feed::calendar_for_token(
        &state.db,
        state.city.id,
        token,
        &site(&state),
        &state.i18n,
        state.config.city.default_locale,
    )
    .await
    .map_err(|e| Problem::from(NotificationError::from(e)))?
    .ok_or_else(not_found)?;
    Ok(Response::builder()
        .content_type(CALENDAR_CONTENT_TYPE)
        .header("Cache-Control", "private, no-cache")
        .header("X-Robots-Tag", "noindex")
        .body(body))
}

/// The address of a new calendar feed.
#[derive(Object)]
pub struct CalendarFeedCreated {
    /// Subscribe to it in a calendar app. Shown only now: keep it secret, anyone with it
    /// sees your bookings. Creating the feed again gives a new address and the old one
    /// stops working.
    pub url: String,
}

/// Whether I have a calendar feed.
#[derive(Object)]
pub struct CalendarFeedStatus {
    pub active: bool,
    /// When its current address was made.
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(ApiResponse)]
pub enum FeedCreated {
    /// The new address.
    #[oai(status = 201)]
    Created(Json<CalendarFeedCreated>),
}

#[derive(ApiResponse)]
pub enum FeedRemoved {
    /// The feed is off (also when there was none).
    #[oai(status = 204)]
    NoContent,
}

pub struct CalendarFeedApi;

#[OpenApi(prefix_path = "/accounts", tag = "ApiTags::Accounts")]
impl CalendarFeedApi {
    /// Create or rotate my calendar feed
    ///
    /// A secret address listing my requested and confirmed bookings that have not
    /// ended, for calendar apps (no login needed to read it). Only a hash of its token
    /// is stored, so the address is shown once; asking again gives a new one and the
    /// old one answers 404 from then on.
    #[oai(
        path = "/me/calendar-feed",
        method = "post",
        operation_id = "create_calendar_feed"
    )]
    async fn create(&self, state: Data<&AppState>, auth: Auth) -> Result<FeedCreated, ApiError> {
        let token = feed::rotate(&state.db, auth.user().id)
            .await
            .map_err(NotificationError::from)?;
        Ok(FeedCreated::Created(Json(CalendarFeedCreated {
            url: feed::url(&state.config.server.public_url, &token),
        })))
    }

    /// Whether I have a calendar feed
    #[oai(
        path = "/me/calendar-feed",
        method = "get",
        operation_id = "get_calendar_feed"
    )]
    async fn status(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<CalendarFeedStatus>, ApiError> {
        let created_at = feed::created_at(&state.db, auth.user().id)
            .await
            .map_err(NotificationError::from)?;
        Ok(Json(CalendarFeedStatus {
            active: created_at.is_some(),
            created_at,
        }))
    }

    /// Turn my calendar feed off
    ///
    /// Its address answers 404 from then on.
    #[oai(
        path = "/me/calendar-feed",
        method = "delete",
        operation_id = "delete_calendar_feed"
    )]
    async fn delete(&self, state: Data<&AppState>, auth: Auth) -> Result<FeedRemoved, ApiError> {
        feed::remove(&state.db, auth.user().id)
            .await
            .map_err(NotificationError::from)?;
        Ok(FeedRemoved::NoContent)
    }
}
