//! The access log as a resident reads it: who read their data (the organization and the
//! member with their role, the city's staff member with theirs, or the module), what in
//! words ("your name and email address, for your appointment “Check-up” on 7 Dec 2026,
//! 09:00"), why and when, in the reader's language. Reads of the same thing by the same
//! reader for the same reason on one day (in the city's time zone) are one entry with a
//! count. The account page and the API show the same entries.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::core::i18n::{format_date, I18n};
use crate::core::locale::Locale;
use crate::core::message::{Arg, Message};
use entities::{access_record, organization, user};

/// How many access records (each one read, or repeated reads counted on the first) a
/// log shows at most, the newest, before grouping.
pub const MAX_READS: u64 = 2000;

/// One line of the access log.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The latest read of the group.
    pub at: DateTime<Utc>,
    /// The earliest read of the group (the same day).
    pub first_at: DateTime<Utc>,
    /// How many reads the line stands for.
    pub count: u32,
    /// `city_staff`, `organization`, `module` or `app`.
    pub reader_kind: &'static str,
    /// The organization's or module's name, or (for city staff) the staff member's.
    pub reader: String,
    /// `owner` or `staff` of the organization, `admin` or `editor` of the city.
    pub reader_role: Option<String>,
    /// Who, in words: "Kampaamo GmbH (Anna Virtanen, owner)".
    pub who: String,
    pub what: String,
    pub why: String,
}

/// The resident's access log, newest first, in `l`.
pub async fn entries<C: ConnectionTrait>(
    conn: &C,
    i18n: &I18n,
    l: Locale,
    tz: Tz,
    subject: Uuid,
) -> Result<Vec<Entry>, DbErr> {
    let records = access_record::Entity::find()
        .filter(access_record::Column::SubjectUserId.eq(subject))
        .order_by_desc(access_record::Column::CreatedAt)
        .order_by_desc(access_record::Column::Id)
        .limit(MAX_READS)
        .all(conn)
        .await?;
    let orgs = organization::Entity::find()
        .filter(
            organization::Column::Id.is_in(records.iter().filter_map(|r| r.actor_organization_id)),
        )
        .all(conn)
        .await?;
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(records.iter().filter_map(|r| r.actor_user_id)))
        .all(conn)
        .await?;
    let mut groups: Vec<(GroupKey, Entry)> = Vec::new();
    for r in &records {
        let key = GroupKey {
            user: r.actor_user_id,
            organization: r.actor_organization_id,
            module: r.actor_module.clone(),
            resource: r.resource.clone(),
            purpose: r.purpose.clone(),
            day: r.created_at.with_timezone(&tz).date_naive(),
        };
        let reads = u32::try_from(r.reads.max(1)).unwrap_or(1);
        let latest = r.last_read_at.unwrap_or(r.created_at).max(r.created_at);
        if let Some((_, e)) = groups.iter_mut().find(|(k, _)| *k == key) {
            e.count += reads;
            e.first_at = r.created_at;
            e.at = e.at.max(latest);
            continue;
        }
        let person = r
            .actor_user_id
            .and_then(|u| people.iter().find(|p| p.id == u))
            .filter(|p| p.deleted_at.is_none())
            .map(|p| p.display_name.clone())
            .unwrap_or_default();
        let role = r
            .actor_role
            .as_deref()
            .filter(|role| *role != "app")
            .map(|role| i18n.t(l, &format!("access-role-{role}"), None));
        let (kind, reader, who) =
            if let (Some(m), Some("app")) = (&r.actor_module, r.actor_role.as_deref()) {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("app", m.clone());
                ("app", m.clone(), i18n.t(l, "access-who-app", Some(&args)))
            } else if let Some(m) = &r.actor_module {
                ("module", m.clone(), m.clone())
            } else if let Some(o) = r.actor_organization_id {
                let name = orgs
                    .iter()
                    .find(|x| x.id == o)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                let who = with_person(&name, &person, role.as_deref());
                ("organization", name, who)
            } else {
                let who = with_person(
                    &i18n.t(l, "access-who-city", None),
                    &person,
                    role.as_deref(),
                );
                ("city_staff", person.clone(), who)
            };
        groups.push((
            key,
            Entry {
                at: latest,
                first_at: r.created_at,
                count: reads,
                reader_kind: kind,
                reader,
                reader_role: r.actor_role.clone().filter(|role| role != "app"),
                who,
                what: shown(i18n, l, tz, &r.resource),
                why: shown(i18n, l, tz, &r.purpose),
            },
        ));
    }
    Ok(groups.into_iter().map(|(_, e)| e).collect())
}

#[derive(PartialEq)]
struct GroupKey {
    user: Option<Uuid>,
    organization: Option<Uuid>,
    module: Option<String>,
    resource: String,
    purpose: String,
    day: NaiveDate,
}

/// "Kampaamo GmbH (Anna Virtanen, owner)"; what is unknown is left out (an erased
/// account has no name, an entry written before roles has no role).
fn with_person(name: &str, person: &str, role: Option<&str>) -> String {
    let details: Vec<&str> = [person, role.unwrap_or("")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if details.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({})", details.join(", "))
    }
}

/// A stored access text in `l`; a text stored before the log held messages as stored.
pub fn shown(i18n: &I18n, l: Locale, tz: Tz, stored: &str) -> String {
    match Message::from_json(stored) {
        Some(m) => i18n.message(l, &localized(i18n, l, tz, m)),
        None => stored.to_string(),
    }
}

/// The message with its arguments in `l`: a booking's shared fields as words, its time
/// in the city's time zone and the language's format, the offer's name in `l`.
fn localized(i18n: &I18n, l: Locale, tz: Tz, m: Message) -> Message {
    if m.key != "access-booking-data" {
        return m;
    }
    let text = |k: &str| match m.args.get(k) {
        Some(Arg::Text(t)) => t.clone(),
        Some(Arg::Int(n)) => n.to_string(),
        None => String::new(),
    };
    let fields = text("fields").replace(',', "-");
    let when = DateTime::parse_from_rfc3339(&text("at"))
        .map(|t| {
            let t = t.with_timezone(&tz);
            format!("{}, {}", format_date(l, t.date_naive()), t.format("%H:%M"))
        })
        .unwrap_or_default();
    let (mine, other) = match l {
        Locale::De => (text("offer_de"), text("offer_en")),
        Locale::En => (text("offer_en"), text("offer_de")),
    };
    let offer = if mine.is_empty() { other } else { mine };
    crate::msg!(
        "access-booking-data",
        fields = i18n.t(l, &format!("access-fields-{fields}"), None),
        kind = text("kind"),
        offer = offer,
        when = when,
    )
}
