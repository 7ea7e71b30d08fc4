//! The after-meeting report: what a municipality shows afterwards about one meeting.
//!
//! Why it lives in the pure domain: the figures are a function of the log (plus vote totals,
//! presence samples and demographic counts, which are not in the log), and must come out the
//! same on every instance, in the HTML page, the CSV and the JSON, and in tests that check the
//! 2013 fixture to the unit. The server only renders a [`Report`].
//!
//! Demographics are a separate input ([`Demographics`]) on purpose: today they are counted from
//! `ParticipantJoined` events ([`Demographics::from_events`]); once retention strips them from the
//! events, the same struct is filled from an aggregate table.
//!
//! Small-cell suppression ([`suppress`]): no demographic group under [`MIN_CELL`] is shown, and a
//! suppressed cell cannot be recovered by subtracting the shown cells from the total, because a
//! second cell (one of at least `MIN_CELL`) is suppressed with it whenever fewer than two cells,
//! or only small ones, would be hidden. If every cell is small, the total is hidden as well. Target
//! shares are then reported as a range (lowest..highest share consistent with what is shown), so
//! they leak nothing the table does not.
//!
//! The agenda and poll sections ([`polls`]: figures per agenda item, results per poll, and for
//! closed polls the results by age band and gender under the same suppression) take the stored
//! poll answers as one more input ([`ReportInputs::poll_answers`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::event::{Actor, Event, EventKind};
use crate::ids::{ParticipantId, PostId};
use crate::projection::MeetingState;
use crate::types::*;

mod polls;
pub use polls::{
    agenda_figures, poll_figures, AgendaItemFigures, BreakdownMissing, PollBreakdown, PollFigures,
    PollGroup, PollGroups, ReportPollAnswer,
};

/// Smallest group size shown in a demographic table.
pub const MIN_CELL: u32 = 5;

/// One presence sample: how many viewers one instance counted for the meeting at one time.
/// Per minute, the report takes each instance's highest sample and sums the instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceSample {
    pub minute: DateTime<Utc>,
    pub instance: uuid::Uuid,
    pub viewers: u32,
}

/// Opt-in age band and gender counts of the meeting's citizens. `not_stated` counts those who
/// joined without saying.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demographics {
    pub age: BTreeMap<AgeBand, u32>,
    pub age_not_stated: u32,
    pub gender: BTreeMap<Gender, u32>,
    pub gender_not_stated: u32,
}

impl Demographics {
    /// Count from the `ParticipantJoined` events of a log (each participant once).
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut d = Demographics::default();
        let mut seen = std::collections::HashSet::new();
        let mut kept: Option<&[crate::event::DemographicCount]> = None;
        for e in events {
            if let EventKind::PersonalDataPseudonymized { aggregates, .. } = &e.kind {
                // Retention stripped age band and gender from the joins; the counts it kept
                // in the log replace what the joins say now.
                kept = Some(aggregates);
            }
            if let EventKind::ParticipantJoined {
                participant,
                age_band,
                gender,
                ..
            } = &e.kind
            {
                if !seen.insert(*participant) {
                    continue;
                }
                match age_band {
                    Some(a) => *d.age.entry(*a).or_default() += 1,
                    None => d.age_not_stated += 1,
                }
                match gender {
                    Some(g) => *d.gender.entry(*g).or_default() += 1,
                    None => d.gender_not_stated += 1,
                }
            }
        }
        if let Some(kept) = kept {
            d.apply_kept_counts(kept, seen.len() as u32);
        }
        d
    }

    /// Counts kept by retention (`PersonalDataPseudonymized`): the stated groups come from
    /// them, "not stated" is everybody else.
    fn apply_kept_counts(&mut self, kept: &[crate::event::DemographicCount], participants: u32) {
        fn parse<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
            serde_json::from_value(serde_json::Value::String(value.to_string())).ok()
        }
        self.age.clear();
        self.gender.clear();
        for c in kept {
            match c.dimension.as_str() {
                "age_band" => {
                    if let Some(a) = parse(&c.value) {
                        *self.age.entry(a).or_default() += c.count;
                    }
                }
                "gender" => {
                    if let Some(g) = parse(&c.value) {
                        *self.gender.entry(g).or_default() += c.count;
                    }
                }
                _ => {}
            }
        }
        self.age_not_stated = participants.saturating_sub(self.age.values().sum());
        self.gender_not_stated = participants.saturating_sub(self.gender.values().sum());
    }
}

/// The organizer's goals for who takes part ("younger, more women"), in whole percent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportTargets {
    /// Share of participants under 30 (age bands under 18 and 18-29) at least this.
    #[serde(default)]
    pub under_30_min_pct: Option<u8>,
    /// Share of participants who are women at least this.
    #[serde(default)]
    pub women_min_pct: Option<u8>,
}

/// Everything the report needs that is not in the log.
#[derive(Clone, Debug, Default)]
pub struct ReportInputs {
    /// Vote total per post (as the store counts them).
    pub votes: HashMap<PostId, u32>,
    pub presence: Vec<PresenceSample>,
    pub demographics: Demographics,
    pub targets: ReportTargets,
    /// Every stored poll answer of the meeting, oldest first.
    pub poll_answers: Vec<ReportPollAnswer>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub title: String,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Distinct citizens who joined.
    pub participants: u32,
    pub peak_viewers: u32,
    /// Mean of the per-minute viewer counts over the minutes sampled (0 without samples).
    pub average_viewers: f64,
    /// Questions + comments + replies (notices by staff are counted apart).
    pub posts: u32,
    pub questions: u32,
    /// Top-level comments.
    pub comments: u32,
    /// Posts with a parent.
    pub replies: u32,
    pub notices: u32,
    pub votes: u32,
    pub answers: AnswerFigures,
    pub panelists: Vec<PanelistFigures>,
    pub moderation: Vec<ModerationCount>,
    pub timeline: Vec<TimelinePoint>,
    pub age: Distribution,
    pub gender: Distribution,
    pub targets: Vec<TargetResult>,
    /// A row per agenda item in agenda order, then one for the questions without an item
    /// (when there are any); empty without an agenda.
    #[serde(default)]
    pub agenda: Vec<AgendaItemFigures>,
    /// Every launched poll in the staff's order (drafts left out).
    #[serde(default)]
    pub polls: Vec<PollFigures>,
    /// The meeting's main topics: the words (stems, stop words removed) most of its visible
    /// questions share, most shared first, at most `TOPICS` (`similar::topics`).
    #[serde(default)]
    pub topics: Vec<crate::similar::Topic>,
}

/// How many topics the report names.
pub const TOPICS: usize = 20;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerFigures {
    /// Questions the public saw (as in "answered N of M").
    pub questions: u32,
    pub answered_live: u32,
    /// Written answers given before the meeting closed (or while it is still open).
    pub written_during: u32,
    /// Written (or live) answers given after the meeting closed (follow-up).
    pub answered_after: u32,
    pub dismissed: u32,
    pub unanswered: u32,
    /// Time from question to answer, seconds (None without answers).
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

impl AnswerFigures {
    pub fn answered(&self) -> u32 {
        self.answered_live + self.written_during + self.answered_after
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelistFigures {
    pub participant: ParticipantId,
    /// The staff name ("\[erased\]" once erased).
    pub name: String,
    pub answered: u32,
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModerationCount {
    /// held, approved, rejected, hidden, restored, dismissed, muted, banned, ...
    pub action: String,
    /// The reason code, or "none".
    pub reason: String,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelinePoint {
    pub minute: DateTime<Utc>,
    pub posts: u32,
    /// Sum over instances; None where no instance sampled that minute.
    pub viewers: Option<u32>,
}

/// One demographic table after suppression.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Distribution {
    pub cells: Vec<Cell>,
    /// None when hiding it is needed to protect the cells (every cell small).
    pub total: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cell {
    /// The group's wire name (e.g. "18_29", "woman", "not_stated").
    pub group: String,
    /// None = suppressed.
    pub count: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetResult {
    /// "under_30" or "women".
    pub target: String,
    pub min_pct: u8,
    /// Lowest and highest share (percent of all participants in the table) consistent with the
    /// published cells; equal when nothing relevant is suppressed. None if the total is hidden.
    pub share_low_pct: Option<f64>,
    pub share_high_pct: Option<f64>,
    /// Some(true/false) when the shown figures decide it, None when suppression leaves it open.
    pub met: Option<bool>,
}

/// Wire name of an age band (its serde name).
pub fn age_name(a: AgeBand) -> String {
    wire_name(&a)
}

pub fn gender_name(g: Gender) -> String {
    wire_name(&g)
}

fn wire_name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::from("?"),
    }
}

/// Small-cell suppression of one table (see the module docs). Returns the published cells in
/// input order and the total (hidden when every cell is small).
pub fn suppress(cells: &[(String, u32)]) -> Distribution {
    let total: u32 = cells.iter().map(|(_, n)| n).sum();
    let mut hidden: Vec<bool> = cells.iter().map(|(_, n)| *n < MIN_CELL).collect();
    let primary = hidden.iter().filter(|h| **h).count();
    let has_large_hidden = |hidden: &[bool]| {
        cells
            .iter()
            .zip(hidden)
            .any(|((_, n), h)| *h && *n >= MIN_CELL)
    };
    if primary > 0 && !has_large_hidden(&hidden) {
        // Hide the smallest large cell too, so the hidden sum has an unknown split.
        if let Some(i) = cells
            .iter()
            .enumerate()
            .filter(|(i, (_, n))| !hidden[*i] && *n >= MIN_CELL)
            .min_by_key(|(_, (_, n))| *n)
            .map(|(i, _)| i)
        {
            hidden[i] = true;
        }
    }
    let all_small = primary > 0 && !has_large_hidden(&hidden);
    Distribution {
        cells: cells
            .iter()
            .zip(&hidden)
            .map(|((g, n), h)| Cell {
                group: g.clone(),
                count: if *h { None } else { Some(*n) },
            })
            .collect(),
        total: if all_small && total > 0 {
            None
        } else {
            Some(total)
        },
    }
}

/// The age bands in table order (the `not_stated` row follows them).
pub(crate) const AGES: [AgeBand; 6] = [
    AgeBand::Under18,
    AgeBand::From18To29,
    AgeBand::From30To44,
    AgeBand::From45To59,
    AgeBand::From60To74,
    AgeBand::From75,
];

/// The genders in table order (the `not_stated` row follows them).
pub(crate) const GENDERS: [Gender; 4] = [
    Gender::Woman,
    Gender::Man,
    Gender::Other,
    Gender::PreferNotToSay,
];

/// The share range of `groups` in a suppressed table (see [`TargetResult`]).
fn target(dist: &Distribution, groups: &[&str], name: &str, min_pct: u8) -> TargetResult {
    let (mut low, mut hidden_in, mut hidden_out) = (0u32, false, false);
    let shown: u32 = dist.cells.iter().filter_map(|c| c.count).sum();
    for c in &dist.cells {
        let inside = groups.contains(&c.group.as_str());
        match (c.count, inside) {
            (Some(n), true) => low += n,
            (None, true) => hidden_in = true,
            (None, false) => hidden_out = true,
            _ => {}
        }
    }
    let Some(total) = dist.total.filter(|t| *t > 0) else {
        return TargetResult {
            target: name.into(),
            min_pct,
            share_low_pct: None,
            share_high_pct: None,
            met: None,
        };
    };
    let hidden_sum = total - shown;
    let (lo, hi) = match (hidden_in, hidden_out) {
        (true, false) => (low + hidden_sum, low + hidden_sum),
        (true, true) => (low, low + hidden_sum),
        _ => (low, low),
    };
    let pct = |n: u32| (f64::from(n) * 1000.0 / f64::from(total)).round() / 10.0;
    let need = f64::from(min_pct);
    let (lo_pct, hi_pct) = (
        f64::from(lo) * 100.0 / f64::from(total),
        f64::from(hi) * 100.0 / f64::from(total),
    );
    TargetResult {
        target: name.into(),
        min_pct,
        share_low_pct: Some(pct(lo)),
        share_high_pct: Some(pct(hi)),
        met: if lo_pct >= need {
            Some(true)
        } else if hi_pct < need {
            Some(false)
        } else {
            None
        },
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank - 1).copied()
}

fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

/// Build the report of one meeting from its whole log.
pub fn build(events: &[Event], inputs: &ReportInputs) -> Report {
    // The id plays no part in any figure.
    let state = MeetingState::replay(crate::ids::MeetingId(uuid::Uuid::nil()), events);
    let closed_at = state.closed_at;
    let mut r = Report {
        title: state.details.title.clone(),
        opened_at: state.opened_at,
        closed_at,
        topics: crate::similar::topics(crate::similar::topic_texts(&state), TOPICS),
        ..Report::default()
    };

    // Participation and posts, straight from the log.
    let mut joined = std::collections::HashSet::new();
    let mut posts_per_minute: BTreeMap<DateTime<Utc>, u32> = BTreeMap::new();
    let mut moderation: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut bump = |action: &str, reason: String| {
        *moderation.entry((action.to_string(), reason)).or_default() += 1;
    };
    for e in events {
        match &e.kind {
            EventKind::ParticipantJoined { participant, .. } => {
                joined.insert(*participant);
            }
            EventKind::PostCreated {
                post_kind,
                parent,
                held,
                ..
            } => {
                match (post_kind, parent) {
                    (PostKind::Notice, _) => r.notices += 1,
                    (_, Some(_)) => r.replies += 1,
                    (PostKind::Question, None) => r.questions += 1,
                    (PostKind::Comment, None) => r.comments += 1,
                }
                if *post_kind != PostKind::Notice {
                    *posts_per_minute.entry(minute_of(e.at)).or_default() += 1;
                }
                if let Some(h) = held {
                    bump("held", wire_name(h));
                }
            }
            EventKind::PostHeld { reason, .. } => bump("held", wire_name(reason)),
            EventKind::PostApproved { .. } => bump("approved", "none".into()),
            EventKind::PostRejected { .. } => bump("rejected", "none".into()),
            EventKind::PostHidden { reason, .. } => bump("hidden", wire_name(reason)),
            EventKind::PostRestored { .. } => bump("restored", "none".into()),
            EventKind::QuestionDismissed { .. } => bump("dismissed", "none".into()),
            EventKind::QuestionMerged { .. } => bump("merged", "none".into()),
            EventKind::ParticipantMuted { .. } => bump("muted", "none".into()),
            EventKind::ParticipantUnmuted { .. } => bump("unmuted", "none".into()),
            EventKind::ParticipantBanned { reason, .. } => bump(
                "banned",
                reason.as_ref().map_or_else(|| "none".into(), wire_name),
            ),
            EventKind::ParticipantUnbanned { .. } => bump("unbanned", "none".into()),
            _ => {}
        }
    }
    r.participants = joined.len() as u32;
    r.posts = r.questions + r.comments + r.replies;
    r.votes = inputs.votes.values().sum();
    r.moderation = moderation
        .into_iter()
        .map(|((action, reason), count)| ModerationCount {
            action,
            reason,
            count,
        })
        .collect();

    // Answers, from the final state of every question the public saw.
    let mut all_times = Vec::new();
    let mut per_panelist: BTreeMap<ParticipantId, Vec<i64>> = BTreeMap::new();
    for p in state.posts.values().filter(|p| p.counts_as_question()) {
        r.answers.questions += 1;
        match p.question.as_ref().map(|q| &q.state) {
            Some(QuestionState::Answered { by, at, answer }) => {
                let after = closed_at.is_some_and(|c| *at > c);
                match (after, answer) {
                    (true, _) => r.answers.answered_after += 1,
                    (false, Answer::Live { .. }) => r.answers.answered_live += 1,
                    (false, Answer::Written { .. }) => r.answers.written_during += 1,
                }
                let secs = (*at - p.created_at).num_seconds().max(0);
                all_times.push(secs);
                // The per-panelist table is about the politicians: an answer a moderator
                // wrote (or an old live answer credited to the moderator who pressed the
                // button) counts in the totals only.
                if state
                    .participant(*by)
                    .is_some_and(|x| x.role == Role::Panelist)
                {
                    per_panelist.entry(*by).or_default().push(secs);
                }
            }
            Some(QuestionState::Dismissed { .. }) => r.answers.dismissed += 1,
            _ => r.answers.unanswered += 1,
        }
    }
    all_times.sort_unstable();
    r.answers.median_secs = percentile(&all_times, 50);
    r.answers.p90_secs = percentile(&all_times, 90);
    r.panelists = per_panelist
        .into_iter()
        .map(|(id, mut times)| {
            times.sort_unstable();
            let name = state
                .participant(id)
                .and_then(|p| p.display_name.text.clone())
                .unwrap_or_else(|| "[erased]".to_string());
            PanelistFigures {
                participant: id,
                name,
                answered: times.len() as u32,
                median_secs: percentile(&times, 50),
                p90_secs: percentile(&times, 90),
            }
        })
        .collect();

    // Viewers: each instance's highest sample in a minute, summed over the instances.
    let mut per_instance: BTreeMap<(DateTime<Utc>, uuid::Uuid), u32> = BTreeMap::new();
    for s in &inputs.presence {
        let v = per_instance
            .entry((minute_of(s.minute), s.instance))
            .or_default();
        *v = (*v).max(s.viewers);
    }
    let mut viewers: BTreeMap<DateTime<Utc>, u32> = BTreeMap::new();
    for ((minute, _), v) in per_instance {
        *viewers.entry(minute).or_default() += v;
    }
    r.peak_viewers = viewers.values().copied().max().unwrap_or(0);
    r.average_viewers = if viewers.is_empty() {
        0.0
    } else {
        let sum: u64 = viewers.values().map(|v| u64::from(*v)).sum();
        (sum as f64 / viewers.len() as f64 * 10.0).round() / 10.0
    };

    // Timeline: every minute from the first to the last one with anything in it.
    let first = posts_per_minute.keys().chain(viewers.keys()).min().copied();
    let last = posts_per_minute.keys().chain(viewers.keys()).max().copied();
    if let (Some(first), Some(last)) = (first, last) {
        let mut m = first;
        // Bounded: a meeting's timeline is at most a few days of minutes.
        let mut guard = 0;
        while m <= last && guard < 60 * 24 * 14 {
            r.timeline.push(TimelinePoint {
                minute: m,
                posts: posts_per_minute.get(&m).copied().unwrap_or(0),
                viewers: viewers.get(&m).copied(),
            });
            m += TimeDelta::minutes(1);
            guard += 1;
        }
    }

    // Demographics with suppression, and the targets against them.
    let d = &inputs.demographics;
    let mut age_cells: Vec<(String, u32)> = AGES
        .iter()
        .map(|a| (age_name(*a), d.age.get(a).copied().unwrap_or(0)))
        .collect();
    age_cells.push(("not_stated".into(), d.age_not_stated));
    let mut gender_cells: Vec<(String, u32)> = GENDERS
        .iter()
        .map(|g| (gender_name(*g), d.gender.get(g).copied().unwrap_or(0)))
        .collect();
    gender_cells.push(("not_stated".into(), d.gender_not_stated));
    r.age = suppress(&age_cells);
    r.gender = suppress(&gender_cells);
    if let Some(pct) = inputs.targets.under_30_min_pct {
        r.targets
            .push(target(&r.age, &["under_18", "18_29"], "under_30", pct));
    }
    if let Some(pct) = inputs.targets.women_min_pct {
        r.targets.push(target(&r.gender, &["woman"], "women", pct));
    }

    // The evening point by point, and the polls.
    r.agenda = agenda_figures(&state);
    r.polls = poll_figures(&state, &inputs.poll_answers, &inputs.targets);
    r
}

/// Who an event's actor is, for exports: "organizer" or the participant id.
pub fn actor_label(actor: &Actor) -> String {
    match actor {
        Actor::Organizer => "organizer".into(),
        Actor::Participant { id } => id.0.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(v: &[u32]) -> Vec<(String, u32)> {
        v.iter()
            .enumerate()
            .map(|(i, n)| (format!("g{i}"), *n))
            .collect()
    }

    #[test]
    fn no_suppression_when_every_cell_is_large() {
        let d = suppress(&cells(&[5, 10, 7]));
        assert!(d.cells.iter().all(|c| c.count.is_some()));
        assert_eq!(d.total, Some(22));
    }

    #[test]
    fn a_single_small_cell_takes_the_smallest_large_one_with_it() {
        let d = suppress(&cells(&[3, 10, 7, 20]));
        let shown: Vec<_> = d.cells.iter().map(|c| c.count).collect();
        assert_eq!(shown, vec![None, Some(10), None, Some(20)]);
        assert_eq!(d.total, Some(40));
    }

    #[test]
    fn all_small_hides_the_total() {
        let d = suppress(&cells(&[4, 4]));
        assert_eq!(d.total, None);
        assert!(d.cells.iter().all(|c| c.count.is_none()));
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn target_range_covers_suppressed_cells() {
        // under_18 = 3 (small), 18_29 = 6 (hidden with it), others shown.
        let d = suppress(&[
            ("under_18".into(), 3),
            ("18_29".into(), 6),
            ("30_44".into(), 20),
            ("not_stated".into(), 11),
        ]);
        let t = target(&d, &["under_18", "18_29"], "under_30", 20);
        // Both hidden cells are inside the group: the share is exact (9 of 40).
        assert_eq!(t.share_low_pct, Some(22.5));
        assert_eq!(t.share_high_pct, Some(22.5));
        assert_eq!(t.met, Some(true));
    }
}
