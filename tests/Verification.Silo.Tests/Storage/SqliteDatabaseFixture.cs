namespace Verification.Silo.Tests.Storage;

/// <summary>A temporary directory for the SQLite files of one test class, deleted afterwards.</summary>
public sealed class SqliteDatabaseFixture : IDisposable
{
    private int _databases;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("verification-sqlite-").FullName;

    public string ConnectionString => ConnectionStringFor(Path.Combine(Directory, "shared.db"));

    /// <summary>A database file that does not exist yet, in a directory that does.</summary>
    public string CreateEmptyDatabase()
    {
        var directory = System.IO.Directory.CreateDirectory(Path.Combine(Directory, $"db{Interlocked.Increment(ref _databases)}"));
        return ConnectionStringFor(Path.Combine(directory.FullName, "verification.db"));
    }

    public static string ConnectionStringFor(string path) => $"Data Source={path}";

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
