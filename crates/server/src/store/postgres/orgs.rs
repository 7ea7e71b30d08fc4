//! [`OrgStore`] on PostgreSQL: organizations, organizer accounts, invites and organizer
//! sessions (schema in `migrations/postgres/0002_organizations.sql`). Accepting an invite is one
//! transaction that locks the invite row (`FOR UPDATE`), so two instances accepting the same
//! invite at once serialize and only the first creates an account.

use async_trait::async_trait;
use borgermode_domain::MeetingId;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgConnection;
use uuid::Uuid;

use super::{db_err, whole_micros, PostgresStore};
use crate::store::codec::Decision;
use crate::store::org_rows::{self, ACCOUNT_COLUMNS, INVITE_COLUMNS, ORG_COLUMNS};
use crate::store::orgs::{
    AcceptOutcome, AccountId, AccountRecord, AccountSessionRecord, InviteRecord, Logo, NewAccount,
    OrgId, OrgStore, OrganizationRecord, DEFAULT_ORGANIZATION,
};
use crate::store::StoreError;

type OrgRow = org_rows::OrgRow<Uuid, DateTime<Utc>>;
type AccountRow = org_rows::AccountRow<Uuid, DateTime<Utc>>;
type InviteRow = org_rows::InviteRow<Uuid, DateTime<Utc>>;

async fn accept_in(
    conn: &mut PgConnection,
    token_hash: String,
    now: DateTime<Utc>,
    account: NewAccount,
) -> Result<Decision<AcceptOutcome>, StoreError> {
    let row: Option<InviteRow> = sqlx::query_as(&format!(
        "SELECT {INVITE_COLUMNS} FROM organizer_invites WHERE token_hash = $1 FOR UPDATE"
    ))
    .bind(&token_hash)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let invite = match org_rows::usable_invite(row.map(|r| org_rows::invite(&token_hash, r)), now) {
        Ok(invite) => invite,
        Err(refused) => return Ok(Decision::Rollback(refused)),
    };
    // ON CONFLICT: an account with this e-mail (even one created a moment ago by another
    // transaction) leaves nothing inserted, and the invite stays unused.
    let inserted = sqlx::query(
        "INSERT INTO organizer_accounts \
         (id, organization_id, email, display_name, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING",
    )
    .bind(account.id.0)
    .bind(invite.organization.0)
    .bind(&account.email)
    .bind(&account.display_name)
    .bind(&account.password_hash)
    .bind(whole_micros(account.created_at)?)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    if inserted.rows_affected() == 0 {
        return Ok(Decision::Rollback(AcceptOutcome::EmailTaken));
    }
    sqlx::query("UPDATE organizer_invites SET used_at = $2 WHERE token_hash = $1")
        .bind(&token_hash)
        .bind(whole_micros(now)?)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let created_at = whole_micros(account.created_at)?;
    Ok(Decision::Commit(org_rows::accepted(
        account,
        invite.organization,
        created_at,
    )))
}

#[async_trait]
impl OrgStore for PostgresStore {
    async fn create_organization(&self, org: OrganizationRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO organizations \
             (id, name, primary_color, accent_color, privacy_contact, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org.id.0)
        .bind(&org.name)
        .bind(&org.primary_color)
        .bind(&org.accent_color)
        .bind(&org.privacy_contact)
        .bind(whole_micros(org.created_at)?)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn organization(&self, id: OrgId) -> Result<Option<OrganizationRecord>, StoreError> {
        let row: Option<OrgRow> = sqlx::query_as(&format!(
            "SELECT {ORG_COLUMNS} FROM organizations WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(org_rows::organization))
    }

    async fn organizations(&self) -> Result<Vec<OrganizationRecord>, StoreError> {
        let rows: Vec<OrgRow> = sqlx::query_as(&format!(
            "SELECT {ORG_COLUMNS} FROM organizations ORDER BY created_no"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(org_rows::organization).collect())
    }

    async fn update_organization(&self, org: &OrganizationRecord) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE organizations SET name = $2, primary_color = $3, accent_color = $4, \
             privacy_contact = $5 WHERE id = $1",
        )
        .bind(org.id.0)
        .bind(&org.name)
        .bind(&org.primary_color)
        .bind(&org.accent_color)
        .bind(&org.privacy_contact)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_logo(&self, id: OrgId, logo: Option<Logo>) -> Result<bool, StoreError> {
        let (ctype, bytes) = org_rows::logo_columns(logo);
        let done = sqlx::query(
            "UPDATE organizations SET logo_type = $2, logo = $3, logo_version = logo_version + 1 \
             WHERE id = $1",
        )
        .bind(id.0)
        .bind(ctype)
        .bind(bytes)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn logo(&self, id: OrgId) -> Result<Option<Logo>, StoreError> {
        let row: Option<(Option<String>, Option<Vec<u8>>)> =
            sqlx::query_as("SELECT logo_type, logo FROM organizations WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(org_rows::logo(row))
    }

    async fn assign_meeting(&self, meeting: MeetingId, org: OrgId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO meeting_organizations (meeting_id, organization_id) VALUES ($1, $2) \
             ON CONFLICT (meeting_id) DO NOTHING",
        )
        .bind(meeting.0)
        .bind(org.0)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn meeting_organization(&self, meeting: MeetingId) -> Result<OrgId, StoreError> {
        let org: Option<Uuid> = sqlx::query_scalar(
            "SELECT organization_id FROM meeting_organizations WHERE meeting_id = $1",
        )
        .bind(meeting.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(org_rows::meeting_organization(org))
    }

    async fn organization_meetings(&self, org: OrgId) -> Result<Vec<MeetingId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT m.id FROM meetings m \
             LEFT JOIN meeting_organizations mo ON mo.meeting_id = m.id \
             WHERE COALESCE(mo.organization_id, $2) = $1 ORDER BY m.created_no",
        )
        .bind(org.0)
        .bind(DEFAULT_ORGANIZATION.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(MeetingId).collect())
    }

    async fn put_invite(&self, invite: InviteRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO organizer_invites \
             (token_hash, organization_id, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&invite.token_hash)
        .bind(invite.organization.0)
        .bind(whole_micros(invite.created_at)?)
        .bind(whole_micros(invite.expires_at)?)
        .bind(invite.used_at.map(whole_micros).transpose()?)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn invite(&self, token_hash: &str) -> Result<Option<InviteRecord>, StoreError> {
        let row: Option<InviteRow> = sqlx::query_as(&format!(
            "SELECT {INVITE_COLUMNS} FROM organizer_invites WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
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
            "SELECT {ACCOUNT_COLUMNS} FROM organizer_accounts a WHERE a.email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(org_rows::account))
    }

    async fn put_account_session(&self, session: AccountSessionRecord) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM organizer_sessions WHERE account_id = $1 AND expires_at <= $2")
            .bind(session.account.0)
            .bind(whole_micros(session.created_at)?)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO organizer_sessions (token_hash, account_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&session.token_hash)
        .bind(session.account.0)
        .bind(whole_micros(session.created_at)?)
        .bind(whole_micros(session.expires_at)?)
        .execute(&self.pool)
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
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(org_rows::account))
    }

    async fn delete_account_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM organizer_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_account_sessions(&self, account: AccountId) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM organizer_sessions WHERE account_id = $1")
            .bind(account.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}
