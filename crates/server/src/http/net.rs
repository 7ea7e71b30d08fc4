//! Every accepted HTTP connection, wrapped. Why a wrapper of our own around the socket:
//!
//! - **A stalled SSE client must be cut.** actix-http owns the socket of a streaming response
//!   and polls the body only when the socket is writable, so a client that stops reading
//!   never lets the SSE stream run its lag check. The stream's watchdog (`live/sse.rs`) uses
//!   the connection's [`KillSwitch`] instead: the next read or write of the socket fails, and
//!   the dispatcher drops the connection (and its file descriptor).
//! - **One address must not hold every file descriptor.** [`ConnectionLimits`] counts open
//!   connections per peer address and refuses the ones over `--max-connections-per-ip` at
//!   accept. A configured trusted proxy is exempt (every client comes through it; per-client
//!   limits there are the proxy's job, see docs/operations.md).
//! - **Running out of descriptors must be visible.** When an accepted socket's descriptor
//!   number comes near the process's limit, one warning is logged, at most every 10 s.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::task::AtomicWaker;
use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Ends one connection from outside its dispatcher.
#[derive(Default, Debug)]
pub struct KillSwitch {
    killed: AtomicBool,
    waker: AtomicWaker,
}

impl KillSwitch {
    /// Make the connection's next read or write fail, and wake its task so that it happens now
    /// even when the socket is neither readable nor writable.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.waker.wake();
    }

    fn killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }
}

/// Per-address accounting of open HTTP connections, and the file descriptor warning.
pub struct ConnectionLimits {
    per_address: usize,
    trusted: Vec<IpAddr>,
    open: Mutex<HashMap<IpAddr, usize>>,
    fd_limit: Option<u64>,
    last_warning: Mutex<Option<Instant>>,
}

impl ConnectionLimits {
    /// `per_address` 0 means no cap.
    pub fn new(per_address: usize, trusted: Vec<IpAddr>) -> Arc<Self> {
        Arc::new(Self {
            per_address,
            trusted,
            open: Mutex::new(HashMap::new()),
            fd_limit: open_files_limit(),
            last_warning: Mutex::new(None),
        })
    }

    /// Wrap an accepted socket, or refuse it (`Err`: the caller drops it, which closes it).
    pub fn admit(self: &Arc<Self>, io: TcpStream) -> io::Result<GuardedIo> {
        self.check_descriptors(io.as_raw_fd());
        let peer = io.peer_addr().ok().map(|a| a.ip());
        let slot = match peer {
            Some(ip) if self.per_address > 0 && !self.trusted.contains(&ip) => {
                let mut open = self.open.lock();
                let n = open.entry(ip).or_insert(0);
                if *n >= self.per_address {
                    drop(open);
                    self.warn(&format!(
                        "refusing HTTP connections from {ip}: it already has {} open (--max-connections-per-ip)",
                        self.per_address
                    ));
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionRefused,
                        "too many connections from this address",
                    ));
                }
                *n += 1;
                Some(Slot {
                    limits: self.clone(),
                    ip,
                })
            }
            _ => None,
        };
        Ok(GuardedIo {
            inner: io,
            kill: Arc::new(KillSwitch::default()),
            _slot: slot,
        })
    }

    /// Open connections from one address (for tests and metrics).
    pub fn open_from(&self, ip: IpAddr) -> usize {
        self.open.lock().get(&ip).copied().unwrap_or(0)
    }

    fn check_descriptors(&self, fd: i32) {
        let Some(limit) = self.fd_limit else { return };
        // Descriptors are handed out lowest first, so a high number means few are left.
        let fd = u64::try_from(fd).unwrap_or(0);
        if fd + 64 >= limit {
            self.warn(&format!(
                "file descriptors nearly exhausted: accepted a connection on descriptor {fd} of a limit of {limit}; new connections will fail (raise `ulimit -n`, or lower --max-connections-per-ip)"
            ));
        }
    }

    /// One warning at most every 10 s: a flood must not become a flood of log lines.
    fn warn(&self, message: &str) {
        let mut last = self.last_warning.lock();
        if last.is_some_and(|t| t.elapsed() < Duration::from_secs(10)) {
            return;
        }
        *last = Some(Instant::now());
        tracing::warn!("{message}");
    }
}

/// Give a request's body `timeout` to arrive, all of it, from now. Why: actix-http times out
/// slow headers (`client_request_timeout`) but not a body, so a client that sends complete
/// headers and then nothing (or a byte every 10 s) held its connection for minutes. On
/// expiry the body ends with an error (the extractor fails) and `timed_out` is set, so the
/// caller answers 408 and closes the connection.
pub fn deadline_payload(
    payload: actix_web::dev::Payload,
    timeout: Duration,
    timed_out: Arc<AtomicBool>,
) -> actix_web::dev::Payload {
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + timeout;
    let stream = futures_util::stream::unfold(Some(payload), move |state| {
        let timed_out = timed_out.clone();
        async move {
            let mut payload = state?;
            match tokio::time::timeout_at(deadline, payload.next()).await {
                Ok(Some(item)) => Some((item, Some(payload))),
                Ok(None) => None,
                Err(_) => {
                    timed_out.store(true, Ordering::Release);
                    Some((
                        Err(actix_web::error::PayloadError::Io(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "request body timed out",
                        ))),
                        None,
                    ))
                }
            }
        }
    });
    let boxed: actix_http::BoxedPayloadStream = Box::pin(stream);
    actix_web::dev::Payload::from(boxed)
}

/// The soft limit on open files, from /proc (Linux); None elsewhere.
fn open_files_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// One counted connection; uncounted when the connection ends.
struct Slot {
    limits: Arc<ConnectionLimits>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock();
        if let Some(n) = open.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// An accepted socket with its kill switch and its place in the per-address count.
pub struct GuardedIo {
    inner: TcpStream,
    kill: Arc<KillSwitch>,
    _slot: Option<Slot>,
}

impl GuardedIo {
    pub fn tcp(&self) -> &TcpStream {
        &self.inner
    }

    pub fn kill_switch(&self) -> Arc<KillSwitch> {
        self.kill.clone()
    }

    /// The socket itself (a WebSocket upgrade leaves the HTTP dispatcher; the live connection
    /// has limits of its own).
    pub fn into_inner(self) -> TcpStream {
        self.inner
    }

    fn aborted() -> io::Error {
        io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "connection cut by the server",
        )
    }
}

impl AsyncRead for GuardedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.kill.killed() {
            return Poll::Ready(Err(Self::aborted()));
        }
        self.kill.waker.register(cx.waker());
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for GuardedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.kill.killed() {
            return Poll::Ready(Err(Self::aborted()));
        }
        self.kill.waker.register(cx.waker());
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.kill.killed() {
            return Poll::Ready(Err(Self::aborted()));
        }
        self.kill.waker.register(cx.waker());
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.kill.killed() {
            return Poll::Ready(Err(Self::aborted()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
