//! Personal notices: what one person should hear about an event (your post is held, hidden,
//! rejected; your question was answered, dismissed, merged). They travel on the same live
//! stream as everything else but only to that person's connections.

use serde::Serialize;

use crate::event::{Event, EventKind};
use crate::ids::{ParticipantId, PostId};
use crate::projection::MeetingState;
use crate::types::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    PostHeld,
    PostApproved,
    PostRejected,
    PostHidden,
    PostRestored,
    QuestionAnswered,
    QuestionDismissed,
    QuestionMerged,
    Muted,
    Banned,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub to: ParticipantId,
    pub kind: NoticeKind,
    pub post: Option<PostId>,
}

/// Who must be told about `event`, given the state after it was applied.
pub fn notices_for(state: &MeetingState, event: &Event) -> Vec<Notice> {
    // Questions entered for someone in the hall have no online author to tell: the moderator
    // who typed them is not the asker.
    let author = |post: &PostId| {
        state
            .posts
            .get(post)
            .filter(|p| matches!(p.source, Source::Online))
            .and_then(|p| p.author)
    };
    let one = |post: PostId, kind: NoticeKind| -> Vec<Notice> {
        author(&post)
            .map(|to| Notice {
                to,
                kind,
                post: Some(post),
            })
            .into_iter()
            .collect()
    };
    match &event.kind {
        EventKind::PostCreated { held: Some(_), .. } => {
            one(PostId(event.seq), NoticeKind::PostHeld)
        }
        EventKind::PostHeld { post, .. } => one(*post, NoticeKind::PostHeld),
        EventKind::PostApproved { post } => one(*post, NoticeKind::PostApproved),
        EventKind::PostRejected { post, .. } => one(*post, NoticeKind::PostRejected),
        EventKind::PostHidden { post, .. } => one(*post, NoticeKind::PostHidden),
        EventKind::PostRestored { post } => one(*post, NoticeKind::PostRestored),
        EventKind::QuestionDismissed { post, .. } => one(*post, NoticeKind::QuestionDismissed),
        EventKind::QuestionMerged { post, .. } => one(*post, NoticeKind::QuestionMerged),
        EventKind::QuestionAnswered { post, .. } => {
            // The asker, and the askers of every question merged into this one, also through
            // chains (a merged into b, then b merged into this one).
            let mut to: Vec<(ParticipantId, PostId)> = Vec::new();
            if let Some(a) = author(post) {
                to.push((a, *post));
            }
            let mut pending = vec![*post];
            let mut seen = vec![*post];
            while let Some(current) = pending.pop() {
                let Some(q) = state.posts.get(&current).and_then(|p| p.question.as_ref()) else {
                    continue;
                };
                for m in &q.merged_from {
                    if seen.contains(m) {
                        continue;
                    }
                    seen.push(*m);
                    pending.push(*m);
                    if let Some(a) = author(m) {
                        if !to.iter().any(|(p, _)| *p == a) {
                            to.push((a, *post));
                        }
                    }
                }
            }
            to.into_iter()
                .map(|(to, post)| Notice {
                    to,
                    kind: NoticeKind::QuestionAnswered,
                    post: Some(post),
                })
                .collect()
        }
        EventKind::ParticipantMuted { participant, .. } => vec![Notice {
            to: *participant,
            kind: NoticeKind::Muted,
            post: None,
        }],
        EventKind::ParticipantBanned { participant, .. } => vec![Notice {
            to: *participant,
            kind: NoticeKind::Banned,
            post: None,
        }],
        _ => Vec::new(),
    }
}
