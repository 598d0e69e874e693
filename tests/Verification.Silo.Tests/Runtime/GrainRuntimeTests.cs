using Verification.Api.Contracts;
using Verification.Silo.Runtime;
using Verification.Silo.Storage;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Runtime;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync(CancellationToken cancellationToken);

    Task<int> GetAsync(CancellationToken cancellationToken);

    Task<int> MaxConcurrencyAsync(CancellationToken cancellationToken);

    Task WaitForAsync(Task other, CancellationToken cancellationToken);

    Task FailAsync(CancellationToken cancellationToken);
}

internal sealed record CounterState(int Value);

/// <summary>A grain whose increment is a read–await–write: only turn-based execution keeps it exact.</summary>
internal sealed class CounterGrain : Grain<CounterState>, ICounterGrain
{
    private int _inFlight;
    private int _maxInFlight;

    public static int Activations;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Activations);
        return base.OnActivateAsync(cancellationToken);
    }

    public async Task<int> IncrementAsync(CancellationToken cancellationToken)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        _maxInFlight = Math.Max(_maxInFlight, inFlight);
        var value = State?.Value ?? 0;
        await Task.Yield();
        await WriteStateAsync(new CounterState(value + 1), cancellationToken);
        Interlocked.Decrement(ref _inFlight);
        return value + 1;
    }

    public Task<int> GetAsync(CancellationToken cancellationToken) => Task.FromResult(State?.Value ?? 0);

    public Task<int> MaxConcurrencyAsync(CancellationToken cancellationToken) => Task.FromResult(_maxInFlight);

    public Task WaitForAsync(Task other, CancellationToken cancellationToken) => other.WaitAsync(cancellationToken);

    public Task FailAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("boom");
}

public sealed class GrainRuntimeTests
{
    private static RuntimeFixture Fixture(GrainRuntimeOptions? options = null, InMemoryGrainStorage? storage = null) =>
        new(r => r.Add(typeof(ICounterGrain), typeof(CounterGrain), "counter"), options, storage);

    [Fact]
    public async Task InvokeAsync_ThousandConcurrentCallsToOneGrain_RunOneAtATime()
    {
        await using var fixture = Fixture();
        var sut = fixture.Sut;

        var calls = Enumerable.Range(0, 1000)
            .Select(_ => Task.Run(() => sut.GetGrain<ICounterGrain>("c").IncrementAsync(CancellationToken.None)));
        var results = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(1, 1000), results.Order());
        Assert.Equal(1000, await sut.GetGrain<ICounterGrain>("c").GetAsync(CancellationToken.None));
        Assert.Equal(1, await sut.GetGrain<ICounterGrain>("c").MaxConcurrencyAsync(CancellationToken.None));
        Assert.Equal(1000, fixture.Storage.Writes);
    }

    [Fact]
    public async Task InvokeAsync_TwoGrains_RunConcurrently()
    {
        await using var fixture = Fixture();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Grain a's turn waits for something only grain b's turn does: serialized execution would never finish.
        var waiting = fixture.Sut.GetGrain<ICounterGrain>("a").WaitForAsync(release.Task, deadline.Token);
        await fixture.Sut.GetGrain<ICounterGrain>("b").IncrementAsync(deadline.Token);
        release.SetResult();
        await waiting;

        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task InvokeAsync_FirstCall_ActivatesOnceAndLoadsState()
    {
        var storage = new InMemoryGrainStorage();
        storage.WriteBehind(new GrainId("counter", "k"), "{\"value\":41}");
        await using var fixture = Fixture(storage: storage);
        var before = Volatile.Read(ref CounterGrain.Activations);

        var value = await fixture.Sut.GetGrain<ICounterGrain>("k").IncrementAsync(CancellationToken.None);
        await fixture.Sut.GetGrain<ICounterGrain>("k").GetAsync(CancellationToken.None);

        Assert.Equal(42, value);
        Assert.Equal(1, fixture.Sut.ActiveCount);
        Assert.Equal(1, Volatile.Read(ref CounterGrain.Activations) - before);
    }

    [Fact]
    public async Task InvokeAsync_StaleETagWithoutRetries_FailsAndNextCallSeesFreshState()
    {
        await using var fixture = Fixture(new GrainRuntimeOptions { MaxConflictRetries = 0 });
        var grain = fixture.Sut.GetGrain<ICounterGrain>("x");
        Assert.Equal(1, await grain.IncrementAsync(CancellationToken.None));

        // Another silo writes the grain: this activation's ETag is now stale.
        fixture.Storage.WriteBehind(new GrainId("counter", "x"), "{\"value\":10}");

        await Assert.ThrowsAsync<GrainStateConflictException>(() => grain.IncrementAsync(CancellationToken.None));
        Assert.Equal(0, fixture.Sut.ActiveCount);
        Assert.Equal(10, await grain.GetAsync(CancellationToken.None));
        Assert.Equal(11, await grain.IncrementAsync(CancellationToken.None));
    }

    [Fact]
    public async Task InvokeAsync_StaleETagWithRetries_RerunsOnFreshState()
    {
        await using var fixture = Fixture();
        var grain = fixture.Sut.GetGrain<ICounterGrain>("y");
        await grain.IncrementAsync(CancellationToken.None);
        fixture.Storage.WriteBehind(new GrainId("counter", "y"), "{\"value\":20}");

        var value = await grain.IncrementAsync(CancellationToken.None);

        Assert.Equal(21, value);
    }

    [Fact]
    public async Task InvokeAsync_UnexpectedException_DropsActivation()
    {
        await using var fixture = Fixture();
        var grain = fixture.Sut.GetGrain<ICounterGrain>("f");
        await grain.IncrementAsync(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.FailAsync(CancellationToken.None));

        Assert.Equal(0, fixture.Sut.ActiveCount);
        Assert.Equal(1, await grain.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task InvokeAsync_FailedWrite_LeavesStoredStateAndReloads()
    {
        await using var fixture = Fixture();
        var grain = fixture.Sut.GetGrain<ICounterGrain>("w");
        await grain.IncrementAsync(CancellationToken.None);
        fixture.Storage.FailNextWrite = new IOException("disk gone");

        await Assert.ThrowsAsync<IOException>(() => grain.IncrementAsync(CancellationToken.None));

        Assert.Equal(1, await grain.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CollectIdleAsync_IdleGrain_IsDeactivatedAndReactivatesWithItsState()
    {
        await using var fixture = Fixture(new GrainRuntimeOptions { IdleTimeoutSeconds = 60 });
        await fixture.Sut.GetGrain<ICounterGrain>("idle").IncrementAsync(CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        await fixture.Sut.GetGrain<ICounterGrain>("busy").IncrementAsync(CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(31));

        var collected = await fixture.Sut.CollectIdleAsync(CancellationToken.None);

        Assert.Equal(1, collected);
        Assert.Equal(1, fixture.Sut.ActiveCount);
        Assert.Equal(1, await fixture.Sut.GetGrain<ICounterGrain>("idle").GetAsync(CancellationToken.None));
        Assert.Equal(2, fixture.Sut.ActiveCount);
    }

    [Fact]
    public async Task CollectIdleAsync_RecentlyUsed_StaysActive()
    {
        await using var fixture = Fixture(new GrainRuntimeOptions { IdleTimeoutSeconds = 60 });
        await fixture.Sut.GetGrain<ICounterGrain>("g").IncrementAsync(CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(59));

        Assert.Equal(0, await fixture.Sut.CollectIdleAsync(CancellationToken.None));
        Assert.Equal(1, fixture.Sut.ActiveCount);
    }

    [Fact]
    public async Task GetGrain_UnregisteredInterface_Throws()
    {
        await using var fixture = new RuntimeFixture();

        Assert.Throws<InvalidOperationException>(() => fixture.Sut.GetGrain<ICounterGrain>("k"));
    }
}
