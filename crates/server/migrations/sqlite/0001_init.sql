-- borgermode SQLite schema, version 1.
--
-- The meeting log is `events` (gapless seq per meeting, assigned under `BEGIN IMMEDIATE` against
-- `meetings.last_seq`). Personal text lives apart in `contents`, one row per Content of an event
-- (slot = position in EventKind::contents_mut), so erasing a person deletes content rows and
-- leaves the events, their seq and their hashes intact. Votes are rows, not events.
-- Timestamps are RFC 3339 UTC text with nine fractional digits: exact and sortable as text.

CREATE TABLE meetings (
    id          TEXT    NOT NULL PRIMARY KEY,            -- UUID
    last_seq    INTEGER NOT NULL CHECK (last_seq >= 0),
    created_at  TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
    meeting_id  TEXT    NOT NULL REFERENCES meetings (id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    at          TEXT    NOT NULL,
    actor_json  TEXT    NOT NULL,
    kind_json   TEXT    NOT NULL,                        -- EventKind, every Content's text removed
    PRIMARY KEY (meeting_id, seq)
) WITHOUT ROWID;

CREATE TABLE contents (
    meeting_id  TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    slot        INTEGER NOT NULL CHECK (slot >= 0),
    text        TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, seq, slot),
    FOREIGN KEY (meeting_id, seq) REFERENCES events (meeting_id, seq)
) WITHOUT ROWID;

-- No foreign key to meetings: a command that produced no events may still record its response.
CREATE TABLE idempotency (
    meeting_id  TEXT    NOT NULL,
    scope       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    response    TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, scope, key)
) WITHOUT ROWID;

CREATE TABLE votes (
    meeting_id      TEXT    NOT NULL,
    post_id         INTEGER NOT NULL,
    participant_id  TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, post_id, participant_id)
) WITHOUT ROWID;

CREATE INDEX votes_by_participant ON votes (meeting_id, participant_id);

CREATE TABLE sessions (
    token_hash      TEXT    NOT NULL PRIMARY KEY,
    meeting_id      TEXT    NOT NULL,
    participant_id  TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_by_participant ON sessions (meeting_id, participant_id);

CREATE TABLE capabilities (
    secret_hash     TEXT    NOT NULL PRIMARY KEY,
    meeting_id      TEXT    NOT NULL,
    participant_id  TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
) WITHOUT ROWID;

CREATE INDEX capabilities_by_participant ON capabilities (meeting_id, participant_id);

CREATE TABLE settings (
    key    TEXT NOT NULL PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
