//! Interface translations with Fluent (`frontend/locales/<lang>/portal.ftl`), and
//! locale-aware formatting of dates, times and numbers.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::core::locale::Locale;
use crate::core::message::{Arg, Message};

/// The translation files of each language: the interface (`portal`), the trust pages
/// (`trust`) and the errors of each capability (`errors-<capability>`), in this order.
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
    "trust",
    "account",
    "appointments",
    "places",
    "review",
    "oidc",
    "oidcfix",
    "oauth",
    "modules",
    "oauthfix",
    "appforms",
    "reports",
    "applications",
    "module-appointments",
    "limits",
    "errors-common",
    "errors-listings",
    "errors-organizations",
    "errors-accounts",
    "errors-booking",
    "errors-partners",
    "errors-search",
    "errors-places",
    "errors-privacy",
    "errors-notifications",
    "errors-oidc",
    "errors-oauth",
    "errors-modules",
    "errors-appforms",
    "errors-reports",
    "errors-applications",
);

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
        self.t(locale, &m.key, Some(&fluent_args(m)))
    }

    /// A [`Message`] as the API words it, in English: the message's `.detail` or `.api`
    /// attribute when it has one, else its English text.
    pub fn api_text(&self, m: &Message) -> String {
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
    fn counts_take_the_plural_form_of_the_language() {
        let i = I18n::embedded();
        let limit = |v: i64, l: Locale| i.message(l, &crate::msg!("booking-policy-limit", n = v));
        assert_eq!(
            limit(1, Locale::De),
            "Höchstens eine aktive Buchung pro Person."
        );
        assert_eq!(
            limit(2, Locale::De),
            "Höchstens 2 aktive Buchungen pro Person."
        );
        assert_eq!(
            limit(1, Locale::En),
            "At most one active booking per person."
        );
        assert_eq!(
            limit(3, Locale::En),
            "At most 3 active bookings per person."
        );
        let wait =
            |v: i64, l: Locale| i.message(l, &crate::msg!("error-rate-limited", minutes = v));
        assert_eq!(
            wait(1, Locale::En),
            "Too many failed logins. Please wait a minute."
        );
        assert_eq!(
            wait(15, Locale::De),
            "Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie 15 Minuten."
        );
        let soon = |v: i64| i.message(Locale::En, &crate::msg!("v-booking-lead-time", n = v));
        assert_eq!(
            soon(1),
            "This time is too soon: book at least one minute ahead."
        );
        assert_eq!(
            soon(30),
            "This time is too soon: book at least 30 minutes ahead."
        );
    }

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
        // One bundle per language holds every file: an id may appear in one file only.
        for lang in [1, 2] {
            let mut seen = std::collections::HashMap::new();
            for f in FILES {
                let source = if lang == 1 { f.1 } else { f.2 };
                for k in I18n::keys(source) {
                    if let Some(other) = seen.insert(k.clone(), f.0) {
                        panic!("{k} is in both {other}.ftl and {}.ftl", f.0);
                    }
                }
            }
        }
        assert!(I18n::load(None).is_ok());
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
