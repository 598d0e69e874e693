-- Version 2: grain state is read and written by Orleans' ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet).
-- The provider runs the SQL it finds in OrleansQuery under fixed keys, with fixed parameter names, and reads fixed
-- result columns; the SQL itself is ours and works on our own grain_state table, so rows of version 1 stay readable.
-- A grain names its state "{grain_type}/{grain_key}" (e.g. deployment/d1), which the provider passes as
-- @GrainTypeString: the provider's own key parameters cannot be used, because it reads a string key that looks like a
-- hexadecimal number or a GUID (d1, D1, 0d1) as that number, so different keys would share a row. The hashes, N0/N1,
-- the key extension and ServiceId are therefore ignored. The key part has % and ` percent-encoded (StorageKey.StateName:
-- the provider misreads a backtick as a generic arity) and is decoded here, %60 first, then %25. The payload is the state's JSON as UTF-8 bytes.

CREATE TABLE OrleansQuery (
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

-- Journal entries are appended before the state that counts them is written (two commits, journal first), so an entry
-- may precede its grain's first state row: the journal no longer references grain_state.
CREATE TABLE grain_journal_v2 (
    grain_type TEXT NOT NULL,
    grain_key  TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    batch_id   TEXT NULL,
    payload    BLOB NOT NULL,
    PRIMARY KEY (grain_type, grain_key, seq)
);
INSERT INTO grain_journal_v2 (grain_type, grain_key, seq, batch_id, payload)
    SELECT grain_type, grain_key, seq, batch_id, payload FROM grain_journal;
DROP TABLE grain_journal;
ALTER TABLE grain_journal_v2 RENAME TO grain_journal;
CREATE UNIQUE INDEX ux_grain_journal_batch_id ON grain_journal (grain_type, grain_key, batch_id)
    WHERE batch_id IS NOT NULL;

-- Read: the payload and its version (the ETag); no row while the grain was never written.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT CAST(state AS BLOB) AS PayloadBinary, version AS Version
FROM grain_state
WHERE grain_type = substr(@GrainTypeString, 1, instr(@GrainTypeString, ''/'') - 1) AND grain_key = replace(replace(substr(@GrainTypeString, instr(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%'');');

-- Write: a new row when the grain expects none (no version), else the row at exactly the expected version. The new
-- version comes back as NewGrainStateVersion; no row back means a conflict (the provider throws InconsistentStateException).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
INSERT INTO grain_state (grain_type, grain_key, version, state, updated_at)
SELECT substr(@GrainTypeString, 1, instr(@GrainTypeString, ''/'') - 1), replace(replace(substr(@GrainTypeString, instr(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%''), 1, CAST(@PayloadBinary AS TEXT), strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE @GrainStateVersion IS NULL
ON CONFLICT (grain_type, grain_key) DO NOTHING
RETURNING version AS NewGrainStateVersion;
UPDATE grain_state
SET version = version + 1, state = CAST(@PayloadBinary AS TEXT), updated_at = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE grain_type = substr(@GrainTypeString, 1, instr(@GrainTypeString, ''/'') - 1) AND grain_key = replace(replace(substr(@GrainTypeString, instr(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%'') AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion;');

-- Clear (and delete): the state at the expected version goes, with its journal; the deleted version + 1 comes back.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
DELETE FROM grain_journal
WHERE grain_type = substr(@GrainTypeString, 1, instr(@GrainTypeString, ''/'') - 1) AND grain_key = replace(replace(substr(@GrainTypeString, instr(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%'')
  AND EXISTS (SELECT 1 FROM grain_state
              WHERE grain_type = substr(@GrainTypeString, 1, instr(@GrainTypeString, ''/'') - 1) AND grain_key = replace(replace(substr(@GrainTypeString, instr(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%'') AND version = @GrainStateVersion);
DELETE FROM grain_state
WHERE grain_type = substr(@GrainTypeString, 1, instr(@GrainTypeString, ''/'') - 1) AND grain_key = replace(replace(substr(@GrainTypeString, instr(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%'') AND version = @GrainStateVersion
RETURNING version + 1 AS NewGrainStateVersion;');

INSERT INTO OrleansQuery (QueryKey, QueryText)
    SELECT 'DeleteStorageKey', QueryText FROM OrleansQuery WHERE QueryKey = 'ClearStorageKey';
