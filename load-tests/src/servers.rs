//! The servers of a run: either already running (`--url`, `--pid`) or borgermode instances
//! this generator starts (`--spawn`) on free loopback ports, with a temporary SQLite file or a
//! fresh PostgreSQL database (dropped afterwards) and their own Redis channel prefix, pinned
//! with `taskset` when asked. Anti-abuse limits per client address are raised for spawned
//! servers: hundreds of virtual phones share each loopback address.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::args::{Database, TargetArgs, TargetKind};

pub struct Servers {
    pub urls: Vec<String>,
    pub pids: Vec<u32>,
    pub admin_token: Option<String>,
    /// Bearer token of borgermode's `/metrics` (read for the slow-consumer cut time and the
    /// latency breakdown).
    pub metrics_token: Option<String>,
    children: Vec<Child>,
    database: Option<(String, String)>,
    tmp: Option<PathBuf>,
}

/// A free port below the kernel's ephemeral range (32768..61000 here): a port from that range
/// may be taken by one of the generator's own outgoing connections before the server binds it.
fn free_port() -> anyhow::Result<u16> {
    for _ in 0..200 {
        let port = 20_000 + rand::random::<u16>() % 12_000;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    anyhow::bail!("no free port in 20000..32000")
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

fn psql(server: &str, sql: &str) -> anyhow::Result<()> {
    let out = Command::new("psql")
        .arg(format!("{}/postgres", server.trim_end_matches('/')))
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .context("psql")?;
    if !out.status.success() {
        bail!("psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

impl Servers {
    pub async fn prepare(args: &TargetArgs) -> anyhow::Result<Servers> {
        let Some(bin) = &args.spawn else {
            return Ok(Servers {
                urls: args.url.clone(),
                pids: args.pid.clone(),
                admin_token: args.admin_token.clone(),
                metrics_token: args.metrics_token.clone(),
                children: Vec::new(),
                database: None,
                tmp: None,
            });
        };
        if args.target != TargetKind::Borgermode {
            bail!("--spawn starts borgermode; start the peers with load-tests/peers/*/start");
        }
        let instances = args.instances.max(1);
        let database = args.database.unwrap_or(if instances > 1 {
            Database::Postgres
        } else {
            Database::Sqlite
        });
        if instances > 1 && database == Database::Sqlite {
            bail!("several instances need --database postgres");
        }
        let tmp = std::env::temp_dir().join(format!("bm-load-{}", random_hex(6)));
        std::fs::create_dir_all(&tmp)?;
        let token = random_hex(16);
        let mut servers = Servers {
            urls: Vec::new(),
            pids: Vec::new(),
            admin_token: Some(token.clone()),
            metrics_token: Some(random_hex(16)),
            children: Vec::new(),
            database: None,
            tmp: Some(tmp.clone()),
        };
        let db_url = match database {
            Database::Sqlite => format!("sqlite:{}", tmp.join("meeting.db").display()),
            Database::Postgres => {
                let name = format!("bm_load_{}", random_hex(6));
                psql(&args.postgres, &format!("CREATE DATABASE {name}"))?;
                servers.database = Some((args.postgres.clone(), name.clone()));
                format!("{}/{name}", args.postgres.trim_end_matches('/'))
            }
        };
        let prefix = format!("bmload{}", random_hex(6));
        for i in 0..instances {
            let port = free_port()?;
            let mut cmd = match &args.server_cpus {
                Some(cpus) => {
                    let mut c = Command::new("taskset");
                    c.args(["-c", cpus]).arg(bin);
                    c
                }
                None => Command::new(bin),
            };
            let log = std::fs::File::create(tmp.join(format!("server-{i}.log")))?;
            cmd.arg("serve")
                .env("BORGERMODE_BIND", format!("127.0.0.1:{port}"))
                .env("DATABASE_URL", &db_url)
                .env("BORGERMODE_ADMIN_TOKEN", &token)
                .env(
                    "BORGERMODE_METRICS_TOKEN",
                    servers.metrics_token.as_deref().unwrap_or_default(),
                )
                .env("BORGERMODE_JOINS_PER_MINUTE_PER_IP", "1000000")
                .env("BORGERMODE_CONNECTS_PER_MINUTE_PER_IP", "10000000")
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log);
            if database == Database::Postgres {
                cmd.env("REDIS_URL", &args.redis)
                    .env("BORGERMODE_REDIS_PREFIX", &prefix);
            }
            let child = cmd
                .spawn()
                .with_context(|| format!("start {}", bin.display()))?;
            servers.pids.push(child.id());
            servers.children.push(child);
            servers.urls.push(format!("http://127.0.0.1:{port}"));
        }
        let http = reqwest::Client::new();
        for url in &servers.urls {
            let until = Instant::now() + Duration::from_secs(60);
            loop {
                if let Ok(r) = http.get(format!("{url}/readyz")).send().await {
                    if r.status().is_success() {
                        break;
                    }
                }
                if Instant::now() > until {
                    bail!("{url} not ready within 60 s (log in {})", tmp.display());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Ok(servers)
    }

    /// Stop spawned servers (SIGTERM, then kill) and drop their database.
    pub fn shutdown(&mut self) {
        for c in &self.children {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
        }
        for c in &mut self.children {
            let until = Instant::now() + Duration::from_secs(15);
            loop {
                match c.try_wait() {
                    Ok(Some(_)) => break,
                    _ if Instant::now() > until => {
                        let _ = c.kill();
                        let _ = c.wait();
                        break;
                    }
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
        self.children.clear();
        if let Some((server, name)) = self.database.take() {
            let _ = psql(
                &server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_dir_all(tmp);
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.shutdown();
    }
}
