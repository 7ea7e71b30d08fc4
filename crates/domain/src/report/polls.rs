//! The report's agenda and poll sections: how each point of the evening went (questions,
//! answered share, median time to answer) and what each poll found, for closed polls also by
//! the opt-in age band and gender next to the organizer's targets.
//!
//! Why a module of its own: the breakdown joins poll answers (rows of the store, not the log)
//! with the projection's demographics, and must apply exactly the report's small-group rule
//! ([`super::suppress`]): a group is shown with its results only when it is shown in the
//! respondents table (at least [`super::MIN_CELL`] people, complementary suppression), so the
//! overall results minus the shown groups never reveal one small group's answers.
//!
//! After retention (`personal_data_pseudonymized`) the answers' participant ids are re-keyed
//! and the joins' demographics stripped: there is nothing left to join, so the poll says
//! [`BreakdownMissing::Pseudonymized`] instead of showing groups.

use serde::{Deserialize, Serialize};

use super::{
    age_name, gender_name, percentile, suppress, target, Cell, TargetResult, AGES, GENDERS,
};
use crate::ids::{AgendaItemId, ParticipantId, PollId};
use crate::poll::{PollAnswer, PollKind, PollStatus, ResultsShown};
use crate::poll_results::{self, PollResults};
use crate::projection::MeetingState;
use crate::types::QuestionState;

/// One stored poll answer as the report sees it (the server maps its store rows to these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportPollAnswer {
    pub poll: PollId,
    pub participant: ParticipantId,
    pub answer: PollAnswer,
    /// False for an open answer a moderator has not let through (held or hidden).
    pub shown: bool,
}

/// One agenda item's questions; `item: None` is the row of questions without an item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItemFigures {
    /// The item's id (the seq that added it); None for the questions without an item.
    pub item: Option<AgendaItemId>,
    /// The item's title; None for the row without an item.
    pub title: Option<String>,
    /// Questions the public saw (as in the report's answer figures).
    pub questions: u32,
    /// Answered, live or written, during or after the meeting.
    pub answered: u32,
    /// `answered / questions` in percent, one decimal; None without questions.
    pub answered_pct: Option<f64>,
    /// Median seconds from question to answer; None without answers.
    pub median_secs: Option<i64>,
}

/// Why a closed poll has no breakdown by age band and gender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BreakdownMissing {
    /// The poll is not closed (breakdowns are for closed polls only).
    NotClosed,
    /// Retention re-keyed the answers and stripped the demographics: nothing to join.
    Pseudonymized,
}

/// One group of a poll's breakdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PollGroup {
    /// The group's wire name ("18_29", "woman", "not_stated"), as in the report's tables.
    pub group: String,
    /// Respondents in the group; None = suppressed.
    pub respondents: Option<u32>,
    /// Choice and scale polls: people per option / value within the group, as in
    /// [`PollResults::counts`]; None when the group is suppressed or the poll is a word cloud
    /// or open answer (their words and texts are not split by group).
    pub counts: Option<Vec<u32>>,
}

/// One dimension (age band or gender) of a poll's breakdown after suppression.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PollGroups {
    pub groups: Vec<PollGroup>,
    /// All respondents; None when every group is small (as for the report's tables).
    pub total: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PollBreakdown {
    pub age: PollGroups,
    pub gender: PollGroups,
    /// The organizer's targets against the poll's respondents (share under 30, share women),
    /// computed from the suppressed tables like the report's targets.
    pub targets: Vec<TargetResult>,
}

/// One poll in the report (drafts are left out: nobody saw them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PollFigures {
    pub poll: PollId,
    pub question: String,
    /// The poll's kind with its options or scale labels.
    pub kind: PollKind,
    pub status: PollStatus,
    pub results_shown: ResultsShown,
    /// Whether the public saw (or may see) the results.
    pub results_public: bool,
    pub agenda_item: Option<AgendaItemId>,
    pub launched_at: Option<chrono::DateTime<chrono::Utc>>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The count of every stored answer (`poll_results::count`), as staff see it.
    pub results: PollResults,
    /// Closed polls: results by age band and gender; None with `breakdown_missing` saying why.
    pub breakdown: Option<PollBreakdown>,
    pub breakdown_missing: Option<BreakdownMissing>,
}

fn pct1(n: u32, of: u32) -> Option<f64> {
    (of > 0).then(|| (f64::from(n) * 1000.0 / f64::from(of)).round() / 10.0)
}

/// A row per agenda item in agenda order, then the questions without an item (when there are
/// any). Empty when the meeting has no agenda.
pub fn agenda_figures(state: &MeetingState) -> Vec<AgendaItemFigures> {
    if state.agenda.items.is_empty() {
        return Vec::new();
    }
    // (item, title, questions, seconds to each answer)
    type Row = (Option<AgendaItemId>, Option<String>, u32, Vec<i64>);
    let mut rows: Vec<Row> = state
        .agenda
        .items
        .iter()
        .map(|i| (Some(i.id), Some(i.details.title.clone()), 0, Vec::new()))
        .collect();
    rows.push((None, None, 0, Vec::new()));
    for p in state.posts.values().filter(|p| p.counts_as_question()) {
        // A post's item is gone only if the item was removed, and removal unties it; the
        // fallback to the last row keeps a stray id counted anyway.
        let row = p
            .agenda_item
            .and_then(|i| rows.iter().position(|r| r.0 == Some(i)))
            .unwrap_or(rows.len() - 1);
        rows[row].2 += 1;
        if let Some(QuestionState::Answered { at, .. }) = p.question.as_ref().map(|q| &q.state) {
            rows[row].3.push((*at - p.created_at).num_seconds().max(0));
        }
    }
    rows.into_iter()
        .filter(|r| r.0.is_some() || r.2 > 0)
        .map(|(item, title, questions, mut times)| {
            times.sort_unstable();
            let answered = times.len() as u32;
            AgendaItemFigures {
                item,
                title,
                questions,
                answered,
                answered_pct: pct1(answered, questions),
                median_secs: percentile(&times, 50),
            }
        })
        .collect()
}

/// One dimension of a breakdown: respondents per group, suppressed, with the per-group counts
/// of the groups that stay shown.
fn groups(
    names: Vec<String>,
    of: impl Fn(Option<&crate::projection::Participant>) -> usize,
    state: &MeetingState,
    answers: &[&ReportPollAnswer],
    kind: &PollKind,
) -> (PollGroups, super::Distribution) {
    let mut members: Vec<Vec<&ReportPollAnswer>> = vec![Vec::new(); names.len()];
    for a in answers {
        let g = of(state.participant(a.participant)).min(names.len() - 1);
        members[g].push(a);
    }
    let cells: Vec<(String, u32)> = names
        .iter()
        .zip(&members)
        .map(|(n, m)| (n.clone(), m.len() as u32))
        .collect();
    let dist = suppress(&cells);
    let split = !matches!(kind, PollKind::WordCloud | PollKind::OpenAnswer);
    let groups = dist
        .cells
        .iter()
        .zip(&members)
        .map(|(c, m): (&Cell, &Vec<&ReportPollAnswer>)| PollGroup {
            group: c.group.clone(),
            respondents: c.count,
            counts: (split && c.count.is_some())
                .then(|| poll_results::count(kind, m.iter().map(|a| (&a.answer, a.shown))).counts),
        })
        .collect();
    (
        PollGroups {
            groups,
            total: dist.total,
        },
        dist,
    )
}

/// A row per poll that was launched, in the staff's order.
pub fn poll_figures(
    state: &MeetingState,
    answers: &[ReportPollAnswer],
    targets: &super::ReportTargets,
) -> Vec<PollFigures> {
    state
        .polls
        .items
        .iter()
        .filter(|p| p.status != PollStatus::Draft)
        .map(|p| {
            let mine: Vec<&ReportPollAnswer> = answers.iter().filter(|a| a.poll == p.id).collect();
            let kind = &p.definition.kind;
            let results = poll_results::count(kind, mine.iter().map(|a| (&a.answer, a.shown)));
            let (breakdown, breakdown_missing) = if p.status != PollStatus::Closed {
                (None, Some(BreakdownMissing::NotClosed))
            } else if state.pseudonymized {
                (None, Some(BreakdownMissing::Pseudonymized))
            } else {
                let mut age_names: Vec<String> = AGES.iter().map(|a| age_name(*a)).collect();
                age_names.push("not_stated".into());
                let (age, age_dist) = groups(
                    age_names,
                    |x| {
                        x.and_then(|x| x.age_band)
                            .and_then(|b| AGES.iter().position(|a| *a == b))
                            .unwrap_or(AGES.len())
                    },
                    state,
                    &mine,
                    kind,
                );
                let mut gender_names: Vec<String> =
                    GENDERS.iter().map(|g| gender_name(*g)).collect();
                gender_names.push("not_stated".into());
                let (gender, gender_dist) = groups(
                    gender_names,
                    |x| {
                        x.and_then(|x| x.gender)
                            .and_then(|b| GENDERS.iter().position(|g| *g == b))
                            .unwrap_or(GENDERS.len())
                    },
                    state,
                    &mine,
                    kind,
                );
                let mut t = Vec::new();
                if let Some(pct) = targets.under_30_min_pct {
                    t.push(target(&age_dist, &["under_18", "18_29"], "under_30", pct));
                }
                if let Some(pct) = targets.women_min_pct {
                    t.push(target(&gender_dist, &["woman"], "women", pct));
                }
                (
                    Some(PollBreakdown {
                        age,
                        gender,
                        targets: t,
                    }),
                    None,
                )
            };
            PollFigures {
                poll: p.id,
                question: p.definition.question.clone(),
                kind: kind.clone(),
                status: p.status,
                results_shown: p.definition.results,
                results_public: p.results_public(),
                agenda_item: p.definition.agenda_item,
                launched_at: p.launched_at,
                closed_at: p.closed_at,
                results,
                breakdown,
                breakdown_missing,
            }
        })
        .collect()
}
