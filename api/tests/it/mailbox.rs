//! The test SMTP server that `scripts/test` starts (Debian's aiosmtpd, `TEST_SMTP_PORT`,
//! writing every message into the Maildir `TEST_SMTP_MAILDIR`): where it is, and what it
//! received for one recipient.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mail_parser::{Message, MessageParser};

/// The test SMTP server: its URL and its Maildir; `None` (with one printed line) when
/// `scripts/test` did not start one.
pub fn live_smtp() -> Option<(String, PathBuf)> {
    match (
        std::env::var("TEST_SMTP_PORT"),
        std::env::var("TEST_SMTP_MAILDIR"),
    ) {
        (Ok(port), Ok(dir)) if !port.is_empty() => {
            Some((format!("smtp://127.0.0.1:{port}"), dir.into()))
        }
        _ if std::env::var("REQUIRE_ALL_BACKENDS").is_ok_and(|v| v == "1") => {
            panic!("TEST_SMTP_PORT is not set but REQUIRE_ALL_BACKENDS=1")
        }
        _ => {
            println!(
                "skipped: TEST_SMTP_PORT is not set (run scripts/test to start an SMTP server)"
            );
            None
        }
    }
}

/// The messages received for `to` (their envelope recipient), oldest first, as `read`
/// takes them (`None` leaves one out).
pub fn received<T>(maildir: &Path, to: &str, read: impl Fn(&Message<'_>) -> Option<T>) -> Vec<T> {
    let mut files: Vec<_> = std::fs::read_dir(maildir.join("new"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .iter()
        .filter_map(|f| std::fs::read(f).ok())
        .filter_map(|raw| {
            let m = MessageParser::default().parse(&raw)?;
            if !m.header_raw("X-RcptTo").unwrap_or_default().contains(to) {
                return None;
            }
            read(&m)
        })
        .collect()
}

/// Waits (at most 20 s) until `count` messages for `to` arrived, and returns them.
pub async fn wait_for<T: std::fmt::Debug>(
    maildir: &Path,
    to: &str,
    count: usize,
    read: impl Fn(&Message<'_>) -> Option<T>,
) -> Vec<T> {
    for _ in 0..200 {
        let got = received(maildir, to, &read);
        if got.len() >= count {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "expected {count} messages for {to}, got {:?}",
        received(maildir, to, &read)
    );
}
