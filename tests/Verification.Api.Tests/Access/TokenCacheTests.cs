using Microsoft.Extensions.Options;
using Verification.Api.Access;
using Verification.Api.Contracts;

namespace Verification.Api.Tests.Access;

public sealed class TokenCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);
    private static readonly AccessToken Token = new("t1", "ci", ["read"], null, Start, null, null);

    private readonly SteppedTime _time = new();
    private readonly Dictionary<string, AccessToken> _stored = new(StringComparer.Ordinal) { ["hash-ci"] = Token };
    private int _lookUps;

    [Fact]
    public async Task CheckAsync_SameHashWithinLifetime_AsksTheGrainOnce()
    {
        var sut = Cache(5);

        var first = await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        var second = await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);

        Assert.Equal(Token, first.Token);
        Assert.Equal(Token, second.Token);
        Assert.Equal(1, _lookUps);
    }

    [Fact]
    public async Task CheckAsync_LifetimeOver_AsksAgainAndSeesARevocationElsewhere()
    {
        var sut = Cache(5);
        await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);
        _stored.Clear(); // revoked through another silo: this silo's cache is not told

        var stale = await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        var fresh = await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);

        Assert.Equal(Token, stale.Token);
        Assert.Equal(new TokenCheck(null, false), fresh);
        Assert.Equal(2, _lookUps);
    }

    [Fact]
    public async Task Invalidate_AfterARevocationThroughThisSilo_NextCheckAsksTheGrain()
    {
        var sut = Cache(5);
        await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);
        _stored.Clear();

        sut.Invalidate();
        var check = await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);

        Assert.Equal(new TokenCheck(null, false), check);
        Assert.Equal(2, _lookUps);
    }

    [Fact]
    public async Task CheckAsync_InvalidatedWhileTheLookUpRuns_DoesNotKeepTheStaleAnswer()
    {
        var sut = Cache(5);
        await sut.CheckAsync("hash-ci", (hash, now, ct) =>
        {
            sut.Invalidate(); // a revocation through this silo lands between the grain's answer and the cache's store
            return LookUpAsync(hash, now, ct);
        }, CancellationToken.None);
        _stored.Clear();

        var check = await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);

        Assert.Null(check.Token);
        Assert.Equal(2, _lookUps);
    }

    [Fact]
    public async Task CheckAsync_CachedTokenExpires_RefusedWithoutAskingTheGrain()
    {
        _stored["hash-ci"] = Token with { ExpiresAt = Start.AddSeconds(2) };
        var sut = Cache(5);
        await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(2));
        var check = await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);

        Assert.Equal(new TokenCheck(null, true), check);
        Assert.Equal(1, _lookUps);
    }

    [Fact]
    public async Task CheckAsync_ManyUnknownHashes_RemembersAtMostTheBound()
    {
        var sut = Cache(5);

        for (var i = 0; i < TokenCache.MaxUnknown + 500; i++)
        {
            await sut.CheckAsync($"random-{i}", LookUpAsync, CancellationToken.None);
        }

        var again = await sut.CheckAsync("random-0", LookUpAsync, CancellationToken.None);
        var past = await sut.CheckAsync($"random-{TokenCache.MaxUnknown + 499}", LookUpAsync, CancellationToken.None);

        Assert.Equal(TokenCache.MaxUnknown, sut.UnknownCount);
        Assert.Equal(new TokenCheck(null, true), again);
        Assert.Equal(new TokenCheck(null, true), past);
        Assert.Equal(TokenCache.MaxUnknown + 500 + 1, _lookUps); // random-0 from memory, the one past the bound asked again
    }

    [Fact]
    public async Task CheckAsync_UnknownBoundFullOfExpiredEntries_SweepsThemAndRemembersNewOnes()
    {
        var sut = Cache(5);
        for (var i = 0; i < TokenCache.MaxUnknown; i++)
        {
            await sut.CheckAsync($"old-{i}", LookUpAsync, CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromSeconds(6));
        await sut.CheckAsync("new", LookUpAsync, CancellationToken.None);

        Assert.Equal(1, sut.UnknownCount);
    }

    [Fact]
    public async Task CheckAsync_AnyTokenQuestion_RememberedForTheLifetime()
    {
        _stored.Clear();
        var sut = Cache(5);

        var open = await sut.CheckAsync(null, LookUpAsync, CancellationToken.None);
        _stored["hash-ci"] = Token; // the first token, created through another silo
        var stillOpen = await sut.CheckAsync(null, LookUpAsync, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        var closed = await sut.CheckAsync(null, LookUpAsync, CancellationToken.None);

        Assert.False(open.AnyToken);
        Assert.False(stillOpen.AnyToken);
        Assert.True(closed.AnyToken);
        Assert.Equal(2, _lookUps);
    }

    [Fact]
    public async Task CheckAsync_LookUpFails_NothingRememberedAndTheFailurePropagates()
    {
        var sut = Cache(5);

        await Assert.ThrowsAsync<TimeoutException>(async () =>
            await sut.CheckAsync("hash-ci", (_, _, _) => Task.FromException<TokenCheck>(new TimeoutException("silo died")), CancellationToken.None));
        var check = await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);

        Assert.Equal(Token, check.Token);
        Assert.Equal(1, _lookUps);
    }

    [Fact]
    public async Task CheckAsync_CacheOff_AsksTheGrainEveryTime()
    {
        var sut = Cache(0);

        await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);
        await sut.CheckAsync("hash-ci", LookUpAsync, CancellationToken.None);
        await sut.CheckAsync(null, LookUpAsync, CancellationToken.None);

        Assert.False(sut.Enabled);
        Assert.Equal(3, _lookUps);
    }

    private TokenCache Cache(double seconds) => new(Options.Create(new AccessOptions { CacheSeconds = seconds }), _time);

    /// <summary>What the token grain answers: the stored token for the hash, unexpired at <paramref name="now"/>.</summary>
    private Task<TokenCheck> LookUpAsync(string? hash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        _lookUps++;
        AccessToken? found = hash is not null && _stored.TryGetValue(hash, out var token) && (token.ExpiresAt is null || token.ExpiresAt > now)
            ? token
            : null;
        return Task.FromResult(new TokenCheck(found, _stored.Count > 0));
    }

    private sealed class SteppedTime : TimeProvider
    {
        private DateTimeOffset _now = Start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
