//! `GET /api/v1/bookings/{id}.ics` (also `/bookings/{id}/calendar.ics`, the form the
//! OpenAPI document can describe) and `/api/v1/accounts/me/calendar-feed`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem::{handler, Request, Response};
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::feed::{self, CALENDAR_CONTENT_TYPE};
use super::ics::{self, Method};
use super::message::{self, BookingFacts, Site};
use crate::core::identity::AuthUser;
use crate::core::problem::{ApiError, Problem};
use crate::web::api_tags::ApiTags;
use crate::web::auth::{self, Auth};
use crate::web::state::AppState;
use entities::booking;

fn site(state: &AppState) -> Site {
    Site {
        public_url: state.config.server.public_url.clone(),
        from: state.config.notifications.smtp_from.clone(),
    }
}

/// One of the caller's bookings as an iCalendar object; 404 for anyone else's.
async fn booking_calendar(state: &AppState, user: &AuthUser, id: &str) -> Result<String, Problem> {
    let not_found = || Problem::not_found("booking");
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    let mine = booking::Entity::find_by_id(id)
        .filter(booking::Column::UserId.eq(user.id))
        .filter(booking::Column::CityId.eq(state.city.id))
        .one(&state.db)
        .await?
        .is_some();
    if !mine {
        return Err(not_found());
    }
    let facts = BookingFacts::load(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    let locale = facts.locale(state.config.city.default_locale);
    let status = message::calendar_status(&facts.booking.status);
    Ok(ics::Calendar {
        method: Method::Publish,
        name: None,
        events: vec![message::event(
            &facts,
            &site(state),
            &state.i18n,
            locale,
            status,
            None,
        )],
        stamp: Utc::now(),
    }
    .render())
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
        auth: Auth,
        id: Path<String>,
    ) -> Result<CalendarFile, ApiError> {
        let body = booking_calendar(&state, auth.user(), &id.0).await?;
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
    let body = booking_calendar(&state, &user, id).await?;
    Ok(Response::builder()
        .content_type(CALENDAR_CONTENT_TYPE)
        .header("Content-Disposition", disposition(id))
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
            .map_err(Problem::from)?;
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
            .map_err(Problem::from)?;
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
            .map_err(Problem::from)?;
        Ok(FeedRemoved::NoContent)
    }
}
