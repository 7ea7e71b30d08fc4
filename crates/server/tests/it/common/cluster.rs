//! Multi-instance topology for tests, as real processes: the `borgermode` binary built by this
//! package (`CARGO_BIN_EXE_borgermode`), a fresh PostgreSQL database ([`super::pg::TestDb`]) and
//! a Redis: either the machine's (with a channel prefix of the test's own; pub/sub ignores the
//! database number) or a private `redis-server` on a spare port that fault tests may kill.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;

pub const ADMIN_TOKEN: &str = "cluster-admin-token-0123456789";

/// A free TCP port on loopback (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A unique Redis channel prefix for one test.
pub fn unique_prefix() -> String {
    format!(
        "bmtest{:012x}",
        rand::thread_rng().gen::<u64>() & 0xffff_ffff_ffff
    )
}

/// A private redis-server the test may kill and restart (same port).
pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        let mut r = RedisServer {
            port: free_port(),
            child: None,
        };
        r.restart();
        r
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// (Re)start on the same port and wait until it answers.
    pub fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server installed");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    /// SIGKILL, like a crash.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Run a redis-cli command against this server.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .arg("-p")
            .arg(self.port.to_string())
            .args(args)
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// One `borgermode` process.
pub struct Instance {
    pub port: u16,
    pub base: String,
    child: Option<Child>,
    pub db_url: String,
    pub redis_url: String,
    pub prefix: String,
    extra: Vec<String>,
}

impl Instance {
    /// Start an instance on a fresh port and wait until /readyz answers 200.
    pub async fn start(db_url: &str, redis_url: &str, prefix: &str, extra: &[&str]) -> Instance {
        let mut i = Instance {
            port: 0,
            base: String::new(),
            child: None,
            db_url: db_url.into(),
            redis_url: redis_url.into(),
            prefix: prefix.into(),
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        i.spawn().await;
        i
    }

    async fn spawn(&mut self) {
        self.spawn_on(free_port()).await;
    }

    async fn spawn_on(&mut self, port: u16) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_borgermode"))
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(&self.extra)
            .env("DATABASE_URL", &self.db_url)
            .env("REDIS_URL", &self.redis_url)
            .env("BORGERMODE_REDIS_PREFIX", &self.prefix)
            .env("BORGERMODE_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("BORGERMODE_POSTS_PER_MINUTE", "100000")
            .env("BORGERMODE_JOINS_PER_MINUTE_PER_IP", "100000")
            .env("BORGERMODE_CONNECTS_PER_MINUTE_PER_IP", "100000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start borgermode");
        // Drain stdout so the process never blocks on a full pipe.
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || for _ in BufReader::new(out).lines() {});
        }
        self.port = port;
        self.base = format!("http://127.0.0.1:{port}");
        self.child = Some(child);
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("borgermode instance on port {port} did not become ready");
    }

    pub fn ws_url(&self, meeting: impl std::fmt::Display, since: Option<u64>) -> String {
        super::routes::ws(self.port, &super::routes::live(&meeting), since)
    }

    /// SIGKILL, like a crash.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for a graceful exit (returns the exit status success).
    pub fn terminate(&mut self) -> bool {
        let Some(mut c) = self.child.take() else {
            return false;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = c.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
        false
    }

    /// Start again on the same port (a rolling restart behind a load balancer), after
    /// [`Instance::terminate`] or [`Instance::kill9`]; waits until /readyz answers 200.
    pub async fn start_again(&mut self) {
        self.kill9();
        let port = self.port;
        self.spawn_on(port).await;
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill9();
    }
}
