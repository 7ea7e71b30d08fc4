-- borgermode PostgreSQL schema, version 6. Same logical layout as migrations/sqlite/0006_gdpr.sql:
-- the audit chain (`events.link`, `meetings.chain_head`), demographic aggregates kept after
-- retention, and per-meeting privacy notices.

ALTER TABLE events ADD COLUMN link TEXT;
ALTER TABLE meetings ADD COLUMN chain_head TEXT;

CREATE TABLE demographic_aggregates (
    meeting_id  UUID    NOT NULL,
    dimension   TEXT    NOT NULL CHECK (dimension IN ('age_band', 'gender')),
    value       TEXT    NOT NULL,
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (meeting_id, dimension, value)
);

CREATE TABLE meeting_privacy (
    meeting_id  UUID NOT NULL PRIMARY KEY,
    notice      TEXT NOT NULL
);
