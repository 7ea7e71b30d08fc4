//! Graceful shutdown: live clients are told to reconnect (a `reconnect` frame, then close
//! 1012), and new work is refused (503 while draining, connection refused once stopped).

use crate::common::routes;

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::common::app::{next_frame, spawn_app, ws_connect, ws_connect_live, Ws};
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::StaffRole;
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// Read until the close frame: the frames before it, and its code.
async fn until_close(ws: &mut Ws) -> (Vec<ServerFrame>, Result<u16, String>) {
    let mut frames = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await {
            Err(_) => return (frames, Err("no close frame within 20 s".into())),
            Ok(None) => return (frames, Err("stream ended without a close frame".into())),
            Ok(Some(Err(e))) => return (frames, Err(format!("error before a close frame: {e}"))),
            Ok(Some(Ok(Message::Close(f)))) => {
                // Let tungstenite answer the close, so the server's drain sees a clean end.
                let _ = tokio::time::timeout(Duration::from_secs(2), ws.next()).await;
                return (
                    frames,
                    f.map(|f| u16::from(f.code))
                        .ok_or_else(|| "close frame without a code".to_string()),
                );
            }
            Ok(Some(Ok(Message::Text(t)))) => {
                frames.push(serde_json::from_str(&t).expect("server frame parses"))
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// 503 `shutting_down`, or no connection at all.
fn refused(resp: Result<reqwest::Response, reqwest::Error>) -> Result<String, String> {
    match resp {
        Err(e) => Ok(format!("connection refused or reset ({e})")),
        Ok(r) if r.status() == 503 => Ok("503".into()),
        Ok(r) => Err(format!("status {}", r.status())),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_tells_live_clients_to_reconnect_and_refuses_new_work() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Sidste møde").await;
    let anne = app.join(meeting, "Anne").await;
    let moderator = app.staff(meeting, StaffRole::Moderator, "Mona").await;
    let post = app.post(&anne, meeting, "question", "Lukker I nu?").await;

    // A public client and a staff client, both past their snapshot.
    let mut clients: Vec<Ws> = Vec::new();
    for token in [None, Some(moderator.token.as_str())] {
        clients.push(ws_connect_live(&app.ws_url(meeting, None), token).await);
    }
    // A resumed client too (it sits in the live loop after caught_up).
    let mut resumed = ws_connect(&app.ws_url(meeting, Some(post - 1)), None).await;
    loop {
        match next_frame(&mut resumed, Duration::from_secs(10)).await {
            Some(ServerFrame::CaughtUp { seq }) => {
                assert_eq!(seq, post);
                break;
            }
            Some(_) => continue,
            None => panic!("resumed client: stream ended before caught_up"),
        }
    }
    clients.push(resumed);

    let handle = app.handle.clone();
    let shutdown = tokio::spawn(async move { handle.shutdown().await });

    // Every client: `reconnect` (reason shutdown, with the configured hint), then close 1012.
    let hint = app.state.settings.reconnect_hint_ms;
    for (i, ws) in clients.iter_mut().enumerate() {
        let (frames, code) = until_close(ws).await;
        let reconnect = frames.iter().find_map(|f| match f {
            ServerFrame::Reconnect {
                reason,
                retry_after_ms,
            } => Some((reason.clone(), *retry_after_ms)),
            _ => None,
        });
        assert_eq!(
            reconnect,
            Some(("shutdown".to_string(), hint)),
            "client {i}: frames before the close: {frames:?}"
        );
        assert_eq!(code, Ok(1012), "client {i}: close code");
    }

    // While draining (or after): commands and new streams are refused.
    assert!(app.state.shutting_down.load(Ordering::Relaxed));
    refused(
        app.as_(&anne, Method::POST, &routes::posts(&meeting))
            .json(&json!({"kind": "comment", "body": "Er I der?"}))
            .send()
            .await,
    )
    .unwrap_or_else(|e| panic!("a post during shutdown was not refused: {e}"));
    let ws_during = tokio_tungstenite::connect_async(app.ws_url(meeting, None)).await;
    match &ws_during {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 503),
        Err(_) => {} // Not listening any more.
        Ok(_) => panic!("a new WebSocket was accepted during shutdown"),
    }

    tokio::time::timeout(Duration::from_secs(30), shutdown)
        .await
        .expect("shutdown finishes")
        .expect("shutdown task");
    tokio::time::timeout(Duration::from_secs(30), app.server)
        .await
        .expect("server task ends after shutdown")
        .expect("server task")
        .expect("server result");

    // After shutdown: nothing is listening.
    let fresh = reqwest::Client::new();
    let after = refused(
        fresh
            .post(routes::url(&app.base, &routes::posts(&meeting)))
            .bearer_auth(&anne.token)
            .json(&json!({"kind": "comment", "body": "Hallo?"}))
            .send()
            .await,
    )
    .unwrap_or_else(|e| panic!("a post after shutdown was not refused: {e}"));
    assert!(
        after.starts_with("connection refused"),
        "after shutdown the port still answers: {after}"
    );
}
