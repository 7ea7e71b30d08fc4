//! [`PrivacyStore`] on SQLite, and the deletions an erasure or retention event makes inside the
//! append's transaction. Deleted rows are zeroed in place (`secure_delete`); [`scrub`] then
//! truncates the WAL that still holds older copies of their pages.
//!
//! [`scrub`]: PrivacyStore::scrub

use async_trait::async_trait;
use borgermode_domain::{EventKind, MeetingId};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnection;

use super::text::{timestamp, TextId};
use super::{db_err, SqliteStore};
use crate::store::codec::{self, seq_to_db};
use crate::store::{PrivacyStore, StoreError};

/// Erasure and retention: delete the listed content rows, unlink the poll answers (erasure:
/// the person's open answers deleted, the rest re-keyed; retention: all re-keyed), and for
/// retention strip the per-person demographics from `participant_joined` and keep the
/// meeting's counts, all in the transaction that appends the event (nothing half-erased is
/// ever visible).
pub(super) async fn forget_personal_data(
    conn: &mut SqliteConnection,
    meeting_id: &str,
    kind: &EventKind,
) -> Result<(), StoreError> {
    let Some(effects) = codec::gdpr_effects(kind) else {
        return Ok(());
    };
    for r in effects.contents {
        sqlx::query("DELETE FROM contents WHERE meeting_id = ?1 AND seq = ?2 AND slot = ?3")
            .bind(meeting_id)
            .bind(seq_to_db(r.seq)?)
            .bind(i64::from(r.slot))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    super::polls::forget_poll_answers(conn, meeting_id, effects.poll_answers).await?;
    if let Some(aggregates) = effects.aggregates {
        for a in aggregates {
            sqlx::query(
                "INSERT INTO demographic_aggregates (meeting_id, dimension, value, count) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET count = excluded.count",
            )
            .bind(meeting_id)
            .bind(&a.dimension)
            .bind(&a.value)
            .bind(i64::from(a.count))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        let joins: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, kind_json FROM events WHERE meeting_id = ?1 \
             AND kind_json LIKE '{\"type\":\"participant_joined\"%'",
        )
        .bind(meeting_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        for (seq, stripped) in codec::stripped_joins(joins)? {
            sqlx::query("UPDATE events SET kind_json = ?3 WHERE meeting_id = ?1 AND seq = ?2")
                .bind(meeting_id)
                .bind(seq)
                .bind(stripped)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
}

#[async_trait]
impl PrivacyStore for SqliteStore {
    async fn scrub(&self) -> Result<(), StoreError> {
        // Deleted rows were zeroed by secure_delete in the pages they lived in; the WAL still
        // holds older copies of those pages until it is checkpointed and truncated.
        let mut conn = self.writer.acquire().await.map_err(db_err)?;
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
        if busy != 0 {
            return Err(StoreError::Unavailable(
                "WAL checkpoint blocked by a reader; retried on the next run".into(),
            ));
        }
        Ok(())
    }

    async fn meetings_due_for_retention(
        &self,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<MeetingId>, StoreError> {
        let ids: Vec<TextId> = sqlx::query_scalar(
            "SELECT c.meeting_id FROM events c \
             WHERE c.kind_json = '{\"type\":\"meeting_closed\"}' AND c.at < ?1 \
             AND NOT EXISTS (SELECT 1 FROM events p WHERE p.meeting_id = c.meeting_id \
                 AND p.kind_json LIKE '{\"type\":\"personal_data_pseudonymized\"%') \
             ORDER BY c.at",
        )
        .bind(timestamp(closed_before))
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(|id| MeetingId(id.0)).collect())
    }

    async fn privacy_notice(&self, meeting: MeetingId) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT notice FROM meeting_privacy WHERE meeting_id = ?1")
            .bind(meeting.0.to_string())
            .fetch_optional(&self.readers)
            .await
            .map_err(db_err)
    }

    async fn put_privacy_notice(
        &self,
        meeting: MeetingId,
        notice: Option<String>,
    ) -> Result<(), StoreError> {
        let id = meeting.0.to_string();
        match notice {
            Some(text) => sqlx::query(
                "INSERT INTO meeting_privacy (meeting_id, notice) VALUES (?1, ?2) \
                 ON CONFLICT (meeting_id) DO UPDATE SET notice = excluded.notice",
            )
            .bind(id)
            .bind(text),
            None => sqlx::query("DELETE FROM meeting_privacy WHERE meeting_id = ?1").bind(id),
        }
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
