//! Shared test harness: decides commands against the current projection and applies the
//! resulting events with gapless seq numbers, the way the store and the rooms do.

use borgermode_domain::event::Actor;
use borgermode_domain::*;
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

pub const ORG: Actor = Actor::Organizer;

pub fn pid(n: u128) -> ParticipantId {
    ParticipantId(Uuid::from_u128(n))
}

pub fn who(id: ParticipantId) -> Actor {
    Actor::Participant { id }
}

pub fn id_of(actor: Actor) -> ParticipantId {
    actor.participant().expect("a participant actor")
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 4, 19, 0, 0).unwrap()
}

pub fn details(title: &str) -> MeetingDetails {
    MeetingDetails {
        title: title.to_string(),
        description: "Om den nye skole".to_string(),
        starts_at: Some(t0()),
        ends_at: Some(t0() + Duration::hours(2)),
        language: Language::Da,
        video_url: Some("https://video.example/live".to_string()),
    }
}

/// Names of the events, in order, for compact assertions.
pub fn names(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.kind.name()).collect()
}

pub struct Harness {
    pub state: MeetingState,
    pub seq: Seq,
    pub now: DateTime<Utc>,
    pub limits: Limits,
    pub log: Vec<Event>,
    next_id: u128,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    pub fn new() -> Self {
        Self {
            state: MeetingState::new(MeetingId(Uuid::from_u128(0xB0_46E4))),
            seq: 0,
            now: t0(),
            limits: Limits::default(),
            log: Vec::new(),
            next_id: 1,
        }
    }

    /// A harness with a created (draft) meeting.
    pub fn created(settings: MeetingSettings) -> Self {
        let mut h = Self::new();
        h.ok(
            ORG,
            Command::CreateMeeting {
                details: details("Borgermøde om skolen"),
                settings,
            },
        );
        h
    }

    pub fn ctx(&self) -> Context {
        Context {
            now: self.now,
            limits: self.limits,
        }
    }

    /// Decide only, without applying.
    pub fn decide(&self, actor: Actor, cmd: Command) -> Result<Vec<EventKind>, DomainError> {
        decide(&self.state, &actor, cmd, &self.ctx())
    }

    /// Decide, then append and apply the events with seq + 1 each.
    pub fn run(&mut self, actor: Actor, cmd: Command) -> Result<Vec<Event>, DomainError> {
        let kinds = decide(&self.state, &actor, cmd, &self.ctx())?;
        let mut out = Vec::with_capacity(kinds.len());
        for kind in kinds {
            self.seq += 1;
            let e = Event {
                seq: self.seq,
                at: self.now,
                actor,
                kind,
            };
            self.state.apply(&e);
            self.log.push(e.clone());
            out.push(e);
        }
        Ok(out)
    }

    /// Like `run`, but also returns the notices of every event, each computed on the state right
    /// after that event was applied (as the rooms do).
    pub fn run_with_notices(
        &mut self,
        actor: Actor,
        cmd: Command,
    ) -> Result<(Vec<Event>, Vec<Notice>), DomainError> {
        let kinds = decide(&self.state, &actor, cmd, &self.ctx())?;
        let mut out = Vec::with_capacity(kinds.len());
        let mut notices = Vec::new();
        for kind in kinds {
            self.seq += 1;
            let e = Event {
                seq: self.seq,
                at: self.now,
                actor,
                kind,
            };
            self.state.apply(&e);
            notices.extend(notices_for(&self.state, &e));
            self.log.push(e.clone());
            out.push(e);
        }
        Ok((out, notices))
    }

    #[track_caller]
    pub fn ok(&mut self, actor: Actor, cmd: Command) -> Vec<Event> {
        match self.run(actor, cmd.clone()) {
            Ok(events) => events,
            Err(e) => panic!("{cmd:?} by {actor:?} was rejected: {e:?}"),
        }
    }

    /// Run a command that must be rejected; returns the error. Checks that nothing was written.
    #[track_caller]
    pub fn err(&mut self, actor: Actor, cmd: Command) -> DomainError {
        let before = self.seq;
        match self.run(actor, cmd.clone()) {
            Ok(events) => panic!(
                "{cmd:?} by {actor:?} was accepted with {:?}",
                names(&events)
            ),
            Err(e) => {
                assert_eq!(self.seq, before);
                e
            }
        }
    }

    /// The error code of a command that must be rejected.
    #[track_caller]
    pub fn code(&mut self, actor: Actor, cmd: Command) -> &'static str {
        self.err(actor, cmd).code()
    }

    /// Run a command that must be accepted without any event (an acknowledged no-op).
    #[track_caller]
    pub fn noop(&mut self, actor: Actor, cmd: Command) {
        let events = self.ok(actor, cmd.clone());
        assert!(
            events.is_empty(),
            "{cmd:?} should be a no-op, got {:?}",
            names(&events)
        );
    }

    pub fn advance(&mut self, secs: i64) {
        self.now += Duration::seconds(secs);
    }

    pub fn fresh_id(&mut self) -> ParticipantId {
        let id = pid(0x1000 + self.next_id);
        self.next_id += 1;
        id
    }

    pub fn add_staff(&mut self, role: StaffRole, name: &str, role_line: &str) -> Actor {
        let id = self.fresh_id();
        self.ok(
            ORG,
            Command::AddStaff {
                participant: id,
                role,
                name: name.to_string(),
                role_line: role_line.to_string(),
            },
        );
        who(id)
    }

    pub fn join(&mut self, name: &str) -> Actor {
        let id = self.fresh_id();
        self.ok(who(id), join_cmd(id, name));
        who(id)
    }

    pub fn post(&mut self, actor: Actor, kind: PostKind, body: &str) -> PostId {
        let events = self.ok(
            actor,
            Command::CreatePost {
                kind,
                body: body.to_string(),
                parent: None,
                agenda_item: None,
            },
        );
        assert_eq!(names(&events), ["post_created"]);
        PostId(events[0].seq)
    }

    pub fn comment(&mut self, actor: Actor, body: &str) -> PostId {
        self.post(actor, PostKind::Comment, body)
    }

    pub fn question(&mut self, actor: Actor, body: &str) -> PostId {
        self.post(actor, PostKind::Question, body)
    }

    pub fn reply(&mut self, actor: Actor, parent: PostId, body: &str) -> PostId {
        let events = self.ok(
            actor,
            Command::CreatePost {
                kind: PostKind::Comment,
                body: body.to_string(),
                parent: Some(parent),
                agenda_item: None,
            },
        );
        PostId(events[0].seq)
    }

    #[track_caller]
    pub fn post_of(&self, id: PostId) -> &Post {
        self.state.posts.get(&id).expect("post exists")
    }

    #[track_caller]
    pub fn qstate(&self, id: PostId) -> &QuestionState {
        &self
            .post_of(id)
            .question
            .as_ref()
            .expect("post is a question")
            .state
    }

    #[track_caller]
    pub fn participant(&self, actor: Actor) -> &Participant {
        self.state
            .participant(id_of(actor))
            .expect("participant exists")
    }

    pub fn set_settings(&mut self, settings: MeetingSettings) {
        self.ok(ORG, Command::ChangeSettings { settings });
    }
}

pub fn join_cmd(id: ParticipantId, name: &str) -> Command {
    Command::Join {
        participant: id,
        display_name: name.to_string(),
        age_band: Some(AgeBand::From30To44),
        gender: None,
    }
}

/// A meeting with its cast: two moderators, two panelists and three citizens.
pub struct Town {
    pub h: Harness,
    pub moderator: Actor,
    pub moderator2: Actor,
    pub panelist: Actor,
    pub panelist2: Actor,
    pub anne: Actor,
    pub bo: Actor,
    pub carl: Actor,
}

impl Town {
    /// Created, staffed, opened, and three citizens joined.
    pub fn open() -> Self {
        Self::open_with(MeetingSettings::default())
    }

    pub fn open_with(settings: MeetingSettings) -> Self {
        let mut t = Self::scheduled_with(settings);
        t.h.ok(ORG, Command::Open);
        t
    }

    /// Created, staffed, scheduled (question intake), and three citizens joined.
    pub fn scheduled_with(settings: MeetingSettings) -> Self {
        let mut h = Harness::created(settings);
        let moderator = h.add_staff(StaffRole::Moderator, "Mette Mod", "Ordstyrer");
        let moderator2 = h.add_staff(StaffRole::Moderator, "Lars Mod", "");
        let panelist = h.add_staff(StaffRole::Panelist, "Søren Ærø", "Borgmester");
        let panelist2 = h.add_staff(StaffRole::Panelist, "Ida Holm", "Skolechef");
        h.ok(ORG, Command::Schedule);
        let anne = h.join("Anne");
        let bo = h.join("Bo");
        let carl = h.join("Carl");
        Self {
            h,
            moderator,
            moderator2,
            panelist,
            panelist2,
            anne,
            bo,
            carl,
        }
    }

    pub fn citizens(&self) -> [Actor; 3] {
        [self.anne, self.bo, self.carl]
    }
}
