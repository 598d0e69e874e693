using System.Runtime.CompilerServices;
using Verification.GraphQL.Execution;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Tests.Execution;

public sealed class ExecutionBehaviourTests
{
    private sealed record Item(string Name, int Count);

    private static GraphQLExecutor Executor(ObjectType query, ObjectType? mutation = null, ObjectType? subscription = null, GraphQLExecutorOptions? options = null)
    {
        var builder = new SchemaBuilder().Query(query);
        if (mutation is not null)
        {
            builder.Mutation(mutation);
        }

        if (subscription is not null)
        {
            builder.Subscription(subscription);
        }

        return new GraphQLExecutor(builder.Build(), options);
    }

    [Fact]
    public async Task ExecuteAsync_AsyncQueryFields_RunConcurrently()
    {
        // Each resolver waits for the other one to have started: only concurrent execution completes.
        var a = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var b = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var query = new ObjectType("Query");
        query.Field("a", ScalarType.String, async ctx =>
        {
            a.SetResult();
            await b.Task.WaitAsync(TimeSpan.FromSeconds(10), ctx.CancellationToken);
            return "A";
        });
        query.Field("b", ScalarType.String, async ctx =>
        {
            b.SetResult();
            await a.Task.WaitAsync(TimeSpan.FromSeconds(10), ctx.CancellationToken);
            return "B";
        });
        var result = await Executor(query).ExecuteAsync(new GraphQLRequest("{ b a }"));
        Assert.Equal("""{"data":{"b":"B","a":"A"}}""", result.ToJson());
    }

    [Fact]
    public async Task ExecuteAsync_MutationFields_RunOneAfterAnother()
    {
        var log = new List<string>();
        var query = new ObjectType("Query");
        query.Field("x", ScalarType.Int, _ => 1);
        var mutation = new ObjectType("Mutation");
        mutation.Field("slow", ScalarType.String, async _ =>
        {
            log.Add("slow start");
            await Task.Yield();
            log.Add("slow end");
            return "s";
        });
        mutation.Field("fast", ScalarType.String, _ =>
        {
            log.Add("fast");
            return "f";
        });
        var result = await Executor(query, mutation).ExecuteAsync(new GraphQLRequest("mutation { slow fast }"));
        Assert.Equal("""{"data":{"slow":"s","fast":"f"}}""", result.ToJson());
        Assert.Equal(["slow start", "slow end", "fast"], log);
    }

    [Fact]
    public async Task ExecuteAsync_ClrObjects_DefaultResolverReadsProperties()
    {
        var item = new ObjectType("Item");
        item.Field("name", ScalarType.String);
        item.Field("count", ScalarType.Int);
        var query = new ObjectType("Query");
        query.Field("items", item.List(), _ => new[] { new Item("a", 1), new Item("b", 2) });
        var result = await Executor(query).ExecuteAsync(new GraphQLRequest("{ items { name count } }"));
        Assert.Equal("""{"data":{"items":[{"name":"a","count":1},{"name":"b","count":2}]}}""", result.ToJson());
    }

    [Fact]
    public async Task ExecuteAsync_UnexpectedException_MessageHiddenAndReported()
    {
        var reported = new List<string>();
        var query = new ObjectType("Query");
        query.Field("bad", ScalarType.String, (Func<ResolveFieldContext, object?>)(_ => throw new InvalidOperationException("secret detail")));
        var options = new GraphQLExecutorOptions { OnUnexpectedError = (e, ex) => reported.Add(ex.Message) };
        var result = await Executor(query, options: options).ExecuteAsync(new GraphQLRequest("{ bad }"));
        Assert.Equal(
            """{"data":{"bad":null},"errors":[{"message":"Unexpected Execution Error","locations":[{"line":1,"column":3}],"path":["bad"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}""",
            result.ToJson());
        Assert.Equal(["secret detail"], reported);
    }

    [Fact]
    public async Task ExecuteAsync_GraphQLExceptionExtensions_Serialized()
    {
        var query = new ObjectType("Query");
        query.Field("bad", ScalarType.String, (Func<ResolveFieldContext, object?>)(_ =>
            throw new GraphQLException("Not found", "NOT_FOUND", new Dictionary<string, object?> { ["id"] = 7 })));
        var result = await Executor(query).ExecuteAsync(new GraphQLRequest("{ bad }"));
        Assert.Equal(
            """{"data":{"bad":null},"errors":[{"message":"Not found","locations":[{"line":1,"column":3}],"path":["bad"],"extensions":{"id":7,"code":"NOT_FOUND"}}]}""",
            result.ToJson());
    }

    [Fact]
    public async Task ExecuteAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var query = new ObjectType("Query");
        query.Field("wait", ScalarType.String, async ctx =>
        {
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            return "never";
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Executor(query).ExecuteAsync(new GraphQLRequest("{ wait }"), null, cts.Token));
    }

    [Fact]
    public async Task ExecuteAsync_ServicesAndUserContext_ReachResolvers()
    {
        var query = new ObjectType("Query");
        query.Field("who", ScalarType.String, ctx => ctx.GetService<string>() + "/" + ctx.UserContext["tenant"]);
        var services = new SingleService("svc");
        var context = new GraphQLRequestContext(services, new Dictionary<string, object?> { ["tenant"] = "t1" });
        var result = await Executor(query).ExecuteAsync(new GraphQLRequest("{ who }"), context);
        Assert.Equal("""{"data":{"who":"svc/t1"}}""", result.ToJson());
    }

    [Fact]
    public async Task ExecuteAsync_OperationSelection_Errors()
    {
        var sut = new GraphQLExecutor(TestSchema.Schema);
        var multiple = await sut.ExecuteAsync(new GraphQLRequest("query A { hello } query B { hello }"));
        var unknown = await sut.ExecuteAsync(new GraphQLRequest("query A { hello }", "Z"));
        Assert.Equal("Must provide operation name if query contains multiple operations.", Assert.Single(multiple.Errors).Message);
        Assert.Equal("Unknown operation named \"Z\".", Assert.Single(unknown.Errors).Message);
        Assert.False(unknown.HasData);
    }

    [Fact]
    public async Task ExecuteAsync_SameDocumentTwice_ParsedOnce()
    {
        var sut = new GraphQLExecutor(TestSchema.Schema, new GraphQLExecutorOptions { DocumentCacheSize = 2 });
        await sut.ExecuteAsync(new GraphQLRequest("{ hello }"));
        await sut.ExecuteAsync(new GraphQLRequest("{ hello }"));
        Assert.Same(sut.Prepare("{ hello }"), sut.Prepare("{ hello }"));
        await sut.ExecuteAsync(new GraphQLRequest("{ a: hello }"));
        await sut.ExecuteAsync(new GraphQLRequest("{ b: hello }"));
        Assert.Equal(2, sut.CachedDocuments);
    }

    [Fact]
    public async Task ExecuteAsync_LongDocument_NotCached()
    {
        var sut = new GraphQLExecutor(TestSchema.Schema, new GraphQLExecutorOptions { MaxCachedDocumentLength = 10 });
        await sut.ExecuteAsync(new GraphQLRequest("{ hello }"));
        await sut.ExecuteAsync(new GraphQLRequest("{ a: hello b: hello }"));
        Assert.Equal(1, sut.CachedDocuments);
    }

    [Fact]
    public async Task ExecuteAsync_SubscriptionOperation_RejectedAsRequestError()
    {
        var result = await new GraphQLExecutor(TestSchema.Schema).ExecuteAsync(new GraphQLRequest("subscription { count(to: 1) }"));
        Assert.False(result.HasData);
        Assert.Equal(ErrorCodes.OperationNotAllowed, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public async Task SubscribeAsync_SourceStream_MapsEachEvent()
    {
        var subscription = new ObjectType("Subscription");
        subscription.Field("tick", ScalarType.String, ctx => $"tick {ctx.Source}")
            .Subscribe(_ => ValueTask.FromResult(Events(3)));
        var query = new ObjectType("Query");
        query.Field("x", ScalarType.Int, _ => 1);
        var sut = Executor(query, subscription: subscription);
        var result = await sut.SubscribeAsync(new GraphQLRequest("subscription { tick }"));
        var events = new List<string>();
        await foreach (var next in result.Stream!)
        {
            events.Add(next.ToJson());
        }

        Assert.Null(result.Error);
        Assert.Equal(["""{"data":{"tick":"tick 0"}}""", """{"data":{"tick":"tick 1"}}""", """{"data":{"tick":"tick 2"}}"""], events);
    }

    [Fact]
    public async Task SubscribeAsync_SubscriberThrows_ReturnsError()
    {
        var subscription = new ObjectType("Subscription");
        subscription.Field("tick", ScalarType.String).Subscribe(_ => throw new GraphQLException("no access", "FORBIDDEN"));
        var query = new ObjectType("Query");
        query.Field("x", ScalarType.Int, _ => 1);
        var result = await Executor(query, subscription: subscription).SubscribeAsync(new GraphQLRequest("subscription { tick }"));
        Assert.Null(result.Stream);
        Assert.Equal(
            """{"errors":[{"message":"no access","locations":[{"line":1,"column":16}],"path":["tick"],"extensions":{"code":"FORBIDDEN"}}]}""",
            result.Error!.ToJson());
    }

    private static async IAsyncEnumerable<object?> Events(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }
    }

    private sealed class SingleService(string value) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(string) ? value : null;
    }
}
