//! [`FollowUpStore`] on PostgreSQL (schema in `migrations/postgres/0004_followup.sql`).

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{db_err, whole_micros, PostgresStore};
use crate::store::followup::{FollowUpStore, NotifyAddress, SnippetRecord};
use crate::store::followup_rows::{self, ADDRESS_COLUMNS, SNIPPET_COLUMNS};
use crate::store::orgs::OrgId;
use crate::store::StoreError;

type SnippetRow = followup_rows::SnippetRow<Uuid, DateTime<Utc>>;
type AddressRow = followup_rows::AddressRow<Uuid, DateTime<Utc>>;

#[async_trait]
impl FollowUpStore for PostgresStore {
    async fn put_snippet(&self, s: SnippetRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO answer_snippets \
             (id, organization_id, title, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, \
             updated_at = excluded.updated_at \
             WHERE answer_snippets.organization_id = excluded.organization_id",
        )
        .bind(s.id)
        .bind(s.organization.0)
        .bind(s.title)
        .bind(s.body)
        .bind(whole_micros(s.created_at)?)
        .bind(whole_micros(s.updated_at)?)
        .execute(&self.pool)
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
             WHERE id = $1 AND organization_id = $2"
        ))
        .bind(id)
        .bind(organization.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(followup_rows::snippet))
    }

    async fn snippets(&self, organization: OrgId) -> Result<Vec<SnippetRecord>, StoreError> {
        let rows: Vec<SnippetRow> = sqlx::query_as(&format!(
            "SELECT {SNIPPET_COLUMNS} FROM answer_snippets WHERE organization_id = $1 \
             ORDER BY title COLLATE \"C\", id"
        ))
        .bind(organization.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(followup_rows::snippet).collect())
    }

    async fn delete_snippet(&self, organization: OrgId, id: Uuid) -> Result<bool, StoreError> {
        let done =
            sqlx::query("DELETE FROM answer_snippets WHERE id = $1 AND organization_id = $2")
                .bind(id)
                .bind(organization.0)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn put_notify_address(&self, a: NotifyAddress) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO notify_addresses (meeting_id, participant_id, email, created_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (meeting_id, participant_id) DO UPDATE SET email = excluded.email, \
             created_at = excluded.created_at",
        )
        .bind(a.meeting.0)
        .bind(a.participant.0)
        .bind(a.email)
        .bind(whole_micros(a.created_at)?)
        .execute(&self.pool)
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
             WHERE meeting_id = $1 AND participant_id = $2"
        ))
        .bind(meeting.0)
        .bind(participant.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(followup_rows::address))
    }

    async fn notify_addresses(&self, meeting: MeetingId) -> Result<Vec<NotifyAddress>, StoreError> {
        let rows: Vec<AddressRow> = sqlx::query_as(&format!(
            "SELECT {ADDRESS_COLUMNS} FROM notify_addresses \
             WHERE meeting_id = $1 ORDER BY participant_id"
        ))
        .bind(meeting.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(followup_rows::address).collect())
    }

    async fn delete_notify_address(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM notify_addresses WHERE meeting_id = $1 AND participant_id = $2")
            .bind(meeting.0)
            .bind(participant.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
