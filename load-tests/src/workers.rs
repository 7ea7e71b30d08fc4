//! Worker processes for `idle`: one process may open only ~20,000 files here, so above that the
//! generator starts copies of itself, each holding a slice of the connections. A worker prints
//! `READY <connected> <errors> <first error>` once its slice is connected, holds the
//! connections until its stdin closes, then closes them and exits.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

use crate::args::TargetKind;
use crate::engine::RunState;
use crate::subscriber::ClientSpec;
use crate::target::Target;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerSpec {
    pub kind: TargetKind,
    pub urls: Vec<String>,
    pub meeting: String,
    pub first: usize,
    pub count: usize,
    pub sources: u8,
    pub connect_concurrency: usize,
    pub max_seconds: u64,
}

/// Connect a slice of idle clients; returns the run state and the client tasks.
pub async fn connect_slice(
    spec: &WorkerSpec,
) -> anyhow::Result<(Arc<RunState>, crate::engine::Clients, Option<String>)> {
    let target = Arc::new(Target::attach(
        spec.kind,
        spec.urls.clone(),
        spec.meeting.clone(),
        spec.sources,
    )?);
    let run = RunState::new(spec.connect_concurrency);
    let specs = (spec.first..spec.first + spec.count)
        .map(|idx| ClientSpec {
            idx,
            token: None,
            dropper: false,
            staller: false,
            sources: spec.sources,
        })
        .collect();
    let deadline = Duration::from_secs(60 + spec.count as u64 / 100);
    // Tolerate failures: `idle` reports how far it got and what stopped it.
    let (clients, error) =
        crate::engine::start_clients_tolerant(&target, &run, specs, deadline).await;
    Ok((run, clients, error))
}

pub async fn worker_main(spec: &str) -> anyhow::Result<()> {
    let spec: WorkerSpec = serde_json::from_str(spec)?;
    let (run, clients, error) = connect_slice(&spec).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "READY {} {} {}",
            run.connected(),
            crate::stats::Counters::get(&run.counters.connect_errors),
            error.unwrap_or_default().replace('\n', " ")
        )?;
        out.flush()?;
    }
    let mut buf = [0u8; 64];
    let _ = tokio::time::timeout(
        Duration::from_secs(spec.max_seconds),
        tokio::io::stdin().read(&mut buf),
    )
    .await;
    run.stop();
    let mut tasks = clients.tasks;
    while tasks.join_next().await.is_some() {}
    Ok(())
}
