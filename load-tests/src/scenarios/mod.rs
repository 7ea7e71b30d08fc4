//! The scenarios. All but `idle` share one shape ([`fanout`]): clients subscribe, posts arrive
//! on a schedule, something may happen halfway (a storm of drops, stalled readers, likes), and
//! at the end every client must hold every seq. `idle` and `poll` have their own shape.

mod fanout;
mod idle;
mod likes;
mod poll;

use std::time::Duration;

use rand::{Rng, SeedableRng};

use crate::args::{Cli, Scenario};
pub use fanout::Plan;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let result = match cli.scenario {
        Scenario::Replay2013 {
            target,
            participants,
            posts,
            meeting_minutes,
            speed,
            seed,
        } => {
            let offsets = replay_schedule(posts, meeting_minutes, speed, seed);
            let plan = Plan {
                posters: participants,
                clients: participants,
                offsets,
                ..Plan::new("replay-2013", target, command)
            };
            fanout::run(plan).await?
        }
        Scenario::Town {
            target,
            participants,
            posts_per_sec,
            likes_per_sec,
            duration_secs,
        } => {
            let plan = Plan {
                posters: posters_for(posts_per_sec),
                clients: participants,
                offsets: crate::engine::steady(posts_per_sec, duration_secs),
                likes: (likes_per_sec > 0.0).then_some(likes::LikesPlan {
                    voters: 500,
                    posts: 0,
                    rate: likes_per_sec,
                    secs: duration_secs,
                    in_flight: 256,
                }),
                ..Plan::new("town", target, command)
            };
            fanout::run(plan).await?
        }
        Scenario::Storm {
            target,
            clients,
            drop,
            posts_per_sec,
            duration_secs,
        } => {
            let plan = Plan {
                posters: posters_for(posts_per_sec),
                clients,
                droppers: drop.min(clients),
                offsets: crate::engine::steady(posts_per_sec, duration_secs),
                storm_at: Some(Duration::from_secs(duration_secs) / 2),
                ..Plan::new("storm", target, command)
            };
            fanout::run(plan).await?
        }
        Scenario::Slow {
            target,
            clients,
            stalled_percent,
            posts_per_sec,
            body_bytes,
            duration_secs,
        } => {
            let stalled = ((clients as f64 * stalled_percent / 100.0).round() as usize).max(1);
            let plan = Plan {
                posters: posters_for(posts_per_sec),
                clients,
                stallers: stalled.min(clients),
                body_bytes,
                offsets: crate::engine::steady(posts_per_sec, duration_secs),
                stall_at: Some(Duration::from_secs(duration_secs) / 2),
                ..Plan::new("slow", target, command)
            };
            fanout::run(plan).await?
        }
        Scenario::Likes {
            target,
            clients,
            voters,
            posts,
            likes_per_sec,
            duration_secs,
            in_flight,
        } => {
            let plan = Plan {
                posters: posts.clamp(1, 50),
                clients,
                likes: Some(likes::LikesPlan {
                    voters,
                    posts,
                    rate: likes_per_sec,
                    secs: duration_secs,
                    in_flight,
                }),
                ..Plan::new("likes", target, command)
            };
            fanout::run(plan).await?
        }
        Scenario::Idle {
            target,
            connections,
            hold_secs,
            per_process,
        } => idle::run(target, connections, hold_secs, per_process, command).await?,
        Scenario::Poll {
            target,
            participants,
            watchers,
            window_secs,
            change_percent,
            in_flight,
        } => {
            let plan = poll::PollPlan {
                participants,
                watchers: watchers.unwrap_or(participants),
                window_secs,
                change_percent,
                in_flight,
            };
            poll::run(target, plan, command).await?
        }
        Scenario::Report { results } => {
            print!("{}", crate::report::tables(&results)?);
            return Ok(());
        }
        Scenario::WorkerIdle { spec } => return crate::workers::worker_main(&spec).await,
    };
    if result.1 && result.0.failed() {
        anyhow::bail!(
            "{} lost and {} duplicated events, {} sampled frames whose full decode disagreed",
            result.0.lost,
            result.0.duplicated,
            result
                .0
                .extra
                .get("decode_mismatches")
                .and_then(|v| v.as_u64())
                .unwrap_or(0)
        );
    }
    Ok(())
}

/// Enough participants that nobody exceeds the default 10 posts per minute.
fn posters_for(posts_per_sec: f64) -> usize {
    ((posts_per_sec * 60.0 / 8.0).ceil() as usize).max(1)
}

/// `posts` posting times spread at random over a meeting of `minutes`, compressed by `speed`;
/// denser in the middle third, where the 2013 meeting's debate was liveliest.
pub fn replay_schedule(posts: usize, minutes: u64, speed: f64, seed: u64) -> Vec<Duration> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let span = minutes as f64 * 60.0 / speed.max(0.001);
    let mut offsets: Vec<f64> = (0..posts)
        .map(|_| {
            // Average of two uniforms: a triangular distribution peaking mid-meeting.
            let x = (rng.gen::<f64>() + rng.gen::<f64>()) / 2.0;
            x * span
        })
        .collect();
    offsets.sort_by(|a, b| a.total_cmp(b));
    offsets.into_iter().map(Duration::from_secs_f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_spreads_417_posts_over_54_seconds_at_100x() {
        let s = replay_schedule(417, 90, 100.0, 2013);
        assert_eq!(s.len(), 417);
        assert!(s.windows(2).all(|w| w[0] <= w[1]));
        assert!(*s.last().unwrap() <= Duration::from_secs(54));
        assert_eq!(s, replay_schedule(417, 90, 100.0, 2013));
    }

    #[test]
    fn posters_stay_under_the_per_minute_limit() {
        assert_eq!(posters_for(20.0), 150);
        assert!(posters_for(10.0) * 10 >= 600);
    }
}
