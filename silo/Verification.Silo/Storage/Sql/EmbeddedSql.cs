namespace Verification.Silo.Storage.Sql;

/// <summary>SQL scripts embedded in this assembly from <c>Storage/Sql/{Provider}/{name}.sql</c>.</summary>
internal static class EmbeddedSql
{
    /// <param name="path">Relative to Storage/Sql, e.g. <c>Sqlite/0002_orleans_persistence.sql</c>.</param>
    public static string Read(string path)
    {
        var name = $"Verification.Silo.Storage.Sql.{path}";
        using var stream = typeof(EmbeddedSql).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The SQL script '{name}' is not embedded in {typeof(EmbeddedSql).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
