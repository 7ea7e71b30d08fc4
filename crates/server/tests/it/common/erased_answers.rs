//! An erased citizen's open poll answer must leave no bytes in the database's files once the
//! scrub ran, while another citizen's stays. The scenario and its checks are here; each dialect
//! test (`store_sqlite.rs`, `store_postgres.rs`) only reads its own files' bytes.

use borgermode_domain::{EventKind, MeetingId, ParticipantId};
use borgermode_server::store::Store;

use super::store_conformance::{answer, meeting_with_polls, now, open_text, pick, scrub_retrying};
use super::store_events::{committed, organizer};

/// A meeting with two polls, an open answer (and a pick) of the citizen to be erased, and
/// another citizen's open answer.
pub struct OpenAnswers {
    pub meeting: MeetingId,
    pub erased: ParticipantId,
    pub secret: String,
    pub kept: String,
}

pub fn contains(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

impl OpenAnswers {
    pub async fn write(store: &dyn Store) -> OpenAnswers {
        let (meeting, polls) = meeting_with_polls(store, 2).await;
        let erased = ParticipantId(uuid::Uuid::new_v4());
        let other = ParticipantId(uuid::Uuid::new_v4());
        let secret = format!("hemmelig{}", uuid::Uuid::new_v4().simple());
        let kept = format!("synlig{}", uuid::Uuid::new_v4().simple());
        let at = now();
        store
            .write_poll_answers(&[
                answer(meeting, polls[0], erased, open_text(&secret), at),
                answer(meeting, polls[1], erased, pick(0), at),
                answer(meeting, polls[0], other, open_text(&kept), at),
            ])
            .await
            .expect("write");
        OpenAnswers {
            meeting,
            erased,
            secret,
            kept,
        }
    }

    /// The files' bytes before the erasure: the secret is there (so its absence later counts).
    pub fn assert_written(&self, bytes: &[u8]) {
        assert!(contains(bytes, &self.secret), "written before the erasure");
    }

    /// Erase the citizen and run the scrub.
    pub async fn erase(&self, store: &dyn Store) {
        let erasure = EventKind::ParticipantErased {
            participant: self.erased,
            contents: vec![],
        };
        committed(store, self.meeting, 3, vec![organizer(erasure)]).await;
        scrub_retrying(store).await;
    }

    /// The files' bytes after the erasure, and what the store still lists.
    pub async fn assert_erased(&self, store: &dyn Store, bytes: &[u8]) {
        assert!(
            !contains(bytes, &self.secret),
            "the erased open answer is gone"
        );
        assert!(
            contains(bytes, &self.kept),
            "the other citizen's answer stays"
        );
        let answers = store.poll_answers(self.meeting).await.expect("answers");
        assert_eq!(answers.len(), 2, "{answers:?}");
        assert!(answers.iter().all(|a| a.participant != self.erased));
    }
}
