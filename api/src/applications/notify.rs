//! The email a resident gets when the module changes their case or writes to them, in
//! the resident's language (sent by the notifications' consumer of the outbox).

use lettre::message::Mailbox;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};
use uuid::Uuid;

use super::service::Status;
use crate::core::i18n::I18n;
use crate::core::locale::Locale;
use entities::{application, application_event, city, listing, outbox_event, user};

/// One email about a case.
pub struct Notice {
    pub application_id: Uuid,
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
}

/// The email an application event asks for: a status the module set, or its message;
/// none for the other events, a case or account that is gone.
pub async fn compose(
    db: &DatabaseConnection,
    i18n: &I18n,
    public_url: &url::Url,
    e: &outbox_event::Model,
) -> Result<Option<Notice>, DbErr> {
    if e.aggregate_type != super::service::AGGREGATE
        || !matches!(
            e.event_type.as_str(),
            "application.status_changed" | "application.message"
        )
    {
        return Ok(None);
    }
    let Some(a) = application::Entity::find_by_id(e.aggregate_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(u) = user::Entity::find_by_id(a.user_id).one(db).await? else {
        return Ok(None);
    };
    if u.deleted_at.is_some() {
        return Ok(None);
    }
    let Ok(address) = u.email.parse() else {
        return Ok(None);
    };
    let locale: Locale = a.locale.parse().unwrap_or(Locale::De);
    let service = listing::Entity::find_by_id(a.listing_id)
        .one(db)
        .await?
        .map(|l| match locale {
            Locale::De => l.name_de,
            _ => l.name_en,
        })
        .unwrap_or_default();
    let city = city::Entity::find_by_id(a.city_id)
        .one(db)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let event = match e.payload["event_id"]
        .as_str()
        .and_then(|s| s.parse::<Uuid>().ok())
    {
        Some(id) => application_event::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let message = event.and_then(|ev| ev.message).unwrap_or_default();
    let url = format!(
        "{}/account/applications/{}",
        public_url.as_str().trim_end_matches('/'),
        a.id
    );
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("service", service);
    args.set("name", u.display_name.clone());
    args.set("city", city);
    args.set("url", url);
    args.set("message", message);
    let (subject_key, body_key) = if e.event_type == "application.message" {
        (
            "application-mail-message-subject",
            "application-mail-message-body",
        )
    } else {
        let status = e.payload["status"]
            .as_str()
            .and_then(Status::parse)
            .unwrap_or(Status::Submitted);
        args.set("status", i18n.t(locale, &status.message_key(), None));
        ("application-mail-subject", "application-mail-body")
    };
    Ok(Some(Notice {
        application_id: a.id,
        to: Mailbox::new(Some(u.display_name), address),
        subject: i18n.t(locale, subject_key, Some(&args)),
        text: i18n.t(locale, body_key, Some(&args)),
    }))
}
