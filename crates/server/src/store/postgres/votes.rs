//! [`VoteStore`] on PostgreSQL: a batch of any size is two statements (ups inserted, downs
//! deleted), taking row locks in one order on every instance.

use std::collections::HashMap;

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId, PostId};
use sqlx::postgres::PgConnection;
use uuid::Uuid;

use super::{db_err, PostgresStore};
use crate::store::codec::{self, post_to_db, Decision};
use crate::store::{StoreError, VoteChange, VoteStore};

/// The vote row a change is about.
type VoteKey = (Uuid, i64, Uuid);

/// The body of [`VoteStore::write_votes`], run inside one transaction, in two statements whatever
/// the batch size.
///
/// Within a batch, a change after an earlier change of the same vote changed something exactly
/// when it differs from that earlier change; only the first change of each vote depends on
/// the database. So each vote is written once, in its final state (ups inserted with
/// `ON CONFLICT DO NOTHING`, downs deleted), and the rows those statements report (inserted:
/// was absent; deleted: was present) give each vote's state before the batch.
async fn write_votes_in(
    conn: &mut PgConnection,
    changes: &[VoteChange],
) -> Result<Decision<Vec<bool>>, StoreError> {
    let mut last: HashMap<VoteKey, bool> = HashMap::new();
    let mut keys = Vec::with_capacity(changes.len());
    for change in changes {
        let key = (
            change.meeting.0,
            post_to_db(change.post)?,
            change.participant.0,
        );
        keys.push(key);
        last.insert(key, change.up);
    }
    // Sorted, so two instances writing overlapping batches take row locks in the same order.
    let mut finals: Vec<(VoteKey, bool)> = last.into_iter().collect();
    finals.sort_unstable();

    type Columns = (Vec<Uuid>, Vec<i64>, Vec<Uuid>);
    let (mut ups, mut downs): (Columns, Columns) = Default::default();
    for ((meeting, post, participant), up) in &finals {
        let columns = if *up { &mut ups } else { &mut downs };
        columns.0.push(*meeting);
        columns.1.push(*post);
        columns.2.push(*participant);
    }

    let mut inserted: Vec<VoteKey> = Vec::new();
    if !ups.0.is_empty() {
        inserted = sqlx::query_as(
            "INSERT INTO votes (meeting_id, post_id, participant_id) \
             SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::uuid[]) \
             ON CONFLICT DO NOTHING \
             RETURNING meeting_id, post_id, participant_id",
        )
        .bind(&ups.0)
        .bind(&ups.1)
        .bind(&ups.2)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    let mut deleted: Vec<VoteKey> = Vec::new();
    if !downs.0.is_empty() {
        deleted = sqlx::query_as(
            "DELETE FROM votes \
             WHERE (meeting_id, post_id, participant_id) IN \
                   (SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::uuid[])) \
             RETURNING meeting_id, post_id, participant_id",
        )
        .bind(&downs.0)
        .bind(&downs.1)
        .bind(&downs.2)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    }

    // Whether each vote was set before the batch: an up that inserted nothing was there
    // already, a down that deleted nothing was not.
    let mut state: HashMap<VoteKey, bool> = finals.into_iter().collect();
    for key in inserted {
        state.insert(key, false);
    }
    for key in deleted {
        state.insert(key, true);
    }

    let mut effective = Vec::with_capacity(changes.len());
    for (change, key) in changes.iter().zip(keys) {
        let set = state.get_mut(&key).ok_or_else(|| {
            StoreError::Corrupt(format!("vote {key:?} missing from its own batch"))
        })?;
        effective.push(*set != change.up);
        *set = change.up;
    }
    Ok(Decision::Commit(effective))
}

#[async_trait]
impl VoteStore for PostgresStore {
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
            "SELECT post_id, COUNT(*) FROM votes WHERE meeting_id = $1 GROUP BY post_id",
        )
        .bind(meeting.0)
        .fetch_all(&self.pool)
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
            "SELECT post_id FROM votes WHERE meeting_id = $1 AND participant_id = $2 \
             ORDER BY post_id",
        )
        .bind(meeting.0)
        .bind(participant.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        codec::posts_from_db(posts)
    }
}
