//! [`PrivacyStore`]: data protection beside the log. Erasure and retention themselves are log
//! events (`participant_erased`, `personal_data_pseudonymized`) whose deletions `append` makes
//! in the same transaction; this trait makes them unrecoverable from the files, finds meetings
//! due for retention and keeps each meeting's privacy notice.

use async_trait::async_trait;
use borgermode_domain::MeetingId;
use chrono::{DateTime, Utc};

use super::StoreError;

#[async_trait]
pub trait PrivacyStore: Send + Sync + 'static {
    /// Make deleted personal data unrecoverable from the database files (after an erasure or a
    /// retention run): SQLite checkpoints and truncates its WAL (deleted rows are already
    /// zeroed by `secure_delete`); PostgreSQL rewrites the affected tables (`VACUUM FULL`).
    async fn scrub(&self) -> Result<(), StoreError>;

    /// Meetings closed before `closed_before` whose personal data is not pseudonymized yet.
    async fn meetings_due_for_retention(
        &self,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<MeetingId>, StoreError>;

    /// The organizer's own privacy notice for a meeting (Markdown), if any.
    async fn privacy_notice(&self, meeting: MeetingId) -> Result<Option<String>, StoreError>;
    /// Set (Some) or clear (None: the default text is shown) a meeting's privacy notice.
    async fn put_privacy_notice(
        &self,
        meeting: MeetingId,
        notice: Option<String>,
    ) -> Result<(), StoreError>;
}
