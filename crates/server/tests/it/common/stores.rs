//! One check on both stores. `Db` is a fresh SQLite file or a fresh PostgreSQL database to start
//! an app on (and to look into behind its back), and `on_both_stores!` turns a check
//! `async fn(Db)` into one test per store, so a module does not spell the pair out each time.

use std::sync::Arc;

use super::app::{spawn_app_on, TestApp};
use super::pg::TestDb;

/// A store to run against: SQLite in a temp dir, or a fresh PostgreSQL database.
pub enum Db {
    Sqlite(Arc<tempfile::TempDir>),
    Postgres(TestDb),
}

impl Db {
    pub async fn sqlite() -> Db {
        Db::Sqlite(Arc::new(tempfile::tempdir().expect("tempdir")))
    }

    pub async fn postgres() -> Db {
        Db::Postgres(TestDb::fresh().await)
    }

    pub fn url(&self) -> String {
        match self {
            Db::Sqlite(dir) => format!("sqlite:{}", dir.path().join("test.db").display()),
            Db::Postgres(db) => db.url.clone(),
        }
    }

    /// An app on this database (again, for a restart).
    pub async fn spawn(&self, configure: impl FnOnce(&mut borgermode_server::Settings)) -> TestApp {
        let dir = match self {
            Db::Sqlite(dir) => dir.clone(),
            Db::Postgres(_) => Arc::new(tempfile::tempdir().expect("tempdir")),
        };
        spawn_app_on(dir, self.url(), configure).await
    }
}

/// `on_both_stores! { check => name_sqlite, name_postgres; ... }`: two tests per check, each
/// calling `check(Db)` with a fresh database of its kind.
#[macro_export]
macro_rules! on_both_stores {
    ($($check:ident => $sqlite:ident, $postgres:ident;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            $check($crate::common::stores::Db::sqlite().await).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            $check($crate::common::stores::Db::postgres().await).await;
        }
    )*};
}
