-- borgermode PostgreSQL schema, version 2: many municipalities on one installation. Same
-- logical layout as migrations/sqlite/0002_organizations.sql.
--
-- An organization (one per municipality) owns meetings, carries its branding and has organizer
-- accounts. Every meeting belongs to exactly one organization: meetings that existed before
-- this version move into the default organization (a fixed id, renamable by the installation
-- admin). The assignment row is written before the meeting's first event, so it has no foreign
-- key to `meetings`; a meeting without a row (none is expected) counts as the default's.
-- Passwords are Argon2id PHC strings; invite and session tokens are stored as SHA-256 only.

CREATE TABLE organizations (
    id               UUID        NOT NULL PRIMARY KEY,
    name             TEXT        NOT NULL,
    primary_color    TEXT,
    accent_color     TEXT,
    privacy_contact  TEXT,
    logo_type        TEXT,
    logo             BYTEA,
    logo_version     BIGINT      NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    created_no       BIGINT      NOT NULL GENERATED ALWAYS AS IDENTITY UNIQUE
);

INSERT INTO organizations (id, name, created_at)
VALUES ('00000000-0000-0000-0000-000000000001', 'borgermode', date_trunc('milliseconds', now()));

CREATE TABLE meeting_organizations (
    meeting_id       UUID NOT NULL PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations (id)
);

CREATE INDEX meeting_organizations_by_org ON meeting_organizations (organization_id);

INSERT INTO meeting_organizations (meeting_id, organization_id)
SELECT id, '00000000-0000-0000-0000-000000000001' FROM meetings;

CREATE TABLE organizer_accounts (
    id               UUID        NOT NULL PRIMARY KEY,
    organization_id  UUID        NOT NULL REFERENCES organizations (id),
    email            TEXT        NOT NULL UNIQUE,
    display_name     TEXT        NOT NULL,
    password_hash    TEXT        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE organizer_invites (
    token_hash       TEXT        NOT NULL PRIMARY KEY,
    organization_id  UUID        NOT NULL REFERENCES organizations (id),
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    used_at          TIMESTAMPTZ
);

CREATE TABLE organizer_sessions (
    token_hash  TEXT        NOT NULL PRIMARY KEY,
    account_id  UUID        NOT NULL REFERENCES organizer_accounts (id),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX organizer_sessions_by_account ON organizer_sessions (account_id);
