-- borgermode SQLite schema, version 5: presence samples for the after-meeting report.
--
-- Every `presence_sample_secs` each instance records how many viewers it serves per open
-- meeting. The report takes each instance's highest sample per minute and sums the instances
-- (peak and average concurrent viewers, the timeline). Counts only: no viewer is identified.

CREATE TABLE presence_samples (
    meeting_id   TEXT    NOT NULL,
    sampled_at   TEXT    NOT NULL,   -- RFC 3339, UTC
    instance_id  TEXT    NOT NULL,   -- UUID of the instance (the bus's instance id)
    viewers      INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, sampled_at, instance_id)
) WITHOUT ROWID;
