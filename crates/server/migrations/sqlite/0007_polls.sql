-- borgermode SQLite schema, version 7: poll answers.
--
-- Answers are rows, not log events (a national broadcast would drown the log): one per poll
-- and participant, replaced when the citizen changes their answer (store/polls.rs). `poll_id`
-- is the seq of the poll's `poll_created` event. `answer_json` is the serde JSON of
-- `borgermode_domain::PollAnswer`; `kind` repeats its tag so erasure can delete open answers
-- ('text', the citizen's own words) without parsing JSON. `held` is why an open answer waits
-- for a moderator (NULL: shown); `hidden` is a moderator's hide. Erasure deletes the erased
-- citizen's open answers and re-keys the rest to a fresh random participant id; retention
-- re-keys every answer of the meeting (one fresh id per participant).

CREATE TABLE poll_answers (
    meeting_id      TEXT    NOT NULL,
    poll_id         INTEGER NOT NULL,
    participant_id  TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('choice', 'scale', 'words', 'text')),
    answer_json     TEXT    NOT NULL,
    held            TEXT    CHECK (held IN ('premoderation', 'keyword', 'reports')),
    hidden          INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    answered_at     TEXT    NOT NULL,                  -- RFC 3339, ordered as text
    PRIMARY KEY (meeting_id, poll_id, participant_id)
) WITHOUT ROWID;

CREATE INDEX poll_answers_by_participant ON poll_answers (meeting_id, participant_id);
