//! Votes are not log events (a popular meeting would drown the log). They are rows written in
//! batches: requests arriving within `vote_flush_ms` share one transaction (group commit), and
//! each request is answered once its batch has committed. Counts then go out coalesced with
//! the room's next `votes` frame, at most every `coalesce_ms`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::ops::metrics::{Metrics, StoreOp};
use crate::store::{Store, StoreError, VoteChange};

type Reply = oneshot::Sender<Result<bool, StoreError>>;

#[derive(Clone)]
pub struct VoteWriter {
    tx: mpsc::Sender<(VoteChange, Reply)>,
}

impl VoteWriter {
    pub fn start(store: Arc<dyn Store>, flush: Duration, metrics: Arc<Metrics>) -> Self {
        let (tx, rx) = mpsc::channel(16_384);
        tokio::spawn(run(store, flush, rx, metrics));
        Self { tx }
    }

    /// Write one vote change; resolves after its batch committed with whether it changed
    /// anything (false: the vote was already set, or already cleared).
    pub async fn write(&self, change: VoteChange) -> Result<bool, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send((change, reply))
            .await
            .map_err(|_| StoreError::Unavailable("vote writer stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("vote writer stopped".into()))?
    }
}

async fn run(
    store: Arc<dyn Store>,
    flush: Duration,
    mut rx: mpsc::Receiver<(VoteChange, Reply)>,
    metrics: Arc<Metrics>,
) {
    const MAX_BATCH: usize = 4096;
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + flush;
        while batch.len() < MAX_BATCH {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(item)) => batch.push(item),
                Ok(None) | Err(_) => break,
            }
        }
        let changes: Vec<VoteChange> = batch.iter().map(|(c, _)| *c).collect();
        match metrics
            .time_store(StoreOp::Votes, store.write_votes(&changes))
            .await
        {
            Ok(effective) => {
                for ((_, reply), changed) in batch
                    .into_iter()
                    .zip(effective.into_iter().chain(std::iter::repeat(false)))
                {
                    let _ = reply.send(Ok(changed));
                }
            }
            Err(e) => {
                let msg = e.to_string();
                for (_, reply) in batch {
                    let _ = reply.send(Err(StoreError::Unavailable(msg.clone())));
                }
            }
        }
    }
}
