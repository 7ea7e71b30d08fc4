//! `--demo`: a ready-to-try meeting (open, with a moderator and a panelist) so that someone
//! evaluating borgermode sees a whole meeting within a minute of `cargo run`.

use borgermode_domain::event::Actor;
use borgermode_domain::{
    Command, Language, MeetingDetails, MeetingId, MeetingSettings, ParticipantId, StaffRole,
};
use uuid::Uuid;

use crate::http::api::lifecycle::staff::issue_link;
use crate::state::AppState;

pub struct DemoLinks {
    pub citizen: String,
    pub moderator: String,
    pub panelist: String,
}

pub async fn create(state: &AppState) -> anyhow::Result<DemoLinks> {
    let id = MeetingId(Uuid::new_v4());
    state
        .store
        .assign_meeting(id, crate::store::orgs::DEFAULT_ORGANIZATION)
        .await?;
    let room = state.hub.new_room(id);
    let now = chrono::Utc::now();
    let details = MeetingDetails {
        title: "Digitalt borgermøde: Fremtidens havn".into(),
        description: "Kom med dine spørgsmål og kommentarer om planerne for havnen. Politikerne svarer undervejs.\n\nSe planerne på [kommunens side](https://www.example.org/havn).".into(),
        starts_at: Some(now),
        ends_at: Some(now + chrono::Duration::minutes(90)),
        language: Language::Da,
        video_url: None,
    };
    let settings = MeetingSettings {
        max_body_chars: state.settings.max_body_chars,
        ..MeetingSettings::default()
    };
    room.execute(
        Actor::Organizer,
        Command::CreateMeeting { details, settings },
        None,
    )
    .await?;
    room.execute(Actor::Organizer, Command::Open, None).await?;
    let moderator = ParticipantId(Uuid::new_v4());
    room.execute(
        Actor::Organizer,
        Command::AddStaff {
            participant: moderator,
            role: StaffRole::Moderator,
            name: "Mødeleder".into(),
            role_line: "Kommunikation".into(),
        },
        None,
    )
    .await?;
    let panelist = ParticipantId(Uuid::new_v4());
    room.execute(
        Actor::Organizer,
        Command::AddStaff {
            participant: panelist,
            role: StaffRole::Panelist,
            name: "Anne Borgmester".into(),
            role_line: "Borgmester".into(),
        },
        None,
    )
    .await?;
    let (moderator, _) = issue_link(state, id, moderator).await?;
    let (panelist, _) = issue_link(state, id, panelist).await?;
    Ok(DemoLinks {
        citizen: format!("{}/m/{}", state.settings.public_url(), id),
        moderator,
        panelist,
    })
}

/// `--demo-2013`: the seed's meeting as it happened, with its history, so the after-meeting
/// report can be seen (and screenshotted) without waiting two hours: "Town meeting from the
/// armchair", September 2013, 150 participants and 417 posts (120 questions, 247 comments, 50
/// replies) spread over two hours, answers live and in writing, a few hidden posts, opt-in age
/// bands and genders, presence samples of one instance, then closed.
///
/// Events are decided by the domain with a simulated clock and appended to the store directly
/// (the same path as commands, without HTTP), so the log is one a real meeting could have.
/// Deterministic: the same input gives the same meeting (apart from its random ids).
pub async fn seed_2013(state: &AppState) -> anyhow::Result<MeetingId> {
    use borgermode_domain::report::PresenceSample;
    use borgermode_domain::{
        decide, AgeBand, Context, Gender, HideReason, Limits, MeetingState, PostId, PostKind,
    };
    use chrono::{Duration, TimeZone};

    use crate::store::{AppendOutcome, PendingEvent};

    let store = state.store.clone();
    let id = MeetingId(Uuid::new_v4());
    store
        .assign_meeting(id, crate::store::orgs::DEFAULT_ORGANIZATION)
        .await?;
    let start = chrono::Utc
        .with_ymd_and_hms(2013, 9, 24, 17, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("start time"))?;
    let mut s = MeetingState::new(id);
    let limits = Limits {
        posts_per_minute: 1000,
        ..Limits::default()
    };
    let content_key = state.settings.content_hash_key.clone();
    // Decide against the projection and append at the current seq.
    let run = async |s: &mut MeetingState,
                     actor: Actor,
                     cmd: Command,
                     now: chrono::DateTime<chrono::Utc>|
           -> anyhow::Result<Vec<borgermode_domain::Event>> {
        let mut kinds = decide(s, &actor, cmd, &Context { now, limits })
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        if let Some(key) = &content_key {
            crate::security::content_key::key_contents(key, &mut kinds);
        }
        let pending = kinds
            .into_iter()
            .map(|kind| PendingEvent {
                at: now,
                actor,
                kind,
            })
            .collect();
        match store.append(id, s.seq, pending, None).await? {
            AppendOutcome::Committed(events) => {
                for e in &events {
                    s.apply(e);
                }
                Ok(events)
            }
            other => Err(anyhow::anyhow!("append: {other:?}")),
        }
    };
    let org = Actor::Organizer;
    run(
        &mut s,
        org,
        Command::CreateMeeting {
            details: MeetingDetails {
                title: "Borgermøde fra lænestolen, september 2013".into(),
                description: "Det første digitale borgermøde: spørg byrådet hjemmefra.".into(),
                starts_at: Some(start),
                ends_at: Some(start + Duration::hours(2)),
                language: Language::Da,
                video_url: None,
            },
            settings: MeetingSettings::default(),
        },
        start - Duration::days(7),
    )
    .await?;
    let panelists = [
        ("Borgmesteren", "Borgmester"),
        ("Formand for teknik og miljø", "Byrådet"),
    ];
    let mut panel = Vec::new();
    for (name, line) in panelists {
        let p = ParticipantId(Uuid::new_v4());
        run(
            &mut s,
            org,
            Command::AddStaff {
                participant: p,
                role: StaffRole::Panelist,
                name: name.into(),
                role_line: line.into(),
            },
            start - Duration::days(7),
        )
        .await?;
        panel.push(Actor::Participant { id: p });
    }
    let moderator = ParticipantId(Uuid::new_v4());
    run(
        &mut s,
        org,
        Command::AddStaff {
            participant: moderator,
            role: StaffRole::Moderator,
            name: "Webredaktøren".into(),
            role_line: "Kommunikation".into(),
        },
        start - Duration::days(7),
    )
    .await?;
    let moderator = Actor::Participant { id: moderator };
    run(&mut s, org, Command::Open, start).await?;

    // 150 citizens join over the first 40 minutes; 417 posts over two hours, busiest early on.
    let ages = [
        None,
        Some(AgeBand::From18To29),
        Some(AgeBand::From30To44),
        Some(AgeBand::From45To59),
        Some(AgeBand::From60To74),
        Some(AgeBand::From30To44),
        Some(AgeBand::Under18),
        Some(AgeBand::From45To59),
        Some(AgeBand::From75),
        Some(AgeBand::From18To29),
    ];
    let mut people = Vec::new();
    for i in 0..150u32 {
        let p = ParticipantId(Uuid::new_v4());
        let gender = match i % 7 {
            0..=2 => Some(Gender::Woman),
            3..=5 => Some(Gender::Man),
            _ if i % 21 == 6 => Some(Gender::PreferNotToSay),
            _ => None,
        };
        run(
            &mut s,
            Actor::Participant { id: p },
            Command::Join {
                participant: p,
                display_name: format!("Borger {}", i + 1),
                age_band: ages[(i as usize) % ages.len()],
                gender,
            },
            start + Duration::seconds(i64::from(i) * 16),
        )
        .await?;
        people.push(Actor::Participant { id: p });
    }
    let mut questions: Vec<(PostId, chrono::DateTime<chrono::Utc>)> = Vec::new();
    let mut comments: Vec<PostId> = Vec::new();
    // Kinds in a fixed, well-mixed order (131 is coprime with 417, so this is a permutation):
    // 120 questions, 247 comments, 50 replies to the latest top-level post.
    let mut last_top: Option<PostId> = None;
    for i in 0..417u32 {
        // Slow clock early on: more posts in the first hour (minute 2 .. 118).
        let f = f64::from(i) / 417.0;
        let at = start + Duration::seconds(120 + ((f * f * 0.6 + f * 0.4) * 6960.0) as i64);
        let who = people[(i as usize * 37) % people.len()];
        let rank = (i * 131) % 417;
        let (kind, parent, body) = if rank < 120 {
            (
                PostKind::Question,
                None,
                format!("Hvad sker der med havnen og bussen? (spørgsmål {})", i + 1),
            )
        } else if rank < 367 || last_top.is_none() {
            (
                PostKind::Comment,
                None,
                format!("En kommentar fra en borger (indlæg {}).", i + 1),
            )
        } else {
            (
                PostKind::Comment,
                last_top,
                format!("Enig, tak for svaret (indlæg {}).", i + 1),
            )
        };
        let events = run(
            &mut s,
            who,
            Command::CreatePost {
                kind,
                body,
                parent,
                agenda_item: None,
            },
            at,
        )
        .await?;
        let post = PostId(events.first().map(|e| e.seq).unwrap_or(0));
        match (kind, parent) {
            (PostKind::Question, _) => questions.push((post, at)),
            (PostKind::Comment, None) => comments.push(post),
            _ => {}
        }
        if parent.is_none() {
            last_top = Some(post);
        }
    }
    // Answers: about half live during the meeting, a third in writing, by two panelists.
    for (n, (q, asked)) in questions.clone().into_iter().enumerate() {
        let p = panel[n % panel.len()];
        let wait = Duration::seconds(60 + ((n * 97) % 900) as i64);
        let at = (asked + wait).min(start + Duration::minutes(119));
        let cmd = match n % 6 {
            0..=2 => Command::AnswerLive {
                post: q,
                note: None,
                panelist: None,
            },
            3 | 4 => Command::AnswerWritten {
                post: q,
                body: "Tak for spørgsmålet. Se mere på [kommunens side](https://www.example.org)."
                    .into(),
            },
            _ => continue,
        };
        run(&mut s, p, cmd, at).await?;
    }
    for (n, c) in comments.iter().take(4).enumerate() {
        run(
            &mut s,
            moderator,
            Command::Hide {
                post: *c,
                reason: if n == 0 {
                    HideReason::PersonalData
                } else {
                    HideReason::OffTopic
                },
                note: None,
            },
            start + Duration::minutes(30 + n as i64 * 10),
        )
        .await?;
    }
    // Votes: citizens upvote the early questions (stored beside the log, as live votes are).
    let mut votes = Vec::new();
    for (n, (q, _)) in questions.iter().take(40).enumerate() {
        for who in people.iter().skip(n).step_by(9).take(12 - n % 12) {
            if let Some(participant) = who.participant() {
                votes.push(crate::store::VoteChange {
                    meeting: id,
                    post: *q,
                    participant,
                    up: true,
                });
            }
        }
    }
    store.write_votes(&votes).await?;
    // The organizer's goals: younger and more women.
    let options = borgermode_protocol::http::ReportOptions {
        targets: borgermode_domain::report::ReportTargets {
            under_30_min_pct: Some(25),
            women_min_pct: Some(45),
        },
        show_moderators: false,
    };
    store
        .put_setting(
            &crate::http::api::organizer::report::options_key(id),
            &serde_json::to_string(&options)?,
        )
        .await?;
    // Presence: one instance, a sample per minute, a curve that peaks around minute 40.
    for minute in 0..=120i64 {
        let x = minute as f64;
        let viewers = (40.0 + 180.0 * (-((x - 40.0) / 35.0).powi(2)).exp()) as u32;
        let sample = PresenceSample {
            minute: start + Duration::minutes(minute),
            instance: Uuid::nil(),
            viewers,
        };
        store
            .record_presence(id, sample.minute, sample.instance, sample.viewers)
            .await?;
    }
    run(&mut s, org, Command::Close, start + Duration::minutes(120)).await?;
    Ok(id)
}
