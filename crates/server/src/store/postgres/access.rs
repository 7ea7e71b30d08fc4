//! [`AccessStore`] on PostgreSQL: sessions and capability links.

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{db_err, whole_micros, PostgresStore};
use crate::store::{AccessStore, CapabilityRecord, SessionRecord, StoreError};

#[async_trait]
impl AccessStore for PostgresStore {
    async fn put_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, meeting_id, participant_id, created_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (token_hash) DO UPDATE SET meeting_id = excluded.meeting_id, \
             participant_id = excluded.participant_id, created_at = excluded.created_at",
        )
        .bind(session.token_hash)
        .bind(session.meeting.0)
        .bind(session.participant.0)
        .bind(whole_micros(session.created_at)?)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<(Uuid, Uuid, DateTime<Utc>)> = sqlx::query_as(
            "SELECT meeting_id, participant_id, created_at FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(|(meeting, participant, created_at)| SessionRecord {
            token_hash: token_hash.to_owned(),
            meeting: MeetingId(meeting),
            participant: ParticipantId(participant),
            created_at,
        }))
    }

    async fn delete_sessions(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE meeting_id = $1 AND participant_id = $2")
            .bind(meeting.0)
            .bind(participant.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn put_capability(&self, capability: CapabilityRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO capabilities (secret_hash, meeting_id, participant_id, created_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (secret_hash) DO UPDATE SET meeting_id = excluded.meeting_id, \
             participant_id = excluded.participant_id, created_at = excluded.created_at",
        )
        .bind(capability.secret_hash)
        .bind(capability.meeting.0)
        .bind(capability.participant.0)
        .bind(whole_micros(capability.created_at)?)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn capability(&self, secret_hash: &str) -> Result<Option<CapabilityRecord>, StoreError> {
        let row: Option<(Uuid, Uuid, DateTime<Utc>)> = sqlx::query_as(
            "SELECT meeting_id, participant_id, created_at FROM capabilities \
             WHERE secret_hash = $1",
        )
        .bind(secret_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(
            row.map(|(meeting, participant, created_at)| CapabilityRecord {
                secret_hash: secret_hash.to_owned(),
                meeting: MeetingId(meeting),
                participant: ParticipantId(participant),
                created_at,
            }),
        )
    }

    async fn delete_capability(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM capabilities WHERE meeting_id = $1 AND participant_id = $2")
            .bind(meeting.0)
            .bind(participant.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
