-- borgermode PostgreSQL schema, version 4: prepared answers and answer notifications.
-- See migrations/sqlite/0004_followup.sql for what the tables are for. notify_addresses holds
-- personal data outside the log: deleted once the citizen's questions are all answered or the
-- follow-up closes.

CREATE TABLE answer_snippets (
    id               UUID        NOT NULL PRIMARY KEY,
    organization_id  UUID        NOT NULL REFERENCES organizations (id),
    title            TEXT        NOT NULL,
    body             TEXT        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE INDEX answer_snippets_by_org ON answer_snippets (organization_id, title);

CREATE TABLE notify_addresses (
    meeting_id       UUID        NOT NULL,
    participant_id   UUID        NOT NULL,
    email            TEXT        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, participant_id)
);
