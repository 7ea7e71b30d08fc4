-- borgermode PostgreSQL schema, version 1. Same logical layout as migrations/sqlite/0001_init.sql.
--
-- The meeting log is `events` (gapless seq per meeting, assigned while the writer holds the
-- `meetings` row lock: `SELECT ... FOR UPDATE` until commit, so any number of server processes
-- can append to one meeting). Personal text lives apart in `contents`, one row per Content of an
-- event (slot = position in EventKind::contents_mut), so erasing a person deletes content rows
-- and leaves the events, their seq and their hashes intact. Votes are rows, not events.
-- Timestamps are TIMESTAMPTZ: whole microseconds, exact (the store truncates before writing).
-- JSON is kept as TEXT, byte for byte as serde_json wrote it.

CREATE TABLE meetings (
    id          UUID        NOT NULL PRIMARY KEY,
    last_seq    BIGINT      NOT NULL CHECK (last_seq >= 0),
    created_at  TIMESTAMPTZ NOT NULL,
    -- Creation order across all instances (their clocks may disagree): `meetings()` sorts on it.
    created_no  BIGINT      NOT NULL GENERATED ALWAYS AS IDENTITY UNIQUE
);

CREATE TABLE events (
    meeting_id  UUID        NOT NULL REFERENCES meetings (id),
    seq         BIGINT      NOT NULL CHECK (seq >= 1),
    at          TIMESTAMPTZ NOT NULL,
    actor_json  TEXT        NOT NULL,
    kind_json   TEXT        NOT NULL,                -- EventKind, every Content's text removed
    PRIMARY KEY (meeting_id, seq)
);

CREATE TABLE contents (
    meeting_id  UUID    NOT NULL,
    seq         BIGINT  NOT NULL,
    slot        INTEGER NOT NULL CHECK (slot >= 0),
    text        TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, seq, slot),
    FOREIGN KEY (meeting_id, seq) REFERENCES events (meeting_id, seq)
);

-- No foreign key to meetings: a command that produced no events may still record its response.
CREATE TABLE idempotency (
    meeting_id  UUID        NOT NULL,
    scope       TEXT        NOT NULL,
    key         TEXT        NOT NULL,
    response    TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, scope, key)
);

CREATE TABLE votes (
    meeting_id      UUID   NOT NULL,
    post_id         BIGINT NOT NULL,
    participant_id  UUID   NOT NULL,
    PRIMARY KEY (meeting_id, post_id, participant_id)
);

CREATE INDEX votes_by_participant ON votes (meeting_id, participant_id);

CREATE TABLE sessions (
    token_hash      TEXT        NOT NULL PRIMARY KEY,
    meeting_id      UUID        NOT NULL,
    participant_id  UUID        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_by_participant ON sessions (meeting_id, participant_id);

CREATE TABLE capabilities (
    secret_hash     TEXT        NOT NULL PRIMARY KEY,
    meeting_id      UUID        NOT NULL,
    participant_id  UUID        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX capabilities_by_participant ON capabilities (meeting_id, participant_id);

CREATE TABLE settings (
    key    TEXT NOT NULL PRIMARY KEY,
    value  TEXT NOT NULL
);
