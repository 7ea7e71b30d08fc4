//! A fresh PostgreSQL database per test, dropped when the test ends (also when it fails).
//!
//! Why: the PostgreSQL server the tests use is shared (other tests, other people), so a test
//! never assumes it owns a database. [`TestDb::fresh`] creates `bm_<unix time>_<random hex>`,
//! and dropping the [`TestDb`] drops that database `WITH (FORCE)` (ending any connection still
//! open to it). Databases a killed test run left behind are dropped by the next run once they
//! are an hour old (the creation time is in the name).
//!
//! The server is `postgres://postgres@127.0.0.1:5432` unless `BORGERMODE_TEST_PG` names
//! another one (a URL without a database path; the admin connection uses `/postgres`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;
use sqlx::postgres::PgConnection;
use sqlx::Connection;

/// The PostgreSQL server to test against, without a database path.
pub fn base_url() -> String {
    std::env::var("BORGERMODE_TEST_PG")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// The URL of database `name` on the test server (query parameters of the base URL kept).
pub fn url_for(name: &str) -> String {
    let base = base_url();
    match base.split_once('?') {
        Some((server, query)) => format!("{server}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// A connection to the server's `postgres` database, for creating and dropping databases.
pub async fn admin() -> PgConnection {
    let url = url_for("postgres");
    PgConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL at {url}: {e}"))
}

/// Databases older than this, left by a run that was killed, are dropped by later runs.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// A database of the test's own. Dropping it drops the database.
#[derive(Debug)]
pub struct TestDb {
    /// Connection URL of the database.
    pub url: String,
    /// Its name (`bm_<unix time>_<hex>`).
    pub name: String,
}

impl TestDb {
    /// Create a new, empty database.
    pub async fn fresh() -> TestDb {
        let mut admin = admin().await;
        drop_stale(&mut admin).await;
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        let name = format!("bm_{created}_{:016x}", rand::thread_rng().gen::<u64>());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let _ = admin.close().await;
        TestDb {
            url: url_for(&name),
            name,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop runs outside any runtime's control (and maybe while a test panics): clean up on
        // a thread with a runtime of its own, and wait for it.
        let name = self.name.clone();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            runtime.block_on(async move {
                let mut admin = admin().await;
                if let Err(e) = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                {
                    eprintln!("warning: could not drop test database {name}: {e}");
                }
                let _ = admin.close().await;
            });
        });
        if cleanup.join().is_err() {
            eprintln!("warning: cleanup of test database {} panicked", self.name);
        }
    }
}

/// Drop `bm_<unix time>_<hex>` databases created more than [`STALE_AFTER`] ago.
async fn drop_stale(admin: &mut PgConnection) {
    let names: Vec<String> =
        match sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'bm\\_%'")
            .fetch_all(&mut *admin)
            .await
        {
            Ok(names) => names,
            Err(_) => return,
        };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for name in names {
        let Some(created) = name
            .strip_prefix("bm_")
            .and_then(|rest| rest.split_once('_'))
            .filter(|(_, hex)| hex.len() == 16 && hex.chars().all(|c| c.is_ascii_hexdigit()))
            .and_then(|(secs, _)| secs.parse::<u64>().ok())
        else {
            continue;
        };
        if now.saturating_sub(created) > STALE_AFTER.as_secs() {
            // Another run may be dropping it at the same moment: errors do not matter.
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut *admin)
                .await;
        }
    }
}
