//! Redis pub/sub bus for several instances.
//!
//! One channel per installation (`<prefix>:bus`), not one per meeting: an installation has few
//! meetings live at once, every instance needs presence for the meetings it serves, and a single
//! subscription has no subscribe/unsubscribe churn (and no window between loading a room and
//! subscribing to it). Instances drop messages for meetings they have not loaded. One comment
//! costs one PUBLISH.
//!
//! One subscriber connection per instance. When it drops (Redis restarted, `CLIENT KILL`), the
//! loop reconnects with backoff and, once subscribed again, tells the hub `Reconnected` so every
//! room catches up from the store: the `redis` crate would otherwise resubscribe silently over a
//! gap. Publishing uses a separate auto-reconnecting connection with short timeouts, and never
//! blocks a command: the store already has the event.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use parking_lot::Mutex;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Bus, BusMessage, BusSink, Delivery};

pub struct RedisBus {
    client: redis::Client,
    channel: String,
    publisher: tokio::sync::Mutex<Option<ConnectionManager>>,
    connected: Arc<AtomicBool>,
    sink: Mutex<Option<BusSink>>,
    /// Publishes that did not reach Redis (`borgermode_bus_publish_failures_total`).
    publish_failures: AtomicU64,
    /// When the last failure warning was logged, for [`warn_due`].
    warned: Mutex<Option<std::time::Instant>>,
    /// The failure count the log has told of: a publish that succeeds after unreported
    /// failures says how many there were, so an outage shorter than the warning period is
    /// not only in the counter.
    reported: AtomicU64,
}

/// Warn about failed publishes at most this often: during an outage every event fails, and one
/// line per event would bury the log; the line says how many failed since the last one.
const PUBLISH_WARN_EVERY: Duration = Duration::from_secs(10);

/// Whether a failure at `now` is due a warning, given the last warning's time.
fn warn_due(last: Option<std::time::Instant>, now: std::time::Instant) -> bool {
    last.is_none_or(|at| now.saturating_duration_since(at) >= PUBLISH_WARN_EVERY)
}

impl RedisBus {
    /// `prefix` isolates installations (and tests) sharing one Redis: pub/sub ignores the
    /// database number.
    pub fn new(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        Ok(Self {
            client,
            channel: format!("{prefix}:bus"),
            publisher: tokio::sync::Mutex::new(None),
            connected: Arc::new(AtomicBool::new(false)),
            sink: Mutex::new(None),
            publish_failures: AtomicU64::new(0),
            warned: Mutex::new(None),
            reported: AtomicU64::new(0),
        })
    }

    /// A publish did not reach Redis. Nothing is lost (the store has the event, and the other
    /// instances fill the gap from it), but their clients wait for a gap fill or a seq check
    /// instead of the fast path: counted, and warned about at most every
    /// [`PUBLISH_WARN_EVERY`] (this was a debug line, invisible in production).
    fn publish_failed(&self, why: &str) {
        let total = self.publish_failures.fetch_add(1, Ordering::Relaxed) + 1;
        let now = std::time::Instant::now();
        let mut warned = self.warned.lock();
        if warn_due(*warned, now) {
            let since = total - self.reported.swap(total, Ordering::Relaxed).min(total);
            *warned = Some(now);
            drop(warned);
            tracing::warn!(
                failed = since,
                total,
                "redis bus: publish failed ({why}); other instances catch up from the store"
            );
        }
    }

    /// A publish went through: if failures happened since the log last told of them, say so.
    fn publish_recovered(&self) {
        let total = self.publish_failures.load(Ordering::Relaxed);
        let reported = self.reported.load(Ordering::Relaxed);
        if total > reported
            && self
                .reported
                .compare_exchange(reported, total, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                failed = total - reported,
                total,
                "redis bus: publishing again; publishes failed since the last warning"
            );
        }
    }

    async fn publisher(&self) -> Option<ConnectionManager> {
        let mut guard = self.publisher.lock().await;
        if guard.is_none() {
            // No retries inside the manager: redis-rs sleeps at least 1 s (plus up to 1 s of
            // jitter) before a retry, and every publish waits on that reconnect, so after Redis
            // came back the publisher stayed down for up to 2 s (events then reached other
            // instances only through gap fills and seq checks). Without retries a failed
            // reconnect fails at once and the next publish starts a fresh one.
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Duration::from_millis(500))
                .set_response_timeout(Duration::from_millis(500))
                .set_number_of_retries(0);
            match tokio::time::timeout(
                Duration::from_secs(1),
                self.client.get_connection_manager_with_config(config),
            )
            .await
            {
                Ok(Ok(c)) => *guard = Some(c),
                // Told by `publish_failed`, at most every PUBLISH_WARN_EVERY: during an outage
                // every publish tries to connect.
                Ok(Err(e)) => tracing::debug!(error = %e, "redis publisher: cannot connect"),
                Err(_) => tracing::debug!("redis publisher: connect timed out"),
            }
        }
        guard.clone()
    }
}

async fn subscribe_loop(
    client: redis::Client,
    channel: String,
    connected: Arc<AtomicBool>,
    sink: BusSink,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        if sink.is_closed() {
            return;
        }
        let attempt = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        match tokio::time::timeout(Duration::from_secs(2), attempt).await {
            Ok(Ok(mut pubsub)) => {
                connected.store(true, Ordering::Relaxed);
                backoff = Duration::from_millis(100);
                tracing::info!(channel = %channel, "redis bus subscribed");
                if sink.send(Delivery::Reconnected).is_err() {
                    return;
                }
                let mut stream = pubsub.on_message();
                while let Some(msg) = stream.next().await {
                    let Ok(payload) = msg.get_payload::<String>() else {
                        continue;
                    };
                    match serde_json::from_str::<BusMessage>(&payload) {
                        Ok(m) => {
                            if sink.send(Delivery::Message(m)).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "redis bus: undecodable message dropped")
                        }
                    }
                }
                connected.store(false, Ordering::Relaxed);
                tracing::warn!("redis bus subscription lost; reconnecting");
            }
            Ok(Err(e)) => {
                connected.store(false, Ordering::Relaxed);
                tracing::warn!(error = %e, "redis bus: cannot subscribe; retrying");
            }
            Err(_) => {
                connected.store(false, Ordering::Relaxed);
                tracing::warn!("redis bus: subscribe timed out; retrying");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

#[async_trait]
impl Bus for RedisBus {
    fn kind(&self) -> &'static str {
        "redis"
    }

    async fn start(&self, sink: BusSink) {
        *self.sink.lock() = Some(sink.clone());
        tokio::spawn(subscribe_loop(
            self.client.clone(),
            self.channel.clone(),
            self.connected.clone(),
            sink,
        ));
    }

    async fn publish(&self, message: &BusMessage) {
        let Ok(payload) = serde_json::to_string(message) else {
            return;
        };
        let Some(mut conn) = self.publisher().await else {
            self.publish_failed("no connection");
            return;
        };
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(&self.channel).arg(payload);
        let published = cmd.query_async::<i64>(&mut conn);
        match tokio::time::timeout(Duration::from_secs(1), published).await {
            Ok(Ok(_)) => self.publish_recovered(),
            Ok(Err(e)) => self.publish_failed(&e.to_string()),
            Err(_) => self.publish_failed("timed out"),
        }
    }

    fn publish_failures(&self) -> u64 {
        self.publish_failures.load(Ordering::Relaxed)
    }

    fn healthy(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    fn is_shared(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_publish_is_warned_about_once_per_period() {
        let t0 = std::time::Instant::now();
        assert!(warn_due(None, t0), "the first failure is warned about");
        assert!(!warn_due(Some(t0), t0 + Duration::from_secs(9)));
        assert!(warn_due(Some(t0), t0 + PUBLISH_WARN_EVERY));
    }
}
