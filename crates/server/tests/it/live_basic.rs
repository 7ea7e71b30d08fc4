//! The smallest end-to-end path: a citizen posts over HTTP and a WebSocket client sees the
//! snapshot, then the event with the next seq.

use std::time::Duration;

use crate::common::app::{next_frame, spawn_app_with, ws_connect};
use borgermode_protocol::frames::ServerFrame;
use borgermode_server::settings::WsEngine;

#[tokio::test]
async fn a_post_reaches_a_live_client() {
    post_reaches_live_client(WsEngine::Direct).await;
}

#[tokio::test]
async fn a_post_reaches_a_live_client_actix_ws_engine() {
    post_reaches_live_client(WsEngine::ActixWs).await;
}

async fn post_reaches_live_client(engine: WsEngine) {
    let app = spawn_app_with(|s| s.ws_engine = engine).await;
    let meeting = app.open_meeting("Havnen").await;
    let anne = app.join(meeting, "Anne").await;
    let mut ws = ws_connect(&app.ws_url(meeting, None), None).await;
    let hello = next_frame(&mut ws, Duration::from_secs(5))
        .await
        .expect("hello");
    assert!(
        matches!(hello, ServerFrame::Hello { protocol: 1, .. }),
        "{hello:?}"
    );
    let Some(ServerFrame::Snapshot { seq, .. }) = next_frame(&mut ws, Duration::from_secs(5)).await
    else {
        panic!("snapshot")
    };
    let post = app.post(&anne, meeting, "question", "Hvornår?").await;
    assert_eq!(post, seq + 1);
    loop {
        match next_frame(&mut ws, Duration::from_secs(5))
            .await
            .expect("event")
        {
            ServerFrame::Event(e) => {
                assert_eq!(e.seq, post);
                assert_eq!(e.kind, "post_created");
                assert_eq!(
                    e.posts.last().and_then(|p| p.body.as_deref()),
                    Some("Hvornår?")
                );
                break;
            }
            ServerFrame::Presence { .. } | ServerFrame::Votes { .. } => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
    app.shutdown().await;
}
