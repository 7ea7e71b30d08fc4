//! Exports of one meeting for the municipality's records (journalisering): the whole log as
//! NDJSON (poll and agenda events included, as every event), the posts with their answers as
//! CSV, and the polls' results as CSV (answers are rows beside the log, counted here).
//!
//! Why a module of its own: the organizer API (`http/api/report.rs`) and the `borgermode export`
//! subcommand (which opens the store directly, without a running server) must write the same
//! bytes. Records include hidden posts (hiding is not erasing); erased text is exported as
//! `null` next to its hash, and never recovered from anywhere else.

use borgermode_domain::event::{Actor, Content, Event};
use borgermode_domain::{MeetingState, Post, QuestionState, Visibility};
use serde::Serialize;

use crate::store::{Store, StoreError};

/// One line of the NDJSON export.
#[derive(Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct NdjsonEvent {
    pub seq: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: Actor,
    /// The event as stored (`borgermode_domain::EventKind`), personal text included.
    pub payload: serde_json::Value,
    /// Every piece of personal text of the event, in slot order: `text` is null once erased.
    pub contents: Vec<ContentLine>,
}

#[derive(Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct ContentLine {
    pub hash: String,
    pub text: Option<String>,
}

/// The log, one JSON object per line (each line ends with `\n`).
pub fn ndjson(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        let mut kind = e.kind.clone();
        let contents = kind
            .contents_mut()
            .into_iter()
            .map(|c| ContentLine {
                hash: c.hash.clone(),
                text: c.text.clone(),
            })
            .collect();
        let line = NdjsonEvent {
            seq: e.seq,
            at: e.at,
            kind: e.kind.name().to_string(),
            actor: e.actor,
            payload: serde_json::to_value(&e.kind).unwrap_or(serde_json::Value::Null),
            contents,
        };
        if let Ok(text) = serde_json::to_string(&line) {
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}

/// The CSV header of [`posts_csv`].
pub const CSV_HEADER: [&str; 12] = [
    "id",
    "kind",
    "parent",
    "author",
    "created_at",
    "state",
    "body",
    "question_state",
    "answer_mode",
    "answer",
    "answered_by",
    "answered_at",
];

/// Text of a content slot, or a clear marker once erased.
pub fn text_or_erased(c: &Content) -> String {
    c.text.clone().unwrap_or_else(|| "[erased]".to_string())
}

/// Who wrote a post: the participant's display name, or the hall name of a room question.
pub fn author_name(state: &MeetingState, post: &Post) -> String {
    if let borgermode_domain::Source::Room { name: Some(name) } = &post.source {
        return text_or_erased(name);
    }
    post.author
        .and_then(|a| state.participant(a))
        .map(|p| text_or_erased(&p.display_name))
        .unwrap_or_default()
}

pub fn visibility_name(v: &Visibility) -> &'static str {
    match v {
        Visibility::Visible => "visible",
        Visibility::Pending { .. } => "pending",
        Visibility::Hidden { .. } => "hidden",
        Visibility::Rejected { .. } => "rejected",
    }
}

pub fn question_state_name(q: &QuestionState) -> &'static str {
    match q {
        QuestionState::Open => "open",
        QuestionState::Claimed { .. } => "claimed",
        QuestionState::Answered { .. } => "answered",
        QuestionState::Dismissed { .. } => "dismissed",
        QuestionState::Merged { .. } => "merged",
    }
}

/// A cell as a spreadsheet may read it safely: text starting with `=`, `+`, `-`, `@`, a tab or
/// a carriage return would be taken as a formula (CSV injection, e.g. `=cmd|' /C calc'!A0`), so
/// it gets a leading `'`, as OWASP advises. Only the CSV is changed; NDJSON keeps the exact text.
pub fn neutralize_cell(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// One row per post (RFC 4180 quoting, CRLF line ends, a header row, formula-like cells
/// neutralized with [`neutralize_cell`]).
pub fn posts_csv(state: &MeetingState) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record(CSV_HEADER);
    for p in state.posts.values() {
        let kind = match p.kind {
            borgermode_domain::PostKind::Question => "question",
            borgermode_domain::PostKind::Comment if p.parent.is_some() => "reply",
            borgermode_domain::PostKind::Comment => "comment",
            borgermode_domain::PostKind::Notice => "notice",
        };
        let (qstate, mode, answer, by, at) = match p.question.as_ref().map(|q| &q.state) {
            Some(QuestionState::Answered { by, at, answer }) => {
                let (mode, text) = match answer {
                    borgermode_domain::Answer::Written { body } => {
                        ("written", text_or_erased(body))
                    }
                    borgermode_domain::Answer::Live { note, .. } => {
                        ("live", note.clone().unwrap_or_default())
                    }
                };
                let by = state
                    .participant(*by)
                    .map(|x| text_or_erased(&x.display_name))
                    .unwrap_or_default();
                ("answered", mode, text, by, at.to_rfc3339())
            }
            Some(q) => (
                question_state_name(q),
                "",
                String::new(),
                String::new(),
                String::new(),
            ),
            None => ("", "", String::new(), String::new(), String::new()),
        };
        let _ = w.write_record(
            [
                p.id.0.to_string(),
                kind.to_string(),
                p.parent.map(|x| x.0.to_string()).unwrap_or_default(),
                author_name(state, p),
                p.created_at.to_rfc3339(),
                visibility_name(&p.visibility).to_string(),
                text_or_erased(&p.body),
                qstate.to_string(),
                mode.to_string(),
                answer,
                by,
                at,
            ]
            .map(neutralize_cell),
        );
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The CSV header of [`polls_csv`].
pub const POLLS_CSV_HEADER: [&str; 11] = [
    "poll",
    "question",
    "kind",
    "status",
    "agenda_item",
    "launched_at",
    "closed_at",
    "respondents",
    "row",
    "label",
    "count",
];

/// One row per result line of every launched poll: choices and scale values (`row` 1.., the
/// option or value as `label`), word-cloud words (`row` = rank), listed open answers (count
/// 1 each; at most `poll_results::LISTED_TEXTS`, only those a moderator let through); a poll
/// without answers has one row with an empty `row`. Counts are what staff see (a staff-only
/// poll is included). Cells neutralized as in [`posts_csv`].
pub fn polls_csv(
    state: &MeetingState,
    answers: &[borgermode_domain::report::ReportPollAnswer],
) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record(POLLS_CSV_HEADER);
    let time =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    for p in state.polls.items.iter().filter(|p| p.is_public()) {
        let kind = &p.definition.kind;
        let results = borgermode_domain::poll_results::count(
            kind,
            answers
                .iter()
                .filter(|a| a.poll == p.id)
                .map(|a| (&a.answer, a.shown)),
        );
        let status = match p.status {
            borgermode_domain::PollStatus::Draft => "draft",
            borgermode_domain::PollStatus::Open => "open",
            borgermode_domain::PollStatus::Closed => "closed",
        };
        let head = [
            p.id.0.to_string(),
            p.definition.question.clone(),
            crate::report::render::kind_name(kind).to_string(),
            status.to_string(),
            p.definition
                .agenda_item
                .map(|i| i.0.to_string())
                .unwrap_or_default(),
            time(p.launched_at),
            time(p.closed_at),
            results.respondents.to_string(),
        ];
        let mut lines: Vec<(String, String, String)> = crate::report::render::option_labels(kind)
            .into_iter()
            .zip(&results.counts)
            .enumerate()
            .map(|(i, (l, c))| ((i + 1).to_string(), l, c.to_string()))
            .collect();
        lines.extend(
            results
                .words
                .iter()
                .enumerate()
                .map(|(i, w)| ((i + 1).to_string(), w.word.clone(), w.count.to_string())),
        );
        lines.extend(
            results
                .texts
                .iter()
                .enumerate()
                .map(|(i, t)| ((i + 1).to_string(), t.clone(), "1".to_string())),
        );
        if lines.is_empty() {
            lines.push((String::new(), String::new(), String::new()));
        }
        for (row, label, count) in lines {
            let mut rec: Vec<String> = head.to_vec();
            rec.extend([row, label, count]);
            let _ = w.write_record(rec.into_iter().map(neutralize_cell));
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A meeting's stored poll answers as the report counts them: shown unless held or hidden.
/// The one reading of the answers for the report, the polls CSV (HTTP and subcommand) and the
/// archive.
pub async fn report_poll_answers(
    store: &dyn Store,
    meeting: borgermode_domain::MeetingId,
) -> Result<Vec<borgermode_domain::report::ReportPollAnswer>, StoreError> {
    Ok(store
        .poll_answers(meeting)
        .await?
        .into_iter()
        .map(|r| borgermode_domain::report::ReportPollAnswer {
            poll: r.poll,
            participant: r.participant,
            shown: r.held.is_none() && !r.hidden,
            answer: r.answer,
        })
        .collect())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The whole log, one JSON object per line (`export.ndjson`).
    Ndjson,
    /// The posts with their answers (`export.csv`).
    Csv,
    /// The polls' results, one row per result line (`export/polls.csv`).
    PollsCsv,
}

/// The export of one meeting straight from a store (the subcommand). None if no such meeting.
pub async fn export(
    store: &dyn Store,
    meeting: borgermode_domain::MeetingId,
    format: Format,
) -> Result<Option<String>, StoreError> {
    if store.last_seq(meeting).await?.is_none() {
        return Ok(None);
    }
    let events = store.events(meeting, 0, None).await?;
    Ok(Some(match format {
        Format::Ndjson => ndjson(&events),
        Format::Csv => posts_csv(&MeetingState::replay(meeting, &events)),
        Format::PollsCsv => polls_csv(
            &MeetingState::replay(meeting, &events),
            &report_poll_answers(store, meeting).await?,
        ),
    }))
}
