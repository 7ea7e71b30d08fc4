//! Group commit of rows that are not log events: votes and poll answers (a popular meeting
//! would drown the log). Requests arriving within `vote_flush_ms` share one transaction, and
//! each request is answered once its batch has committed (acknowledged means durable, as for
//! commands). Counts then go out coalesced with the room's next `votes` / `poll_results`
//! frames, at most every `coalesce_ms`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::ops::metrics::{Metrics, StoreOp};
use crate::store::{PollAnswerRecord, Store, StoreError, VoteChange};

type Reply = oneshot::Sender<Result<bool, StoreError>>;

/// One writer task per kind of row: it collects requests for up to `flush`, writes them with
/// one call, and answers each with whether its row changed anything.
pub struct GroupCommit<C> {
    tx: mpsc::Sender<(C, Reply)>,
}

impl<C> Clone for GroupCommit<C> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
        }
    }
}

impl<C: Send + 'static> GroupCommit<C> {
    pub fn start<F, Fut>(flush: Duration, write: F) -> Self
    where
        F: Fn(Vec<C>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Vec<bool>, StoreError>> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(16_384);
        tokio::spawn(run(flush, rx, write));
        Self { tx }
    }

    /// Write one row; resolves after its batch committed with whether it changed anything
    /// (false: the same vote or answer was already stored).
    pub async fn write(&self, row: C) -> Result<bool, StoreError> {
        let (reply, rx) = oneshot::channel();
        let stopped = || StoreError::Unavailable("writer stopped".into());
        self.tx.send((row, reply)).await.map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

async fn run<C, F, Fut>(flush: Duration, mut rx: mpsc::Receiver<(C, Reply)>, write: F)
where
    F: Fn(Vec<C>) -> Fut,
    Fut: Future<Output = Result<Vec<bool>, StoreError>>,
{
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
        let (rows, replies): (Vec<C>, Vec<Reply>) = batch.into_iter().unzip();
        match write(rows).await {
            Ok(effective) => {
                for (reply, changed) in replies
                    .into_iter()
                    .zip(effective.into_iter().chain(std::iter::repeat(false)))
                {
                    let _ = reply.send(Ok(changed));
                }
            }
            Err(e) => {
                let msg = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Unavailable(msg.clone())));
                }
            }
        }
    }
}

/// Upvotes.
pub type VoteWriter = GroupCommit<VoteChange>;
/// Poll answers.
pub type PollAnswerWriter = GroupCommit<PollAnswerRecord>;

pub fn vote_writer(store: Arc<dyn Store>, flush: Duration, metrics: Arc<Metrics>) -> VoteWriter {
    GroupCommit::start(flush, move |changes: Vec<VoteChange>| {
        let (store, metrics) = (store.clone(), metrics.clone());
        async move {
            metrics
                .time_store(StoreOp::Votes, store.write_votes(&changes))
                .await
        }
    })
}

pub fn poll_answer_writer(
    store: Arc<dyn Store>,
    flush: Duration,
    metrics: Arc<Metrics>,
) -> PollAnswerWriter {
    GroupCommit::start(flush, move |rows: Vec<PollAnswerRecord>| {
        let (store, metrics) = (store.clone(), metrics.clone());
        async move {
            metrics
                .time_store(StoreOp::PollAnswers, store.write_poll_answers(&rows))
                .await
        }
    })
}
