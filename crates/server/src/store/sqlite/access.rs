//! [`AccessStore`] on SQLite: sessions and capability links, ids and times as text columns.

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId};

use super::text::{timestamp, TextId, TextTime};
use super::{db_err, SqliteStore};
use crate::store::{AccessStore, CapabilityRecord, SessionRecord, StoreError};

/// The `(meeting_id, participant_id, created_at)` columns both tables have, decoded.
type Grant = (MeetingId, ParticipantId, chrono::DateTime<chrono::Utc>);

fn grant((meeting, participant, created_at): (TextId, TextId, TextTime)) -> Grant {
    (
        MeetingId(meeting.0),
        ParticipantId(participant.0),
        created_at.0,
    )
}

#[async_trait]
impl AccessStore for SqliteStore {
    async fn put_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, meeting_id, participant_id, created_at) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (token_hash) DO UPDATE SET meeting_id = excluded.meeting_id, \
             participant_id = excluded.participant_id, created_at = excluded.created_at",
        )
        .bind(session.token_hash)
        .bind(session.meeting.0.to_string())
        .bind(session.participant.0.to_string())
        .bind(timestamp(session.created_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<(TextId, TextId, TextTime)> = sqlx::query_as(
            "SELECT meeting_id, participant_id, created_at FROM sessions WHERE token_hash = ?1",
        )
        .bind(token_hash)
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        let Some((meeting, participant, created_at)) = row.map(grant) else {
            return Ok(None);
        };
        Ok(Some(SessionRecord {
            token_hash: token_hash.to_owned(),
            meeting,
            participant,
            created_at,
        }))
    }

    async fn delete_sessions(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE meeting_id = ?1 AND participant_id = ?2")
            .bind(meeting.0.to_string())
            .bind(participant.0.to_string())
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn put_capability(&self, capability: CapabilityRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO capabilities (secret_hash, meeting_id, participant_id, created_at) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (secret_hash) DO UPDATE SET meeting_id = excluded.meeting_id, \
             participant_id = excluded.participant_id, created_at = excluded.created_at",
        )
        .bind(capability.secret_hash)
        .bind(capability.meeting.0.to_string())
        .bind(capability.participant.0.to_string())
        .bind(timestamp(capability.created_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn capability(&self, secret_hash: &str) -> Result<Option<CapabilityRecord>, StoreError> {
        let row: Option<(TextId, TextId, TextTime)> = sqlx::query_as(
            "SELECT meeting_id, participant_id, created_at FROM capabilities \
             WHERE secret_hash = ?1",
        )
        .bind(secret_hash)
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        let Some((meeting, participant, created_at)) = row.map(grant) else {
            return Ok(None);
        };
        Ok(Some(CapabilityRecord {
            secret_hash: secret_hash.to_owned(),
            meeting,
            participant,
            created_at,
        }))
    }

    async fn delete_capability(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM capabilities WHERE meeting_id = ?1 AND participant_id = ?2")
            .bind(meeting.0.to_string())
            .bind(participant.0.to_string())
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
