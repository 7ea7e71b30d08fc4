//! The live shards: the threads that run this instance's WebSocket connections.
//!
//! Why shards: one event of a room must reach every connection of the room, and each write is a
//! syscall of a few µs. On one thread a sweep over N connections takes N × that, and the
//! median client waits for half of it. The connections are therefore spread over one thread per
//! CPU this process may use (`--live-threads`, default `available_parallelism`, which follows
//! `taskset` and cgroup quotas): each shard is a tokio runtime with one worker thread, a new connection goes to the shard with the fewest, and the room's broadcast wakes
//! the tasks of every shard at once, so the shards write their part of the sweep in parallel.
//!
//! Why not the process's main runtime (where they ran before): the hub's loops run there (the
//! coalescing tick, bus delivery and with it the ingest of other instances' events, gap fill),
//! and a tick or a bus event woken during a sweep waited in the same run queue behind every
//! connection task the previous event had woken. Commands run on the HTTP workers
//! (`Room::execute` spawns onto the worker's own runtime).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::runtime::{Handle, Runtime};

struct Shard {
    /// A multi-thread runtime with one worker, not a current-thread one: the room wakes a
    /// shard's tasks from another thread (the one that ingested the event), and a current-thread
    /// runtime answers every such wake-up with a write to its eventfd (10,000 syscalls per event
    /// for 10,000 viewers); the multi-thread scheduler wakes its worker once when it is idle.
    runtime: Option<Runtime>,
    handle: Handle,
    connections: Arc<AtomicUsize>,
}

impl Drop for Shard {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside another runtime (tests drop the hub
        // there): let its worker end in the background instead.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

pub struct LiveShards {
    shards: Vec<Shard>,
}

/// A connection's place on a shard: where to spawn it, counted until dropped.
pub struct ShardSlot {
    pub index: usize,
    pub handle: Handle,
    connections: Arc<AtomicUsize>,
}

impl Drop for ShardSlot {
    fn drop(&mut self) {
        self.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

impl LiveShards {
    /// Start `n` (at least one) shard threads.
    pub fn start(n: usize) -> std::io::Result<LiveShards> {
        let mut shards = Vec::with_capacity(n.max(1));
        for i in 0..n.max(1) {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name(format!("borgermode-live-{i}"))
                .enable_all()
                .build()?;
            shards.push(Shard {
                handle: runtime.handle().clone(),
                runtime: Some(runtime),
                connections: Arc::new(AtomicUsize::new(0)),
            });
        }
        Ok(LiveShards { shards })
    }

    pub fn len(&self) -> usize {
        self.shards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shards.is_empty()
    }

    /// A place for a new connection: the shard with the fewest connections (the first of
    /// equals), so every room's connections spread evenly. Two connections placed at the same
    /// moment may land on the same shard; the next placement evens it out.
    pub fn place(&self) -> ShardSlot {
        let (index, shard) = self
            .shards
            .iter()
            .enumerate()
            .min_by_key(|(_, s)| s.connections.load(Ordering::Relaxed))
            .expect("at least one shard");
        shard.connections.fetch_add(1, Ordering::Relaxed);
        ShardSlot {
            index,
            handle: shard.handle.clone(),
            connections: shard.connections.clone(),
        }
    }

    /// Open connections per shard.
    pub fn loads(&self) -> Vec<usize> {
        self.shards
            .iter()
            .map(|s| s.connections.load(Ordering::Relaxed))
            .collect()
    }
}
