//! [`VoteStore`] on SQLite: a batch is one `BEGIN IMMEDIATE` transaction with one statement per
//! change, each telling by its row count whether it changed anything.

use std::collections::HashMap;

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId, PostId};
use sqlx::sqlite::SqliteConnection;

use super::{db_err, SqliteStore};
use crate::store::codec::{self, post_to_db, Decision};
use crate::store::{StoreError, VoteChange, VoteStore};

/// The body of [`VoteStore::write_votes`], run inside the `BEGIN IMMEDIATE` transaction.
async fn write_votes_in(
    conn: &mut SqliteConnection,
    changes: &[VoteChange],
) -> Result<Decision<Vec<bool>>, StoreError> {
    let mut effective = Vec::with_capacity(changes.len());
    for change in changes {
        let statement = if change.up {
            "INSERT OR IGNORE INTO votes (meeting_id, post_id, participant_id) VALUES (?1, ?2, ?3)"
        } else {
            "DELETE FROM votes WHERE meeting_id = ?1 AND post_id = ?2 AND participant_id = ?3"
        };
        let done = sqlx::query(statement)
            .bind(change.meeting.0.to_string())
            .bind(post_to_db(change.post)?)
            .bind(change.participant.0.to_string())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        effective.push(done.rows_affected() > 0);
    }
    Ok(Decision::Commit(effective))
}

#[async_trait]
impl VoteStore for SqliteStore {
    async fn write_votes(&self, changes: &[VoteChange]) -> Result<Vec<bool>, StoreError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let changes = changes.to_vec();
        self.write(move |conn| Box::pin(async move { write_votes_in(conn, &changes).await }))
            .await
    }

    async fn vote_counts(&self, meeting: MeetingId) -> Result<HashMap<PostId, u32>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT post_id, COUNT(*) FROM votes WHERE meeting_id = ?1 GROUP BY post_id",
        )
        .bind(meeting.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        codec::vote_counts(rows)
    }

    async fn votes_of(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<Vec<PostId>, StoreError> {
        let posts: Vec<i64> = sqlx::query_scalar(
            "SELECT post_id FROM votes WHERE meeting_id = ?1 AND participant_id = ?2 \
             ORDER BY post_id",
        )
        .bind(meeting.0.to_string())
        .bind(participant.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        codec::posts_from_db(posts)
    }
}
