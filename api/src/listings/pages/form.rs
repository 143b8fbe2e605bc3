//! The listing editor form: raw form fields to [`ListingFields`] (and back), and the
//! validation errors mapped onto the form's own field ids.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::core::error::FieldMessage;
use crate::core::message::Message;
use crate::listings::model::*;
use crate::listings::service::ListingRecord;
use crate::msg;

/// Opening intervals per weekday in the editor.
pub const INTERVALS: usize = 2;
/// Blank exception rows offered besides the existing ones.
pub const BLANK_EXCEPTIONS: usize = 3;

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mo,
    Weekday::Tu,
    Weekday::We,
    Weekday::Th,
    Weekday::Fr,
    Weekday::Sa,
    Weekday::Su,
];

/// Submitted form fields, in order, repeated keys kept (checkboxes).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct FormData(pub Vec<(String, String)>);

/// The listing and offer editors' forms carry their token as the field `csrf`.
impl crate::web::extract::ProtectedForm for FormData {
    fn csrf(&self) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == "csrf")
            .map_or("", |(_, v)| v.as_str())
    }
}

impl FormData {
    pub fn get(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
    pub fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn opt(&self, k: &str) -> Option<String> {
        Some(self.get(k)).filter(|v| !v.is_empty())
    }
    /// The values for re-displaying the form, one per key (checkbox lists joined).
    pub fn values(&self) -> HashMap<String, String> {
        let mut m: HashMap<String, String> = HashMap::new();
        for (k, v) in &self.0 {
            m.entry(k.clone())
                .and_modify(|e| {
                    e.push(',');
                    e.push_str(v);
                })
                .or_insert_with(|| v.clone());
        }
        m
    }
}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn lines(v: &str) -> Vec<String> {
    v.lines()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Where each submitted opening rule and exception came from, to place errors.
#[derive(Default)]
pub struct Rows {
    pub rules: Vec<String>,
    pub exceptions: Vec<String>,
}

/// Turns the form into API fields; type errors (a latitude that is not a number, a
/// date that is not a date) are reported as field errors right away.
pub fn fields_from_form(
    f: &FormData,
    kind: ListingKind,
) -> (ListingFields, Rows, Vec<FieldMessage>) {
    let mut rows = Rows::default();
    let mut errors = Vec::new();
    let mut bad = |field: &str, message: Message| {
        errors.push(FieldMessage {
            field: field.to_string(),
            message,
        })
    };
    let number = |k: &str, bad: &mut dyn FnMut(&str, Message)| -> Option<f64> {
        let v = f.get(k).replace(',', ".");
        if v.is_empty() {
            return None;
        }
        match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                bad(k, msg!("v-number"));
                None
            }
        }
    };
    let lat = number("lat", &mut bad);
    let lng = number("lng", &mut bad);
    let location = match (lat, lng) {
        (Some(lat), Some(lng)) => Some(GeoPoint { lat, lng }),
        (None, None) => None,
        (Some(_), None) if f.get("lng").is_empty() => {
            bad("lng", msg!("v-both-coordinates"));
            None
        }
        (None, Some(_)) if f.get("lat").is_empty() => {
            bad("lat", msg!("v-both-coordinates"));
            None
        }
        _ => None,
    };
    let mut weekly = Vec::new();
    for (d, wd) in WEEKDAYS.iter().enumerate() {
        for n in 0..INTERVALS {
            let id = format!("h{d}_{n}");
            let (o, c) = (
                f.get(&format!("{id}_opens")),
                f.get(&format!("{id}_closes")),
            );
            if o.is_empty() && c.is_empty() {
                continue;
            }
            weekly.push(OpeningRule {
                weekday: *wd,
                opens: o,
                closes: c,
            });
            rows.rules.push(id);
        }
    }
    let mut exceptions = Vec::new();
    for i in 0..200 {
        let id = format!("x{i}");
        let date = f.get(&format!("{id}_date"));
        if !f.0.iter().any(|(k, _)| k.starts_with(&format!("{id}_"))) {
            break;
        }
        if date.is_empty() {
            continue;
        }
        let Ok(date) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") else {
            bad(&format!("{id}_date"), msg!("v-date"));
            continue;
        };
        exceptions.push(OpeningException {
            date,
            closed: !f.get(&format!("{id}_closed")).is_empty(),
            opens: f.opt(&format!("{id}_opens")),
            closes: f.opt(&format!("{id}_closes")),
            note: f.opt(&format!("{id}_note")),
        });
        rows.exceptions.push(id);
    }
    let wheelchair = match f.get("wheelchair").as_str() {
        "yes" => Some(Wheelchair::Yes),
        "limited" => Some(Wheelchair::Limited),
        "no" => Some(Wheelchair::No),
        _ => None,
    };
    let service = (kind == ListingKind::MunicipalService).then(|| ServiceDetails {
        eligibility: LocalizedText {
            de: f.get("eligibility_de"),
            en: f.get("eligibility_en"),
        },
        what_to_bring: LocalizedList {
            de: lines(&f.get("bring_de")),
            en: lines(&f.get("bring_en")),
        },
        fees: LocalizedText {
            de: f.get("fees_de"),
            en: f.get("fees_en"),
        },
        processing_time: LocalizedText {
            de: f.get("processing_de"),
            en: f.get("processing_en"),
        },
        channels: f
            .all("channel")
            .iter()
            .filter_map(|c| serde_json::from_value(serde_json::Value::String(c.clone())).ok())
            .collect(),
        online_url: f.opt("online_url"),
    });
    let categories = [f.get("category_1"), f.get("category_2")]
        .into_iter()
        .filter(|c| !c.is_empty())
        .collect();
    let fields = ListingFields {
        name: LocalizedInput {
            de: f.opt("name_de"),
            en: f.opt("name_en"),
        },
        description: Some(LocalizedInput {
            de: f.opt("description_de"),
            en: f.opt("description_en"),
        }),
        categories,
        tags: list(&f.get("tags")),
        address: Some(Address {
            street: f.opt("street"),
            postcode: f.opt("postcode"),
            city: f.opt("city"),
        }),
        district: f.opt("district"),
        location,
        contact: Some(Contact {
            phone: f.opt("phone"),
            email: f.opt("email"),
            website: f.opt("website"),
        }),
        wheelchair,
        languages: list(&f.get("languages")),
        opening_hours: Some(OpeningHoursInput { weekly, exceptions }),
        service,
    };
    (fields, rows, errors)
}

/// The form id an API field path belongs to.
pub fn form_field(path: &str, rows: &Rows) -> String {
    let index = |p: &str| -> Option<(usize, String)> {
        let open = p.find('[')?;
        let close = p.find(']')?;
        let i = p[open + 1..close].parse().ok()?;
        Some((i, p[close + 1..].trim_start_matches('.').to_string()))
    };
    if let Some(rest) = path.strip_prefix("opening_hours.weekly") {
        if let Some((i, part)) = index(rest) {
            if let Some(id) = rows.rules.get(i) {
                return format!("{id}_{}", if part.is_empty() { "opens" } else { &part });
            }
        }
        return "h0_0_opens".into();
    }
    if let Some(rest) = path.strip_prefix("opening_hours.exceptions") {
        if let Some((i, part)) = index(rest) {
            if let Some(id) = rows.exceptions.get(i) {
                return format!("{id}_{}", if part.is_empty() { "date" } else { &part });
            }
        }
        return "x0_date".into();
    }
    let base = path.split('[').next().unwrap_or(path);
    match base {
        "name" | "name.de" => "name_de",
        "name.en" => "name_en",
        "description.de" => "description_de",
        "description.en" => "description_en",
        "categories" if path.contains("[1]") => "category_2",
        "categories" => "category_1",
        "tags" => "tags",
        "address.street" => "street",
        "address.postcode" => "postcode",
        "address.city" => "city",
        "district" => "district",
        "location.lat" => "lat",
        "location.lng" => "lng",
        "contact.phone" => "phone",
        "contact.email" => "email",
        "contact.website" => "website",
        "languages" => "languages",
        "service.eligibility.de" => "eligibility_de",
        "service.eligibility.en" => "eligibility_en",
        "service.what_to_bring.de" => "bring_de",
        "service.what_to_bring.en" => "bring_en",
        "service.fees.de" => "fees_de",
        "service.fees.en" => "fees_en",
        "service.processing_time.de" => "processing_de",
        "service.processing_time.en" => "processing_en",
        "service.channels" => "channel_in_person",
        "service.online_url" => "online_url",
        "service" => "eligibility_de",
        other => return other.replace('.', "_"),
    }
    .to_string()
}

/// Field errors keyed by form id (the first per id), plus the ordered list for the error
/// summary; `text` words each message in the page's language.
pub fn place_errors(
    errors: &[FieldMessage],
    rows: &Rows,
    text: impl Fn(&Message) -> String,
) -> (HashMap<String, String>, Vec<(String, String)>) {
    let mut by_id = HashMap::new();
    let mut list = Vec::new();
    for e in errors {
        let id = form_field(&e.field, rows);
        let message = text(&e.message);
        list.push((id.clone(), message.clone()));
        by_id.entry(id).or_insert(message);
    }
    (by_id, list)
}

/// The form values of a stored listing.
pub fn form_values(rec: &ListingRecord) -> HashMap<String, String> {
    let api = rec.to_api();
    let mut v = HashMap::new();
    let mut put = |k: &str, val: Option<String>| {
        if let Some(val) = val.filter(|s| !s.is_empty()) {
            v.insert(k.to_string(), val);
        }
    };
    put("name_de", Some(api.name.de.clone()));
    put("name_en", Some(api.name.en.clone()));
    put("description_de", Some(api.description.de.clone()));
    put("description_en", Some(api.description.en.clone()));
    put("category_1", api.categories.first().cloned());
    put("category_2", api.categories.get(1).cloned());
    put("tags", Some(api.tags.join(", ")));
    put("street", api.address.street.clone());
    put("postcode", api.address.postcode.clone());
    put("city", api.address.city.clone());
    put("district", api.district.clone());
    put("lat", api.location.map(|p| p.lat.to_string()));
    put("lng", api.location.map(|p| p.lng.to_string()));
    put("phone", api.contact.phone.clone());
    put("email", api.contact.email.clone());
    put("website", api.contact.website.clone());
    put("wheelchair", api.wheelchair.map(|w| w.as_str().to_string()));
    put("languages", Some(api.languages.join(", ")));
    for d in 0..7u32 {
        let day: Vec<_> = rec
            .hours
            .weekly
            .iter()
            .filter(|r| r.weekday.num_days_from_monday() == d)
            .collect();
        for (n, r) in day.iter().take(INTERVALS).enumerate() {
            put(&format!("h{d}_{n}_opens"), Some(r.opens.to_string()));
            put(&format!("h{d}_{n}_closes"), Some(r.closes.to_string()));
        }
    }
    for (i, e) in rec.hours.exceptions.iter().enumerate() {
        put(&format!("x{i}_date"), Some(e.date.to_string()));
        if e.hours.is_none() {
            put(&format!("x{i}_closed"), Some("1".into()));
        }
        put(&format!("x{i}_opens"), e.hours.map(|h| h.0.to_string()));
        put(&format!("x{i}_closes"), e.hours.map(|h| h.1.to_string()));
        put(&format!("x{i}_note"), e.note.clone());
    }
    if let Some(s) = &api.service {
        put("eligibility_de", Some(s.eligibility.de.clone()));
        put("eligibility_en", Some(s.eligibility.en.clone()));
        put("bring_de", Some(s.what_to_bring.de.join("\n")));
        put("bring_en", Some(s.what_to_bring.en.join("\n")));
        put("fees_de", Some(s.fees.de.clone()));
        put("fees_en", Some(s.fees.en.clone()));
        put("processing_de", Some(s.processing_time.de.clone()));
        put("processing_en", Some(s.processing_time.en.clone()));
        let channels: Vec<String> = s
            .channels
            .iter()
            .filter_map(|c| {
                serde_json::to_value(c)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
            })
            .collect();
        put("channel", Some(channels.join(",")));
        put("online_url", s.online_url.clone());
    }
    v.insert("version".into(), rec.model.version.to_string());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn builds_fields_and_places_errors_on_the_form() {
        let f = form(&[
            ("name_de", "Bäckerei"),
            ("category_1", "food.bakery"),
            ("lat", "60,17"),
            ("lng", "x"),
            ("h0_0_opens", "09:00"),
            ("h0_0_closes", "12:00"),
            ("h2_1_opens", "18:00"),
            ("h2_1_closes", "08:00"),
            ("x0_date", "2026-12-24"),
            ("x0_closed", "1"),
            ("x1_date", ""),
            ("tags", "brot, bread ,"),
        ]);
        let (fields, rows, pre) = fields_from_form(&f, ListingKind::Business);
        assert_eq!(
            pre.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            vec!["lng"]
        );
        assert_eq!(fields.tags, vec!["brot", "bread"]);
        assert_eq!(rows.rules, vec!["h0_0", "h2_1"]);
        assert_eq!(rows.exceptions, vec!["x0"]);
        let p = fields.validate(ListingKind::Business).unwrap_err();
        let (by_id, _) = place_errors(&p.0, &rows, |m| m.key.clone());
        assert_eq!(
            by_id.get("h2_1_closes").map(String::as_str),
            Some("v-closes-after-opens-midnight"),
            "{by_id:?}"
        );
        assert_eq!(pre[0].message, msg!("v-number"));
    }

    #[test]
    fn paths_map_to_form_ids() {
        let rows = Rows {
            rules: vec!["h3_1".into()],
            exceptions: vec!["x2".into()],
        };
        assert_eq!(
            form_field("opening_hours.weekly[0].closes", &rows),
            "h3_1_closes"
        );
        assert_eq!(form_field("opening_hours.weekly[0]", &rows), "h3_1_opens");
        assert_eq!(
            form_field("opening_hours.exceptions[0].opens", &rows),
            "x2_opens"
        );
        assert_eq!(form_field("categories[1]", &rows), "category_2");
        assert_eq!(form_field("contact.website", &rows), "website");
        assert_eq!(form_field("service.what_to_bring.de[3]", &rows), "bring_de");
    }
}
