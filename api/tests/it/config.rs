//! The binary's command line and configuration errors.

use std::process::Command;

fn portal() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_city-portal"));
    for var in [
        "BIND_ADDR",
        "DATABASE_URL",
        "REDIS_URL",
        "MEILI_URL",
        "MEILI_API_KEY",
        "PUBLIC_URL",
        "CITY_NAME",
        "CITY_TIMEZONE",
        "DEFAULT_LOCALE",
        "CONFIG_FILE",
    ] {
        c.env_remove(var);
    }
    c
}

#[test]
fn invalid_configuration_stops_with_one_line_naming_the_variable() {
    let out = portal()
        .args(["migrate"])
        .env("CITY_TIMEZONE", "Mars/Olympus_Mons")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("invalid configuration: CITY_TIMEZONE:"),
        "{stderr}"
    );

    let out = portal()
        .args(["serve"])
        .env("DATABASE_URL", "mysql://portal:hunter2@db/portal")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("invalid configuration: DATABASE_URL:"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "secrets never print");
}

#[test]
fn help_names_every_subcommand() {
    let out = portal().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for sub in ["serve", "migrate", "import-osm", "openapi", "create-admin"] {
        assert!(help.contains(sub), "{sub} missing from --help");
        let sub_help = portal().args([sub, "--help"]).output().unwrap();
        assert!(sub_help.status.success(), "{sub} --help");
        assert!(String::from_utf8(sub_help.stdout).unwrap().lines().count() > 2);
    }
}

#[test]
fn create_admin_and_import_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    let out = portal()
        .args(["create-admin", "chief@city.example"])
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(!out.status.success(), "no account and no ADMIN_PASSWORD");
    assert!(String::from_utf8_lossy(&out.stderr).contains("ADMIN_PASSWORD"));
    let out = portal()
        .args(["create-admin", "chief@city.example"])
        .env("DATABASE_URL", &db)
        .env("ADMIN_PASSWORD", "a long admin password")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("city admin"));

    let pbf = concat!(env!("CARGO_MANIFEST_DIR"), "/../demo/helsinki.osm.pbf");
    let out = portal()
        .args(["import-osm", pbf])
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(
        summary.starts_with("imported 1429 points of interest: 1429 created"),
        "{summary}"
    );
    let again = portal()
        .args(["import-osm", pbf])
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    let summary = String::from_utf8(again.stdout).unwrap();
    assert!(
        summary.contains("0 created, 0 updated, 1429 unchanged"),
        "{summary}"
    );
}

#[test]
fn an_empty_config_file_variable_counts_as_unset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "CITY_TIMEZONE=Mars/From_Dot_Env\n").unwrap();
    std::fs::write(
        dir.path().join("portal.env"),
        "CITY_TIMEZONE=Mars/From_Config_File\n",
    )
    .unwrap();
    // Empty (or blank): the .env of the working directory is read, as when unset.
    for empty in ["", "  "] {
        let out = portal()
            .current_dir(dir.path())
            .env("CONFIG_FILE", empty)
            .arg("migrate")
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with("invalid configuration: CITY_TIMEZONE:")
                && stderr.contains("From_Dot_Env"),
            "{stderr}"
        );
    }
    // Set: that file is read instead.
    let out = portal()
        .current_dir(dir.path())
        .env("CONFIG_FILE", "portal.env")
        .arg("migrate")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("From_Config_File"), "{stderr}");
}

/// The configured time zone decides: a city stored under another one follows it at the
/// next start.
async fn city_follows_the_configured_time_zone(backend: crate::helpers::Backend) {
    use crate::helpers::*;
    use sea_orm::EntityTrait;
    let Some(first) = spawn(backend).await else {
        return;
    };
    let stored = || async {
        entities::city::Entity::find()
            .one(&first.state.db)
            .await
            .unwrap()
            .unwrap()
            .timezone
    };
    assert_eq!(stored().await, "Europe/Berlin");
    let second = spawn_with(
        backend,
        Opts {
            database_url: Some(first.database_url.clone()),
            env: vec![("CITY_TIMEZONE", "Europe/Helsinki".into())],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(second.state.city.timezone, chrono_tz::Europe::Helsinki);
    assert_eq!(stored().await, "Europe/Helsinki");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn city_follows_the_configured_time_zone_on_sqlite() {
    city_follows_the_configured_time_zone(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn city_follows_the_configured_time_zone_on_postgres() {
    city_follows_the_configured_time_zone(crate::helpers::Backend::Postgres).await;
}

/// `city-portal notifier` does not migrate: on a database without the tables it stops
/// with one line saying what to run.
#[test]
fn the_notifier_needs_a_migrated_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = portal()
        .args(["notifier"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/empty.db?mode=rwc", dir.path().display()),
        )
        .env("LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("migration(s): run `city-portal migrate` or start a server first"),
        "{stderr}"
    );
}

/// `serve --no-migrate` on a database that lacks migrations exits non-zero with one
/// clear line; `migrate` then applies them.
#[test]
fn serve_without_migrating_stops_on_a_database_behind() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
    let out = portal()
        .args(["serve", "--no-migrate"])
        .env("DATABASE_URL", &url)
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("DEMO_DATA", "false")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("lacks") && stderr.contains("run `city-portal migrate` first"),
        "{stderr}"
    );
    let out = portal()
        .args(["migrate"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("migrations applied"));
}
