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

/// Who read a resident's data, with the role they read in.
#[derive(Clone, Debug)]
pub enum Reader {
    /// A city staff member acting as such (`admin` or `editor`).
    CityStaff { user: Uuid, role: &'static str },
    /// A member of an organization acting for it (`owner` or `staff`).
    Organization {
        user: Uuid,
        organization: Uuid,
        role: String,
    },
    /// An e-government module or a business's booking system.
    Module(String),
    /// An app the resident let act for them (OAuth), by its name.
    App(String),
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
    access_record_of(city_id, subject, reader, resource, purpose)
        .insert(conn)
        .await?;
    Ok(())
}

/// The access record of a read, not yet stored (see [`record_access`]).
pub fn access_record_of(
    city_id: Uuid,
    subject: Uuid,
    reader: &Reader,
    resource: Message,
    purpose: Message,
) -> access_record::ActiveModel {
    let (actor_user, actor_org, actor_module, actor_role) = match reader {
        Reader::CityStaff { user, role } => (Some(*user), None, None, Some(role.to_string())),
        Reader::Organization {
            user,
            organization,
            role,
        } => (Some(*user), Some(*organization), None, Some(role.clone())),
        Reader::Module(m) => (None, None, Some(m.clone()), None),
        // An app is named like a module, with the role `app` telling them apart.
        Reader::App(name) => (None, None, Some(name.clone()), Some("app".to_string())),
    };
    access_record::ActiveModel {
        id: Set(Uuid::now_v7()),
        city_id: Set(city_id),
        subject_user_id: Set(subject),
        actor_user_id: Set(actor_user),
        actor_organization_id: Set(actor_org),
        actor_module: Set(actor_module),
        actor_role: Set(actor_role),
        resource: Set(bounded(resource).to_json()),
        purpose: Set(bounded(purpose).to_json()),
        created_at: Set(Utc::now()),
        reads: Set(1),
        last_read_at: Set(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::i18n::I18n;
    use crate::core::locale::Locale;
    use crate::msg;

    #[test]
    fn access_texts_are_shown_in_the_language_asked() {
        use crate::privacy::log::shown;
        let i = I18n::embedded();
        let tz: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let cases = [
            (
                msg!(
                    "access-booking-data",
                    booking = "b-1",
                    fields = "name,email",
                    kind = "appointment",
                    at = "2026-12-07T08:00:00+00:00",
                    offer_de = "Personalausweis beantragen",
                    offer_en = "Apply for an ID card",
                ),
                "Ihr Name und Ihre E-Mail-Adresse, für Ihren Termin „Personalausweis beantragen“ am 07.12.2026, 09:00",
                "your name and email address, for your appointment “Apply for an ID card” on 7 Dec 2026, 09:00",
            ),
            (
                msg!(
                    "access-booking-data",
                    fields = "name,email,phone",
                    kind = "class",
                    at = "2026-07-01T16:30:00+00:00",
                    offer_de = "Yoga",
                    offer_en = "",
                ),
                "Ihr Name, Ihre E-Mail-Adresse und Ihre Telefonnummer, für Ihren Kurs „Yoga“ am 01.07.2026, 18:30",
                "your name, email address and phone number, for your class “Yoga” on 1 Jul 2026, 18:30",
            ),
            (
                msg!("access-purpose-booking-list", offer = "Yoga"),
                "Buchungsliste von Yoga",
                "list of bookings of Yoga",
            ),
            (
                msg!("access-purpose-booking-marked", status = "no_show"),
                "als nicht erschienen vermerkt",
                "marked as a no-show",
            ),
            (
                msg!("access-member-data", organization = "Bäckerei {x} GmbH"),
                "Name und E-Mail-Adresse als Mitglied von Bäckerei {x} GmbH",
                "name and email address as a member of Bäckerei {x} GmbH",
            ),
        ];
        for (m, de, en) in cases {
            let stored = bounded(m).to_json();
            assert_eq!(shown(i, Locale::De, tz, &stored), de);
            assert_eq!(shown(i, Locale::En, tz, &stored), en);
        }
        // Texts stored before messages, and messages of the old booking form, stay readable.
        assert_eq!(
            shown(i, Locale::De, tz, "booking b-1 (name)"),
            "booking b-1 (name)"
        );
        let old = msg!("access-booking", booking = "b-1", fields = "name, phone").to_json();
        assert_eq!(shown(i, Locale::De, tz, &old), "Buchung b-1 (name, phone)");
    }

    #[test]
    fn long_arguments_are_cut_and_the_json_stays_whole() {
        let long = "x".repeat(500);
        let stored = bounded(msg!("access-member-data", organization = long)).to_json();
        let m = Message::from_json(&stored).expect("whole JSON");
        assert_eq!(m.args["organization"].to_string().len(), MAX_ARG_CHARS);
    }
}
