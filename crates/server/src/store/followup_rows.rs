//! What both stores' [`FollowUpStore`](super::followup::FollowUpStore) share: the column lists
//! and rows mapped to records, generic over how a dialect decodes an id and a time (see
//! `org_rows.rs`). The dialects (`sqlite/followup.rs`, `postgres/followup.rs`) keep only SQL.

use borgermode_domain::{MeetingId, ParticipantId};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::followup::{NotifyAddress, SnippetRecord};
use super::orgs::OrgId;

pub(super) const SNIPPET_COLUMNS: &str = "id, organization_id, title, body, created_at, updated_at";

/// [`SNIPPET_COLUMNS`]: id, organization, title, body, created, updated.
pub(super) type SnippetRow<Id, Time> = (Id, Id, String, String, Time, Time);

pub(super) fn snippet<Id: Into<Uuid>, Time: Into<DateTime<Utc>>>(
    (id, org, title, body, created, updated): SnippetRow<Id, Time>,
) -> SnippetRecord {
    SnippetRecord {
        id: id.into(),
        organization: OrgId(org.into()),
        title,
        body,
        created_at: created.into(),
        updated_at: updated.into(),
    }
}

pub(super) const ADDRESS_COLUMNS: &str = "meeting_id, participant_id, email, created_at";

/// [`ADDRESS_COLUMNS`]: meeting, participant, e-mail, created.
pub(super) type AddressRow<Id, Time> = (Id, Id, String, Time);

pub(super) fn address<Id: Into<Uuid>, Time: Into<DateTime<Utc>>>(
    (meeting, participant, email, created): AddressRow<Id, Time>,
) -> NotifyAddress {
    NotifyAddress {
        meeting: MeetingId(meeting.into()),
        participant: ParticipantId(participant.into()),
        email,
        created_at: created.into(),
    }
}
