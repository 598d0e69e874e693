using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Api.Slo;
using Verification.Tests.Shared;

namespace Verification.Api.Tests.Slo;

public sealed class SloServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Service grains that know one SLO each and record what they are asked to store.</summary>
    private sealed class FakeGrains
    {
        public FakeGrains() => Factory = FakeGrainFactory.Create((_, key) => Service(key));

        public Dictionary<string, FakeServiceGrain> Services { get; } = new(StringComparer.Ordinal);

        public IGrainFactory Factory { get; }

        private FakeServiceGrain Service(string key)
        {
            if (!Services.TryGetValue(key, out var grain))
            {
                Services[key] = grain = new FakeServiceGrain(key);
            }

            return grain;
        }
    }

    private sealed class FakeServiceGrain(string name) : IServiceGrain
    {
        public List<SloEventsInput> Recorded { get; } = [];

        public Task<SloMinutePage> ReadMinutesAsync(string? afterSlo, DateTimeOffset afterMinute, int first, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<SloEventWindow>> GetEventWindowsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SloEventWindow>>(name == "unknown" ? [] : [new SloEventWindow("availability", Now.AddDays(-3), Now.AddMinutes(5))]);

        public Task<SloEventsResult> RecordEventsAsync(IReadOnlyList<SloEventsInput> events, CancellationToken cancellationToken)
        {
            var accepted = 0;
            foreach (var e in events.Where(e => e.BatchId is null || Recorded.All(r => r.BatchId != e.BatchId)))
            {
                Recorded.Add(e);
                accepted++;
            }

            return Task.FromResult(new SloEventsResult(accepted, events.Count - accepted));
        }

        public Task<IReadOnlyList<Contracts.Slo>> ApplySlosAsync(string yaml, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Service?> GetAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ReleasePolicy> SetPolicyAsync(ReleasePolicy policy, CancellationToken cancellationToken) => Task.FromResult(policy);

        public Task<IReadOnlyList<SloRuleSource>> GetRuleSourcesAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ReleaseGate> CheckReleaseAsync(string deploymentId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeploymentCompletedAsync(DeploymentCompletion completion, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Incident> OpenIncidentAsync(OpenIncidentInput input, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Incident> ResolveIncidentAsync(string id, ResolveIncidentInput input, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private static (SloService Sut, FakeGrains Grains) Create()
    {
        var grains = new FakeGrains();
        return (new SloService(grains.Factory, null!, new FixedTime(), new Verification.Api.Access.AuditTrail(grains.Factory, new FixedTime())), grains);
    }

    [Fact]
    public async Task RecordBulkAsync_BadEventForSecondService_NothingStoredAnywhere()
    {
        var (sut, grains) = Create();

        var error = await Assert.ThrowsAsync<BatchInputException>(() => sut.RecordBulkAsync(
            [new SloEventsInput("a", "availability", 1, 1), new SloEventsInput("b", "availability", 2, 1)], CancellationToken.None));

        Assert.Equal((1, "good"), (error.Index, error.Input.Field));
        Assert.All(grains.Services.Values, g => Assert.Empty(g.Recorded));
    }

    [Fact]
    public async Task RecordBulkAsync_TwoServices_EachGetsItsOwnAndCountsAdd()
    {
        var (sut, grains) = Create();

        var result = await sut.RecordBulkAsync(
            [new SloEventsInput("a", "availability", 1, 1, BatchId: "x"), new SloEventsInput("b", "availability", 1, 2),
                new SloEventsInput("a", "availability", 1, 1, BatchId: "x")], CancellationToken.None);

        Assert.Equal(new SloEventsResult(2, 1), result);
        Assert.Single(grains.Services["a"].Recorded);
        Assert.Single(grains.Services["b"].Recorded);
    }

    [Fact]
    public async Task RecordAsync_KnownBatchId_DuplicateTrue()
    {
        var (sut, _) = Create();
        var input = new SloEventsInput("a", "availability", 1, 1, BatchId: "x");

        var first = await sut.RecordAsync(input, CancellationToken.None);
        var again = await sut.RecordAsync(input, CancellationToken.None);

        Assert.Equal((new SloEventsPayload(1, false), new SloEventsPayload(0, true)), (first, again));
    }

    [Fact]
    public async Task RecordAsync_ServiceWithoutSlos_InputErrorOnService()
    {
        var (sut, _) = Create();

        var error = await Assert.ThrowsAsync<InputException>(() => sut.RecordAsync(new SloEventsInput("unknown", "x", 1, 1), CancellationToken.None));

        Assert.Equal("service", error.Field);
    }

    [Fact]
    public async Task ApplyAsync_InvalidYaml_ErrorsWithPaths()
    {
        var (sut, grains) = Create();

        var error = await Assert.ThrowsAsync<SloDefinitionException>(() => sut.ApplyAsync("apiVersion: openslo/v1\nkind: SLO\n", CancellationToken.None));

        Assert.NotEmpty(error.Errors);
        Assert.All(error.Errors, e => Assert.StartsWith("documents[0]", e.Path, StringComparison.Ordinal));
        Assert.Empty(grains.Services);
    }

    [Theory]
    [InlineData(1.0, 60, "minBudgetRemaining")]
    [InlineData(0.0, -1, "incidentWindowMinutes")]
    public async Task SetPolicyAsync_OutOfRange_InputErrorOnField(double minBudget, int window, string field)
    {
        var (sut, _) = Create();

        var error = await Assert.ThrowsAsync<InputException>(() =>
            sut.SetPolicyAsync("a", new ReleasePolicy(minBudget, IncidentWindowMinutes: window), CancellationToken.None));

        Assert.Equal(field, error.Field);
    }
}
