-- borgermode SQLite schema, version 2: many municipalities on one installation.
--
-- An organization (one per municipality) owns meetings, carries its branding and has organizer
-- accounts. Every meeting belongs to exactly one organization: meetings that existed before
-- this version move into the default organization (a fixed id, renamable by the installation
-- admin). The assignment row is written before the meeting's first event, so it has no foreign
-- key to `meetings`; a meeting without a row (none is expected) counts as the default's.
-- Passwords are Argon2id PHC strings; invite and session tokens are stored as SHA-256 only.

CREATE TABLE organizations (
    id               TEXT    NOT NULL PRIMARY KEY,     -- UUID
    name             TEXT    NOT NULL,
    primary_color    TEXT,                             -- '#rrggbb' or NULL (default look)
    accent_color     TEXT,
    privacy_contact  TEXT,                             -- e-mail address or https URL
    logo_type        TEXT,                             -- image/png, image/jpeg, image/webp
    logo             BLOB,
    logo_version     INTEGER NOT NULL DEFAULT 0,       -- bumped on every change (cache busting)
    created_at       TEXT    NOT NULL
) WITHOUT ROWID;

INSERT INTO organizations (id, name, created_at)
VALUES ('00000000-0000-0000-0000-000000000001', 'borgermode',
        strftime('%Y-%m-%dT%H:%M:%S.000000000Z', 'now'));

CREATE TABLE meeting_organizations (
    meeting_id       TEXT NOT NULL PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id)
) WITHOUT ROWID;

CREATE INDEX meeting_organizations_by_org ON meeting_organizations (organization_id);

INSERT INTO meeting_organizations (meeting_id, organization_id)
SELECT id, '00000000-0000-0000-0000-000000000001' FROM meetings;

CREATE TABLE organizer_accounts (
    id               TEXT NOT NULL PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    email            TEXT NOT NULL UNIQUE,             -- trimmed, lower case
    display_name     TEXT NOT NULL,
    password_hash    TEXT NOT NULL,                    -- Argon2id PHC string
    created_at       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE organizer_invites (
    token_hash       TEXT NOT NULL PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    used_at          TEXT
) WITHOUT ROWID;

CREATE TABLE organizer_sessions (
    token_hash  TEXT NOT NULL PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES organizer_accounts (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX organizer_sessions_by_account ON organizer_sessions (account_id);
