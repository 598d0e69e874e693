namespace Verification.Silo.Tests.TestSupport;

/// <summary>A temporary directory (e.g. for a SQLite database several silos use in turn), deleted with this object.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("verification-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
