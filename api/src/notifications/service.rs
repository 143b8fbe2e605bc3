//! The notifications' consumer of the outbox and the reminder job (see the module
//! above for what they send).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::business::{compose_business, BusinessFacts, BusinessKind};
use super::mailer::{Mailer, SendError};
use super::message::{self, BookingFacts, Kind, Site};
use crate::core::config::Config;
use crate::core::i18n::I18n;
use crate::core::locale::Locale;
use crate::core::outbox::{Claimed, Deliveries};
use entities::{booking, notification_sent};

/// The consumer name of the notifications in `outbox_deliveries`.
pub const CONSUMER: &str = crate::core::outbox::NOTIFICATIONS;

/// The outbox deliveries of this consumer.
pub const DELIVERIES: Deliveries = Deliveries {
    consumer: CONSUMER,
    batch: 50,
    // Far longer than one SMTP conversation may take (30 s at most).
    lease: Duration::from_secs(300),
};

/// How often the reminder job looks for bookings that are due one (it also looks after
/// a batch of deliveries, at most every [`REMINDER_AFTER_BATCH`], so a booking made
/// inside the window gets its reminder at once).
pub const REMINDER_INTERVAL: Duration = Duration::from_secs(60);

/// How long deliveries may gather after a batch that was not full, before the next
/// claim.
const GATHER: Duration = Duration::from_millis(100);

/// After a batch of deliveries the reminders are looked for again, but not more often
/// than this while deliveries keep coming.
pub const REMINDER_AFTER_BATCH: Duration = Duration::from_secs(1);

/// A reminder claimed but not marked sent after this long belongs to a server that
/// stopped while sending it: it is claimed again.
const STALE_CLAIM: Duration = Duration::from_secs(600);

/// The message an event asks for: its kind, the booking, and until when a seat offered
/// from the waitlist is held.
type Wanted = (Kind, Uuid, Option<DateTime<Utc>>);

/// Everything the notifications need.
#[derive(Clone)]
pub struct Notifier {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub i18n: Arc<I18n>,
    pub site: Site,
    pub default_locale: Locale,
    pub reminder_hours: u32,
}

/// What one batch did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Deliveries handled (sent, left out, refused or failed); the rest of the claim
    /// was given back.
    pub handled: usize,
    /// Whether the mail server failed (the batch ended there).
    pub mail_failed: bool,
}

/// Why handling one delivery (or sending one message) failed.
pub enum Failure {
    Temporary(String),
    Permanent(String),
}

impl From<DbErr> for Failure {
    fn from(e: DbErr) -> Self {
        Failure::Temporary(e.to_string())
    }
}

impl From<SendError> for Failure {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Temporary(m) => Failure::Temporary(m),
            SendError::Permanent(m) => Failure::Permanent(m),
        }
    }
}

impl Notifier {
    /// The server's notifier, with the server's loaded translations.
    pub fn with_i18n(
        db: DatabaseConnection,
        config: &Config,
        i18n: Arc<I18n>,
    ) -> anyhow::Result<Notifier> {
        Notifier::new(db, config, i18n)
    }

    /// A notifier of its own (`city-portal notifier`): the texts are loaded from the
    /// built-in translations and `THEME_DIR`, as the server does.
    pub fn standalone(db: DatabaseConnection, config: &Config) -> anyhow::Result<Notifier> {
        let i18n = I18n::load(config.theme.dir.as_deref())
            .map_err(|e| anyhow::anyhow!("THEME_DIR: translations: {e}"))?;
        Notifier::new(db, config, Arc::new(i18n))
    }

    fn new(db: DatabaseConnection, config: &Config, i18n: Arc<I18n>) -> anyhow::Result<Notifier> {
        Ok(Notifier {
            db,
            mailer: Mailer::from_config(&config.notifications)?,
            i18n,
            site: Site {
                public_url: config.server.public_url.clone(),
                from: config.notifications.smtp_from.clone(),
            },
            default_locale: config.city.default_locale,
            reminder_hours: config.notifications.reminder_hours,
        })
    }

    /// Composes and sends one message about a booking, if it still tells the truth.
    /// Returns whether a message went out.
    async fn notify(
        &self,
        kind: Kind,
        booking_id: Uuid,
        until: Option<DateTime<Utc>>,
    ) -> Result<bool, Failure> {
        let facts = BookingFacts::load(&self.db, booking_id).await?;
        self.notify_with(kind, booking_id, facts.as_ref(), until)
            .await
    }

    /// [`Notifier::notify`] with the booking's facts read already (`None`: it is gone).
    async fn notify_with(
        &self,
        kind: Kind,
        booking_id: Uuid,
        facts: Option<&BookingFacts>,
        until: Option<DateTime<Utc>>,
    ) -> Result<bool, Failure> {
        let Some(facts) = facts else {
            return Ok(false);
        };
        if !kind.still_true(&facts.booking.status) {
            tracing::debug!(kind = kind.as_str(), booking = %booking_id, status = %facts.booking.status,
                "notification left out: the booking changed since");
            return Ok(false);
        }
        let m = message::compose(
            kind,
            facts,
            &self.site,
            &self.i18n,
            self.default_locale,
            until,
        )
        .map_err(Failure::Permanent)?;
        self.mailer.send(&self.site.from, &m).await?;
        Ok(true)
    }

    /// Sends the emails to the business a booking event asks for, once per booking and
    /// kind (a claim in `notifications_sent`, given back when the mail server fails).
    async fn notify_business(&self, c: &Claimed) -> Result<(), Failure> {
        let e = &c.event;
        if e.aggregate_type != "booking" {
            return Ok(());
        }
        let Some(kind) = BusinessKind::for_event(&e.event_type, e.payload["from"].as_str()) else {
            return Ok(());
        };
        let Some(facts) =
            BusinessFacts::load(&self.db, e.aggregate_id, self.default_locale).await?
        else {
            return Ok(());
        };
        if !facts.still_true(kind) || facts.recipients.is_empty() {
            return Ok(());
        }
        if !claim_key_once(&self.db, e.aggregate_id, kind.as_str()).await? {
            return Ok(());
        }
        let sent = async {
            for m in compose_business(kind, &facts, &self.site, &self.i18n) {
                self.mailer
                    .send_text(
                        &self.site.from,
                        &m.recipient.mailbox,
                        &m.subject,
                        &m.text,
                        kind.as_str(),
                        e.aggregate_id,
                    )
                    .await?;
            }
            Ok::<(), Failure>(())
        }
        .await;
        let key = (e.aggregate_id, kind.as_str().to_string());
        if let Err(Failure::Temporary(_)) = &sent {
            notification_sent::Entity::delete_by_id(key)
                .exec(&self.db)
                .await?;
        } else {
            notification_sent::Entity::update_many()
                .col_expr(notification_sent::Column::SentAt, Expr::value(Utc::now()))
                .filter(notification_sent::Column::BookingId.eq(key.0))
                .filter(notification_sent::Column::Kind.eq(key.1))
                .exec(&self.db)
                .await?;
        }
        sent
    }

    /// The email to the resident an application event asks for (the module changed
    /// their case or wrote to them).
    async fn notify_application(&self, c: &Claimed) -> Result<(), Failure> {
        let Some(n) = crate::applications::notify::compose(
            &self.db,
            &self.i18n,
            &self.site.public_url,
            &c.event,
        )
        .await?
        else {
            return Ok(());
        };
        self.mailer
            .send_text(
                &self.site.from,
                &n.to,
                &n.subject,
                &n.text,
                "application",
                n.application_id,
            )
            .await?;
        Ok(())
    }

    /// The booking an event is about, and the message it asks for.
    fn message_for(c: &Claimed) -> Result<Option<Wanted>, Failure> {
        let e = &c.event;
        Ok(match (e.aggregate_type.as_str(), e.event_type.as_str()) {
            ("booking", t) => Kind::for_booking_event(t).map(|kind| (kind, e.aggregate_id, None)),
            ("waitlist", "waitlist.offered") => {
                let booking_id = e.payload["booking_id"]
                    .as_str()
                    .and_then(|s| s.parse::<Uuid>().ok())
                    .ok_or_else(|| {
                        Failure::Permanent("waitlist.offered without a booking_id".into())
                    })?;
                let until = e.payload["offered_until"]
                    .as_str()
                    .and_then(|s| s.parse::<DateTime<Utc>>().ok());
                Some((Kind::WaitlistOffer, booking_id, until))
            }
            _ => None,
        })
    }

    /// Claims and handles one batch of deliveries; returns how many were handled.
    ///
    /// The bookings of the whole batch are read at once, and the handled deliveries are
    /// marked done together at the end: a server that stops in the middle of a batch
    /// sends that batch's messages again when the lease runs out (at least once, as
    /// always), and a busy portal spends a handful of statements per batch instead of
    /// several per message. The batch ends early, giving the rest back due at once,
    /// when the mail server fails (the failed message waits for its retry) or when the
    /// batch has taken half its lease: another server must never claim deliveries that
    /// are still being sent.
    pub async fn process_batch(&self) -> Result<Batch, DbErr> {
        let started = tokio::time::Instant::now();
        let claimed = DELIVERIES.claim(&self.db).await?;
        let wanted: Vec<_> = claimed.iter().map(Self::message_for).collect();
        let booking_ids: Vec<Uuid> = wanted
            .iter()
            .filter_map(|w| match w {
                Ok(Some((_, id, _))) => Some(*id),
                _ => None,
            })
            .collect();
        // One pooled connection for the batch's reads (on SQLite also one snapshot).
        let facts = if booking_ids.is_empty() {
            Default::default()
        } else {
            let read = sea_orm::TransactionTrait::begin(&self.db).await?;
            let facts = BookingFacts::load_many(&read, &booking_ids).await?;
            read.commit().await?;
            facts
        };
        let mut done = Vec::with_capacity(claimed.len());
        let mut handled = 0;
        let mut mail_failed = false;
        for (c, wanted) in claimed.iter().zip(wanted) {
            if mail_failed || started.elapsed() > DELIVERIES.lease / 2 {
                break;
            }
            handled += 1;
            let outcome = match wanted {
                Ok(Some((kind, id, until))) => self
                    .notify_with(kind, id, facts.get(&id), until)
                    .await
                    .map(|_| ()),
                Ok(None) => self.notify_application(c).await,
                Err(e) => Err(e),
            };
            let outcome = match outcome {
                Ok(()) => self.notify_business(c).await,
                e => e,
            };
            match outcome {
                Ok(()) => done.push(c.event.id),
                Err(Failure::Temporary(error)) => {
                    tracing::warn!(event = c.event.id, %error, "notification failed; will retry");
                    DELIVERIES.failed(&self.db, c, &error).await?;
                    mail_failed = true;
                }
                Err(Failure::Permanent(error)) => {
                    // Sending it again cannot succeed: recorded, and done.
                    tracing::warn!(event = c.event.id, %error, "notification refused; not retried");
                    DELIVERIES.failed(&self.db, c, &error).await?;
                    done.push(c.event.id);
                }
            }
        }
        DELIVERIES.done_many(&self.db, &done).await?;
        let unsent: Vec<i32> = claimed[handled..].iter().map(|c| c.event.id).collect();
        DELIVERIES.release(&self.db, &unsent).await?;
        Ok(Batch {
            handled,
            mail_failed,
        })
    }

    /// Sends the reminders that are due: one per confirmed booking starting within
    /// `REMINDER_HOURS`. Returns how many were sent.
    pub async fn send_due_reminders(&self) -> Result<usize, DbErr> {
        let now = Utc::now();
        // Claims of a server that stopped while sending (looked for first: a write
        // for nothing would still disturb SQLite's other writers).
        let stale = notification_sent::Entity::find()
            .filter(notification_sent::Column::SentAt.is_null())
            .filter(notification_sent::Column::ClaimedAt.lt(now - STALE_CLAIM));
        if stale.clone().count(&self.db).await? > 0 {
            notification_sent::Entity::delete_many()
                .filter(notification_sent::Column::SentAt.is_null())
                .filter(notification_sent::Column::ClaimedAt.lt(now - STALE_CLAIM))
                .exec(&self.db)
                .await?;
        }
        let reminded = Query::select()
            .expr(Expr::val(1))
            .from(notification_sent::Entity)
            .and_where(
                Expr::col((
                    notification_sent::Entity,
                    notification_sent::Column::BookingId,
                ))
                .equals((booking::Entity, booking::Column::Id)),
            )
            .and_where(notification_sent::Column::Kind.eq(Kind::Reminder.as_str()))
            .to_owned();
        let due: Vec<Uuid> = booking::Entity::find()
            .select_only()
            .column(booking::Column::Id)
            .filter(booking::Column::Status.eq("confirmed"))
            .filter(booking::Column::StartsAt.gt(now))
            .filter(
                booking::Column::StartsAt
                    .lte(now + chrono::Duration::hours(self.reminder_hours.into())),
            )
            .filter(Expr::exists(reminded).not())
            .order_by_asc(booking::Column::StartsAt)
            .limit(100)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut sent = 0;
        for id in due {
            if !claim_once(&self.db, id, Kind::Reminder).await? {
                continue; // another server has it
            }
            let outcome = self.notify(Kind::Reminder, id, None).await;
            let key = (id, Kind::Reminder.as_str().to_string());
            match outcome {
                Ok(_) | Err(Failure::Permanent(_)) => {
                    if let Err(Failure::Permanent(error)) = &outcome {
                        tracing::warn!(booking = %id, %error, "reminder refused; not retried");
                    }
                    notification_sent::Entity::update_many()
                        .col_expr(notification_sent::Column::SentAt, Expr::value(Utc::now()))
                        .filter(notification_sent::Column::BookingId.eq(key.0))
                        .filter(notification_sent::Column::Kind.eq(key.1))
                        .exec(&self.db)
                        .await?;
                    sent += outcome.as_ref().is_ok_and(|s| *s) as usize;
                }
                Err(Failure::Temporary(error)) => {
                    tracing::warn!(booking = %id, %error, "reminder failed; will retry");
                    notification_sent::Entity::delete_by_id(key)
                        .exec(&self.db)
                        .await?;
                    // The mail server fails: the others wait for the next round rather
                    // than each for its own timeout.
                    break;
                }
            }
        }
        Ok(sent)
    }

    /// Runs until `stop` resolves: handles deliveries as they come (polling every
    /// 500 ms when idle), backing off while the database or the mail server fails, and
    /// sends due reminders.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        let mut failures: i32 = 0;
        let mut next_reminders = tokio::time::Instant::now();
        let mut last_reminders = next_reminders;
        let mut reminders_wanted = false;
        loop {
            // Stopping is looked at between batches too: a backlog runs them back to back.
            tokio::select! {
                biased;
                _ = &mut stop => return,
                _ = std::future::ready(()) => {}
            }
            let handled = match self.process_batch().await {
                Ok(batch) if batch.mail_failed => {
                    // Back off like for the database: one try per pause while the mail
                    // server is away, each failed message waiting for its own retry.
                    failures += 1;
                    0
                }
                Ok(batch) => {
                    failures = 0;
                    batch.handled
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!(error = %e, failures, "notifications: reading the outbox failed");
                    0
                }
            };
            // A booking just handled may start inside the reminder window.
            reminders_wanted |= handled > 0;
            let now = tokio::time::Instant::now();
            if now >= next_reminders
                || (reminders_wanted && now >= last_reminders + REMINDER_AFTER_BATCH)
            {
                reminders_wanted = false;
                if let Err(e) = self.send_due_reminders().await {
                    tracing::warn!(error = %e, "notifications: reminders failed; will retry");
                }
                last_reminders = tokio::time::Instant::now();
                next_reminders = last_reminders + REMINDER_INTERVAL;
            }
            if handled as u64 >= DELIVERIES.batch {
                continue; // a backlog: on at once
            }
            if handled > 0 {
                // Deliveries are trickling in: let them gather for a moment, so that a
                // busy portal claims, reads and marks them done a batch at a time
                // instead of a few per round (an email does not need the millisecond).
                tokio::select! {
                    _ = &mut stop => return,
                    _ = tokio::time::sleep(GATHER) => {}
                }
                continue;
            }
            let pause = if failures > 0 {
                search_indexer::consumer::backoff(failures).min(Duration::from_secs(30))
            } else {
                Duration::from_millis(500)
            };
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// Claims the once-only message `kind` of a booking for this server; `false` when it
/// was claimed (or sent) already. The primary key (booking, kind) decides.
async fn claim_once(db: &DatabaseConnection, booking_id: Uuid, kind: Kind) -> Result<bool, DbErr> {
    claim_key_once(db, booking_id, kind.as_str()).await
}

/// [`claim_once`] for any message key (the business's emails have their own).
async fn claim_key_once(
    db: &DatabaseConnection,
    booking_id: Uuid,
    kind: &str,
) -> Result<bool, DbErr> {
    let inserted = notification_sent::Entity::insert(notification_sent::ActiveModel {
        booking_id: Set(booking_id),
        kind: Set(kind.to_string()),
        claimed_at: Set(Utc::now()),
        sent_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([
            notification_sent::Column::BookingId,
            notification_sent::Column::Kind,
        ])
        .do_nothing()
        .to_owned(),
    )
    .do_nothing()
    .exec_without_returning(db)
    .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(1)))
}

/// Starts the notifications inside the server.
pub fn spawn(
    db: DatabaseConnection,
    config: &Config,
    i18n: Arc<I18n>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let notifier = Notifier::new(db, config, i18n)?;
    Ok(tokio::spawn(notifier.run(std::future::pending())))
}
