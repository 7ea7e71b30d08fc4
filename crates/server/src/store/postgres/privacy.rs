//! [`PrivacyStore`] on PostgreSQL, and the deletions an erasure or retention event makes inside
//! the append's transaction. A deleted row stays in its page until the table is rewritten, so
//! [`scrub`] runs `VACUUM FULL` once no older snapshot can still see it.
//!
//! [`scrub`]: PrivacyStore::scrub

use std::time::Duration;

use async_trait::async_trait;
use borgermode_domain::{EventKind, MeetingId};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgConnection;
use uuid::Uuid;

use super::{db_err, PostgresStore};
use crate::store::codec::{self, seq_to_db};
use crate::store::{PrivacyStore, StoreError};

/// How long a scrub waits for transactions older than the erasure to end.
const SCRUB_WAIT: Duration = Duration::from_secs(60);

/// Erasure and retention: delete the listed content rows, unlink the poll answers (erasure:
/// the person's open answers deleted, the rest re-keyed; retention: all re-keyed), and for
/// retention strip the per-person demographics from `participant_joined` and keep the
/// meeting's counts, all in the transaction that appends the event (under the meeting row lock).
pub(super) async fn forget_personal_data(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    kind: &EventKind,
) -> Result<(), StoreError> {
    let Some(effects) = codec::gdpr_effects(kind) else {
        return Ok(());
    };
    let seqs = effects
        .contents
        .iter()
        .map(|r| seq_to_db(r.seq))
        .collect::<Result<Vec<_>, _>>()?;
    let slots: Vec<i32> = effects
        .contents
        .iter()
        .map(|r| i32::try_from(r.slot).unwrap_or(i32::MAX))
        .collect();
    sqlx::query(
        "DELETE FROM contents c USING UNNEST($2::bigint[], $3::int[]) AS r(seq, slot) \
         WHERE c.meeting_id = $1 AND c.seq = r.seq AND c.slot = r.slot",
    )
    .bind(meeting_id)
    .bind(&seqs)
    .bind(&slots)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    super::polls::forget_poll_answers(conn, meeting_id, effects.poll_answers).await?;
    if let Some(aggregates) = effects.aggregates {
        for a in aggregates {
            sqlx::query(
                "INSERT INTO demographic_aggregates (meeting_id, dimension, value, count) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (meeting_id, dimension, value) \
                 DO UPDATE SET count = excluded.count",
            )
            .bind(meeting_id)
            .bind(&a.dimension)
            .bind(&a.value)
            .bind(i32::try_from(a.count).unwrap_or(i32::MAX))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        let joins: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, kind_json FROM events WHERE meeting_id = $1 \
             AND kind_json LIKE '{\"type\":\"participant_joined\"%'",
        )
        .bind(meeting_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        for (seq, stripped) in codec::stripped_joins(joins)? {
            sqlx::query("UPDATE events SET kind_json = $3 WHERE meeting_id = $1 AND seq = $2")
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
impl PrivacyStore for PostgresStore {
    async fn scrub(&self) -> Result<(), StoreError> {
        // A DELETE (or UPDATE) only marks the old tuple dead; plain VACUUM marks its space
        // reusable but leaves the bytes in the page until something happens to overwrite them.
        // VACUUM FULL writes each table (and its TOAST table and indexes) into new files and
        // unlinks the old ones, so the erased bytes are no longer in any relation file. It
        // takes an ACCESS EXCLUSIVE lock for the rewrite: appends wait for it.
        //
        // VACUUM FULL still copies a deleted row that some open snapshot may see (it is only
        // "recently dead"), so first wait until every transaction that started before the
        // erasure committed has ended: a snapshot whose xmin is older than a fresh xid taken
        // now. On the whole server, not only this database: PostgreSQL may hold the horizon
        // back for other databases' snapshots too (seen with parallel CREATE DATABASE).
        let horizon: i64 = sqlx::query_scalar("SELECT txid_current()")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        let deadline = tokio::time::Instant::now() + SCRUB_WAIT;
        loop {
            let older: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL \
                 AND age(backend_xmin) > age((($1::bigint) % 4294967296)::text::xid)",
            )
            .bind(horizon)
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
            if older == 0 {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                tracing::warn!(
                    transactions = older,
                    "scrub: old transactions still open; erased rows they can see stay until the next scrub"
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // `notify_addresses`: the e-mail address an erased citizen left for answer notices
        // (deleted by the erasure route before the erasure commits); `poll_answers`: an erased
        // citizen's open answers, and the rows of every answer re-keyed away from them.
        for table in [
            "contents",
            "idempotency",
            "events",
            "notify_addresses",
            "poll_answers",
        ] {
            sqlx::query(&format!("VACUUM FULL {table}"))
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    async fn meetings_due_for_retention(
        &self,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<MeetingId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT c.meeting_id FROM events c \
             WHERE c.kind_json = '{\"type\":\"meeting_closed\"}' AND c.at < $1 \
             AND NOT EXISTS (SELECT 1 FROM events p WHERE p.meeting_id = c.meeting_id \
                 AND p.kind_json LIKE '{\"type\":\"personal_data_pseudonymized\"%') \
             ORDER BY c.at",
        )
        .bind(closed_before)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(MeetingId).collect())
    }

    async fn privacy_notice(&self, meeting: MeetingId) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT notice FROM meeting_privacy WHERE meeting_id = $1")
            .bind(meeting.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn put_privacy_notice(
        &self,
        meeting: MeetingId,
        notice: Option<String>,
    ) -> Result<(), StoreError> {
        match notice {
            Some(text) => sqlx::query(
                "INSERT INTO meeting_privacy (meeting_id, notice) VALUES ($1, $2) \
                 ON CONFLICT (meeting_id) DO UPDATE SET notice = excluded.notice",
            )
            .bind(meeting.0)
            .bind(text),
            None => {
                sqlx::query("DELETE FROM meeting_privacy WHERE meeting_id = $1").bind(meeting.0)
            }
        }
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
