//! The personal calendar feed: one secret URL per resident listing their active and
//! upcoming bookings, for calendar apps to subscribe to without logging in.
//!
//! Only the SHA-256 of the token is stored. Creating the feed again rotates the token:
//! the old URL is unknown from that moment on.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::error::NotificationError;
use super::ics::{self, Method};
use super::message::{self, BookingFacts, Site};
use crate::core::i18n::I18n;
use crate::core::locale::Locale;
use crate::core::secrets::{random_secret, sha256_hex};
use entities::{booking, calendar_feed, city, listing, offer, user};

/// The content type of every `.ics` the portal serves.
pub const CALENDAR_CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

/// Creates the resident's feed, or gives it a new token; returns the token (shown
/// once).
pub async fn rotate<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<String, DbErr> {
    let token = random_secret();
    calendar_feed::Entity::insert(calendar_feed::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(sha256_hex(&token)),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(calendar_feed::Column::UserId)
            .update_columns([
                calendar_feed::Column::TokenHash,
                calendar_feed::Column::CreatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(token)
}

/// Turns the feed off; returns whether there was one.
pub async fn remove<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<bool, DbErr> {
    Ok(calendar_feed::Entity::delete_by_id(user_id)
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

/// When the resident's current feed URL was made, if they have one.
pub async fn created_at<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(calendar_feed::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .map(|f| f.created_at))
}

/// The feed's address for a token.
pub fn url(public_url: &url::Url, token: &str) -> String {
    public_url
        .join(&format!("calendar/{token}.ics"))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("/calendar/{token}.ics"))
}

/// The bookings a feed lists: requested or confirmed ones that have not ended, and
/// memberships from their start on.
async fn listed<C: ConnectionTrait>(
    conn: &C,
    user: &user::Model,
    city: &city::Model,
) -> Result<Vec<BookingFacts>, DbErr> {
    let now = Utc::now();
    let rows = booking::Entity::find()
        .filter(booking::Column::UserId.eq(user.id))
        .filter(booking::Column::CityId.eq(city.id))
        .filter(booking::Column::Status.is_in(["requested", "confirmed"]))
        .order_by_asc(booking::Column::StartsAt)
        .limit(1000)
        .all(conn)
        .await?;
    let rows: Vec<booking::Model> = rows
        .into_iter()
        .filter(|b| b.ends_at.is_none() || b.ends_at.is_some_and(|e| e > now))
        .collect();
    let offers = offer::Entity::find()
        .filter(offer::Column::Id.is_in(rows.iter().map(|b| b.offer_id)))
        .all(conn)
        .await?;
    let listings = listing::Entity::find()
        .filter(listing::Column::Id.is_in(offers.iter().map(|o| o.listing_id)))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|b| {
            let offer = offers.iter().find(|o| o.id == b.offer_id)?.clone();
            let listing = listings.iter().find(|l| l.id == offer.listing_id)?.clone();
            Some(BookingFacts {
                booking: b,
                offer,
                listing,
                resident: user.clone(),
                city: city.clone(),
            })
        })
        .collect())
}

/// The feed of the resident this token belongs to, or `None` for an unknown token.
pub async fn calendar_for_token<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    token: &str,
    site: &Site,
    i18n: &I18n,
    fallback: Locale,
) -> Result<Option<String>, DbErr> {
    let Some(feed) = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(sha256_hex(token)))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(user) = user::Entity::find_by_id(feed.user_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(city) = city::Entity::find_by_id(city_id).one(conn).await? else {
        return Ok(None);
    };
    let bookings = listed(conn, &user, &city).await?;
    let locale = user
        .locale
        .as_deref()
        .and_then(|l| l.parse().ok())
        .or_else(|| city.default_locale.parse().ok())
        .unwrap_or(fallback);
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("city", city.name.clone());
    Ok(Some(
        ics::Calendar {
            method: Method::Publish,
            name: Some(i18n.t(locale, "ics-feed-name", Some(&args))),
            events: bookings
                .iter()
                .map(|f| {
                    let status = message::calendar_status(&f.booking.status);
                    // A feed names nobody: it is a secret URL, not an invitation.
                    message::event(f, site, i18n, locale, status, None)
                })
                .collect(),
            stamp: Utc::now(),
        }
        .render(),
    ))
}

/// One of the resident's bookings as a calendar object (`METHOD:PUBLISH`), in the
/// resident's language; [`NotificationError::BookingNotFound`] for anyone else's booking
/// or an id that is none.
pub async fn calendar_for_booking<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    user_id: Uuid,
    id: &str,
    site: &Site,
    i18n: &I18n,
    fallback: Locale,
) -> Result<String, NotificationError> {
    let id = Uuid::parse_str(id).map_err(|_| NotificationError::BookingNotFound)?;
    let mine = booking::Entity::find_by_id(id)
        .filter(booking::Column::UserId.eq(user_id))
        .filter(booking::Column::CityId.eq(city_id))
        .one(conn)
        .await?
        .is_some();
    if !mine {
        return Err(NotificationError::BookingNotFound);
    }
    let facts = BookingFacts::load(conn, id)
        .await?
        .ok_or(NotificationError::BookingNotFound)?;
    let locale = facts.locale(fallback);
    let status = message::calendar_status(&facts.booking.status);
    Ok(ics::Calendar {
        method: Method::Publish,
        name: None,
        events: vec![message::event(&facts, site, i18n, locale, status, None)],
        stamp: Utc::now(),
    }
    .render())
}
