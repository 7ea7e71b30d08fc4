//! [`FollowUpStore`] on SQLite (schema in `migrations/sqlite/0004_followup.sql`). Writes go
//! through the one writer connection like every other write.

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId};
use uuid::Uuid;

use super::text::{timestamp, TextId, TextTime};
use super::{db_err, SqliteStore};
use crate::store::followup::{FollowUpStore, NotifyAddress, SnippetRecord};
use crate::store::followup_rows::{self, ADDRESS_COLUMNS, SNIPPET_COLUMNS};
use crate::store::orgs::OrgId;
use crate::store::StoreError;

type SnippetRow = followup_rows::SnippetRow<TextId, TextTime>;
type AddressRow = followup_rows::AddressRow<TextId, TextTime>;

#[async_trait]
impl FollowUpStore for SqliteStore {
    async fn put_snippet(&self, s: SnippetRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO answer_snippets \
             (id, organization_id, title, body, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, \
             updated_at = excluded.updated_at \
             WHERE answer_snippets.organization_id = excluded.organization_id",
        )
        .bind(s.id.to_string())
        .bind(s.organization.0.to_string())
        .bind(s.title)
        .bind(s.body)
        .bind(timestamp(s.created_at))
        .bind(timestamp(s.updated_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn snippet(
        &self,
        organization: OrgId,
        id: Uuid,
    ) -> Result<Option<SnippetRecord>, StoreError> {
        let row: Option<SnippetRow> = sqlx::query_as(&format!(
            "SELECT {SNIPPET_COLUMNS} FROM answer_snippets \
             WHERE id = ?1 AND organization_id = ?2"
        ))
        .bind(id.to_string())
        .bind(organization.0.to_string())
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(row.map(followup_rows::snippet))
    }

    async fn snippets(&self, organization: OrgId) -> Result<Vec<SnippetRecord>, StoreError> {
        let rows: Vec<SnippetRow> = sqlx::query_as(&format!(
            "SELECT {SNIPPET_COLUMNS} FROM answer_snippets WHERE organization_id = ?1 \
             ORDER BY title, id"
        ))
        .bind(organization.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(followup_rows::snippet).collect())
    }

    async fn delete_snippet(&self, organization: OrgId, id: Uuid) -> Result<bool, StoreError> {
        let done =
            sqlx::query("DELETE FROM answer_snippets WHERE id = ?1 AND organization_id = ?2")
                .bind(id.to_string())
                .bind(organization.0.to_string())
                .execute(&self.writer)
                .await
                .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn put_notify_address(&self, a: NotifyAddress) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO notify_addresses (meeting_id, participant_id, email, created_at) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (meeting_id, participant_id) DO UPDATE SET email = excluded.email, \
             created_at = excluded.created_at",
        )
        .bind(a.meeting.0.to_string())
        .bind(a.participant.0.to_string())
        .bind(a.email)
        .bind(timestamp(a.created_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn notify_address(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<Option<NotifyAddress>, StoreError> {
        let row: Option<AddressRow> = sqlx::query_as(&format!(
            "SELECT {ADDRESS_COLUMNS} FROM notify_addresses \
             WHERE meeting_id = ?1 AND participant_id = ?2"
        ))
        .bind(meeting.0.to_string())
        .bind(participant.0.to_string())
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(row.map(followup_rows::address))
    }

    async fn notify_addresses(&self, meeting: MeetingId) -> Result<Vec<NotifyAddress>, StoreError> {
        let rows: Vec<AddressRow> = sqlx::query_as(&format!(
            "SELECT {ADDRESS_COLUMNS} FROM notify_addresses \
             WHERE meeting_id = ?1 ORDER BY participant_id"
        ))
        .bind(meeting.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(followup_rows::address).collect())
    }

    async fn delete_notify_address(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM notify_addresses WHERE meeting_id = ?1 AND participant_id = ?2")
            .bind(meeting.0.to_string())
            .bind(participant.0.to_string())
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
