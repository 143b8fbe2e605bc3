//! Emails to a business about its bookings: a booking request waiting for its decision,
//! and a resident's cancellation of a booking the business had seen (a hold's shares
//! nothing, so its end tells the business nothing either). They go to every member of
//! the organization (owners and staff both decide on bookings), each in their own
//! language, else the city's default.
//!
//! The emails carry no personal data of the resident: the offer, the time and a link to
//! the offer's bookings, where the business reads the contact (and that read is
//! recorded in the resident's access log, as every read is). So composing them reads
//! nothing of the resident, email servers on the way learn nothing of them, and an
//! erased resident's cancellation is told like any other.

use fluent_bundle::{FluentArgs, FluentValue};
use lettre::message::Mailbox;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::message::{pick, when_text, Site};
use crate::core::i18n::I18n;
use crate::core::locale::Locale;
use entities::{booking, city, listing, membership, offer, organization, user};

/// What an email to a business is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusinessKind {
    /// A booking request waits for the business's decision.
    Requested,
    /// The resident cancelled a booking the business had seen.
    Cancelled,
}

impl BusinessKind {
    /// The email a booking event asks for, given the status the booking came from.
    pub fn for_event(event_type: &str, from: Option<&str>) -> Option<BusinessKind> {
        match (event_type, from) {
            ("booking.requested", _) => Some(BusinessKind::Requested),
            // A hold was never shown to the business.
            ("booking.cancelled", Some("requested" | "confirmed")) => Some(BusinessKind::Cancelled),
            _ => None,
        }
    }

    /// The word in message keys, logs and `notifications_sent`.
    pub fn as_str(self) -> &'static str {
        match self {
            BusinessKind::Requested => "business-requested",
            BusinessKind::Cancelled => "business-cancelled",
        }
    }

    fn still_true(self, b: &booking::Model) -> bool {
        match self {
            BusinessKind::Requested => b.status == "requested",
            BusinessKind::Cancelled => b.status == "cancelled" && b.shared_at.is_some(),
        }
    }
}

/// One member of the organization an email goes to.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub user_id: Uuid,
    pub role: String,
    pub mailbox: Mailbox,
    pub locale: Locale,
}

/// An email to one member of a business.
#[derive(Clone, Debug)]
pub struct BusinessEmail {
    pub recipient: Recipient,
    pub subject: String,
    pub text: String,
}

/// Everything the emails about one booking show, and who gets them.
pub struct BusinessFacts {
    pub booking: booking::Model,
    pub offer: offer::Model,
    pub listing: listing::Model,
    pub organization: organization::Model,
    pub city: city::Model,
    pub recipients: Vec<Recipient>,
}

impl BusinessFacts {
    /// Reads a booking of a business's offer with the business's members; `None` when
    /// the booking is gone, its offer is a partner's, or its listing belongs to no
    /// organization.
    pub async fn load<C: ConnectionTrait>(
        conn: &C,
        booking_id: Uuid,
        fallback: Locale,
    ) -> Result<Option<BusinessFacts>, DbErr> {
        let Some((booking, offer, listing)) =
            super::message::booking_offer_listing(conn, booking_id).await?
        else {
            return Ok(None);
        };
        // A partner's booking system tells its business itself.
        if offer.partner_connection_id.is_some() {
            return Ok(None);
        }
        let Some(org_id) = listing.organization_id else {
            return Ok(None);
        };
        let Some(organization) = organization::Entity::find_by_id(org_id).one(conn).await? else {
            return Ok(None);
        };
        let Some(city) = city::Entity::find_by_id(listing.city_id).one(conn).await? else {
            return Ok(None);
        };
        let city_locale = city.default_locale.parse().unwrap_or(fallback);
        let members = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(org_id))
            .order_by_asc(membership::Column::CreatedAt)
            .all(conn)
            .await?;
        let users = user::Entity::find()
            .filter(user::Column::Id.is_in(members.iter().map(|m| m.user_id).collect::<Vec<_>>()))
            .filter(user::Column::DeletedAt.is_null())
            .all(conn)
            .await?;
        let recipients = members
            .iter()
            .filter_map(|m| {
                let u = users.iter().find(|u| u.id == m.user_id)?;
                let address = u.email.parse().ok()?;
                Some(Recipient {
                    user_id: u.id,
                    role: m.role.clone(),
                    mailbox: Mailbox::new(Some(u.display_name.clone()), address),
                    locale: u
                        .locale
                        .as_deref()
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(city_locale),
                })
            })
            .collect();
        Ok(Some(BusinessFacts {
            booking,
            offer,
            listing,
            organization,
            city,
            recipients,
        }))
    }

    /// Whether the email still tells the truth (a request decided meanwhile is not
    /// announced any more).
    pub fn still_true(&self, kind: BusinessKind) -> bool {
        kind.still_true(&self.booking)
    }
}

/// Composes the email of `kind` to each member of the business.
pub fn compose_business(
    kind: BusinessKind,
    facts: &BusinessFacts,
    site: &Site,
    i18n: &I18n,
) -> Vec<BusinessEmail> {
    let tz: chrono_tz::Tz = facts
        .city
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Europe::Berlin);
    let link = site
        .public_url
        .join(&format!("manage/offers/{}/bookings", facts.offer.id))
        .map(|u| u.to_string())
        .unwrap_or_default();
    facts
        .recipients
        .iter()
        .map(|r| {
            let l = r.locale;
            let mut args = FluentArgs::new();
            args.set(
                "name",
                FluentValue::from(r.mailbox.name.clone().unwrap_or_default()),
            );
            args.set(
                "offer",
                FluentValue::from(pick(l, &facts.offer.name_de, &facts.offer.name_en)),
            );
            args.set(
                "place",
                FluentValue::from(pick(l, &facts.listing.name_de, &facts.listing.name_en)),
            );
            args.set(
                "when",
                FluentValue::from(when_text(
                    l,
                    tz,
                    facts.booking.starts_at,
                    facts.booking.ends_at,
                )),
            );
            args.set("url", FluentValue::from(link.clone()));
            args.set("city", FluentValue::from(facts.city.name.clone()));
            args.set(
                "organization",
                FluentValue::from(facts.organization.name.clone()),
            );
            let t = |key: &str| i18n.t(l, key, Some(&args));
            let k = kind.as_str();
            let text = [
                t("mail-greeting"),
                String::new(),
                t(&format!("mail-{k}-intro")),
                String::new(),
                t(&format!("mail-{k}-action")),
                String::new(),
                t("mail-signature"),
            ]
            .join("\n")
                + "\n";
            BusinessEmail {
                recipient: r.clone(),
                subject: t(&format!("mail-{k}-subject")),
                text,
            }
        })
        .collect()
}
