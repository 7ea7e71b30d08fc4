//! The server's heartbeat on a live WebSocket: a ping every `heartbeat_ms`, and a client that
//! gives no sign of life for `idle_timeout_ms` is closed with 4001 (resumable). A client that
//! answers the pings stays, however long it is quiet otherwise, and still gets the events.
//!
//! Why a test of its own: the heartbeat branch of the connection's select is polled only when
//! its timer has fired (`live/socket.rs`, `heartbeat_due`), and the read side asks the socket's
//! readiness only to register its waker (`live/wire_direct.rs`, `poll_read`); a mistake there
//! shows up as a heartbeat that fires once and never again, or never, or as client bytes that
//! wait for the next delivery or heartbeat. (The cooperative-budget cases of both are unit
//! tests beside the code.)

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::Message;

use crate::common::app::{next_frame, spawn_app_with, until_event, ws_connect_live};
use borgermode_protocol::close_codes;
use borgermode_protocol::frames::ServerFrame;
use borgermode_server::settings::WsEngine;

const BEAT_MS: u64 = 150;
const IDLE_MS: u64 = 900;

#[tokio::test]
async fn pings_repeat_and_a_silent_client_is_closed_with_4001() {
    heartbeat(WsEngine::Direct).await;
}

#[tokio::test]
async fn pings_repeat_and_a_silent_client_is_closed_with_4001_actix_ws_engine() {
    heartbeat(WsEngine::ActixWs).await;
}

async fn heartbeat(engine: WsEngine) {
    let app = spawn_app_with(|s| {
        s.ws_engine = engine;
        s.heartbeat_ms = BEAT_MS;
        s.idle_timeout_ms = IDLE_MS;
    })
    .await;
    let meeting = app.open_meeting("Heartbeat").await;
    let anne = app.join(meeting, "Anne").await;
    let url = app.ws_url(meeting, None);
    let mut answering = ws_connect_live(&url, None).await;
    let mut silent = ws_connect_live(&url, None).await;

    // The answering client reads all along (tungstenite answers each ping with a pong as it
    // reads), for well over the idle timeout: it must see ping after ping and stay open.
    let started = Instant::now();
    let mut pings = 0;
    let hold = Duration::from_millis(3 * IDLE_MS);
    while started.elapsed() < hold {
        let left = hold.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, answering.next()).await {
            Err(_) => break,
            Ok(Some(Ok(Message::Ping(_)))) => pings += 1,
            Ok(Some(Ok(Message::Close(c)))) => panic!("answering client closed: {c:?}"),
            Ok(Some(Ok(_))) => {}
            Ok(other) => panic!("answering client's stream ended: {other:?}"),
        }
    }
    let want = (3 * IDLE_MS / BEAT_MS) / 2;
    eprintln!(
        "{engine:?}: {pings} pings in {:?} (one every {BEAT_MS} ms configured)",
        started.elapsed()
    );
    assert!(
        pings >= want,
        "{pings} pings in {hold:?}, want at least {want}"
    );

    // Still live: an event reaches it.
    let seq = app.post(&anne, meeting, "question", "Er I der?").await;
    until_event(&mut answering, seq).await;

    // The silent client was not read for all that time, so it never answered a ping: the
    // server closed it with 4001. Its bytes are read raw (a WebSocket client would try to
    // answer the buffered pings and fail on the closed socket before it reached the close).
    let raw = match silent.get_mut() {
        tokio_tungstenite::MaybeTlsStream::Plain(s) => s,
        _ => panic!("plain TCP expected"),
    };
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), raw.read_to_end(&mut bytes)).await;
    let frames = server_frames(&bytes);
    let silent_pings = frames.iter().filter(|(op, _)| *op == 0x9).count();
    let close = frames
        .iter()
        .find(|(op, _)| *op == 0x8)
        .unwrap_or_else(|| panic!("no close frame in {} frames", frames.len()));
    let code = u16::from_be_bytes([close.1[0], close.1[1]]);
    eprintln!("{engine:?}: the silent client got {silent_pings} pings, then close {code}");
    assert_eq!(code, close_codes::HEARTBEAT_TIMEOUT);
    assert!(silent_pings >= 2, "pings before the close: {silent_pings}");
    app.shutdown().await;
}

/// With no heartbeat due for a minute, a client's `ping` after a quiet spell, and again after a
/// delivery, is answered at once: the client's bytes themselves wake its connection (the read
/// side registers its waker once and relies on it, `live/wire_direct.rs` `poll_read`).
#[tokio::test]
async fn a_ping_after_a_quiet_spell_is_answered_at_once() {
    for engine in [WsEngine::Direct, WsEngine::ActixWs] {
        let app = spawn_app_with(|s| {
            s.ws_engine = engine;
            s.heartbeat_ms = 60_000;
            s.idle_timeout_ms = 120_000;
        })
        .await;
        let meeting = app.open_meeting("Stille").await;
        let anne = app.join(meeting, "Anne").await;
        let mut ws = ws_connect_live(&app.ws_url(meeting, None), None).await;
        for round in ["after a quiet spell", "after a delivery"] {
            if round == "after a delivery" {
                let seq = app.post(&anne, meeting, "comment", "Hej").await;
                until_event(&mut ws, seq).await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            let sent = Instant::now();
            ws.send(Message::Text(r#"{"t":"ping"}"#.into()))
                .await
                .expect("send ping");
            loop {
                match next_frame(&mut ws, Duration::from_secs(10)).await {
                    Some(ServerFrame::Pong) => break,
                    Some(_) => continue,
                    None => panic!("{engine:?}: closed while waiting for the pong"),
                }
            }
            let took = sent.elapsed();
            eprintln!("{engine:?}: pong {round} after {took:?}");
            assert!(
                took < Duration::from_secs(3),
                "{engine:?}: pong {round} after {took:?}"
            );
        }
        app.shutdown().await;
    }
}

/// Unmasked server frames in `buf` as (opcode, payload), up to the last whole one.
fn server_frames(mut buf: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while buf.len() >= 2 {
        let (len, at) = match buf[1] & 0x7F {
            126 if buf.len() >= 4 => (usize::from(u16::from_be_bytes([buf[2], buf[3]])), 4),
            127 if buf.len() >= 10 => {
                let n = u64::from_be_bytes(buf[2..10].try_into().expect("8 bytes"));
                (usize::try_from(n).expect("length fits"), 10)
            }
            126 | 127 => break,
            n => (usize::from(n), 2),
        };
        if buf.len() < at + len {
            break;
        }
        out.push((buf[0] & 0x0F, buf[at..at + len].to_vec()));
        buf = &buf[at + len..];
    }
    out
}
