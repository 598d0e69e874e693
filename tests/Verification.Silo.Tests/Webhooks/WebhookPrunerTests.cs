using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Verification.Silo.Storage;
using Verification.Silo.Tests.Storage;
using Verification.Silo.Tests.TestSupport;
using Verification.Silo.Webhooks;

namespace Verification.Silo.Tests.Webhooks;

/// <summary>
/// Retention of the webhook outbox on a real database of each provider, on a manual clock: finished deliveries of events
/// older than <c>Webhooks:RetentionDays</c> go in batches; PENDING rows and newer ones stay.
/// </summary>
public abstract class WebhookPrunerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 5, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new(Now);
    private IGrainStorage? _storage;
    private WebhookStore _store = null!;

    private protected abstract string Provider { get; }

    private protected abstract Task<string> CreateEmptyDatabaseAsync();

    private protected abstract IGrainStorage CreateStorage(string connectionString);

    public async Task InitializeAsync()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        _storage = CreateStorage(connectionString);
        await ((IGrainStorageMigrator)_storage).MigrateAsync(CancellationToken.None);
        _store = new WebhookStore(Options.Create(new StorageOptions { Provider = Provider, ConnectionString = connectionString }));
    }

    public async Task DisposeAsync()
    {
        if (_storage is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    private WebhookPruner Sut(int batchSize = 3) =>
        new(_store, _time, Options.Create(new WebhookOptions { RetentionDays = 7, PruneBatchSize = batchSize, PruneMinutes = 60 }));

    /// <summary>Adds deliveries of events created <paramref name="age"/> ago and records each attempt as <paramref name="status"/>.</summary>
    private async Task AddAsync(string status, TimeSpan age, params string[] eventIds)
    {
        var created = Now - age;
        await _store.AddAsync([.. eventIds.Select(id => new NewDelivery("wh_1", id, "verdict.changed", "d1", "{}", created))], CancellationToken.None);
        if (status == WebhookStore.Pending)
        {
            return;
        }

        foreach (var claimed in await _store.ClaimAsync(Now, Now.AddSeconds(15), 100, CancellationToken.None))
        {
            await _store.RecordAsync(claimed, status, Now - age + TimeSpan.FromMinutes(1), status == WebhookStore.Delivered ? 200 : 500,
                null, null, CancellationToken.None);
        }
    }

    private async Task<string[]> RemainingAsync() =>
        [.. (await _store.ListAsync("wh_1", 100, CancellationToken.None)).Select(d => d.EventId).Order(StringComparer.Ordinal)];

    [StorageFact]
    public async Task PruneAsync_FinishedOlderThanRetention_DeletedInBatchesPendingAndNewerKept()
    {
        await AddAsync(WebhookStore.Delivered, TimeSpan.FromDays(8), "old-delivered-1", "old-delivered-2", "old-delivered-3");
        await AddAsync(WebhookStore.Failed, TimeSpan.FromDays(7.5), "old-failed");
        await AddAsync(WebhookStore.Delivered, TimeSpan.FromDays(6.9), "new-delivered");
        // Never attempted and past the retention (a silo down for a week): still PENDING, so kept.
        await AddAsync(WebhookStore.Pending, TimeSpan.FromDays(8), "old-pending");
        await AddAsync(WebhookStore.Pending, TimeSpan.FromHours(1), "new-pending");
        var sut = Sut(batchSize: 3);

        var deleted = await sut.PruneAsync(CancellationToken.None);

        Assert.Equal(4, deleted);
        Assert.Equal(["new-delivered", "new-pending", "old-pending"], await RemainingAsync());
    }

    [StorageFact]
    public async Task PruneIfDueAsync_AtStartThenNotUntilPruneMinutesPassed_PrunesOnlyWhenDue()
    {
        await AddAsync(WebhookStore.Delivered, TimeSpan.FromDays(8), "first");
        var sut = Sut();

        var atStart = await sut.PruneIfDueAsync(CancellationToken.None);
        await AddAsync(WebhookStore.Delivered, TimeSpan.FromDays(8), "second");
        _time.Advance(TimeSpan.FromMinutes(59));
        var early = await sut.PruneIfDueAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var due = await sut.PruneIfDueAsync(CancellationToken.None);

        Assert.Equal((1, 0, 1), (atStart, early, due));
        Assert.Empty(await RemainingAsync());
    }

    [StorageFact]
    public void Expired_EventOlderThanRetention_TrueElseFalse()
    {
        var sut = Sut();

        Assert.Equal((true, false), (sut.Expired(Now - TimeSpan.FromDays(7.01)), sut.Expired(Now - TimeSpan.FromDays(6.99))));
    }
}

/// <summary>Outbox retention on SQLite (temporary files).</summary>
public sealed class SqliteWebhookPrunerTests(SqliteDatabaseFixture database) : WebhookPrunerTests, IClassFixture<SqliteDatabaseFixture>
{
    private protected override string Provider => StorageOptions.SqliteProvider;

    private protected override Task<string> CreateEmptyDatabaseAsync() => Task.FromResult(database.CreateEmptyDatabase());

    private protected override IGrainStorage CreateStorage(string connectionString) =>
        new SqliteGrainStorage(connectionString, NullLogger<SqliteGrainStorage>.Instance);
}

/// <summary>Outbox retention on a real PostgreSQL server (a fresh database per test).</summary>
[RequiresEnvironment(PostgresDatabaseFixture.Variable)]
public sealed class PostgresWebhookPrunerTests(PostgresDatabaseFixture database) : WebhookPrunerTests, IClassFixture<PostgresDatabaseFixture>
{
    private protected override string Provider => StorageOptions.PostgresProvider;

    private protected override Task<string> CreateEmptyDatabaseAsync() => database.CreateEmptyDatabaseAsync();

    private protected override IGrainStorage CreateStorage(string connectionString) =>
        new PostgresGrainStorage(connectionString, NullLogger<PostgresGrainStorage>.Instance);
}
