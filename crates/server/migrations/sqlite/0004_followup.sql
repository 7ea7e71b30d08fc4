-- borgermode SQLite schema, version 4: prepared answers and answer notifications.
--
-- answer_snippets: an organization's library of reusable answers (title + Markdown body with
-- links to the municipality's self-service pages), kept by its organizers, offered to the
-- panelists of its meetings.
-- notify_addresses: a citizen's optional e-mail address to hear when their question is
-- answered. Personal data that is not part of the meeting's record: it lives only here, never
-- in the log, a frame or an export, and is deleted once all the citizen's questions are
-- answered or the follow-up closes.

CREATE TABLE answer_snippets (
    id               TEXT NOT NULL PRIMARY KEY,        -- UUID
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,                     -- Markdown
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX answer_snippets_by_org ON answer_snippets (organization_id, title);

CREATE TABLE notify_addresses (
    meeting_id       TEXT NOT NULL,
    participant_id   TEXT NOT NULL,
    email            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (meeting_id, participant_id)
) WITHOUT ROWID;
