//! The live shards: the threads that run this instance's WebSocket connections.
//!
//! Why shards: one event of a room must reach every connection of the room, and each write is a
//! syscall of a few µs. On one thread a sweep over N connections takes N × that, and the
//! median client waits for half of it. The connections are therefore spread over one thread per
//! CPU this process may use (`--live-threads`, default `available_parallelism`, which follows
//! `taskset` and cgroup quotas): each shard is a single-threaded tokio runtime on its own OS
//! thread, a new connection goes to the shard with the fewest, and the room's broadcast wakes
//! the tasks of every shard at once, so the shards write their part of the sweep in parallel.
//!
//! Why not the process's main runtime: commands (`Room::execute`, the store append and its
//! ack) and the hub's loops run there. With the connections on it, a command woken during a
//! sweep waited in the same run queue behind every connection task the previous event had
//! woken. Apart, the OS schedules the command's thread as soon as it is runnable.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::sync::oneshot;

struct Shard {
    handle: Handle,
    connections: Arc<AtomicUsize>,
    /// Dropped (or sent) when the shards go: the thread leaves `block_on` and its runtime
    /// drops the tasks still on it.
    _stop: oneshot::Sender<()>,
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
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let handle = rt.handle().clone();
            let (stop, stopped) = oneshot::channel::<()>();
            std::thread::Builder::new()
                .name(format!("borgermode-live-{i}"))
                .spawn(move || {
                    rt.block_on(async move {
                        let _ = stopped.await;
                    });
                })?;
            shards.push(Shard {
                handle,
                connections: Arc::new(AtomicUsize::new(0)),
                _stop: stop,
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
