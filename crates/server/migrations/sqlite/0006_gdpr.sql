-- borgermode SQLite schema, version 6: the audit chain, retention and privacy notices.
--
-- `events.link` is the audit chain: hex SHA-256(previous link || canonical bytes of the
-- event) (crates/domain/src/audit.rs); `meetings.chain_head` is the link of the last event,
-- so a removed last row is found too. Events written before this version have no link; the
-- chain of such a meeting starts at its first linked event.
-- `demographic_aggregates` keeps a meeting's age band and gender counts after retention has
-- stripped them from the per-person events. `meeting_privacy` holds an organizer's own
-- privacy notice for a meeting (Markdown) and when retention ran.

ALTER TABLE events ADD COLUMN link TEXT;
ALTER TABLE meetings ADD COLUMN chain_head TEXT;

CREATE TABLE demographic_aggregates (
    meeting_id  TEXT    NOT NULL,
    dimension   TEXT    NOT NULL CHECK (dimension IN ('age_band', 'gender')),
    value       TEXT    NOT NULL,
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (meeting_id, dimension, value)
) WITHOUT ROWID;

CREATE TABLE meeting_privacy (
    meeting_id  TEXT NOT NULL PRIMARY KEY,
    notice      TEXT NOT NULL                          -- Markdown, sanitized when rendered
) WITHOUT ROWID;
