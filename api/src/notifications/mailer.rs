//! Sending: SMTP with `lettre` when `SMTP_URL` is set, else one log line per message.

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::message::Outgoing;
use crate::core::config::NotificationsConfig;

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (the server is down, busy, or answered 4xx).
    #[error("{0}")]
    Temporary(String),
    /// Trying again cannot help (the server refused the recipient or the message: 5xx).
    #[error("{0}")]
    Permanent(String),
}

/// Where messages go.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No `SMTP_URL`: each message becomes one line of the log.
    Log,
}

impl Mailer {
    pub fn from_config(config: &NotificationsConfig) -> anyhow::Result<Mailer> {
        let Some(url) = &config.smtp_url else {
            return Ok(Mailer::Log);
        };
        // lettre's errors do not repeat the URL (it may hold a password).
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Mailer::Smtp(transport))
    }

    /// Sends one message from `from`.
    pub async fn send(&self, from: &Mailbox, m: &Outgoing) -> Result<(), SendError> {
        match self {
            Mailer::Log => {
                tracing::info!(
                    target: "city_portal::notifications",
                    kind = m.kind.as_str(),
                    booking = %m.booking_id,
                    to = %mask(m.to.email.as_ref()),
                    subject = %m.subject,
                    ics_method = m.method.as_str(),
                    ics_bytes = m.ics.len(),
                    "notification (SMTP_URL not set: logged, not sent)"
                );
                Ok(())
            }
            Mailer::Smtp(transport) => {
                let sent = match build(from, m) {
                    Ok(email) => deliver(transport, email).await,
                    Err(e) => Err(SendError::Permanent(e)),
                };
                counted(m.kind.as_str(), sent)
            }
        }
    }
}

/// A message of plain text alone (the account's emails: verification, password reset).
#[derive(Clone, Debug)]
pub struct Letter {
    /// What it is, for the log (`verify`, `reset`, ...); never its content.
    pub kind: &'static str,
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
}

impl Mailer {
    /// Sends one plain-text message from `from`. Without `SMTP_URL` the log says that a
    /// message of this kind was not sent, and to whom (masked): never its text, which
    /// may hold a single-use link.
    pub async fn send_letter(&self, from: &Mailbox, m: &Letter) -> Result<(), SendError> {
        self.send_plain(from, &m.to, &m.subject, &m.text, m.kind, None)
            .await
    }

    /// Sends a plain-text message without a calendar file (the emails to a business);
    /// `kind` and `booking` name it in the log, never the recipient or the text.
    pub async fn send_text(
        &self,
        from: &Mailbox,
        to: &Mailbox,
        subject: &str,
        text: &str,
        kind: &str,
        booking: uuid::Uuid,
    ) -> Result<(), SendError> {
        self.send_plain(from, to, subject, text, kind, Some(booking))
            .await
    }

    async fn send_plain(
        &self,
        from: &Mailbox,
        to: &Mailbox,
        subject: &str,
        text: &str,
        kind: &str,
        booking: Option<uuid::Uuid>,
    ) -> Result<(), SendError> {
        match self {
            Mailer::Log => {
                match booking {
                    Some(booking) => tracing::info!(
                        target: "city_portal::notifications",
                        kind,
                        booking = %booking,
                        to = %mask(to.email.as_ref()),
                        "notification (SMTP_URL not set: logged, not sent)"
                    ),
                    None => tracing::info!(
                        target: "city_portal::notifications",
                        kind,
                        to = %mask(to.email.as_ref()),
                        "account email (SMTP_URL not set: not sent)"
                    ),
                }
                Ok(())
            }
            Mailer::Smtp(transport) => {
                let sent = match Message::builder()
                    .from(from.clone())
                    .to(to.clone())
                    .subject(subject)
                    .singlepart(SinglePart::plain(text.to_string()))
                {
                    Ok(email) => deliver(transport, email).await,
                    Err(e) => Err(SendError::Permanent(e.to_string())),
                };
                counted(kind, sent)
            }
        }
    }
}

/// Hands a message to the mail server.
async fn deliver(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    email: Message,
) -> Result<(), SendError> {
    match transport.send(email).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
        Err(e) => Err(SendError::Temporary(e.to_string())),
    }
}

/// Counts a message of `kind` sent, or not taken by the mail server (the metrics).
fn counted(kind: &str, sent: Result<(), SendError>) -> Result<(), SendError> {
    crate::core::metrics::mail(
        kind,
        match &sent {
            Ok(()) => None,
            Err(SendError::Temporary(_)) => Some("temporary"),
            Err(SendError::Permanent(_)) => Some("permanent"),
        },
    );
    sent
}

/// The email: the text, and the booking as `booking.ics` (a `text/calendar` part whose
/// `method` matches the calendar's, as calendar clients expect; in base64, so that its
/// CRLF line ends arrive as written whatever the mail servers on the way do to lines).
pub fn build(from: &Mailbox, m: &Outgoing) -> Result<Message, String> {
    let calendar = ContentType::parse(&format!(
        "text/calendar; charset=utf-8; method={}",
        m.method.as_str()
    ))
    .map_err(|e| e.to_string())?;
    let ics = Body::new_with_encoding(m.ics.clone(), ContentTransferEncoding::Base64)
        .map_err(|_| "the calendar cannot be encoded".to_string())?;
    Message::builder()
        .from(from.clone())
        .to(m.to.clone())
        .subject(m.subject.clone())
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(m.text.clone()))
                .singlepart(Attachment::new("booking.ics".into()).body(ics, calendar)),
        )
        .map_err(|e| e.to_string())
}

/// An address as the log may show it: `r***@example.org`.
pub fn mask(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_local_part() {
        assert_eq!(mask("rosa.resident@example.org"), "r***@example.org");
        assert_eq!(mask("nonsense"), "***");
    }
}
