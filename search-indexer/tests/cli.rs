//! The `search-indexer` binary: help, configuration errors, a database without the outbox
//! tables, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_search-indexer");

/// The binary with only the given variables (nothing leaks in from the test run, such
/// as the MEILI_URL that scripts/test exports).
fn indexer(vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear().envs(vars.iter().copied());
    cmd
}

fn run(vars: &[(&str, &str)]) -> Output {
    indexer(vars).output().expect("run search-indexer")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh path for an SQLite file of this test.
fn temp_db(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("search-indexer-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

const MEILI: (&str, &str) = ("MEILI_URL", "http://127.0.0.1:9");
const SECRET_KEY: &str = "key-that-must-never-be-printed";

#[test]
fn help_explains_when_to_run_it() {
    let o = indexer(&[]).arg("--help").output().unwrap();
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "SEARCH_INDEXER=external",
        "PostgreSQL",
        "SQLite",
        "only one",
        "DATABASE_URL",
        "MEILI_URL",
        "MEILI_API_KEY",
        "MEILI_INDEX",
        "CITY_TIMEZONE",
        "does not migrate",
        "SIGTERM",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
}

/// Exit code 2 and exactly one line on stderr that names the variable.
fn assert_config_error(vars: &[(&str, &str)], var: &str) {
    let o = run(vars);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{vars:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{vars:?}: {err}");
    assert!(
        err.starts_with(&format!("invalid configuration: {var}: ")),
        "{vars:?}: {err}"
    );
    assert!(!err.contains(SECRET_KEY), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn missing_or_invalid_configuration_names_the_variable() {
    let db = ("DATABASE_URL", "sqlite://does-not-matter.db");
    let key = ("MEILI_API_KEY", SECRET_KEY);
    assert_config_error(&[MEILI, key], "DATABASE_URL");
    assert_config_error(&[("DATABASE_URL", "  "), MEILI], "DATABASE_URL");
    assert_config_error(
        &[("DATABASE_URL", "mysql://portal:hunter2@db/portal"), MEILI],
        "DATABASE_URL",
    );
    assert_config_error(&[db, key], "MEILI_URL");
    assert_config_error(
        &[db, ("MEILI_URL", "ftp://127.0.0.1:7700"), key],
        "MEILI_URL",
    );
    assert_config_error(&[db, ("MEILI_URL", "127.0.0.1:7700"), key], "MEILI_URL");
    assert_config_error(
        &[db, MEILI, key, ("MEILI_INDEX", "my index")],
        "MEILI_INDEX",
    );
    assert_config_error(
        &[db, MEILI, key, ("MEILI_INDEX", &"x".repeat(65))],
        "MEILI_INDEX",
    );
    assert_config_error(
        &[db, MEILI, key, ("CITY_TIMEZONE", "Mars/Olympus")],
        "CITY_TIMEZONE",
    );
    assert_config_error(&[db, MEILI, key, ("LOG", "info,=x=y")], "LOG");
}

#[test]
fn a_database_without_the_outbox_tables_is_reported() {
    let path = temp_db("unmigrated");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let o = run(&[("DATABASE_URL", &url), MEILI, ("MEILI_API_KEY", SECRET_KEY)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("outbox_deliveries"), "{err}");
    assert!(err.contains("city-portal migrate"), "{err}");
    assert!(!err.contains(SECRET_KEY), "{err}");
}

#[test]
fn a_missing_database_file_is_not_created() {
    let path = temp_db("missing");
    let url = format!("sqlite://{}", path.display());
    let o = run(&[("DATABASE_URL", &url), MEILI]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot connect to the database (sqlite)"));
    assert!(!path.exists());
}

#[cfg(unix)]
#[test]
fn runs_on_a_migrated_database_and_stops_on_sigterm() {
    use migration::MigratorTrait;

    let path = temp_db("migrated");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
        migration::Migrator::up(&db, None).await.unwrap();
        db.close().await.unwrap();
    });

    // Nothing listens on port 9: the consumer keeps retrying Meilisearch until stopped.
    let mut child = indexer(&[
        ("DATABASE_URL", &url),
        MEILI,
        ("MEILI_API_KEY", SECRET_KEY),
        ("LOG", "info"),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let mut log = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !log
        .iter()
        .any(|l: &String| l.contains("search indexer started"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => log.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("no start line within 20 s: {log:#?}");
            }
        }
    }
    let started = log.join("\n");
    assert!(started.contains("index=listings"), "{started}");
    assert!(started.contains("http://127.0.0.1:9"), "{started}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("search-indexer did not stop within 15 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(1)) {
        log.push(line);
    }
    let all = log.join("\n");
    assert_eq!(code, Some(0), "{all}");
    assert!(!all.contains(SECRET_KEY), "{all}");
    assert!(all.contains("shutting down"), "{all}");
}
