-- borgermode PostgreSQL schema, version 5: presence samples for the after-meeting report.
--
-- Every `presence_sample_secs` each instance records how many viewers it serves per open
-- meeting. The report takes each instance's highest sample per minute and sums the instances
-- (peak and average concurrent viewers, the timeline). Counts only: no viewer is identified.

CREATE TABLE presence_samples (
    meeting_id   UUID        NOT NULL,
    sampled_at   TIMESTAMPTZ NOT NULL,
    instance_id  UUID        NOT NULL,
    viewers      INTEGER     NOT NULL,
    PRIMARY KEY (meeting_id, sampled_at, instance_id)
);
