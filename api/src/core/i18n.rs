//! Interface translations with Fluent (`frontend/locales/<lang>/portal.ftl`), and
//! locale-aware formatting of dates, times and numbers.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::core::config::Locale;
use crate::core::message::{Arg, Message};

/// The translation files of each language: the interface (`portal`) and the errors of
/// each capability (`errors-<capability>`), in this order.
macro_rules! locale_files {
    ($($name:literal),* $(,)?) => {
        &[$(
            (
                $name,
                include_str!(concat!("../../../frontend/locales/de/", $name, ".ftl")),
                include_str!(concat!("../../../frontend/locales/en/", $name, ".ftl")),
            ),
        )*]
    };
}

/// `(name, German, English)` of every translation file.
pub const FILES: &[(&str, &str, &str)] = locale_files!(
    "portal",
    "errors-common",
    "errors-listings",
    "errors-organizations",
    "errors-accounts",
    "errors-booking",
    "errors-partners",
    "errors-search",
    "errors-privacy",
    "errors-notifications",
);

/// The key of a message that is still an English sentence of the service layer, not yet a
/// code (`text` holds it); see [`I18n::text`].
pub const LEGACY_ENGLISH: &str = "legacy-english";

/// The loaded translations of every supported locale.
pub struct I18n {
    bundles: HashMap<Locale, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("I18n")
    }
}

fn bundle(
    locale: Locale,
    sources: &[&str],
    extra: Option<String>,
) -> Result<FluentBundle<FluentResource>, String> {
    let id: unic_langid::LanguageIdentifier =
        locale.as_str().parse().map_err(|e| format!("{e:?}"))?;
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would end up inside HTML attributes and URLs.
    b.set_use_isolating(false);
    for source in sources {
        let res = FluentResource::try_new(source.to_string())
            .map_err(|(_, errs)| format!("{}: {errs:?}", locale.as_str()))?;
        b.add_resource(res)
            .map_err(|e| format!("{}: {e:?}", locale.as_str()))?;
    }
    if let Some(extra) = extra {
        let res = FluentResource::try_new(extra)
            .map_err(|(_, errs)| format!("theme {}: {errs:?}", locale.as_str()))?;
        b.add_resource_overriding(res);
    }
    Ok(b)
}

impl I18n {
    /// The embedded translations, with a theme's `locales/<lang>/portal.ftl` overriding
    /// single messages when a theme folder is given.
    pub fn load(theme_dir: Option<&std::path::Path>) -> Result<I18n, String> {
        let extra = |l: &str| {
            theme_dir.and_then(|d| {
                std::fs::read_to_string(d.join("locales").join(l).join("portal.ftl")).ok()
            })
        };
        let mut bundles = HashMap::new();
        let de: Vec<&str> = FILES.iter().map(|f| f.1).collect();
        let en: Vec<&str> = FILES.iter().map(|f| f.2).collect();
        bundles.insert(Locale::De, bundle(Locale::De, &de, extra("de"))?);
        bundles.insert(Locale::En, bundle(Locale::En, &en, extra("en"))?);
        Ok(I18n { bundles })
    }

    /// The built-in translations without a theme: what the API's English texts come from.
    pub fn embedded() -> &'static I18n {
        static EMBEDDED: std::sync::OnceLock<I18n> = std::sync::OnceLock::new();
        EMBEDDED.get_or_init(|| I18n::load(None).expect("the built-in translations parse"))
    }

    /// A [`Message`] in `locale` (else in the other language, else its key).
    pub fn message(&self, locale: Locale, m: &Message) -> String {
        if m.key == LEGACY_ENGLISH {
            return self.text(locale, &legacy_text(m));
        }
        self.t(locale, &m.key, Some(&fluent_args(m)))
    }

    /// A [`Message`] as the API words it, in English: the message's `.detail` or `.api`
    /// attribute when it has one, else its English text.
    pub fn api_text(&self, m: &Message) -> String {
        if m.key == LEGACY_ENGLISH {
            return legacy_text(m);
        }
        let b = &self.bundles[&Locale::En];
        let args = fluent_args(m);
        if let Some(msg) = b.get_message(&m.key) {
            let pattern = msg
                .get_attribute("detail")
                .or_else(|| msg.get_attribute("api"))
                .map(|a| a.value())
                .or_else(|| msg.value());
            if let Some(pattern) = pattern {
                let mut errors = vec![];
                return b
                    .format_pattern(pattern, Some(&args), &mut errors)
                    .into_owned();
            }
        }
        m.key.clone()
    }

    /// The English `.title` attribute of `key`, if it has one.
    pub fn api_title(&self, key: &str) -> Option<String> {
        let b = &self.bundles[&Locale::En];
        let attr = b.get_message(key)?.get_attribute("title")?;
        let mut errors = vec![];
        Some(
            b.format_pattern(attr.value(), None, &mut errors)
                .into_owned(),
        )
    }

    /// The message `key` in `locale`, else in the other language, else the key itself.
    pub fn t(&self, locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
        let other = if locale == Locale::De {
            Locale::En
        } else {
            Locale::De
        };
        for l in [locale, other] {
            let b = &self.bundles[&l];
            if let Some(pattern) = b.get_message(key).and_then(|m| m.value()) {
                let mut errors = vec![];
                return b.format_pattern(pattern, args, &mut errors).into_owned();
            }
        }
        key.to_string()
    }

    /// Whether `locale` has the message `key`.
    pub fn has(&self, locale: Locale, key: &str) -> bool {
        self.bundles[&locale].has_message(key)
    }

    /// An English text of the service layer (a field's validation message, a problem's
    /// detail) in `locale`, or the text itself when it is not one
    /// of [`CATALOGUE`]. The API keeps answering in English; pages use this.
    pub fn text(&self, locale: Locale, english: &str) -> String {
        match lookup(english) {
            Some((key, values)) => {
                let mut args = FluentArgs::new();
                for (name, value) in values {
                    match value.parse::<i64>() {
                        Ok(n) => args.set(name, FluentValue::from(n)),
                        Err(_) => args.set(name, FluentValue::from(value)),
                    }
                }
                self.t(locale, key, Some(&args))
            }
            None => english.to_string(),
        }
    }

    /// Every message key of a locale (to check both languages are complete).
    pub fn keys(source: &str) -> Vec<String> {
        FluentResource::try_new(source.to_string())
            .map(|r| {
                r.entries()
                    .filter_map(|e| match e {
                        fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The English texts the service layer writes (patterns: `{name}` stands for a value,
/// handed to the message as `$name`) and the message that says the same in the page's
/// language. Field messages and problem details.
pub const CATALOGUE: &[(&str, &str)] = &[
    // Listings (validation of every field). A pattern comes after the texts it would
    // also match.
    ("must be at most 256 characters", "v-password-max"),
    ("must be at most {max} characters", "v-max-chars"),
    ("must not contain control characters", "v-control-chars"),
    ("must be a time HH:MM between 00:00 and 24:00", "v-time"),
    ("at most 28 rules", "v-max-rules"),
    ("at most 400 exceptions", "v-max-exceptions"),
    (
        "must be after opens (use two rules for hours past midnight)",
        "v-closes-after-opens-midnight",
    ),
    ("must be after opens", "v-closes-after-opens"),
    ("overlaps another rule of the same day", "v-overlap"),
    (
        "another exception has the same date",
        "v-exception-same-date",
    ),
    (
        "opens and closes are required unless closed is true",
        "v-exception-times",
    ),
    ("at most 30 items", "v-max-items"),
    ("must not be empty", "v-not-empty"),
    ("must be an http or https URL", "v-url"),
    ("give a name in German or English", "v-name-required"),
    ("at most 5 categories", "v-max-categories"),
    ("unknown category '{c}'", "v-unknown-category"),
    ("at most 20 tags", "v-max-tags"),
    ("only letters, digits, spaces and hyphens", "v-tag-chars"),
    ("must be between -90 and 90", "v-lat-range"),
    ("must be between -180 and 180", "v-lng-range"),
    (
        "must be a phone number (digits, spaces, + - / ( ))",
        "v-phone",
    ),
    ("must be an email address", "error-email-invalid"),
    ("must be a two-letter ISO 639-1 code", "v-language-code"),
    ("at most 30 languages", "v-max-languages"),
    (
        "only municipal services have service details",
        "v-service-only-municipal",
    ),
    ("name at least one channel", "v-channel-required"),
    (
        "municipal services describe eligibility, what to bring, fees and channels",
        "v-service-required",
    ),
    ("choose at least one category", "v-category-required"),
    (
        "choose a category before publishing",
        "v-category-before-publish",
    ),
    (
        "a business listing belongs to an organization you are a member of",
        "v-organization-required",
    ),
    ("must be a department of the city", "v-department"),
    // The listing editor's own checks.
    ("must be a number", "v-number"),
    ("give both latitude and longitude", "v-both-coordinates"),
    ("must be a date YYYY-MM-DD", "v-date"),
    // Accounts and organizations.
    ("must be at least 10 characters", "error-password-length"),
    (
        "must be 1-120 characters without control characters",
        "error-display-name",
    ),
    ("the password is wrong", "error-password-wrong"),
    ("must be 2-200 characters", "v-organization-name"),
    (
        "no account has this email; ask them to register first",
        "v-member-unknown",
    ),
    ("This account is already a member.", "v-member-exists"),
    // Problem details.
    ("No such {what}.", "p-no-such"),
    ("Only owners add members.", "p-owners-add-members"),
    (
        "Only owners remove other members.",
        "p-owners-remove-members",
    ),
    ("An organization needs at least one owner.", "p-last-owner"),
    ("You are not a member of this organization.", "p-not-member"),
    (
        "Only city staff create municipal services.",
        "p-staff-create-services",
    ),
    (
        "Only city admins create departments and module operators.",
        "p-admins-create-departments",
    ),
    ("Only city staff suspend listings.", "p-staff-suspend"),
    ("Only city staff restore listings.", "p-staff-restore"),
    (
        "A suspended listing can only be restored by city staff.",
        "p-suspended-restore",
    ),
    (
        "Only a suspended listing can be restored.",
        "p-not-suspended",
    ),
    ("You may not change this listing.", "p-may-not-change"),
    ("You may not delete this listing.", "p-may-not-delete"),
];

/// The catalogue entry `text` is an instance of: its message key and the values of the
/// pattern's `{name}`s.
pub fn lookup(text: &str) -> Option<(&'static str, Vec<(String, String)>)> {
    CATALOGUE
        .iter()
        .find_map(|(pattern, key)| matches(pattern, text).map(|values| (*key, values)))
}

/// Matches `text` against a pattern of literal parts and `{name}`s (each `{name}` takes
/// at least one character, up to the next literal part).
fn matches(pattern: &str, text: &str) -> Option<Vec<(String, String)>> {
    let mut values = Vec::new();
    let (mut p, mut t) = (pattern, text);
    loop {
        match p.find('{') {
            None => return (p == t).then_some(values),
            Some(open) => {
                t = t.strip_prefix(&p[..open])?;
                let close = open + p[open..].find('}')?;
                let name = &p[open + 1..close];
                p = &p[close + 1..];
                let literal_end = p.find('{').unwrap_or(p.len());
                let next = &p[..literal_end];
                let end = if next.is_empty() {
                    t.len()
                } else if literal_end == p.len() {
                    // The rest of the pattern is literal: it must end the text.
                    t.len()
                        .checked_sub(next.len())
                        .filter(|&e| t[e..] == *next)?
                } else {
                    t.find(next)?
                };
                if end == 0 {
                    return None;
                }
                values.push((name.to_string(), t[..end].to_string()));
                t = &t[end..];
            }
        }
    }
}

/// Builds Fluent arguments from template keyword arguments.
pub fn args_from(kwargs: &[(String, minijinja::Value)]) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    for (k, v) in kwargs {
        if let Some(n) = v.as_i64() {
            args.set(k.clone(), FluentValue::from(n));
        } else {
            args.set(k.clone(), FluentValue::from(v.to_string()));
        }
    }
    args
}

/// A date the way the locale writes it: "24.12.2026" or "24 Dec 2026".
pub fn format_date(locale: Locale, d: chrono::NaiveDate) -> String {
    match locale {
        Locale::De => d.format("%d.%m.%Y").to_string(),
        Locale::En => d.format("%-d %b %Y").to_string(),
    }
}

/// A whole number with the locale's thousands separator: "1.429" or "1,429".
pub fn format_count(locale: Locale, n: u64) -> String {
    let sep = if locale == Locale::De { '.' } else { ',' };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A distance: "850 m" or "1,2 km" / "1.2 km".
pub fn format_distance(locale: Locale, metres: f64) -> String {
    if metres < 1000.0 {
        format!("{} m", (metres / 10.0).round() * 10.0)
    } else {
        let km = format!("{:.1}", metres / 1000.0);
        let km = if locale == Locale::De {
            km.replace('.', ",")
        } else {
            km
        };
        format!("{km} km")
    }
}

/// A legacy English sentence carried in a [`Message`] (see [`LEGACY_ENGLISH`]).
pub fn legacy(text: impl Into<String>) -> Message {
    Message::new(LEGACY_ENGLISH).arg("text", text.into())
}

fn legacy_text(m: &Message) -> String {
    m.args
        .get("text")
        .map(|a| a.to_string())
        .unwrap_or_default()
}

fn fluent_args(m: &Message) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    for (name, value) in &m.args {
        match value {
            Arg::Int(n) => args.set(name.clone(), FluentValue::from(*n)),
            Arg::Text(t) => args.set(name.clone(), FluentValue::from(t.clone())),
        }
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_message() {
        for (name, de, en) in FILES {
            let (de, en) = (I18n::keys(de), I18n::keys(en));
            let missing_en: Vec<_> = de.iter().filter(|k| !en.contains(k)).collect();
            let missing_de: Vec<_> = en.iter().filter(|k| !de.contains(k)).collect();
            assert!(
                missing_en.is_empty(),
                "{name}: missing in en: {missing_en:?}"
            );
            assert!(
                missing_de.is_empty(),
                "{name}: missing in de: {missing_de:?}"
            );
        }
        assert!(I18n::keys(FILES[0].1).len() > 50);
    }

    #[test]
    fn messages_render_by_key_in_each_language_and_as_the_api_words_them() {
        let i = I18n::load(None).unwrap();
        let m = crate::msg!("v-max-chars", max = 4000);
        assert_eq!(i.api_text(&m), "must be at most 4000 characters");
        assert_eq!(i.message(Locale::En, &m), "Use at most 4000 characters.");
        assert_eq!(i.message(Locale::De, &m), "Bitte höchstens 4000 Zeichen.");
        let nf = crate::msg!("problem-not-found", what = "booking");
        assert_eq!(i.api_text(&nf), "No such booking.");
        // A sentence not converted yet passes through to the API as it is.
        let old = legacy("must be 1-100 characters");
        assert_eq!(i.api_text(&old), "must be 1-100 characters");
        assert_eq!(i.api_title("problem-not-found"), None);
    }

    #[test]
    fn translates_with_arguments_and_falls_back() {
        let i = I18n::load(None).unwrap();
        let mut args = FluentArgs::new();
        args.set("count", 3);
        assert_eq!(i.t(Locale::En, "results-count", Some(&args)), "3 results");
        assert_eq!(
            i.t(Locale::De, "results-count", Some(&args)),
            "3 Ergebnisse"
        );
        args.set("count", 1);
        assert_eq!(i.t(Locale::En, "results-count", Some(&args)), "1 result");
        assert_eq!(i.t(Locale::De, "no-such-message", None), "no-such-message");
    }

    #[test]
    fn service_texts_are_translated_with_their_values() {
        let i = I18n::load(None).unwrap();
        assert_eq!(
            i.text(Locale::De, "must be at most 200 characters"),
            "Bitte höchstens 200 Zeichen."
        );
        assert_eq!(
            i.text(Locale::En, "must be at most 200 characters"),
            "Use at most 200 characters."
        );
        assert_eq!(
            i.text(Locale::De, "unknown category 'food.x'"),
            "Unbekannte Kategorie „food.x“."
        );
        assert_eq!(
            i.text(Locale::De, "must be after opens"),
            "Die Schließzeit muss nach der Öffnungszeit liegen."
        );
        assert!(i
            .text(
                Locale::De,
                "must be after opens (use two rules for hours past midnight)"
            )
            .contains("Mitternacht"));
        // Unknown texts stay as they are.
        assert_eq!(i.text(Locale::De, "something new"), "something new");
        assert_eq!(matches("a {x} b", "a  b"), None);
        assert_eq!(
            matches("{x}.", "No."),
            Some(vec![("x".to_string(), "No".to_string())])
        );
    }

    #[test]
    fn formats_per_locale() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        assert_eq!(format_date(Locale::De, d), "24.12.2026");
        assert_eq!(format_date(Locale::En, d), "24 Dec 2026");
        assert_eq!(format_count(Locale::De, 1429), "1.429");
        assert_eq!(format_count(Locale::En, 1234567), "1,234,567");
        assert_eq!(format_count(Locale::En, 12), "12");
        assert_eq!(format_distance(Locale::De, 1234.0), "1,2 km");
        assert_eq!(format_distance(Locale::En, 845.0), "850 m");
    }
}
