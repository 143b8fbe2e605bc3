//! Privacy: every read of a resident's data by someone else (city staff, an
//! organization, a module) is recorded, and the resident can see the record.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::core::message::{Arg, Message};
use entities::access_record;

/// The longest text argument an access message keeps (a name, a list of fields): the
/// stored message stays bounded without cutting its JSON.
pub const MAX_ARG_CHARS: usize = 200;

/// `m` with every text argument cut to [`MAX_ARG_CHARS`].
fn bounded(mut m: Message) -> Message {
    for value in m.args.values_mut() {
        if let Arg::Text(t) = value {
            if t.chars().count() > MAX_ARG_CHARS {
                *t = t.chars().take(MAX_ARG_CHARS).collect();
            }
        }
    }
    m
}

/// A stored access text in the words `render` gives a message (a page's language, or
/// the API's English); a text stored before the access log held messages is shown as
/// stored.
pub fn shown(stored: &str, render: impl Fn(&Message) -> String) -> String {
    match Message::from_json(stored) {
        Some(m) => render(&m),
        None => stored.to_string(),
    }
}

/// Who read a resident's data.
#[derive(Clone, Debug)]
pub enum Reader {
    /// A city staff member acting as such.
    CityStaff(Uuid),
    /// A member of an organization acting for it.
    Organization { user: Uuid, organization: Uuid },
    /// An e-government module.
    Module(String),
}

/// Records that `reader` read `resource` of `subject` for `purpose`. Both are messages
/// (`access-...` in `portal.ftl`), stored as key and arguments and shown in the
/// resident's language.
pub async fn record_access<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    subject: Uuid,
    reader: &Reader,
    resource: Message,
    purpose: Message,
) -> Result<(), sea_orm::DbErr> {
    let (actor_user, actor_org, actor_module) = match reader {
        Reader::CityStaff(u) => (Some(*u), None, None),
        Reader::Organization { user, organization } => (Some(*user), Some(*organization), None),
        Reader::Module(m) => (None, None, Some(m.clone())),
    };
    access_record::ActiveModel {
        id: Set(Uuid::now_v7()),
        city_id: Set(city_id),
        subject_user_id: Set(subject),
        actor_user_id: Set(actor_user),
        actor_organization_id: Set(actor_org),
        actor_module: Set(actor_module),
        resource: Set(bounded(resource).to_json()),
        purpose: Set(bounded(purpose).to_json()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::i18n::I18n;
    use crate::core::locale::Locale;
    use crate::msg;

    #[test]
    fn access_texts_are_shown_in_the_language_asked_and_in_the_api_english() {
        let i = I18n::embedded();
        let cases = [
            (
                msg!("access-booking", booking = "b-1", fields = "name, phone"),
                "Buchung b-1 (name, phone)",
                "booking b-1 (name, phone)",
            ),
            (
                msg!("access-purpose-booking-list", offer = "Yoga"),
                "Buchungsliste von Yoga",
                "list of bookings of Yoga",
            ),
            (
                msg!("access-purpose-booking-marked", status = "no_show"),
                "als nicht erschienen vermerkt",
                "booking marked no_show",
            ),
            (
                msg!("access-purpose-partner-sent"),
                "mit der Buchung an das Buchungssystem des Unternehmens übermittelt",
                "sent with the booking to the business's booking system",
            ),
            (
                msg!("access-member-data", organization = "Bäckerei {x} GmbH"),
                "Name und E-Mail-Adresse als Mitglied von Bäckerei {x} GmbH",
                "name and email as member of Bäckerei {x} GmbH",
            ),
            (
                msg!("access-purpose-member-review"),
                "Stadtverwaltung: Prüfung der Mitglieder einer Organisation",
                "city administration: review of an organization's members",
            ),
        ];
        for (m, de, api) in cases {
            let stored = bounded(m).to_json();
            assert_eq!(shown(&stored, |m| i.message(Locale::De, m)), de);
            assert_eq!(shown(&stored, |m| i.api_text(m)), api);
        }
        assert_eq!(
            i.message(
                Locale::En,
                &msg!("access-purpose-booking-marked", status = "completed")
            ),
            "marked as attended"
        );
        // Texts stored before stay as they are.
        assert_eq!(
            shown("booking b-1 (name)", |m| i.message(Locale::De, m)),
            "booking b-1 (name)"
        );
    }

    #[test]
    fn long_arguments_are_cut_and_the_json_stays_whole() {
        let long = "x".repeat(500);
        let stored = bounded(msg!("access-member-data", organization = long)).to_json();
        let m = Message::from_json(&stored).expect("whole JSON");
        assert_eq!(m.args["organization"].to_string().len(), MAX_ARG_CHARS);
    }
}
