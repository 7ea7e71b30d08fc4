//! Live polls: "which of the three harbour plans do you prefer?". Why it exists: every Q&A
//! product a municipality compares borgermode with can ask the room a question and show the
//! answer; a town meeting needs it to take the temperature of the hall and the stream together.
//!
//! Split of responsibilities:
//! - A poll's definition and lifecycle (created, edited, moved, launched, closed, results
//!   published, on screen) are log events, decided in `decide/polls.rs` and folded here into
//!   [`Polls`].
//! - Individual answers are **not** log events (a national broadcast would drown the log): the
//!   server stores them like votes, one row per poll and participant. Who may answer and what a
//!   valid answer is stays a domain rule: [`check_answer`]. Counting is [`crate::poll_results`].
//!
//! A poll's id is the seq of its `PollCreated` event; its place in the staff's list is its index
//! in [`Polls::items`]. Definitions are staff text (not personal data); an open answer is the
//! citizen's own text and goes through the meeting's moderation rules like a post.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::error::DomainError;
use crate::event::Actor;
use crate::ids::{AgendaItemId, PollId};
use crate::projection::MeetingState;
use crate::text::{is_bidi_control, matches_keyword, normalize_body};
use crate::types::{HoldReason, MeetingStatus, Role};

/// Most polls one meeting holds (drafts included).
pub const POLLS_MAX: usize = 50;
pub const POLL_QUESTION_MAX: u32 = 300;
/// Choices of a single- or multiple-choice poll: 2..=10, each 1..=100 characters.
pub const POLL_OPTIONS_MIN: usize = 2;
pub const POLL_OPTIONS_MAX: usize = 10;
pub const POLL_OPTION_MAX: u32 = 100;
pub const SCALE_LABEL_MAX: u32 = 40;
/// A word-cloud answer: one to three words (or short phrases), 30 characters each.
pub const WORDS_MAX: usize = 3;
pub const WORD_MAX_CHARS: usize = 30;
/// An open answer: a sentence or two.
pub const OPEN_ANSWER_MAX: u32 = 280;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PollKind {
    /// Pick one option.
    SingleChoice { options: Vec<String> },
    /// Pick 1..=`max_picks` options.
    MultipleChoice { options: Vec<String>, max_picks: u8 },
    /// A number from 1 to `max` (5 or 10), with labels at the two ends.
    Scale {
        max: u8,
        #[serde(default)]
        low_label: String,
        #[serde(default)]
        high_label: String,
    },
    /// One to three words; the results are a word cloud.
    WordCloud,
    /// A short text, moderated like a post.
    OpenAnswer,
}

/// Who sees a poll's results, and when. Staff always see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResultsShown {
    /// Everyone, while the poll runs.
    Live,
    /// Everyone, once the poll is closed.
    AfterClose,
    /// Staff only, until a staff member publishes them.
    StaffOnly,
}

/// What staff prepare; replaced as a whole on every edit (drafts only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PollDefinition {
    pub question: String,
    /// `{"type": "single_choice", "options": [...]}` and so on.
    pub kind: PollKind,
    pub results: ResultsShown,
    #[serde(default)]
    pub agenda_item: Option<AgendaItemId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    /// Prepared, editable, not seen by the public.
    Draft,
    /// Launched: citizens answer.
    Open,
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Poll {
    pub id: PollId,
    pub definition: PollDefinition,
    pub status: PollStatus,
    /// A staff member published the results (they are public whatever `results` says).
    pub results_published: bool,
    pub launched_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Poll {
    /// Whether the public may see this poll at all (drafts are staff-only).
    pub fn is_public(&self) -> bool {
        self.status != PollStatus::Draft
    }

    /// Whether the public may see the results now.
    pub fn results_public(&self) -> bool {
        self.results_published
            || match self.definition.results {
                ResultsShown::Live => self.status != PollStatus::Draft,
                ResultsShown::AfterClose => self.status == PollStatus::Closed,
                ResultsShown::StaffOnly => false,
            }
    }
}

/// The meeting's polls as the log has made them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Polls {
    /// In the staff's order (drafts included, deleted polls gone).
    pub items: Vec<Poll>,
    /// The poll the big screen shows.
    pub on_screen: Option<PollId>,
}

impl Polls {
    pub fn get(&self, id: PollId) -> Option<&Poll> {
        self.items.iter().find(|p| p.id == id)
    }

    pub(crate) fn get_mut(&mut self, id: PollId) -> Option<&mut Poll> {
        self.items.iter_mut().find(|p| p.id == id)
    }

    pub fn open(&self) -> impl Iterator<Item = &Poll> {
        self.items.iter().filter(|p| p.status == PollStatus::Open)
    }

    pub(crate) fn remove(&mut self, id: PollId) {
        self.items.retain(|p| p.id != id);
        if self.on_screen == Some(id) {
            self.on_screen = None;
        }
    }

    pub(crate) fn move_to(&mut self, id: PollId, position: u32) {
        if let Some(from) = self.items.iter().position(|p| p.id == id) {
            let poll = self.items.remove(from);
            let to = (position as usize).min(self.items.len());
            self.items.insert(to, poll);
        }
    }

    /// An agenda item went: its polls are no longer tied to it.
    pub(crate) fn untie(&mut self, item: AgendaItemId) {
        for p in &mut self.items {
            if p.definition.agenda_item == Some(item) {
                p.definition.agenda_item = None;
            }
        }
    }
}

fn one_line(raw: &str, field: &'static str, max: u32) -> Result<String, DomainError> {
    let s = normalize_body(raw, field, max)?;
    if s.contains(['\n', '\r', '\t']) {
        return Err(DomainError::validation(field, "must be one line"));
    }
    Ok(s)
}

fn optional_line(raw: &str, field: &'static str, max: u32) -> Result<String, DomainError> {
    if raw.trim().is_empty() {
        Ok(String::new())
    } else {
        one_line(raw, field, max)
    }
}

impl PollDefinition {
    /// Trimmed and checked: a question, 2–10 distinct options, a scale of 5 or 10, labels and
    /// `max_picks` within bounds. The agenda item is checked by `decide` (it needs the state).
    pub fn normalized(self) -> Result<Self, DomainError> {
        let question = normalize_body(&self.question, "question", POLL_QUESTION_MAX)?;
        let options = |raw: Vec<String>| -> Result<Vec<String>, DomainError> {
            if raw.len() < POLL_OPTIONS_MIN || raw.len() > POLL_OPTIONS_MAX {
                return Err(DomainError::validation(
                    "options",
                    format!("give {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options"),
                ));
            }
            let mut out: Vec<String> = Vec::with_capacity(raw.len());
            for o in raw {
                let o = one_line(&o, "options", POLL_OPTION_MAX)?;
                if out.iter().any(|x| x.to_lowercase() == o.to_lowercase()) {
                    return Err(DomainError::validation(
                        "options",
                        format!("\"{o}\" is given twice"),
                    ));
                }
                out.push(o);
            }
            Ok(out)
        };
        let kind = match self.kind {
            PollKind::SingleChoice { options: o } => PollKind::SingleChoice {
                options: options(o)?,
            },
            PollKind::MultipleChoice {
                options: o,
                max_picks,
            } => {
                let options = options(o)?;
                if max_picks == 0 || max_picks as usize > options.len() {
                    return Err(DomainError::validation(
                        "max_picks",
                        format!("must be 1 to {} (the number of options)", options.len()),
                    ));
                }
                PollKind::MultipleChoice { options, max_picks }
            }
            PollKind::Scale {
                max,
                low_label,
                high_label,
            } => {
                if max != 5 && max != 10 {
                    return Err(DomainError::validation("max", "a scale runs to 5 or to 10"));
                }
                PollKind::Scale {
                    max,
                    low_label: optional_line(&low_label, "low_label", SCALE_LABEL_MAX)?,
                    high_label: optional_line(&high_label, "high_label", SCALE_LABEL_MAX)?,
                }
            }
            k @ (PollKind::WordCloud | PollKind::OpenAnswer) => k,
        };
        Ok(Self {
            question,
            kind,
            results: self.results,
            agenda_item: self.agenda_item,
        })
    }
}

/// One citizen's answer to one poll, as they send it and as it is stored (normalized).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PollAnswer {
    /// Single or multiple choice: indexes into the options (0-based).
    Choice {
        picks: Vec<u8>,
    },
    Scale {
        value: u8,
    },
    Words {
        words: Vec<String>,
    },
    Text {
        text: String,
    },
}

/// An answer that passed [`check_answer`]: normalized, and held for a moderator when the
/// meeting's rules hold posts (open answers only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedAnswer {
    pub answer: PollAnswer,
    pub held: Option<HoldReason>,
}

/// One word-cloud entry as it is counted: NFC, trimmed, inner whitespace collapsed, lower case
/// (æ, ø, å kept: "Havn" and "havn" are one word, "havn" and "havn." too, "hav" is another).
pub fn normalize_word(raw: &str) -> Result<String, DomainError> {
    let nfc: String = raw.nfc().collect();
    if nfc.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(DomainError::validation(
            "words",
            "must not contain control or text-direction characters",
        ));
    }
    let trimmed = nfc.trim_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation());
    let word = trimmed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if word.is_empty() {
        return Err(DomainError::validation("words", "a word must not be empty"));
    }
    if word.chars().count() > WORD_MAX_CHARS {
        return Err(DomainError::validation(
            "words",
            format!("a word must be at most {WORD_MAX_CHARS} characters"),
        ));
    }
    Ok(word)
}

/// Whether `actor` may answer `poll` now, and the answer as it is to be stored.
///
/// Rules: citizens only (staff run the poll, they do not weigh in), joined and active, not
/// muted; the meeting not closed; the poll launched and not closed; the answer of the poll's
/// kind and within its bounds. Answering again replaces the earlier answer (the store keeps
/// one row per poll and participant), so "once per poll" needs no check here.
pub fn check_answer(
    state: &MeetingState,
    actor: &Actor,
    poll: PollId,
    answer: PollAnswer,
    now: DateTime<Utc>,
) -> Result<CheckedAnswer, DomainError> {
    if !state.exists {
        return Err(DomainError::NotFound("meeting"));
    }
    let me = crate::decide::active(state, actor)?;
    if me.role != Role::Citizen {
        return Err(DomainError::Forbidden);
    }
    if let Some(until) = me.muted_until.filter(|u| *u > now) {
        return Err(DomainError::Muted { until });
    }
    if state.status == MeetingStatus::Closed {
        return Err(DomainError::MeetingClosed);
    }
    let p = state
        .polls
        .get(poll)
        .filter(|p| p.is_public())
        .ok_or(DomainError::NotFound("poll"))?;
    if p.status == PollStatus::Closed {
        return Err(DomainError::PollClosed);
    }
    let mut held = None;
    let answer = match (&p.definition.kind, answer) {
        (PollKind::SingleChoice { options }, PollAnswer::Choice { picks }) => {
            if picks.len() > 1 {
                return Err(DomainError::TooManyChoices { max: 1 });
            }
            PollAnswer::Choice {
                picks: check_picks(picks, options.len())?,
            }
        }
        (PollKind::MultipleChoice { options, max_picks }, PollAnswer::Choice { picks }) => {
            let picks = check_picks(picks, options.len())?;
            if picks.len() > *max_picks as usize {
                return Err(DomainError::TooManyChoices {
                    max: u32::from(*max_picks),
                });
            }
            PollAnswer::Choice { picks }
        }
        (PollKind::Scale { max, .. }, PollAnswer::Scale { value }) => {
            if value == 0 || value > *max {
                return Err(DomainError::validation(
                    "value",
                    format!("must be 1 to {max}"),
                ));
            }
            PollAnswer::Scale { value }
        }
        (PollKind::WordCloud, PollAnswer::Words { words }) => {
            if words.len() > WORDS_MAX {
                return Err(DomainError::TooManyChoices {
                    max: WORDS_MAX as u32,
                });
            }
            let mut out: Vec<String> = Vec::with_capacity(words.len());
            for w in &words {
                let w = normalize_word(w)?;
                if !out.contains(&w) {
                    out.push(w);
                }
            }
            if out.is_empty() {
                return Err(DomainError::validation("words", "give one to three words"));
            }
            PollAnswer::Words { words: out }
        }
        (PollKind::OpenAnswer, PollAnswer::Text { text }) => {
            let text = normalize_body(&text, "text", OPEN_ANSWER_MAX)?;
            held = if state.settings.premoderation {
                Some(HoldReason::Premoderation)
            } else if matches_keyword(&text, &state.settings.keywords) {
                Some(HoldReason::Keyword)
            } else {
                None
            };
            PollAnswer::Text { text }
        }
        _ => {
            return Err(DomainError::validation(
                "kind",
                "this answer does not fit the poll's kind",
            ))
        }
    };
    Ok(CheckedAnswer { answer, held })
}

/// Distinct, sorted, in range, at least one.
fn check_picks(mut picks: Vec<u8>, options: usize) -> Result<Vec<u8>, DomainError> {
    picks.sort_unstable();
    picks.dedup();
    if picks.is_empty() {
        return Err(DomainError::validation("picks", "pick an option"));
    }
    if picks.iter().any(|p| *p as usize >= options) {
        return Err(DomainError::validation("picks", "no such option"));
    }
    Ok(picks)
}
