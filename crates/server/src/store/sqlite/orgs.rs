//! [`OrgStore`] on SQLite: organizations, organizer accounts, invites and organizer sessions
//! (schema in `migrations/sqlite/0002_organizations.sql`). Writes go through the one writer
//! connection like the log's; accepting an invite is one `BEGIN IMMEDIATE` transaction.

use async_trait::async_trait;
use borgermode_domain::MeetingId;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnection;

use super::text::{timestamp, TextId, TextTime};
use super::{db_err, SqliteStore};
use crate::store::codec::Decision;
use crate::store::org_rows::{self, ACCOUNT_COLUMNS, INVITE_COLUMNS, ORG_COLUMNS};
use crate::store::orgs::{
    AcceptOutcome, AccountId, AccountRecord, AccountSessionRecord, InviteRecord, Logo, NewAccount,
    OrgId, OrgStore, OrganizationRecord, DEFAULT_ORGANIZATION,
};
use crate::store::StoreError;

type OrgRow = org_rows::OrgRow<TextId, TextTime>;
type AccountRow = org_rows::AccountRow<TextId, TextTime>;
type InviteRow = org_rows::InviteRow<TextId, TextTime>;

async fn accept_in(
    conn: &mut SqliteConnection,
    token_hash: String,
    now: DateTime<Utc>,
    account: NewAccount,
) -> Result<Decision<AcceptOutcome>, StoreError> {
    let row: Option<InviteRow> = sqlx::query_as(&format!(
        "SELECT {INVITE_COLUMNS} FROM organizer_invites WHERE token_hash = ?1"
    ))
    .bind(&token_hash)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let invite = match org_rows::usable_invite(row.map(|r| org_rows::invite(&token_hash, r)), now) {
        Ok(invite) => invite,
        Err(refused) => return Ok(Decision::Rollback(refused)),
    };
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM organizer_accounts WHERE email = ?1")
            .bind(&account.email)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    if taken.is_some() {
        return Ok(Decision::Rollback(AcceptOutcome::EmailTaken));
    }
    sqlx::query(
        "INSERT INTO organizer_accounts \
         (id, organization_id, email, display_name, password_hash, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(account.id.0.to_string())
    .bind(invite.organization.0.to_string())
    .bind(&account.email)
    .bind(&account.display_name)
    .bind(&account.password_hash)
    .bind(timestamp(account.created_at))
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    sqlx::query("UPDATE organizer_invites SET used_at = ?2 WHERE token_hash = ?1")
        .bind(&token_hash)
        .bind(timestamp(now))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let created_at = account.created_at;
    Ok(Decision::Commit(org_rows::accepted(
        account,
        invite.organization,
        created_at,
    )))
}

#[async_trait]
impl OrgStore for SqliteStore {
    async fn create_organization(&self, org: OrganizationRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO organizations \
             (id, name, primary_color, accent_color, privacy_contact, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(org.id.0.to_string())
        .bind(&org.name)
        .bind(&org.primary_color)
        .bind(&org.accent_color)
        .bind(&org.privacy_contact)
        .bind(timestamp(org.created_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn organization(&self, id: OrgId) -> Result<Option<OrganizationRecord>, StoreError> {
        let row: Option<OrgRow> = sqlx::query_as(&format!(
            "SELECT {ORG_COLUMNS} FROM organizations WHERE id = ?1"
        ))
        .bind(id.0.to_string())
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(row.map(org_rows::organization))
    }

    async fn organizations(&self) -> Result<Vec<OrganizationRecord>, StoreError> {
        let rows: Vec<OrgRow> = sqlx::query_as(&format!(
            "SELECT {ORG_COLUMNS} FROM organizations ORDER BY created_at, id"
        ))
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(org_rows::organization).collect())
    }

    async fn update_organization(&self, org: &OrganizationRecord) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE organizations SET name = ?2, primary_color = ?3, accent_color = ?4, \
             privacy_contact = ?5 WHERE id = ?1",
        )
        .bind(org.id.0.to_string())
        .bind(&org.name)
        .bind(&org.primary_color)
        .bind(&org.accent_color)
        .bind(&org.privacy_contact)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_logo(&self, id: OrgId, logo: Option<Logo>) -> Result<bool, StoreError> {
        let (ctype, bytes) = org_rows::logo_columns(logo);
        let done = sqlx::query(
            "UPDATE organizations SET logo_type = ?2, logo = ?3, logo_version = logo_version + 1 \
             WHERE id = ?1",
        )
        .bind(id.0.to_string())
        .bind(ctype)
        .bind(bytes)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn logo(&self, id: OrgId) -> Result<Option<Logo>, StoreError> {
        let row: Option<(Option<String>, Option<Vec<u8>>)> =
            sqlx::query_as("SELECT logo_type, logo FROM organizations WHERE id = ?1")
                .bind(id.0.to_string())
                .fetch_optional(&self.readers)
                .await
                .map_err(db_err)?;
        Ok(org_rows::logo(row))
    }

    async fn assign_meeting(&self, meeting: MeetingId, org: OrgId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO meeting_organizations (meeting_id, organization_id) VALUES (?1, ?2) \
             ON CONFLICT (meeting_id) DO NOTHING",
        )
        .bind(meeting.0.to_string())
        .bind(org.0.to_string())
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn meeting_organization(&self, meeting: MeetingId) -> Result<OrgId, StoreError> {
        let org: Option<TextId> = sqlx::query_scalar(
            "SELECT organization_id FROM meeting_organizations WHERE meeting_id = ?1",
        )
        .bind(meeting.0.to_string())
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(org_rows::meeting_organization(org))
    }

    async fn organization_meetings(&self, org: OrgId) -> Result<Vec<MeetingId>, StoreError> {
        let ids: Vec<TextId> = sqlx::query_scalar(
            "SELECT m.id FROM meetings m \
             LEFT JOIN meeting_organizations mo ON mo.meeting_id = m.id \
             WHERE COALESCE(mo.organization_id, ?2) = ?1 ORDER BY m.created_at, m.id",
        )
        .bind(org.0.to_string())
        .bind(DEFAULT_ORGANIZATION.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(|id| MeetingId(id.0)).collect())
    }

    async fn put_invite(&self, invite: InviteRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO organizer_invites \
             (token_hash, organization_id, created_at, expires_at, used_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&invite.token_hash)
        .bind(invite.organization.0.to_string())
        .bind(timestamp(invite.created_at))
        .bind(timestamp(invite.expires_at))
        .bind(invite.used_at.map(timestamp))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn invite(&self, token_hash: &str) -> Result<Option<InviteRecord>, StoreError> {
        let row: Option<InviteRow> = sqlx::query_as(&format!(
            "SELECT {INVITE_COLUMNS} FROM organizer_invites WHERE token_hash = ?1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(row.map(|r| org_rows::invite(token_hash, r)))
    }

    async fn accept_invite(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        account: NewAccount,
    ) -> Result<AcceptOutcome, StoreError> {
        let token_hash = token_hash.to_owned();
        self.write(move |conn| Box::pin(accept_in(conn, token_hash, now, account)))
            .await
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRecord>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM organizer_accounts a WHERE a.email = ?1"
        ))
        .bind(email)
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(row.map(org_rows::account))
    }

    async fn put_account_session(&self, session: AccountSessionRecord) -> Result<(), StoreError> {
        let account = session.account.0.to_string();
        sqlx::query("DELETE FROM organizer_sessions WHERE account_id = ?1 AND expires_at <= ?2")
            .bind(&account)
            .bind(timestamp(session.created_at))
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO organizer_sessions (token_hash, account_id, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(&session.token_hash)
        .bind(&account)
        .bind(timestamp(session.created_at))
        .bind(timestamp(session.expires_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn account_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountRecord>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM organizer_sessions s \
             JOIN organizer_accounts a ON a.id = s.account_id \
             WHERE s.token_hash = ?1 AND s.expires_at > ?2"
        ))
        .bind(token_hash)
        .bind(timestamp(now))
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        Ok(row.map(org_rows::account))
    }

    async fn delete_account_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM organizer_sessions WHERE token_hash = ?1")
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_account_sessions(&self, account: AccountId) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM organizer_sessions WHERE account_id = ?1")
            .bind(account.0.to_string())
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}
