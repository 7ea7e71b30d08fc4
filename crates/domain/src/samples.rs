//! One of every event kind, for tests (feature `test-support`, never in a release build).
//!
//! Why it exists: the domain's JSON tests (`tests/it/events.rs`) and the store conformance suite
//! (`crates/server/tests/it/common/store_conformance.rs`) both need every [`EventKind`] with every
//! optional field filled; one list means a new event kind is added in one place, and
//! [`kind_index`] stops compiling until it is.

use chrono::{DateTime, Duration, Utc};

use crate::{
    AgeBand, AgendaItemDetails, AgendaItemId, Answer, Assignee, Content, ContentRef,
    DemographicCount, EventKind, Gender, HideReason, HoldReason, Language, MeetingDetails,
    MeetingSettings, ParticipantId, PollDefinition, PollId, PollKind, PostId, PostKind,
    ResultsShown, Source, StaffRole,
};

/// Number of [`EventKind`] variants; [`kind_index`] fails to compile when one is added, as a
/// reminder to add it to [`every_event_kind`] and bump this.
pub const EVENT_KINDS: usize = 48;

/// The position of `kind`'s variant, `0..EVENT_KINDS`. Exhaustive on purpose.
pub fn kind_index(kind: &EventKind) -> usize {
    match kind {
        EventKind::MeetingCreated { .. } => 0,
        EventKind::MeetingEdited { .. } => 1,
        EventKind::MeetingScheduled => 2,
        EventKind::MeetingOpened => 3,
        EventKind::MeetingClosed => 4,
        EventKind::SettingsChanged { .. } => 5,
        EventKind::StaffAdded { .. } => 6,
        EventKind::StaffRevoked { .. } => 7,
        EventKind::ParticipantJoined { .. } => 8,
        EventKind::PostCreated { .. } => 9,
        EventKind::PostReported { .. } => 10,
        EventKind::PostHeld { .. } => 11,
        EventKind::PostApproved { .. } => 12,
        EventKind::PostRejected { .. } => 13,
        EventKind::PostHidden { .. } => 14,
        EventKind::PostRestored { .. } => 15,
        EventKind::NoticePinned { .. } => 16,
        EventKind::NoticeUnpinned => 17,
        EventKind::QuestionClaimed { .. } => 18,
        EventKind::QuestionReleased { .. } => 19,
        EventKind::QuestionAnswered { .. } => 20,
        EventKind::QuestionDismissed { .. } => 21,
        EventKind::QuestionMerged { .. } => 22,
        EventKind::OnAirSet { .. } => 23,
        EventKind::ParticipantMuted { .. } => 24,
        EventKind::ParticipantUnmuted { .. } => 25,
        EventKind::ParticipantBanned { .. } => 26,
        EventKind::ParticipantUnbanned { .. } => 27,
        EventKind::QuestionAssigned { .. } => 28,
        EventKind::QuestionUnassigned { .. } => 29,
        EventKind::FollowUpStarted { .. } => 30,
        EventKind::FollowUpClosed => 31,
        EventKind::ParticipantErased { .. } => 32,
        EventKind::PersonalDataPseudonymized { .. } => 33,
        EventKind::AgendaItemAdded { .. } => 34,
        EventKind::AgendaItemEdited { .. } => 35,
        EventKind::AgendaItemRemoved { .. } => 36,
        EventKind::AgendaItemMoved { .. } => 37,
        EventKind::CurrentAgendaItemSet { .. } => 38,
        EventKind::PostFiled { .. } => 39,
        EventKind::PollCreated { .. } => 40,
        EventKind::PollEdited { .. } => 41,
        EventKind::PollDeleted { .. } => 42,
        EventKind::PollMoved { .. } => 43,
        EventKind::PollLaunched { .. } => 44,
        EventKind::PollClosed { .. } => 45,
        EventKind::PollResultsPublished { .. } => 46,
        EventKind::PollOnScreenSet { .. } => 47,
    }
}

fn details(title: &str, at: DateTime<Utc>) -> MeetingDetails {
    MeetingDetails {
        title: title.to_owned(),
        description: "Om **cykelstien** langs åen".to_owned(),
        starts_at: Some(at + Duration::days(7)),
        ends_at: Some(at + Duration::days(7) + Duration::hours(2)),
        language: Language::Da,
        video_url: Some("https://example.org/live".to_owned()),
    }
}

/// One of every event kind, some several times in other shapes (every optional field filled
/// and empty, every `Source`, `Answer` and `Assignee`), in an order a log could have: the
/// meeting is created first, and retention (`personal_data_pseudonymized`) comes last. Times
/// are `at` plus whole minutes or days, so they are whole microseconds when `at` is.
///
/// Erasure and retention name content rows that no log of this list has (seqs 999 998 and
/// 999 999), so appending the list deletes no text; retention still strips every per-person
/// age band and gender stored before it, and the list has some to strip.
pub fn every_event_kind(
    moderator: ParticipantId,
    citizen: ParticipantId,
    at: DateTime<Utc>,
) -> Vec<EventKind> {
    let p = PostId;
    let settings = MeetingSettings {
        max_body_chars: 800,
        slow_mode_secs: 30,
        premoderation: true,
        keywords: vec!["idiot".to_owned(), "spam".to_owned()],
        report_threshold: 4,
        auto_hold_reports: false,
    };
    vec![
        EventKind::MeetingCreated {
            details: details("Borgermøde", at),
            settings,
        },
        EventKind::MeetingEdited {
            details: MeetingDetails {
                starts_at: None,
                ends_at: None,
                video_url: None,
                language: Language::En,
                ..details("Town meeting", at)
            },
        },
        EventKind::MeetingScheduled,
        EventKind::MeetingOpened,
        EventKind::SettingsChanged {
            settings: MeetingSettings::default(),
        },
        EventKind::StaffAdded {
            participant: moderator,
            role: StaffRole::Moderator,
            name: "Mette M.".to_owned(),
            role_line: "Ordstyrer".to_owned(),
        },
        EventKind::StaffAdded {
            participant: moderator,
            role: StaffRole::Panelist,
            name: "Søren Ærø".to_owned(),
            role_line: "Borgmester".to_owned(),
        },
        EventKind::ParticipantJoined {
            participant: citizen,
            display_name: Content::new("Jens"),
            age_band: Some(AgeBand::Under18),
            gender: Some(Gender::PreferNotToSay),
        },
        EventKind::ParticipantJoined {
            participant: moderator,
            display_name: Content::new("Mette"),
            age_band: None,
            gender: None,
        },
        EventKind::PostCreated {
            post_kind: PostKind::Notice,
            parent: None,
            body: Content::new("Husk: mødet optages."),
            source: Source::Online,
            held: None,
        },
        EventKind::PostCreated {
            post_kind: PostKind::Comment,
            parent: Some(p(9)),
            body: Content::new("spam spam"),
            source: Source::Room { name: None },
            held: Some(HoldReason::Keyword),
        },
        EventKind::PostCreated {
            post_kind: PostKind::Question,
            parent: None,
            body: Content::new("Hvad med \"cykelstien\"?\n— æøå"),
            source: Source::Room {
                name: Some(Content::new("Hans")),
            },
            held: Some(HoldReason::Keyword),
        },
        EventKind::PostReported {
            post: p(10),
            reason: None,
            reason_text: Some(Content::new("reklame")),
        },
        EventKind::PostReported {
            post: p(10),
            reason: Some("legacy".to_owned()),
            reason_text: None,
        },
        EventKind::PostHeld {
            post: p(10),
            reason: HoldReason::Reports,
        },
        EventKind::PostApproved { post: p(10) },
        EventKind::PostRejected {
            post: p(10),
            reason: Some("spam".to_owned()),
        },
        EventKind::PostRejected {
            post: p(10),
            reason: None,
        },
        EventKind::PostHidden {
            post: p(10),
            reason: HideReason::PersonalData,
            note: Some("cpr-nummer".to_owned()),
        },
        EventKind::PostRestored { post: p(10) },
        EventKind::NoticePinned { post: p(9) },
        EventKind::NoticeUnpinned,
        EventKind::QuestionClaimed { post: p(9) },
        EventKind::QuestionReleased { post: p(9) },
        EventKind::QuestionAnswered {
            post: p(9),
            answer: Answer::Live {
                note: Some("besvaret i salen".to_owned()),
                panelist: None,
            },
        },
        EventKind::QuestionAnswered {
            post: p(9),
            answer: Answer::Written {
                body: Content::new("Svar med [link](https://kommune.dk)"),
            },
        },
        EventKind::QuestionDismissed {
            post: p(10),
            reason: "ikke et spørgsmål".to_owned(),
        },
        EventKind::QuestionMerged {
            post: p(10),
            into: p(9),
        },
        EventKind::OnAirSet { post: Some(p(9)) },
        EventKind::OnAirSet { post: None },
        EventKind::ParticipantMuted {
            participant: citizen,
            until: at + Duration::minutes(10),
        },
        EventKind::ParticipantUnmuted {
            participant: citizen,
        },
        EventKind::ParticipantBanned {
            participant: citizen,
            reason: None,
        },
        EventKind::ParticipantUnbanned {
            participant: citizen,
        },
        EventKind::QuestionAssigned {
            post: p(10),
            to: Assignee::Panelist {
                participant: moderator,
            },
        },
        EventKind::QuestionAssigned {
            post: p(10),
            to: Assignee::Department {
                name: "Teknik og Miljø".into(),
            },
        },
        EventKind::QuestionUnassigned { post: p(10) },
        EventKind::AgendaItemAdded {
            details: AgendaItemDetails {
                title: "Havneplanen".into(),
                description: "De tre **forslag**".into(),
                planned_start: Some(at + Duration::days(7)),
            },
            position: None,
        },
        EventKind::AgendaItemAdded {
            details: AgendaItemDetails {
                title: "Eventuelt".into(),
                description: String::new(),
                planned_start: None,
            },
            position: Some(0),
        },
        EventKind::AgendaItemEdited {
            item: AgendaItemId(37),
            details: AgendaItemDetails {
                title: "Havneplanen, tre forslag".into(),
                description: String::new(),
                planned_start: None,
            },
        },
        EventKind::AgendaItemMoved {
            item: AgendaItemId(38),
            position: 1,
        },
        EventKind::CurrentAgendaItemSet {
            item: Some(AgendaItemId(37)),
        },
        EventKind::PostFiled {
            post: p(11),
            item: Some(AgendaItemId(37)),
        },
        EventKind::PostFiled {
            post: p(11),
            item: None,
        },
        EventKind::CurrentAgendaItemSet { item: None },
        EventKind::AgendaItemRemoved {
            item: AgendaItemId(38),
        },
        EventKind::PollCreated {
            definition: PollDefinition {
                question: "Hvilket forslag foretrækker du?".into(),
                kind: PollKind::SingleChoice {
                    options: vec!["A: parken".into(), "B: boligerne".into()],
                },
                results: ResultsShown::Live,
                agenda_item: Some(AgendaItemId(37)),
            },
        },
        EventKind::PollCreated {
            definition: PollDefinition {
                question: "Hvor tilfreds er du?".into(),
                kind: PollKind::Scale {
                    max: 5,
                    low_label: "Slet ikke".into(),
                    high_label: "Meget".into(),
                },
                results: ResultsShown::StaffOnly,
                agenda_item: None,
            },
        },
        EventKind::PollEdited {
            poll: PollId(47),
            definition: PollDefinition {
                question: "Vælg op til to".into(),
                kind: PollKind::MultipleChoice {
                    options: vec!["Grønt".into(), "Boliger".into(), "Havnebad".into()],
                    max_picks: 2,
                },
                results: ResultsShown::AfterClose,
                agenda_item: None,
            },
        },
        EventKind::PollCreated {
            definition: PollDefinition {
                question: "Ét ord om havnen".into(),
                kind: PollKind::WordCloud,
                results: ResultsShown::Live,
                agenda_item: None,
            },
        },
        EventKind::PollCreated {
            definition: PollDefinition {
                question: "Hvad mangler?".into(),
                kind: PollKind::OpenAnswer,
                results: ResultsShown::AfterClose,
                agenda_item: None,
            },
        },
        EventKind::PollMoved {
            poll: PollId(50),
            position: 0,
        },
        EventKind::PollDeleted { poll: PollId(51) },
        EventKind::PollLaunched { poll: PollId(46) },
        EventKind::PollOnScreenSet {
            poll: Some(PollId(46)),
        },
        EventKind::PollClosed { poll: PollId(46) },
        EventKind::PollResultsPublished { poll: PollId(47) },
        EventKind::PollOnScreenSet { poll: None },
        EventKind::StaffRevoked {
            participant: moderator,
        },
        EventKind::ParticipantErased {
            participant: citizen,
            contents: vec![ContentRef {
                seq: 999_999,
                slot: 0,
            }],
        },
        EventKind::MeetingClosed,
        EventKind::FollowUpStarted {
            due: at + Duration::days(7),
        },
        EventKind::FollowUpClosed,
        EventKind::PersonalDataPseudonymized {
            contents: vec![ContentRef {
                seq: 999_998,
                slot: 1,
            }],
            aggregates: vec![
                DemographicCount {
                    dimension: "age_band".into(),
                    value: "18_29".into(),
                    count: 1,
                },
                DemographicCount {
                    dimension: "gender".into(),
                    value: "woman".into(),
                    count: 3,
                },
            ],
        },
    ]
}
