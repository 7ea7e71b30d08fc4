//! The `direct` WebSocket engine: the connection task owns its TCP socket.
//!
//! Why: fan-out is the one hot path. Through actix-ws, every delivery took a hop through the
//! session's channel, a poll of actix-http's dispatcher and a copy into its write buffer, and
//! every idle connection kept the dispatcher's 8 KiB read and write buffers. Here a delivery is
//! one `send` of a 2-10 byte header and the room's shared bytes, put together in a stack buffer
//! (a backlog too large for it goes out as `writev` of the shared bytes in place): no channel, no
//! buffer per connection (an idle connection holds none; a read borrows a stack buffer).
//! `live/upgrade.rs` takes the socket from actix-http once the route has accepted the handshake.

use std::collections::VecDeque;
use std::io::{ErrorKind, IoSlice};
use std::time::Duration;

use borgermode_protocol::close_codes;
use bytestring::ByteString;
use smallvec::SmallVec;
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::live::socket::{Cut, Incoming, Wire};
use crate::live::ws_frame::{self, FrameError, Message, MessageError, Reassembly};

/// Frames per `writev` (two slices each: header and payload); well below `IOV_MAX` (1024).
const FRAMES_PER_WRITE: usize = 64;

/// Writes up to this many bytes (headers included) go out from one stack buffer with `send`
/// rather than as a gather write; a live frame is 250-800 bytes.
const SMALL_WRITE: usize = 2048;

pub struct DirectWire {
    io: TcpStream,
    /// Bytes of a frame that has not fully arrived (and whatever came with the handshake).
    /// Empty, without an allocation, while the client is quiet.
    inbox: Vec<u8>,
    reassembly: Reassembly,
    /// Messages decoded from one read and not yet handed out.
    ready: VecDeque<Incoming>,
    max_message: usize,
    /// This task's waker is in the socket's reader slot, waiting for readiness
    /// (see [`DirectWire::poll_read`]).
    read_armed: bool,
}

impl DirectWire {
    /// `early`: bytes the client sent right after its handshake request.
    pub fn new(io: TcpStream, early: Vec<u8>, max_message: usize) -> Self {
        // Frames are small and independent: never hold one back waiting for an ACK.
        let _ = io.set_nodelay(true);
        let mut wire = Self {
            io,
            inbox: early,
            reassembly: Reassembly::default(),
            ready: VecDeque::new(),
            max_message,
            read_armed: false,
        };
        wire.decode();
        wire
    }

    /// Turn every complete frame in the inbox into messages; keep a partial frame.
    fn decode(&mut self) {
        let mut used = 0;
        loop {
            let (f, n) = match ws_frame::decode(&self.inbox[used..], self.max_message) {
                Ok(Some(x)) => x,
                Ok(None) => break,
                Err(FrameError::TooBig) => {
                    self.ready
                        .push_back(Incoming::Refused((close_codes::TOO_BIG, "message too big")));
                    break;
                }
                Err(FrameError::Protocol(_)) => {
                    self.ready
                        .push_back(Incoming::Refused((1002, "protocol error")));
                    break;
                }
            };
            used += n;
            let msg = match self.reassembly.push(f, self.max_message) {
                Ok(None) => continue,
                Ok(Some(Message::Text(t))) => Incoming::Text(t),
                Ok(Some(Message::Binary(_))) => Incoming::Binary,
                Ok(Some(Message::Ping(p))) => Incoming::Ping(p),
                Ok(Some(Message::Pong)) => Incoming::Pong,
                Ok(Some(Message::Close)) => Incoming::Close,
                Err(MessageError::Frame(FrameError::TooBig)) => {
                    Incoming::Refused((close_codes::TOO_BIG, "fragmented message too big"))
                }
                Err(MessageError::Frame(FrameError::Protocol(_))) => {
                    Incoming::Refused((1002, "protocol error"))
                }
                Err(MessageError::InvalidUtf8) => {
                    Incoming::Refused((close_codes::INVALID_PAYLOAD, "invalid UTF-8"))
                }
            };
            let refused = matches!(msg, Incoming::Refused(_));
            self.ready.push_back(msg);
            if refused {
                break;
            }
        }
        self.inbox.drain(..used);
        if self.inbox.is_empty() && self.inbox.capacity() > 0 {
            // Give the memory back: a quiet connection should hold no buffer.
            self.inbox = Vec::new();
        }
    }

    /// Write `out` whole. The hot path is one `writev` that the kernel accepts whole, with no
    /// timer and nothing kept across an await; only a full socket buffer starts the `timeout`
    /// clock, and the waiting state is then boxed (so an idle connection's task stays small).
    async fn send(&self, out: Out<'_>, timeout: Duration) -> Result<(), Cut> {
        match self.try_send(out, 0)? {
            Sent::All => Ok(()),
            Sent::Partly(done) => Box::pin(self.send_rest(out, done, timeout)).await,
        }
    }

    async fn send_rest(&self, out: Out<'_>, mut done: usize, timeout: Duration) -> Result<(), Cut> {
        let deadline = Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.io.writable()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Err(Cut::Gone),
                Err(_elapsed) => return Err(Cut::Slow),
            }
            match self.try_send(out, done)? {
                Sent::All => return Ok(()),
                Sent::Partly(d) => done = d,
            }
        }
    }

    /// Write as much of `out` after its first `done` bytes as the socket takes now, in gather
    /// writes of up to [`FRAMES_PER_WRITE`] frames (header from the stack, payload in place).
    fn try_send(&self, out: Out<'_>, mut done: usize) -> Result<Sent, Cut> {
        let total = out.total_len();
        if total <= SMALL_WRITE {
            return self.try_send_small(out, done, total);
        }
        loop {
            // Find the frame the write resumes in, and how far into it.
            let (mut first, mut skip) = (0, done);
            while first < out.count() {
                let len = out.frame_len(first);
                if skip < len {
                    break;
                }
                skip -= len;
                first += 1;
            }
            let last = out.count().min(first + FRAMES_PER_WRITE);
            let mut headers = [([0u8; 10], 0usize); FRAMES_PER_WRITE];
            for (h, i) in headers.iter_mut().zip(first..last) {
                let (opcode, payload) = out.get(i);
                *h = ws_frame::header(opcode, payload.len());
            }
            let mut slices = [IoSlice::new(&[]); 2 * FRAMES_PER_WRITE];
            let mut n = 0;
            for ((h, hn), i) in headers.iter().zip(first..last) {
                let payload = out.get(i).1;
                if skip < *hn {
                    slices[n] = IoSlice::new(&h[skip..*hn]);
                    n += 1;
                    skip = 0;
                } else {
                    skip -= hn;
                }
                slices[n] = IoSlice::new(&payload[skip..]);
                n += 1;
                skip = 0;
            }
            let wrote = self.io.try_write_vectored(&slices[..n]);
            if let Some(end) = after_write(wrote, &mut done, total) {
                return end;
            }
        }
    }

    /// [`try_send`] for a write that fits [`SMALL_WRITE`]: headers and payloads copied into
    /// one stack buffer and written with `send(2)`. Why: this is nearly every live delivery
    /// (one event of a few hundred bytes, perhaps with a personal notice), and the kernel's
    /// `writev` path (iovec import, the file layer) cost more than copying a few hundred bytes:
    /// `vfs_writev` and `fdget_pos` were ~7 % of the server's CPU in the fan-out profile.
    fn try_send_small(&self, out: Out<'_>, mut done: usize, total: usize) -> Result<Sent, Cut> {
        // A SmallVec's inline space is not zeroed first (an array's would be, 2 KiB a write).
        let mut buf: SmallVec<[u8; SMALL_WRITE]> = SmallVec::new();
        for i in 0..out.count() {
            let (opcode, payload) = out.get(i);
            let (h, hn) = ws_frame::header(opcode, payload.len());
            buf.extend_from_slice(&h[..hn]);
            buf.extend_from_slice(payload);
        }
        debug_assert_eq!(buf.len(), total);
        loop {
            let wrote = self.io.try_write(&buf[done..total]);
            if let Some(end) = after_write(wrote, &mut done, total) {
                return end;
            }
        }
    }

    /// Read what the client sent, or wait for it.
    ///
    /// Why not `readable()`: the connection's select drops this future on every delivery, and
    /// `readable()` enters a waiter list on its first poll and leaves it on drop (a lock each
    /// way). `poll_read_ready` keeps the task's waker in the socket's one reader slot instead
    /// (only this task reads), and is called only to put it there: while it is there
    /// (`read_armed`), `try_io` answers from the socket's readiness bits with one atomic load
    /// and no syscall, and the socket wakes this task when bytes come. Asking
    /// `poll_read_ready` on every delivery took the slot's lock each time (~3.5 % of the
    /// fan-out CPU in the profile). A Pending that came from tokio's cooperative budget
    /// registered nothing, so it does not arm (the unit test below runs that case).
    ///
    /// Ready with the count of bytes added to the inbox (0: the client's side is closed).
    fn poll_read(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<usize>> {
        use std::io::Read;
        use std::task::Poll;
        loop {
            if !self.read_armed {
                match self.io.poll_read_ready(cx) {
                    Poll::Pending => {
                        // A Pending with no budget left is tokio's cooperative budget: it
                        // scheduled a wake of its own and registered nothing in the socket.
                        // After a real registration the budget unit is given back.
                        self.read_armed = tokio::task::coop::has_budget_remaining();
                        return Poll::Pending;
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Ready(Ok(())) => {}
                }
            }
            let mut tried = false;
            let (io, inbox) = (&self.io, &mut self.inbox);
            let got = io.try_io(tokio::io::Interest::READABLE, || {
                tried = true;
                // Here, not per poll: zeroing a read buffer on every delivery's poll was
                // measurable (memset ~1.6 %); most polls find nothing to read.
                let mut chunk = [0u8; 2048];
                let sock = socket2::SockRef::from(io);
                let mut reader: &socket2::Socket = &sock;
                let n = reader.read(&mut chunk)?;
                inbox.extend_from_slice(&chunk[..n]);
                Ok(n)
            });
            match got {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    if self.read_armed && !tried {
                        // No readiness since the waker went in: it is still there.
                        return Poll::Pending;
                    }
                    // Readiness came and went (the wake took the waker): register again.
                    self.read_armed = false;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                other => {
                    // Bytes (or the end): the wake that announced them took the waker.
                    self.read_armed = false;
                    return Poll::Ready(other);
                }
            }
        }
    }

    async fn control(&self, opcode: u8, payload: &[u8], timeout: Duration) -> Result<(), Cut> {
        self.send(Out::Control(opcode, payload), timeout).await
    }
}

/// What one `send` writes: text frames, or one control frame.
#[derive(Clone, Copy)]
enum Out<'a> {
    Text(&'a [&'a ByteString]),
    Control(u8, &'a [u8]),
}

impl<'a> Out<'a> {
    fn count(&self) -> usize {
        match self {
            Out::Text(frames) => frames.len(),
            Out::Control(..) => 1,
        }
    }
    fn get(&self, i: usize) -> (u8, &'a [u8]) {
        match *self {
            Out::Text(frames) => (ws_frame::TEXT, frames[i].as_bytes()),
            Out::Control(opcode, payload) => (opcode, payload),
        }
    }
    /// Header and payload bytes of frame `i`.
    fn frame_len(&self, i: usize) -> usize {
        let len = self.get(i).1.len();
        ws_frame::header_len(len) + len
    }
    fn total_len(&self) -> usize {
        (0..self.count()).map(|i| self.frame_len(i)).sum()
    }
}

/// What one write's result means for a send of `total` bytes of which `done` had gone before
/// it: the end of the send (all written, the socket full, or the client gone), or `None`: write
/// again.
fn after_write(
    wrote: std::io::Result<usize>,
    done: &mut usize,
    total: usize,
) -> Option<Result<Sent, Cut>> {
    match wrote {
        Ok(0) => Some(Err(Cut::Gone)),
        Ok(w) => {
            *done += w;
            (*done >= total).then_some(Ok(Sent::All))
        }
        Err(e) if e.kind() == ErrorKind::WouldBlock => Some(Ok(Sent::Partly(*done))),
        Err(e) if e.kind() == ErrorKind::Interrupted => None,
        Err(_) => Some(Err(Cut::Gone)),
    }
}

enum Sent {
    All,
    /// The socket took this many bytes, then was full.
    Partly(usize),
}

impl Wire for DirectWire {
    async fn text(&mut self, frames: &[&ByteString], timeout: Duration) -> Result<(), Cut> {
        // A backlog, or an event and its personal notice, leaves in one gather write.
        self.send(Out::Text(frames), timeout).await
    }

    async fn ping(&mut self, timeout: Duration) -> Result<(), Cut> {
        self.control(ws_frame::PING, b"hb", timeout).await
    }

    async fn pong(&mut self, payload: &[u8], timeout: Duration) -> Result<(), Cut> {
        self.control(ws_frame::PONG, payload, timeout).await
    }

    async fn recv(&mut self) -> Incoming {
        loop {
            if let Some(m) = self.ready.pop_front() {
                return m;
            }
            // No await except this poll: a cancelled `recv` loses nothing (bytes read are in
            // the inbox before it returns).
            match std::future::poll_fn(|cx| self.poll_read(cx)).await {
                Ok(0) => return Incoming::Gone,
                Ok(_) => self.decode(),
                Err(_) => return Incoming::Gone,
            }
        }
    }

    /// Send the close frame, end our side, and give the client a moment to answer, so the
    /// kernel ends the connection with FIN rather than a reset that could discard the frame.
    async fn close(mut self, code: u16, why: &str, timeout: Duration) {
        let payload = ws_frame::close_payload(code, why);
        if self
            .control(ws_frame::CLOSE, &payload, timeout)
            .await
            .is_err()
        {
            return;
        }
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let _ = self.io.shutdown().await;
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            let mut sink = [0u8; 256];
            while matches!(self.io.read(&mut sink).await, Ok(n) if n > 0) {}
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    /// Parse unmasked server frames: (opcode, payload) each; None when `buf` ends mid-frame.
    fn parse(mut buf: &[u8]) -> Option<Vec<(u8, Vec<u8>)>> {
        let mut out = Vec::new();
        while !buf.is_empty() {
            if buf.len() < 2 {
                return None;
            }
            let (len, at) = match buf[1] & 0x7F {
                126 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
                127 => (u64::from_be_bytes(buf[2..10].try_into().ok()?) as usize, 10),
                n => (n as usize, 2),
            };
            if buf.len() < at + len {
                return None;
            }
            out.push((buf[0] & 0x0F, buf[at..at + len].to_vec()));
            buf = &buf[at + len..];
        }
        Some(out)
    }

    /// A masked client text frame (payload < 126 bytes).
    fn client_text(payload: &[u8]) -> Vec<u8> {
        let mask = [0x37u8, 0xfa, 0x21, 0x3d];
        let mut f = vec![0x81, 0x80 | payload.len() as u8];
        f.extend_from_slice(&mask);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        f
    }

    /// Bytes the client sends after a `recv` ran out of cooperative budget half-way are still
    /// seen: that Pending registered no waker in the socket, so it must not count as armed.
    /// (After a successful read the socket stays marked readable; the next poll finds it
    /// readable, reads nothing, asks again, and it is then that the budget runs out.)
    #[tokio::test]
    async fn a_read_that_ran_out_of_budget_still_wakes_on_the_next_bytes() {
        use tokio::io::AsyncWriteExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (io, _) = listener.accept().await.unwrap();
        let mut wire = DirectWire::new(io, Vec::new(), 1 << 16);
        client.write_all(&client_text(b"one")).await.unwrap();
        let first = tokio::time::timeout(Duration::from_secs(5), wire.recv()).await;
        assert!(
            matches!(first, Ok(Incoming::Text(ref t)) if t == "one"),
            "first message"
        );
        tokio::task::yield_now().await;
        // Leave one unit: the readiness poll that finds the socket readable takes it, the read
        // finds nothing, and the second readiness poll meets the empty budget.
        for _ in 0..127 {
            tokio::task::coop::consume_budget().await;
        }
        std::future::poll_fn(|cx| {
            let mut recv = std::pin::pin!(wire.recv());
            assert!(std::future::Future::poll(recv.as_mut(), cx).is_pending());
            std::task::Poll::Ready(())
        })
        .await;
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            client.write_all(&client_text(b"two")).await.unwrap();
            client
        });
        let started = std::time::Instant::now();
        // The timeout's own timer wakes the task at the end, and the read then finds the bytes:
        // a lost wake shows as the time it took, not as a timeout.
        let second = tokio::time::timeout(Duration::from_secs(10), wire.recv()).await;
        let took = started.elapsed();
        eprintln!("second message seen after {took:?} (sent after 200 ms)");
        assert!(
            matches!(second, Ok(Incoming::Text(ref t)) if t == "two"),
            "the second message"
        );
        assert!(
            took < Duration::from_secs(3),
            "the bytes woke nobody: seen after {took:?}"
        );
        drop(sender.await.unwrap());
    }

    /// A server-side wire whose socket has a `send_buf` byte send buffer, and a client task that
    /// reads `chunk` bytes every `pause` into what it returns at the end of the stream; with
    /// `recv_buf` the client's receive buffer is that small too, so bytes back up on the server.
    async fn slow_pair(
        send_buf: usize,
        recv_buf: Option<u32>,
        chunk: usize,
        pause: Duration,
    ) -> (DirectWire, tokio::task::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::spawn(async move {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            if let Some(n) = recv_buf {
                socket.set_recv_buffer_size(n).unwrap();
            }
            let mut c = socket.connect(addr).await.unwrap();
            let mut got = Vec::new();
            let mut buf = vec![0u8; chunk];
            loop {
                tokio::time::sleep(pause).await;
                match c.read(&mut buf).await.unwrap() {
                    0 => break,
                    n => got.extend_from_slice(&buf[..n]),
                }
            }
            got
        });
        let (io, _) = listener.accept().await.unwrap();
        socket2::SockRef::from(&io)
            .set_send_buffer_size(send_buf)
            .unwrap();
        (DirectWire::new(io, Vec::new(), 1 << 16), client)
    }

    /// `n` text frames cycling through `sizes`, each of one letter.
    fn frames_of(n: usize, sizes: &[usize]) -> Vec<ByteString> {
        (0..n)
            .map(|i| {
                let c = char::from(b'a' + (i % 26) as u8);
                ByteString::from(std::iter::repeat_n(c, sizes[i % sizes.len()]).collect::<String>())
            })
            .collect()
    }

    /// `got` is exactly `frames`, as text frames, in order.
    fn assert_arrived(got: &[u8], frames: &[ByteString]) {
        let parsed = parse(got).expect("the stream ends on a frame boundary");
        assert_eq!(parsed.len(), frames.len());
        for (i, ((opcode, payload), want)) in parsed.iter().zip(frames).enumerate() {
            assert_eq!(*opcode, ws_frame::TEXT, "frame {i}");
            assert_eq!(payload.as_slice(), want.as_bytes(), "frame {i}");
        }
    }

    /// Small writes (the stack-buffer `send` path) that the full socket cuts short resume at
    /// the byte where the kernel stopped: many single frames and pairs to a slow reader through
    /// tiny send and receive buffers arrive whole and in order.
    #[tokio::test]
    async fn small_writes_cut_short_by_a_full_socket_resume_in_order() {
        let (mut wire, client) = slow_pair(2048, Some(2048), 331, Duration::from_micros(100)).await;
        let frames = frames_of(400, &[3, 125, 126, 700, 1000]);
        for group in frames.chunks(3) {
            // One frame, then two, in turn: both fit SMALL_WRITE.
            let (one, two) = group.split_at(1);
            let r = wire.text(&[&one[0]], Duration::from_secs(20)).await;
            assert!(r.is_ok(), "the slow reader kept up");
            let refs: Vec<&ByteString> = two.iter().collect();
            if !refs.is_empty() {
                assert!(Out::Text(&refs).total_len() <= SMALL_WRITE);
                let r = wire.text(&refs, Duration::from_secs(20)).await;
                assert!(r.is_ok(), "the slow reader kept up");
            }
        }
        drop(wire);
        assert_arrived(&client.await.unwrap(), &frames);
    }

    /// A batch far larger than the socket buffer, read by a slow client, arrives whole and in
    /// order: the writes resume inside headers and payloads at whatever offset the kernel
    /// stopped, across more than one `writev` worth of frames.
    #[tokio::test]
    async fn a_batch_larger_than_the_socket_buffer_arrives_whole_and_in_order() {
        let (mut wire, client) = slow_pair(4096, None, 997, Duration::from_micros(200)).await;
        // Sizes across all three header forms; 150 frames is more than two writes' worth.
        let frames = frames_of(150, &[5, 125, 126, 300, 70_000]);
        let refs: Vec<&ByteString> = frames.iter().collect();
        let sent = wire.text(&refs, Duration::from_secs(20)).await;
        assert!(sent.is_ok(), "the slow reader kept up within the timeout");
        drop(wire);
        assert_arrived(&client.await.unwrap(), &frames);
    }
}
