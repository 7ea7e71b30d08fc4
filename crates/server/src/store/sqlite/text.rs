//! Ids and times as SQLite keeps them: TEXT columns (hyphenated UUIDs, RFC 3339 times), written
//! by [`timestamp`] and `Uuid::to_string`, read back by the two column types here.
//!
//! Why it exists: PostgreSQL hands rows back with `UUID` and `TIMESTAMPTZ` already decoded, so
//! its readers and the shared row mappers (`store/org_rows.rs`, `store/followup_rows.rs`) work
//! on `Uuid` and `DateTime<Utc>`. [`TextId`] and [`TextTime`] let a SQLite query decode its
//! text columns the same way, inside sqlx, instead of every reader parsing strings by hand. A
//! value that does not parse is a column decode error, which `db_err` reports as corrupt.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::error::BoxDynError;
use sqlx::sqlite::{Sqlite, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Type};
use uuid::Uuid;

use crate::store::StoreError;

/// A UUID stored as hyphenated text.
#[derive(Clone, Copy, Debug)]
pub(super) struct TextId(pub Uuid);

/// A time stored as [`timestamp`] writes it.
#[derive(Clone, Copy, Debug)]
pub(super) struct TextTime(pub DateTime<Utc>);

impl From<TextId> for Uuid {
    fn from(id: TextId) -> Uuid {
        id.0
    }
}

impl From<TextTime> for DateTime<Utc> {
    fn from(at: TextTime) -> DateTime<Utc> {
        at.0
    }
}

impl Type<Sqlite> for TextId {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl Type<Sqlite> for TextTime {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for TextId {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(TextId(uuid_from_text(text)?))
    }
}

impl<'r> Decode<'r, Sqlite> for TextTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(TextTime(time_from_text(text)?))
    }
}

/// RFC 3339 in UTC with nine fractional digits: exact, and ordered as text.
pub(super) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// A time column read as text, for a reader that must keep going past a bad row (the audit
/// verifier reports it per event).
pub(super) fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, StoreError> {
    time_from_text(text).map_err(StoreError::Corrupt)
}

fn time_from_text(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| format!("timestamp {text:?}: {e}"))
}

fn uuid_from_text(text: &str) -> Result<Uuid, String> {
    Uuid::parse_str(text).map_err(|e| format!("id {text:?}: {e}"))
}
