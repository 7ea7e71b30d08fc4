//! The `borgermode` binary's subcommands, run as a process (`CARGO_BIN_EXE_borgermode`):
//! `--help` for each, `migrate` on SQLite and PostgreSQL, `healthcheck` against a running
//! server and against nothing.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::cluster::{free_port, ADMIN_TOKEN};
use crate::common::pg::TestDb;
use sqlx::Connection;

fn borgermode(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_borgermode"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "0");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run borgermode")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn every_subcommand_has_help() {
    let top = borgermode(&["--help"], &[]);
    assert!(top.status.success());
    for sub in [
        "serve",
        "admin-token",
        "migrate",
        "healthcheck",
        "export",
        "audit",
    ] {
        assert!(
            text(&top).contains(sub),
            "top-level help lists {sub}:\n{}",
            text(&top)
        );
        let help = borgermode(&[sub, "--help"], &[]);
        assert!(help.status.success(), "{sub} --help: {}", text(&help));
        assert!(
            text(&help).contains(&format!("Usage: borgermode {sub}")),
            "{sub} --help:\n{}",
            text(&help)
        );
    }
    let hc = text(&borgermode(&["healthcheck", "--help"], &[]));
    assert!(
        hc.contains("--ready") && hc.contains("--timeout-ms"),
        "{hc}"
    );
    let unknown = borgermode(&["frobnicate"], &[]);
    assert!(!unknown.status.success());
}

#[test]
fn migrate_creates_the_sqlite_schema_and_exits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fresh.db");
    let url = format!("sqlite:{}", path.display());
    let out = borgermode(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(out.status.success(), "migrate: {}", text(&out));
    assert!(text(&out).contains("up to date (sqlite)"), "{}", text(&out));
    assert!(path.exists(), "the database file was created");
    // Twice is fine (nothing left to apply).
    let again = borgermode(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(again.status.success(), "second migrate: {}", text(&again));
}

#[tokio::test]
async fn migrate_creates_the_postgres_schema_and_exits() {
    let db = TestDb::fresh().await;
    let url = db.url.clone();
    let out =
        tokio::task::spawn_blocking(move || borgermode(&["migrate"], &[("DATABASE_URL", &url)]))
            .await
            .expect("join");
    assert!(out.status.success(), "migrate: {}", text(&out));
    assert!(
        text(&out).contains("up to date (postgres)"),
        "{}",
        text(&out)
    );
    let mut conn = sqlx::postgres::PgConnection::connect(&db.url)
        .await
        .expect("connect");
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('meetings', 'events')",
    )
    .fetch_one(&mut conn)
    .await
    .expect("tables");
    assert_eq!(tables, 2, "migrate created the meetings and events tables");
    let _ = conn.close().await;
}

#[test]
fn migrate_refuses_an_unsupported_database_url() {
    let out = borgermode(&["migrate"], &[("DATABASE_URL", "mysql://nope")]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("unsupported DATABASE_URL"),
        "{}",
        text(&out)
    );
}

#[test]
fn healthcheck_answers_for_a_running_server_and_fails_without_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let url = format!("sqlite:{}", dir.path().join("hc.db").display());
    let env = [
        ("BORGERMODE_BIND", bind.as_str()),
        ("DATABASE_URL", url.as_str()),
        ("BORGERMODE_ADMIN_TOKEN", ADMIN_TOKEN),
    ];

    // Nothing listens yet: exit 1 with one plain line.
    let down = borgermode(&["healthcheck", "--timeout-ms", "1000"], &env);
    assert_eq!(down.status.code(), Some(1), "{}", text(&down));
    assert!(text(&down).starts_with("unhealthy: "), "{}", text(&down));

    let mut server = Command::new(env!("CARGO_BIN_EXE_borgermode"))
        .arg("serve")
        .envs(env)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start server");
    let start = Instant::now();
    let up = loop {
        let out = borgermode(&["healthcheck"], &env);
        if out.status.success() || start.elapsed() > Duration::from_secs(30) {
            break out;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(up.status.success(), "healthcheck: {}", text(&up));
    assert!(
        text(&up).contains("/healthz: HTTP/1.1 200"),
        "{}",
        text(&up)
    );
    let ready = borgermode(&["healthcheck", "--ready"], &env);
    assert!(
        ready.status.success(),
        "healthcheck --ready: {}",
        text(&ready)
    );
    assert!(
        text(&ready).contains("/readyz: HTTP/1.1 200"),
        "{}",
        text(&ready)
    );

    let _ = server.kill();
    let _ = server.wait();
    let after = borgermode(&["healthcheck", "--timeout-ms", "1000"], &env);
    assert_eq!(after.status.code(), Some(1), "{}", text(&after));
}
