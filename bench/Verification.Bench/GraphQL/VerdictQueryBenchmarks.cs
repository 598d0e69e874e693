using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Verification.Api.Contracts;
using Verification.Api.GraphQL;
using Verification.GraphQL;
using Verification.GraphQL.Execution;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;
using Verification.GraphQL.Validation;
using Verification.Tests.Shared;

namespace Verification.Bench.GraphQL;

/// <summary>
/// Cost of the standard verdict query (<see cref="VerdictQuery.Text"/>) against the Verification schema, with the
/// deployment held in memory so only the GraphQL engine is measured: parse, validate, and a whole request (parse +
/// validate + coerce variables + execute + write JSON) with the document cache off and on.
/// </summary>
[MemoryDiagnoser]
public class VerdictQueryBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Schema _schema = null!;
    private DocumentNode _document = null!;
    private GraphQLExecutor _uncached = null!;
    private GraphQLExecutor _cached = null!;
    private GraphQLRequest _request = null!;
    private GraphQLRequestContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _schema = VerificationSchema.Build();
        _document = Parser.Parse(VerdictQuery.Text);
        _uncached = new GraphQLExecutor(_schema, new GraphQLExecutorOptions { DocumentCacheSize = 0 });
        _cached = new GraphQLExecutor(_schema);
        _request = new GraphQLRequest(VerdictQuery.Text, Variables: new Dictionary<string, object?> { ["id"] = VerdictQuery.DeploymentId });
        _context = new GraphQLRequestContext(new InMemoryServices(VerdictQuery.SampleDeployment()));
        var first = _cached.ExecuteAsync(_request, _context).GetAwaiter().GetResult();
        if (first.Errors.Count > 0 || Validator.Validate(_schema, _document).Count > 0)
        {
            throw new InvalidOperationException("The verdict query fails: " + first.ToJson());
        }
    }

    [Benchmark]
    public int Parse() => Parser.Parse(VerdictQuery.Text).Definitions.Count;

    [Benchmark]
    public int Validate() => Validator.Validate(_schema, _document).Count;

    [Benchmark]
    public Task<int> RequestUncached() => RunAsync(_uncached);

    [Benchmark(Baseline = true)]
    public Task<int> RequestCached() => RunAsync(_cached);

    private async Task<int> RunAsync(GraphQLExecutor executor)
    {
        var result = await executor.ExecuteAsync(_request, _context).ConfigureAwait(false);
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            result.WriteTo(writer);
        }

        return _buffer.WrittenCount;
    }

    /// <summary>The services the schema's resolvers ask for: only a grain factory whose deployment grain answers from memory.</summary>
    private sealed class InMemoryServices(Deployment deployment) : IServiceProvider
    {
        private readonly IGrainFactory _grains = FakeGrainFactory.Create((type, key) =>
            type == typeof(IDeploymentGrain) && key == deployment.Id
                ? new MemoryGrain(deployment)
                : throw new InvalidOperationException($"No grain {type.Name} '{key}'."));

        public object? GetService(Type serviceType) => serviceType == typeof(IGrainFactory) ? _grains : null;
    }

    private sealed class MemoryGrain(Deployment deployment) : IDeploymentGrain
    {
        private readonly Task<Deployment?> _get = Task.FromResult<Deployment?>(deployment);

        public Task<Deployment?> GetAsync(CancellationToken cancellationToken) => _get;

        public Task<RegisterResult> RegisterAsync(RegisterDeploymentInput input, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<MetricDefinition>?> GetMetricsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<RecordResult> RecordAsync(IReadOnlyList<SamplesInput> batches, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Deployment> CompleteAsync(DeploymentStatus status, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Verdict> ReportSourceAsync(string metric, string? error, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StoredSamplePage> ReadSamplesAsync(long after, int first, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
