-- Version 4: durable reminders for Orleans' ADO.NET reminder table (Microsoft.Orleans.Reminders.AdoNet), in the same file
-- as grain state. The provider runs the SQL it finds in OrleansQuery under fixed keys with fixed parameters: @ServiceId
-- (Cluster:Id), @GrainId (the grain id as text, e.g. deployment/d1), @ReminderName, @StartTime (UTC), @Period
-- (milliseconds), @GrainHash (the grain's uniform hash as a signed 32-bit integer), @BeginHash/@EndHash (a silo's range
-- of the hash ring) and @Version (the row's ETag). It reads the columns GrainId, ReminderName, StartTime, Period and
-- Version. The table and the SQL are ours.

CREATE TABLE orleans_reminders (
    service_id    TEXT NOT NULL,
    grain_id      TEXT NOT NULL,
    reminder_name TEXT NOT NULL,
    start_time    TEXT NOT NULL,
    period_ms     INTEGER NOT NULL,
    grain_hash    INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- A silo loads the reminders of its range of the hash ring.
CREATE INDEX ix_orleans_reminders_hash ON orleans_reminders (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId;');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName;');

-- A range that does not wrap around the ring: hashes in (@BeginHash, @EndHash].
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash;');

-- A range that wraps around (or the whole ring, @BeginHash = @EndHash): above @BeginHash or up to @EndHash.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);');

-- Insert or replace; every write gives the row a new version, which comes back as the reminder''s ETag.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 1)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET start_time = excluded.start_time, period_ms = excluded.period_ms, grain_hash = excluded.grain_hash,
    version = orleans_reminders.version + 1
RETURNING version AS Version;');

-- Only the version the caller read is deleted; one row back: whether it was.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
DELETE FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version;
SELECT changes() > 0 AS Deleted;');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
DELETE FROM orleans_reminders WHERE service_id = @ServiceId;');
