//! [`PresenceStore`] on PostgreSQL: one row per meeting, minute and instance.

use async_trait::async_trait;
use borgermode_domain::report::PresenceSample;
use borgermode_domain::MeetingId;
use chrono::{DateTime, Utc};

use super::{db_err, PostgresStore};
use crate::store::codec;
use crate::store::{PresenceStore, StoreError};

#[async_trait]
impl PresenceStore for PostgresStore {
    async fn record_presence(
        &self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        instance: uuid::Uuid,
        viewers: u32,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO presence_samples (meeting_id, sampled_at, instance_id, viewers) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (meeting_id, sampled_at, instance_id) DO UPDATE SET viewers = excluded.viewers",
        )
        .bind(meeting.0)
        .bind(at)
        .bind(instance)
        .bind(i32::try_from(viewers).unwrap_or(i32::MAX))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn presence_samples(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<PresenceSample>, StoreError> {
        let rows: Vec<(DateTime<Utc>, uuid::Uuid, i32)> = sqlx::query_as(
            "SELECT sampled_at, instance_id, viewers FROM presence_samples \
             WHERE meeting_id = $1 ORDER BY sampled_at, instance_id",
        )
        .bind(meeting.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(at, instance, viewers)| codec::presence_sample(at, instance, i64::from(viewers)))
            .collect()
    }
}
