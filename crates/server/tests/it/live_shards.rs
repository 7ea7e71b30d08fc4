//! The live shards (`live/shards.rs`): with `--live-threads 2` a room's WebSocket connections
//! spread over both shard threads, and every connection still gets every event exactly once, in
//! seq order, whichever shard writes it.

use std::time::Duration;

use crate::common::app::{next_frame, spawn_app_with, ws_connect, Ws};
use borgermode_protocol::frames::ServerFrame;

const CONNECTIONS: usize = 6;
const POSTS: u64 = 30;

/// Reads `ws` until its snapshot; returns the snapshot's seq.
async fn snapshot_seq(ws: &mut Ws) -> u64 {
    loop {
        match next_frame(ws, Duration::from_secs(5)).await {
            Some(ServerFrame::Snapshot { seq, .. }) => return seq,
            Some(_) => continue,
            None => panic!("no snapshot"),
        }
    }
}

#[tokio::test]
async fn connections_spread_over_two_shards_and_each_gets_every_event_once_in_order() {
    let app = spawn_app_with(|s| s.live_threads = 2).await;
    let meeting = app.open_meeting("Havnen").await;
    let anne = app.join(meeting, "Anne").await;
    let mut clients = Vec::new();
    for _ in 0..CONNECTIONS {
        let mut ws = ws_connect(&app.ws_url(meeting, None), None).await;
        let head = snapshot_seq(&mut ws).await;
        clients.push((ws, head));
    }
    // Every connection is on a shard now (its snapshot came from its connection task).
    let loads = app.state.hub.shard_loads();
    assert_eq!(loads.len(), 2, "two shards started: {loads:?}");
    assert_eq!(loads.iter().sum::<usize>(), CONNECTIONS, "{loads:?}");
    assert!(
        loads.iter().all(|&n| n > 0),
        "both shards carry connections: {loads:?}"
    );

    let mut posted = Vec::new();
    for i in 0..POSTS {
        posted.push(
            app.post(&anne, meeting, "comment", &format!("nr. {i}"))
                .await,
        );
    }
    let last = *posted.last().expect("posts");
    for (n, (ws, head)) in clients.iter_mut().enumerate() {
        let mut seen = Vec::new();
        while seen.last().copied().unwrap_or(*head) < last {
            match next_frame(ws, Duration::from_secs(10)).await {
                Some(ServerFrame::Event(e)) => seen.push(e.seq),
                Some(ServerFrame::Presence { .. } | ServerFrame::Votes { .. }) => continue,
                Some(other) => panic!("client {n}: unexpected {other:?}"),
                None => panic!("client {n}: stream ended after {seen:?}"),
            }
        }
        let expected: Vec<u64> = (*head + 1..=last).collect();
        assert_eq!(seen, expected, "client {n}: every seq once, in order");
        for p in &posted {
            assert!(seen.contains(p), "client {n} missed post {p}");
        }
    }
    app.shutdown().await;
}

#[tokio::test]
async fn one_live_thread_means_one_shard() {
    let app = spawn_app_with(|s| s.live_threads = 1).await;
    let meeting = app.open_meeting("Havnen").await;
    let mut a = ws_connect(&app.ws_url(meeting, None), None).await;
    let mut b = ws_connect(&app.ws_url(meeting, None), None).await;
    snapshot_seq(&mut a).await;
    snapshot_seq(&mut b).await;
    assert_eq!(app.state.hub.shard_loads(), vec![2]);
    app.shutdown().await;
}
