-- borgermode PostgreSQL schema, version 7. Same logical layout as migrations/sqlite/0007_polls.sql:
-- one row per poll and participant, the answer as the JSON text of the domain type (compared
-- as text to tell a changed answer from the same one again), its kind, hold and hide.

CREATE TABLE poll_answers (
    meeting_id      UUID        NOT NULL,
    poll_id         BIGINT      NOT NULL,
    participant_id  UUID        NOT NULL,
    kind            TEXT        NOT NULL CHECK (kind IN ('choice', 'scale', 'words', 'text')),
    answer_json     TEXT        NOT NULL,
    held            TEXT        CHECK (held IN ('premoderation', 'keyword', 'reports')),
    hidden          BOOLEAN     NOT NULL DEFAULT FALSE,
    answered_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, poll_id, participant_id)
);

CREATE INDEX poll_answers_by_participant ON poll_answers (meeting_id, participant_id);
