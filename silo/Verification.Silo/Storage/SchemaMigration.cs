namespace Verification.Silo.Storage;

/// <summary>
/// One version of the schema: the script that takes a database from <c>Version - 1</c> to <c>Version</c>.
/// Scripts are never edited once released; a change is a new version (the Orleans ADO.NET approach).
/// </summary>
internal sealed record SchemaMigration(int Version, string Name, string Sql);

/// <summary>Brings the database schema up to date; idempotent, safe to call at every start.</summary>
internal interface IGrainStorageMigrator
{
    /// <summary>Applies the scripts not yet applied, in order, in one transaction. Returns how many were applied.</summary>
    Task<int> MigrateAsync(CancellationToken cancellationToken);
}

/// <summary>Decides which scripts a database still needs, the same way for every provider.</summary>
internal static class SchemaMigrationPlan
{
    /// <summary>
    /// The scripts of <paramref name="known"/> whose version is not in <paramref name="applied"/>, in version order.
    /// A database that has a version this build does not know was migrated by a newer build: running
    /// against it could corrupt data, so it is refused.
    /// </summary>
    public static IReadOnlyList<SchemaMigration> Pending(IReadOnlyList<SchemaMigration> known, IReadOnlyCollection<long> applied)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(applied);
        for (var i = 0; i < known.Count; i++)
        {
            if (known[i].Version != i + 1)
            {
                throw new InvalidOperationException(
                    $"Schema migration '{known[i].Name}' has version {known[i].Version}; expected {i + 1} (versions are dense, from 1).");
            }
        }

        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > known.Count)
        {
            throw new InvalidOperationException(
                $"The database schema is at version {newest}, but this build knows versions up to {known.Count}. " +
                "It was migrated by a newer build; downgrades are not supported.");
        }

        return [.. known.Where(m => !applied.Contains(m.Version))];
    }
}
