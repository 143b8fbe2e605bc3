//! The account's emails: the verification link, the password reset link, "someone
//! tried to register with your address", "your address is being changed" and "your
//! password was changed" — plain text in the account's language (else the city's).
//!
//! They are sent from a background task right after the request (a few attempts, then
//! given up), never through the outbox: the outbox persists its payloads, and a
//! verification or reset link is a secret that must not sit in a table in plain text.
//! A lost message costs the resident one more click on "send again"; the request
//! answers the same whether or not a message goes out, and no sooner or later.

use std::sync::Arc;
use std::time::Duration;

use fluent_bundle::{FluentArgs, FluentValue};
use lettre::message::Mailbox;

use crate::core::i18n::I18n;
use crate::core::locale::Locale;
use crate::notifications::mailer::{Letter, Mailer, SendError};

/// What an account email is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// "Confirm your address": a link to `/verify`.
    Verify,
    /// "Set a new password": a link to `/password-reset/confirm`.
    Reset,
    /// Someone registered (or tried to change their address) with this address, which
    /// already has an account: log in or reset the password.
    Taken,
    /// The account's address is being changed to another (masked) one.
    EmailChanging,
    /// The password was changed or reset.
    PasswordChanged,
}

impl Kind {
    /// The word in message keys (`account-mail-<word>-...`) and the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Verify => "verify",
            Kind::Reset => "reset",
            Kind::Taken => "taken",
            Kind::EmailChanging => "email-changing",
            Kind::PasswordChanged => "password-changed",
        }
    }
}

/// Composes and sends the account's emails.
#[derive(Clone)]
pub struct Postman {
    pub mailer: Mailer,
    pub from: Mailbox,
    pub public_url: url::Url,
    pub i18n: Arc<I18n>,
    pub city_name: String,
    pub default_locale: Locale,
}

/// One account email to send.
#[derive(Clone, Debug)]
pub struct Mail {
    pub kind: Kind,
    /// The address it goes to.
    pub to: String,
    pub name: String,
    /// The account's stored language, if any.
    pub locale: Option<String>,
    /// The secret of the link it carries (verify, reset).
    pub secret: Option<String>,
    /// The other address (the new one of an address change), shown masked.
    pub other: Option<String>,
    /// The page of the portal a verification link leads on to once followed (e.g. the
    /// offer being booked when the resident registered); a path of this site.
    pub next: Option<String>,
}

impl Postman {
    /// Whether messages really go out (`SMTP_URL` is set): without, nobody could follow
    /// an emailed link, so addresses are not asked to be verified.
    pub fn delivers(&self) -> bool {
        matches!(self.mailer, Mailer::Smtp(_))
    }

    /// The language of a message: the account's, else the city's.
    pub fn locale(&self, stored: Option<&str>) -> Locale {
        stored
            .and_then(|l| l.parse().ok())
            .unwrap_or(self.default_locale)
    }

    fn link(&self, path: &str) -> String {
        self.public_url
            .join(path)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| path.to_string())
    }

    /// The message: subject and text in the account's language.
    pub fn compose(&self, m: &Mail) -> Result<Letter, String> {
        let locale = self.locale(m.locale.as_deref());
        let k = m.kind.as_str();
        let mut args = FluentArgs::new();
        args.set("name", FluentValue::from(m.name.clone()));
        args.set("city", FluentValue::from(self.city_name.clone()));
        args.set("login", FluentValue::from(self.link("login")));
        args.set("reset", FluentValue::from(self.link("password-reset")));
        args.set("account", FluentValue::from(self.link("account")));
        if let Some(other) = &m.other {
            args.set(
                "other",
                FluentValue::from(crate::notifications::mailer::mask(other)),
            );
        }
        if let Some(secret) = &m.secret {
            let path = match m.kind {
                Kind::Reset => "password-reset/confirm",
                _ => "verify",
            };
            let mut url = self
                .public_url
                .join(path)
                .map_err(|e| format!("the link: {e}"))?;
            url.query_pairs_mut().append_pair("token", secret);
            if let Some(next) = m.next.as_deref().filter(|_| m.kind == Kind::Verify) {
                url.query_pairs_mut().append_pair("next", next);
            }
            args.set("link", FluentValue::from(url.to_string()));
        }
        let t = |key: &str| self.i18n.t(locale, key, Some(&args));
        let text = [
            t("mail-greeting"),
            String::new(),
            t(&format!("account-mail-{k}-text")),
            String::new(),
            t("mail-signature"),
        ]
        .join("\n")
            + "\n";
        // A name with characters an address header cannot carry goes without it.
        let address =
            m.to.parse()
                .map_err(|_| "the address cannot be used".to_string())?;
        Ok(Letter {
            kind: k,
            to: Mailbox::new(Some(m.name.clone()).filter(|n| !n.is_empty()), address),
            subject: t(&format!("account-mail-{k}-subject")),
            text,
        })
    }

    /// Sends the message now, with up to three attempts.
    pub async fn send(&self, m: &Mail) {
        let letter = match self.compose(m) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(kind = m.kind.as_str(), error = %e, "account email not composed");
                return;
            }
        };
        for attempt in 1..=3u32 {
            match self.mailer.send_letter(&self.from, &letter).await {
                Ok(()) => return,
                Err(SendError::Permanent(e)) => {
                    tracing::warn!(kind = letter.kind, error = %e, "account email refused");
                    return;
                }
                Err(SendError::Temporary(e)) => {
                    tracing::warn!(kind = letter.kind, attempt, error = %e, "account email not sent yet");
                    tokio::time::sleep(Duration::from_secs(2u64.pow(attempt))).await;
                }
            }
        }
    }

    /// Sends the messages from a background task: the request does not wait for the
    /// mail server (and answers as soon whether a message goes out or not).
    pub fn send_later(&self, mails: Vec<Mail>) {
        if mails.is_empty() {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            for m in &mails {
                me.send(m).await;
            }
        });
    }
}
