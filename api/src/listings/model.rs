//! The listing as the API shows it and as it accepts it, and the validation that turns
//! raw input into a [`ListingData`] the service can store.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use super::hours::{self, DatedException, HourMinute, OpeningHours, WeeklyRule};
use super::taxonomy;
use crate::core::email::is_plausible;
use crate::core::error::Invalid;
use crate::core::validate::{is_http_url, is_valid_phone, long_text, text, Errors};
use crate::msg;

/// What a listing is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ListingKind {
    Business,
    MunicipalService,
}

impl ListingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListingKind::Business => "business",
            ListingKind::MunicipalService => "municipal_service",
        }
    }
    pub fn parse(s: &str) -> Option<ListingKind> {
        match s {
            "business" => Some(ListingKind::Business),
            "municipal_service" => Some(ListingKind::MunicipalService),
            _ => None,
        }
    }
}

/// Where a listing stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ListingStatus {
    Draft,
    /// The owner asked to publish a name holding one of the city's reserved terms:
    /// not public until city staff approve it.
    PendingReview,
    Published,
    Suspended,
}

impl ListingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ListingStatus::Draft => "draft",
            ListingStatus::PendingReview => "pending_review",
            ListingStatus::Published => "published",
            ListingStatus::Suspended => "suspended",
        }
    }
    /// The status of a stored listing: a draft waiting for review is `PendingReview`.
    pub fn of(m: &entities::listing::Model) -> ListingStatus {
        match ListingStatus::parse(&m.status) {
            ListingStatus::Draft if m.review_requested_at.is_some() => ListingStatus::PendingReview,
            s => s,
        }
    }
    pub fn parse(s: &str) -> ListingStatus {
        match s {
            "published" => ListingStatus::Published,
            "suspended" => ListingStatus::Suspended,
            _ => ListingStatus::Draft,
        }
    }
}

/// Wheelchair accessibility.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Wheelchair {
    Yes,
    Limited,
    No,
}

impl Wheelchair {
    pub fn as_str(self) -> &'static str {
        match self {
            Wheelchair::Yes => "yes",
            Wheelchair::Limited => "limited",
            Wheelchair::No => "no",
        }
    }
    pub fn parse(s: &str) -> Option<Wheelchair> {
        match s {
            "yes" => Some(Wheelchair::Yes),
            "limited" => Some(Wheelchair::Limited),
            "no" => Some(Wheelchair::No),
            _ => None,
        }
    }
}

/// A day of the week.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum Weekday {
    Mo,
    Tu,
    We,
    Th,
    Fr,
    Sa,
    Su,
}

impl Weekday {
    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Mo => chrono::Weekday::Mon,
            Weekday::Tu => chrono::Weekday::Tue,
            Weekday::We => chrono::Weekday::Wed,
            Weekday::Th => chrono::Weekday::Thu,
            Weekday::Fr => chrono::Weekday::Fri,
            Weekday::Sa => chrono::Weekday::Sat,
            Weekday::Su => chrono::Weekday::Sun,
        }
    }
    pub fn from_chrono(d: chrono::Weekday) -> Weekday {
        match d {
            chrono::Weekday::Mon => Weekday::Mo,
            chrono::Weekday::Tue => Weekday::Tu,
            chrono::Weekday::Wed => Weekday::We,
            chrono::Weekday::Thu => Weekday::Th,
            chrono::Weekday::Fri => Weekday::Fr,
            chrono::Weekday::Sat => Weekday::Sa,
            chrono::Weekday::Sun => Weekday::Su,
        }
    }
}

/// How a municipal service can be used.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InPerson,
    Online,
    Post,
    Phone,
    Email,
}

/// Text in German and English. An empty string means "not translated"; readers fall
/// back to the other language.
#[derive(Object, Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LocalizedText {
    pub de: String,
    pub en: String,
}

impl LocalizedText {
    /// The text in `locale`, else the other language.
    pub fn get(&self, locale: &str) -> &str {
        let (first, second) = if locale == "en" {
            (&self.en, &self.de)
        } else {
            (&self.de, &self.en)
        };
        if first.is_empty() {
            second
        } else {
            first
        }
    }
}

/// Text input in German and/or English.
#[derive(Object, Clone, Debug, Default)]
pub struct LocalizedInput {
    pub de: Option<String>,
    pub en: Option<String>,
}

/// Lists of text in German and English.
#[derive(Object, Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LocalizedList {
    pub de: Vec<String>,
    pub en: Vec<String>,
}

/// A postal address.
#[derive(Object, Clone, Debug, Default, PartialEq)]
pub struct Address {
    /// Street and house number.
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

/// WGS 84 coordinates.
#[derive(Object, Clone, Copy, Debug, PartialEq)]
pub struct GeoPoint {
    /// Latitude, -90..90.
    pub lat: f64,
    /// Longitude, -180..180.
    pub lng: f64,
}

/// How to reach the listing.
#[derive(Object, Clone, Debug, Default, PartialEq)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
    /// An http or https URL.
    pub website: Option<String>,
}

/// A weekly opening interval, local time of the city.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct OpeningRule {
    pub weekday: Weekday,
    /// "HH:MM"
    pub opens: String,
    /// "HH:MM", after `opens`; "24:00" for midnight.
    pub closes: String,
}

/// A dated exception to the weekly hours.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct OpeningException {
    pub date: NaiveDate,
    /// Closed all day; otherwise `opens` and `closes` give that day's hours.
    pub closed: bool,
    pub opens: Option<String>,
    pub closes: Option<String>,
    /// Why, e.g. "Christmas Eve".
    pub note: Option<String>,
}

/// Opening hours: weekly rules plus dated exceptions.
#[derive(Object, Clone, Debug, Default, PartialEq)]
pub struct OpeningHoursDto {
    pub weekly: Vec<OpeningRule>,
    pub exceptions: Vec<OpeningException>,
    /// The OpenStreetMap `opening_hours` text this was imported from (read only).
    #[oai(read_only)]
    pub osm: Option<String>,
}

/// What a resident needs to know to use a municipal service.
#[derive(Object, Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServiceDetails {
    /// Who may apply.
    pub eligibility: LocalizedText,
    /// What to bring.
    pub what_to_bring: LocalizedList,
    /// Fees as display text.
    pub fees: LocalizedText,
    pub processing_time: LocalizedText,
    pub channels: Vec<Channel>,
    /// Where to apply online (http or https).
    #[serde(default)]
    pub online_url: Option<String>,
}

/// A listing as residents and third parties read it.
#[derive(Object, Clone, Debug)]
pub struct Listing {
    pub id: Uuid,
    pub slug: String,
    pub kind: ListingKind,
    pub status: ListingStatus,
    pub organization_id: Option<Uuid>,
    pub name: LocalizedText,
    pub description: LocalizedText,
    /// Category keys from `GET /api/v1/categories`.
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub address: Address,
    pub district: Option<String>,
    pub location: Option<GeoPoint>,
    pub contact: Contact,
    pub wheelchair: Option<Wheelchair>,
    /// Languages spoken, ISO 639-1 codes.
    pub languages: Vec<String>,
    pub opening_hours: OpeningHoursDto,
    /// Municipal services only.
    pub service: Option<ServiceDetails>,
    /// `manual`, `osm:node/123`, `module:<id>`.
    pub source: String,
    /// Why a moderator suspended it.
    pub suspended_reason: Option<String>,
    /// The city's reserved terms its name holds (set in `RESERVED_NAMES`): a business
    /// listing with any is not public until city staff approve the name.
    pub review_terms: Vec<String>,
    /// Why city staff refused the name in review.
    pub review_note: Option<String>,
    /// Increases with every change; the ETag is `"<version>"`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// The editable fields of a listing (create and full update).
#[derive(Object, Clone, Debug, Default)]
pub struct ListingFields {
    /// Name in German and/or English (at least one, each 1-200 characters).
    pub name: LocalizedInput,
    /// Description in German and/or English (each at most 5000 characters).
    pub description: Option<LocalizedInput>,
    /// 1-5 category keys.
    #[oai(validator(min_items = 1, max_items = 5))]
    pub categories: Vec<String>,
    /// Up to 20 tags, each 1-40 characters.
    #[oai(default)]
    pub tags: Vec<String>,
    pub address: Option<Address>,
    pub district: Option<String>,
    pub location: Option<GeoPoint>,
    pub contact: Option<Contact>,
    pub wheelchair: Option<Wheelchair>,
    /// ISO 639-1 codes of languages spoken.
    #[oai(default)]
    pub languages: Vec<String>,
    pub opening_hours: Option<OpeningHoursInput>,
    /// Required for municipal services, not allowed for businesses.
    pub service: Option<ServiceDetails>,
}

/// Opening hours as submitted.
#[derive(Object, Clone, Debug, Default)]
pub struct OpeningHoursInput {
    #[oai(default)]
    pub weekly: Vec<OpeningRule>,
    #[oai(default)]
    pub exceptions: Vec<OpeningException>,
}

/// A new listing.
#[derive(Object, Clone, Debug)]
pub struct NewListing {
    pub kind: ListingKind,
    /// The organization that owns it; required for businesses, a city department (or
    /// none) for municipal services.
    pub organization_id: Option<Uuid>,
    #[oai(flatten)]
    pub fields: ListingFields,
}

/// Validated listing content, ready to store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListingData {
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub address: Address,
    pub district: Option<String>,
    pub location: Option<GeoPoint>,
    pub contact: Contact,
    pub wheelchair: Option<Wheelchair>,
    pub languages: Vec<String>,
    pub hours: OpeningHours,
    pub service: Option<ServiceDetails>,
}

fn time(errors: &mut Errors, field: &str, v: &str) -> Option<HourMinute> {
    let t = HourMinute::parse(v.trim());
    if t.is_none() {
        errors.add(field, msg!("v-time"));
    }
    t
}

/// Validates weekly hours with dated exceptions; `prefix` names the field in errors
/// (`opening_hours`, or an offer's `appointment.availability`).
pub fn validate_hours(
    errors: &mut Errors,
    prefix: &str,
    input: &OpeningHoursInput,
) -> OpeningHours {
    let mut out = OpeningHours::default();
    if input.weekly.len() > 28 {
        errors.add(format!("{prefix}.weekly"), msg!("v-max-rules"));
        return out;
    }
    if input.exceptions.len() > 400 {
        errors.add(format!("{prefix}.exceptions"), msg!("v-max-exceptions"));
        return out;
    }
    for (i, r) in input.weekly.iter().enumerate() {
        let f = format!("{prefix}.weekly[{i}]");
        let opens = time(errors, &format!("{f}.opens"), &r.opens);
        let closes = time(errors, &format!("{f}.closes"), &r.closes);
        if let (Some(o), Some(c)) = (opens, closes) {
            if o >= c {
                errors.add(format!("{f}.closes"), msg!("v-closes-after-opens-midnight"));
            } else {
                out.weekly.push(WeeklyRule {
                    weekday: r.weekday.to_chrono(),
                    opens: o,
                    closes: c,
                });
            }
        }
    }
    if let Some(i) = hours::first_overlap(&out.weekly) {
        errors.add(format!("{prefix}.weekly[{i}]"), msg!("v-overlap"));
    }
    let mut seen_dates = std::collections::HashSet::new();
    for (i, e) in input.exceptions.iter().enumerate() {
        let f = format!("{prefix}.exceptions[{i}]");
        if !seen_dates.insert(e.date) {
            errors.add(format!("{f}.date"), msg!("v-exception-same-date"));
            continue;
        }
        let today = chrono::Utc::now().date_naive();
        crate::core::validate::date_in_window(errors, &format!("{f}.date"), e.date, today);
        let note = text(errors, &format!("{f}.note"), e.note.as_deref(), 200);
        let hours = if e.closed {
            None
        } else {
            match (&e.opens, &e.closes) {
                (Some(o), Some(c)) => {
                    let opens = time(errors, &format!("{f}.opens"), o);
                    let closes = time(errors, &format!("{f}.closes"), c);
                    match (opens, closes) {
                        (Some(o), Some(c)) if o < c => Some((o, c)),
                        (Some(_), Some(_)) => {
                            errors.add(format!("{f}.closes"), msg!("v-closes-after-opens"));
                            None
                        }
                        _ => None,
                    }
                }
                _ => {
                    errors.add(format!("{f}.opens"), msg!("v-exception-times"));
                    None
                }
            }
        };
        out.exceptions.push(DatedException {
            date: e.date,
            hours,
            note,
        });
    }
    out.weekly
        .sort_by_key(|r| (r.weekday.num_days_from_monday(), r.opens));
    out.exceptions.sort_by_key(|e| e.date);
    out
}

fn validate_service(errors: &mut Errors, s: &ServiceDetails) -> ServiceDetails {
    let mut out = ServiceDetails::default();
    let lt = |errors: &mut Errors, field: &str, t: &LocalizedText, max| LocalizedText {
        de: long_text(errors, &format!("{field}.de"), Some(&t.de), max),
        en: long_text(errors, &format!("{field}.en"), Some(&t.en), max),
    };
    out.eligibility = lt(errors, "service.eligibility", &s.eligibility, 2000);
    out.fees = lt(errors, "service.fees", &s.fees, 1000);
    out.processing_time = lt(errors, "service.processing_time", &s.processing_time, 500);
    for (lang, list, target) in [
        ("de", &s.what_to_bring.de, &mut out.what_to_bring.de),
        ("en", &s.what_to_bring.en, &mut out.what_to_bring.en),
    ] {
        if list.len() > 30 {
            errors.add(format!("service.what_to_bring.{lang}"), msg!("v-max-items"));
            continue;
        }
        for (i, item) in list.iter().enumerate() {
            match text(
                errors,
                &format!("service.what_to_bring.{lang}[{i}]"),
                Some(item),
                300,
            ) {
                Some(v) => target.push(v),
                None => errors.add(
                    format!("service.what_to_bring.{lang}[{i}]"),
                    msg!("v-not-empty"),
                ),
            }
        }
    }
    if s.channels.is_empty() {
        errors.add("service.channels", msg!("v-channel-required"));
    }
    let mut channels = s.channels.clone();
    channels.dedup();
    out.channels = channels;
    if let Some(u) = s
        .online_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        if !is_http_url(u) {
            errors.add("service.online_url", msg!("v-url"));
        } else {
            out.online_url = Some(u.to_string());
        }
    }
    out
}

impl ListingFields {
    /// Validates every field for a listing of `kind`; all problems are reported at once.
    pub fn validate(&self, kind: ListingKind) -> Result<ListingData, Invalid> {
        let mut errors = Errors::default();
        let name_de = text(&mut errors, "name.de", self.name.de.as_deref(), 200);
        let name_en = text(&mut errors, "name.en", self.name.en.as_deref(), 200);
        if name_de.is_none() && name_en.is_none() && errors.0.is_empty() {
            errors.add("name", msg!("v-name-required"));
        }
        let description = self.description.clone().unwrap_or_default();
        let description = LocalizedText {
            de: long_text(
                &mut errors,
                "description.de",
                description.de.as_deref(),
                5000,
            ),
            en: long_text(
                &mut errors,
                "description.en",
                description.en.as_deref(),
                5000,
            ),
        };

        let mut categories = Vec::new();
        if self.categories.is_empty() {
            errors.add("categories", msg!("v-category-required"));
        } else if self.categories.len() > 5 {
            errors.add("categories", msg!("v-max-categories"));
        }
        for (i, c) in self.categories.iter().enumerate() {
            let c = c.trim();
            if taxonomy::find(c).is_none() {
                errors.add(
                    format!("categories[{i}]"),
                    msg!("v-unknown-category", c = c),
                );
            } else if !categories.iter().any(|x| x == c) {
                categories.push(c.to_string());
            }
        }

        let mut tags = Vec::new();
        if self.tags.len() > 20 {
            errors.add("tags", msg!("v-max-tags"));
        }
        for (i, t) in self.tags.iter().take(20).enumerate() {
            match text(&mut errors, &format!("tags[{i}]"), Some(t), 40) {
                Some(t) => {
                    let t = t.to_lowercase();
                    if !tags.contains(&t) {
                        tags.push(t);
                    }
                }
                None => errors.add(format!("tags[{i}]"), msg!("v-not-empty")),
            }
        }

        let a = self.address.clone().unwrap_or_default();
        let address = Address {
            street: text(&mut errors, "address.street", a.street.as_deref(), 200),
            postcode: text(&mut errors, "address.postcode", a.postcode.as_deref(), 16),
            city: text(&mut errors, "address.city", a.city.as_deref(), 100),
        };
        if let Some(pc) = &address.postcode {
            if !pc
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
            {
                errors.add("address.postcode", msg!("v-tag-chars"));
            }
        }
        let district = text(&mut errors, "district", self.district.as_deref(), 100);

        if let Some(p) = self.location {
            if !p.lat.is_finite() || !(-90.0..=90.0).contains(&p.lat) {
                errors.add("location.lat", msg!("v-lat-range"));
            }
            if !p.lng.is_finite() || !(-180.0..=180.0).contains(&p.lng) {
                errors.add("location.lng", msg!("v-lng-range"));
            }
        }

        let c = self.contact.clone().unwrap_or_default();
        let contact = Contact {
            phone: text(&mut errors, "contact.phone", c.phone.as_deref(), 40),
            email: text(&mut errors, "contact.email", c.email.as_deref(), 254),
            website: text(&mut errors, "contact.website", c.website.as_deref(), 500),
        };
        if contact.phone.as_deref().is_some_and(|p| !is_valid_phone(p)) {
            errors.add("contact.phone", msg!("v-phone"));
        }
        if contact.email.as_deref().is_some_and(|e| !is_plausible(e)) {
            errors.add("contact.email", msg!("error-email-invalid"));
        }
        if contact.website.as_deref().is_some_and(|w| !is_http_url(w)) {
            errors.add("contact.website", msg!("v-url"));
        }

        let mut languages = Vec::new();
        for (i, l) in self.languages.iter().enumerate() {
            let l = l.trim().to_ascii_lowercase();
            if l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()) {
                errors.add(format!("languages[{i}]"), msg!("v-language-code"));
            } else if !languages.contains(&l) {
                languages.push(l);
            }
        }
        if languages.len() > 30 {
            errors.add("languages", msg!("v-max-languages"));
        }

        let hours = match &self.opening_hours {
            Some(h) => validate_hours(&mut errors, "opening_hours", h),
            None => OpeningHours::default(),
        };

        let service = match (kind, &self.service) {
            (ListingKind::MunicipalService, Some(s)) => Some(validate_service(&mut errors, s)),
            (ListingKind::MunicipalService, None) => {
                errors.add("service", msg!("v-service-required"));
                None
            }
            (ListingKind::Business, Some(_)) => {
                errors.add("service", msg!("v-service-only-municipal"));
                None
            }
            (ListingKind::Business, None) => None,
        };

        errors.into_result(ListingData {
            name: LocalizedText {
                de: name_de.unwrap_or_default(),
                en: name_en.unwrap_or_default(),
            },
            description,
            categories,
            tags,
            address,
            district,
            location: self.location,
            contact,
            wheelchair: self.wheelchair,
            languages,
            hours,
            service,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ListingFields {
        ListingFields {
            name: LocalizedInput {
                de: Some("Bäckerei Sonne".into()),
                en: None,
            },
            categories: vec![taxonomy::CATEGORIES[1].key.to_string()],
            ..Default::default()
        }
    }

    fn fields_of(p: Invalid) -> Vec<String> {
        p.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn accepts_a_minimal_business() {
        let d = valid().validate(ListingKind::Business).unwrap();
        assert_eq!(d.name.get("en"), "Bäckerei Sonne");
    }

    #[test]
    fn names_every_bad_field() {
        let mut f = valid();
        f.name.de = Some("x".repeat(201));
        f.categories = vec!["nope".into()];
        f.location = Some(GeoPoint {
            lat: 91.0,
            lng: f64::NAN,
        });
        f.contact = Some(Contact {
            phone: Some("call me".into()),
            email: Some("not-an-email".into()),
            website: Some("javascript:alert(1)".into()),
        });
        f.languages = vec!["deu".into()];
        f.tags = vec!["  ".into()];
        let p = f.validate(ListingKind::Business).unwrap_err();
        assert_eq!(crate::core::error::ErrorCode::status(&p), 422);
        let fields = fields_of(p);
        for expected in [
            "name.de",
            "categories[0]",
            "location.lat",
            "location.lng",
            "contact.phone",
            "contact.email",
            "contact.website",
            "languages[0]",
            "tags[0]",
        ] {
            assert!(
                fields.contains(&expected.to_string()),
                "{expected} missing in {fields:?}"
            );
        }
    }

    #[test]
    fn validates_opening_hours() {
        let mut f = valid();
        let rule = |d, o: &str, c: &str| OpeningRule {
            weekday: d,
            opens: o.into(),
            closes: c.into(),
        };
        f.opening_hours = Some(OpeningHoursInput {
            weekly: vec![
                rule(Weekday::Mo, "09:00", "12:00"),
                rule(Weekday::Mo, "11:00", "13:00"),
                rule(Weekday::Tu, "18:00", "08:00"),
                rule(Weekday::We, "25:00", "26:00"),
            ],
            exceptions: vec![OpeningException {
                date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
                closed: false,
                opens: None,
                closes: None,
                note: None,
            }],
        });
        let fields = fields_of(f.validate(ListingKind::Business).unwrap_err());
        for expected in [
            "opening_hours.weekly[1]",
            "opening_hours.weekly[2].closes",
            "opening_hours.weekly[3].opens",
            "opening_hours.exceptions[0].opens",
        ] {
            assert!(
                fields.contains(&expected.to_string()),
                "{expected} missing in {fields:?}"
            );
        }
    }

    #[test]
    fn service_details_belong_to_municipal_services_only() {
        let fields = fields_of(valid().validate(ListingKind::MunicipalService).unwrap_err());
        assert_eq!(fields, vec!["service"]);
        let mut f = valid();
        f.service = Some(ServiceDetails {
            channels: vec![Channel::Online],
            online_url: Some("ftp://x".into()),
            ..Default::default()
        });
        assert_eq!(
            fields_of(f.clone().validate(ListingKind::Business).unwrap_err()),
            vec!["service"]
        );
        assert_eq!(
            fields_of(f.validate(ListingKind::MunicipalService).unwrap_err()),
            vec!["service.online_url"]
        );
    }

    #[test]
    fn url_rules() {
        assert!(is_http_url("https://example.org/x"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://x.org",
            "example.org",
            "http://",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
