//! [`PresenceStore`] on SQLite: one row per meeting, minute and instance.

use async_trait::async_trait;
use borgermode_domain::report::PresenceSample;
use borgermode_domain::MeetingId;
use chrono::{DateTime, Utc};

use super::text::{timestamp, TextId, TextTime};
use super::{db_err, SqliteStore};
use crate::store::codec;
use crate::store::{PresenceStore, StoreError};

#[async_trait]
impl PresenceStore for SqliteStore {
    async fn record_presence(
        &self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        instance: uuid::Uuid,
        viewers: u32,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO presence_samples (meeting_id, sampled_at, instance_id, viewers) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (meeting_id, sampled_at, instance_id) DO UPDATE SET viewers = excluded.viewers",
        )
        .bind(meeting.0.to_string())
        .bind(timestamp(at))
        .bind(instance.to_string())
        .bind(i64::from(viewers))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn presence_samples(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<PresenceSample>, StoreError> {
        let rows: Vec<(TextTime, TextId, i64)> = sqlx::query_as(
            "SELECT sampled_at, instance_id, viewers FROM presence_samples \
             WHERE meeting_id = ?1 ORDER BY sampled_at, instance_id",
        )
        .bind(meeting.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(at, instance, viewers)| codec::presence_sample(at.0, instance.0, viewers))
            .collect()
    }
}
