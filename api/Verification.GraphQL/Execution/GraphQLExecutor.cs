using System.Runtime.CompilerServices;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;
using Verification.GraphQL.Validation;

namespace Verification.GraphQL.Execution;

/// <summary>Options of a <see cref="GraphQLExecutor"/>.</summary>
public sealed record GraphQLExecutorOptions
{
    /// <summary>Default number of prepared documents kept.</summary>
    public const int DefaultDocumentCacheSize = 1000;

    /// <summary>Document size, token and depth limits.</summary>
    public ParserOptions Parser { get; init; } = ParserOptions.Default;

    /// <summary>Default length above which documents are not cached.</summary>
    public const int DefaultMaxCachedDocumentLength = 16 * 1024;

    /// <summary>How many parsed and validated documents are cached by text (0 disables the cache).</summary>
    public int DocumentCacheSize { get; init; } = DefaultDocumentCacheSize;

    /// <summary>Documents longer than this are parsed and validated every time, so the cache's memory stays bounded.</summary>
    public int MaxCachedDocumentLength { get; init; } = DefaultMaxCachedDocumentLength;

    /// <summary>Whether messages of exceptions other than <see cref="GraphQLException"/> reach clients.</summary>
    public bool ExposeExceptionMessages { get; init; }

    /// <summary>Default <see cref="MaxCost"/>.</summary>
    public const long DefaultMaxCost = 250_000;

    /// <summary>Default <see cref="DefaultListSize"/>.</summary>
    public const int DefaultDefaultListSize = 10;

    /// <summary>Default <see cref="MaxResultValues"/>.</summary>
    public const int DefaultMaxResultValues = 500_000;

    /// <summary>
    /// Largest static cost an operation may have (<see cref="QueryCost"/>: every field as often as it would run,
    /// aliases and fragment spreads included, times list sizes, weighted by <see cref="FieldDefinition.Cost"/>); a
    /// costlier operation is a request error with code <see cref="ErrorCodes.LimitExceeded"/> and nothing runs.
    /// </summary>
    public long MaxCost { get; init; } = DefaultMaxCost;

    /// <summary>Items a list is expected to hold in the cost when its field names no <see cref="FieldDefinition.ListSizeArgument"/>.</summary>
    public int DefaultListSize { get; init; } = DefaultDefaultListSize;

    /// <summary>
    /// Most values (fields and list items) one response may hold; execution stops when it would hold more and the
    /// answer is a request error with code <see cref="ErrorCodes.LimitExceeded"/> (the response-size limit).
    /// </summary>
    public int MaxResultValues { get; init; } = DefaultMaxResultValues;

    /// <summary>Validation stops after this many errors.</summary>
    public int MaxValidationErrors { get; init; } = Validator.DefaultMaxErrors;

    /// <summary>Called with each field error caused by an exception other than <see cref="GraphQLException"/>
    /// (its message is hidden from clients unless <see cref="ExposeExceptionMessages"/>), e.g. to log it.</summary>
    public Action<GraphQLError, Exception>? OnUnexpectedError { get; init; }
}

/// <summary>The result of <see cref="GraphQLExecutor.SubscribeAsync"/>: either an error result or a stream of results.</summary>
public sealed class SubscriptionResult
{
    internal SubscriptionResult(ExecutionResult? error, IAsyncEnumerable<ExecutionResult>? stream)
    {
        Error = error;
        Stream = stream;
    }

    /// <summary>Set when the request failed before a stream existed (spec §6.2.3.1 errors, request errors).</summary>
    public ExecutionResult? Error { get; }

    /// <summary>One result per source event (spec §6.2.3.2 MapSourceToResponseEvent); one result for queries/mutations.</summary>
    public IAsyncEnumerable<ExecutionResult>? Stream { get; }
}

/// <summary>
/// Runs requests against a schema: parse and validate (cached by document text), select the operation
/// (spec §6.1), coerce variables (§6.1.2), execute (§6.2) or subscribe (§6.2.3).
/// </summary>
public sealed class GraphQLExecutor
{
    private readonly DocumentCache _cache;

    /// <summary>Creates an executor for <paramref name="schema"/>.</summary>
    public GraphQLExecutor(Schema schema, GraphQLExecutorOptions? options = null)
    {
        Schema = schema;
        Options = options ?? new GraphQLExecutorOptions();
        _cache = new DocumentCache(Options.DocumentCacheSize);
    }

    /// <summary>The schema.</summary>
    public Schema Schema { get; }

    /// <summary>The options.</summary>
    public GraphQLExecutorOptions Options { get; }

    internal int CachedDocuments => _cache.Count;

    /// <summary>Parses and validates a document, from the cache when seen before.</summary>
    internal PreparedDocument Prepare(string query) =>
        query.Length > Options.MaxCachedDocumentLength ? PrepareUncached(query) : _cache.GetOrAdd(query, PrepareUncached);

    private PreparedDocument PrepareUncached(string query)
    {
        DocumentNode document;
        try
        {
            document = Parser.Parse(query, Options.Parser);
        }
        catch (GraphQLSyntaxException e)
        {
            return new PreparedDocument(null, [e.ToError()]);
        }

        var errors = Validator.Validate(Schema, document, null, Options.MaxValidationErrors);
        return new PreparedDocument(errors.Count == 0 ? document : null, errors);
    }

    /// <summary>GetOperation (spec §6.1): the named operation, or the only one.</summary>
    internal static OperationDefinitionNode? SelectOperation(DocumentNode document, string? operationName, out GraphQLError? error)
    {
        error = null;
        OperationDefinitionNode? selected = null;
        foreach (var operation in document.Definitions.OfType<OperationDefinitionNode>())
        {
            if (operationName is null)
            {
                if (selected is not null)
                {
                    error = RequestError("Must provide operation name if query contains multiple operations.");
                    return null;
                }

                selected = operation;
            }
            else if (operation.Name?.Value == operationName)
            {
                selected = operation;
            }
        }

        if (selected is null)
        {
            error = RequestError(operationName is null ? "Must provide an operation." : $"Unknown operation named \"{operationName}\".");
        }

        return selected;
    }

    private static GraphQLError RequestError(string message, string code = ErrorCodes.BadUserInput) =>
        new(message, [], null, new Dictionary<string, object?> { ["code"] = code });

    /// <summary>Executes a query or mutation. Subscriptions must use <see cref="SubscribeAsync"/>.</summary>
    public async Task<ExecutionResult> ExecuteAsync(
        GraphQLRequest request,
        GraphQLRequestContext? context = null,
        CancellationToken cancellationToken = default)
    {
        var (operationContext, error) = CreateContext(request, context, cancellationToken);
        if (operationContext is null)
        {
            return error!;
        }

        if (operationContext.Operation.Operation == OperationType.Subscription)
        {
            return ExecutionResult.RequestError([RequestError(
                "Subscription operations must be executed over a subscription transport (WebSocket graphql-transport-ws).",
                ErrorCodes.OperationNotAllowed)]);
        }

        return await Executor.ExecuteOperationAsync(operationContext).ConfigureAwait(false);
    }

    /// <summary>Subscribes (spec §6.2.3). Queries and mutations yield a stream of exactly one result.</summary>
    public async Task<SubscriptionResult> SubscribeAsync(
        GraphQLRequest request,
        GraphQLRequestContext? context = null,
        CancellationToken cancellationToken = default)
    {
        var (operationContext, error) = CreateContext(request, context, cancellationToken);
        if (operationContext is null)
        {
            return new SubscriptionResult(error, null);
        }

        if (operationContext.Operation.Operation != OperationType.Subscription)
        {
            var result = await Executor.ExecuteOperationAsync(operationContext).ConfigureAwait(false);
            return new SubscriptionResult(null, Single(result));
        }

        return await Subscriptions.CreateAsync(operationContext, () => CreateContext(request, context, cancellationToken).Context!)
            .ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<ExecutionResult> Single(ExecutionResult result)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return result;
    }

    /// <summary>The operation kind a request would run, for transports that restrict it (e.g. GET → queries only).</summary>
    internal OperationType? GetOperationType(GraphQLRequest request)
    {
        var prepared = Prepare(request.Query);
        return prepared.Document is null ? null : SelectOperation(prepared.Document, request.OperationName, out _)?.Operation;
    }

    private (OperationContext? Context, ExecutionResult? Error) CreateContext(
        GraphQLRequest request,
        GraphQLRequestContext? context,
        CancellationToken cancellationToken)
    {
        var prepared = Prepare(request.Query);
        if (prepared.Document is null)
        {
            return (null, ExecutionResult.RequestError(prepared.Errors));
        }

        var operation = SelectOperation(prepared.Document, request.OperationName, out var error);
        if (operation is null)
        {
            return (null, ExecutionResult.RequestError([error!]));
        }

        var errors = new List<GraphQLError>();
        var variables = InputCoercion.CoerceVariableValues(Schema, operation, request.Variables, errors);
        if (variables is null)
        {
            return (null, ExecutionResult.RequestError(errors));
        }

        var operationContext = new OperationContext(
            Schema, prepared.Document, operation, variables, context ?? new GraphQLRequestContext(), Options.ExposeExceptionMessages, cancellationToken)
        {
            OnUnexpectedError = Options.OnUnexpectedError,
            MaxResultValues = Options.MaxResultValues,
        };
        var cost = QueryCost.Compute(Schema, operation, operationContext.Fragments, variables, Options.DefaultListSize, Options.MaxCost);
        if (cost > Options.MaxCost)
        {
            return (null, ExecutionResult.RequestError([RequestError(
                $"The operation costs more than {Options.MaxCost} (every field as often as it would run, aliases and fragment spreads included, "
                + "times list sizes); ask for fewer fields, aliases or items.", ErrorCodes.LimitExceeded)]));
        }

        return (operationContext, null);
    }
}

/// <summary>Subscribe (spec §6.2.3): CreateSourceEventStream, then MapSourceToResponseEvent per event.</summary>
internal static class Subscriptions
{
    public static async Task<SubscriptionResult> CreateAsync(OperationContext context, Func<OperationContext> newContext)
    {
        var rootType = context.Schema.SubscriptionType;
        if (rootType is null)
        {
            return new SubscriptionResult(Error("Schema is not configured to execute subscription operation.", [], null, ErrorCodes.OperationNotAllowed), null);
        }

        var fields = new CollectedFields();
        FieldCollector.Collect(context, rootType, context.Operation.SelectionSet, fields, new HashSet<string>(StringComparer.Ordinal));
        var (responseKey, nodes) = fields.Entries[0];
        var locations = nodes.Select(n => n.Location.ToSource()).ToList();
        var path = new List<object> { responseKey };
        var field = rootType.GetField(nodes[0].Name.Value);
        if (field is null)
        {
            return new SubscriptionResult(Error($"The subscription field \"{nodes[0].Name.Value}\" is not defined.", locations, null, ErrorCodes.BadUserInput), null);
        }

        if (field.Subscriber is null)
        {
            return new SubscriptionResult(Error("Subscription field must return AsyncIterable. Received: undefined.", locations, path, ErrorCodes.InternalServerError), null);
        }

        IAsyncEnumerable<object?> source;
        try
        {
            var arguments = InputCoercion.CoerceArgumentValues(field.Arguments, nodes[0].Arguments, context.Variables);
            var resolveContext = new ResolveFieldContext(context.RootValue, arguments, field, rootType, new ResponsePath(null, responseKey), context);
            source = await field.Subscriber(resolveContext).ConfigureAwait(false);
        }
        catch (GraphQLException e)
        {
            return new SubscriptionResult(Error(e.Message, locations, path, e.Code), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var message = context.ExposeExceptionMessages ? e.Message : "Unexpected Execution Error";
            return new SubscriptionResult(Error(message, locations, path, ErrorCodes.InternalServerError), null);
        }

        return new SubscriptionResult(null, Map(source, newContext, context.CancellationToken));
    }

    private static ExecutionResult Error(string message, IReadOnlyList<SourceLocation> locations, List<object>? path, string code) =>
        ExecutionResult.RequestError([new GraphQLError(message, locations, path, new Dictionary<string, object?> { ["code"] = code })]);

    private static async IAsyncEnumerable<ExecutionResult> Map(
        IAsyncEnumerable<object?> source,
        Func<OperationContext> newContext,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var payload in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var context = newContext();
            context.RootValue = payload;
            context.IsSubscriptionEvent = true;
            yield return await Executor.ExecuteOperationAsync(context).ConfigureAwait(false);
        }
    }
}
