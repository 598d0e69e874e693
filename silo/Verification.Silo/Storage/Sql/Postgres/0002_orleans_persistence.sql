-- Version 2: grain state is read and written by Orleans' ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet).
-- The provider runs the SQL it finds in OrleansQuery under fixed keys, with fixed parameter names, and reads fixed
-- result columns; the SQL itself is ours and works on our own grain_state table, so rows of version 1 stay readable.
-- A grain names its state "{grain_type}/{grain_key}" (e.g. deployment/d1), which the provider passes as
-- @GrainTypeString: the provider's own key parameters cannot be used, because it reads a string key that looks like a
-- hexadecimal number or a GUID (d1, D1, 0d1) as that number, so different keys would share a row. The hashes, N0/N1,
-- the key extension and ServiceId are therefore ignored. The payload is the state's JSON as UTF-8 bytes. The key part has % and `
-- percent-encoded (StorageKey.StateName: the provider misreads a backtick as a generic arity) and is decoded here.

CREATE TABLE OrleansQuery (
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text NOT NULL
);

-- Journal entries are appended before the state that counts them is written (two commits, journal first), so an entry
-- may precede its grain's first state row: the journal no longer references grain_state.
ALTER TABLE grain_journal DROP CONSTRAINT IF EXISTS grain_journal_grain_type_grain_key_fkey;

-- Read: the payload and its version (the ETag); no row while the grain was never written.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT convert_to(state, ''UTF8'') AS "PayloadBinary", version::integer AS "Version"
FROM grain_state
WHERE grain_type = split_part(@GrainTypeString, ''/'', 1) AND grain_key = replace(replace(substr(@GrainTypeString, strpos(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%'');');

-- Write: a new row when the grain expects none (no version), else the row at exactly the expected version. The new
-- version comes back as NewGrainStateVersion; no row back means a conflict (the provider throws InconsistentStateException).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
WITH inserted AS (
    INSERT INTO grain_state (grain_type, grain_key, version, state, updated_at)
    SELECT split_part(@GrainTypeString, ''/'', 1), replace(replace(substr(@GrainTypeString, strpos(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%''), 1, convert_from(@PayloadBinary, ''UTF8''), now()
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT (grain_type, grain_key) DO NOTHING
    RETURNING version),
updated AS (
    UPDATE grain_state
    SET version = version + 1, state = convert_from(@PayloadBinary, ''UTF8''), updated_at = now()
    WHERE grain_type = split_part(@GrainTypeString, ''/'', 1) AND grain_key = replace(replace(substr(@GrainTypeString, strpos(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%'') AND version = @GrainStateVersion
    RETURNING version)
SELECT version::integer AS "NewGrainStateVersion" FROM inserted
UNION ALL
SELECT version::integer FROM updated;');

-- Clear (and delete): the state at the expected version goes, with its journal; the deleted version + 1 comes back.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
WITH deleted AS (
    DELETE FROM grain_state
    WHERE grain_type = split_part(@GrainTypeString, ''/'', 1) AND grain_key = replace(replace(substr(@GrainTypeString, strpos(@GrainTypeString, ''/'') + 1), ''%60'', ''`''), ''%25'', ''%'') AND version = @GrainStateVersion
    RETURNING grain_type, grain_key, version),
journal AS (
    DELETE FROM grain_journal j USING deleted d
    WHERE j.grain_type = d.grain_type AND j.grain_key = d.grain_key)
SELECT (version + 1)::integer AS "NewGrainStateVersion" FROM deleted;');

INSERT INTO OrleansQuery (QueryKey, QueryText)
    SELECT 'DeleteStorageKey', QueryText FROM OrleansQuery WHERE QueryKey = 'ClearStorageKey';
