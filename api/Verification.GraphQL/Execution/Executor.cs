using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Verification.GraphQL.Introspection;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Execution;

/// <summary>A field error travelling up to the nearest nullable position (spec §6.4.4 "Handling Field Errors").</summary>
internal sealed class FieldErrorException : Exception
{
    public FieldErrorException(GraphQLError error)
        : base(error.Message)
    {
        Error = error;
    }

    public FieldErrorException()
        : this(new GraphQLError("field error", [], null, null))
    {
    }

    public FieldErrorException(string message)
        : this(new GraphQLError(message, [], null, null))
    {
    }

    public FieldErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new GraphQLError(message, [], null, null);
    }

    public GraphQLError Error { get; }
}

/// <summary>A limit of the whole execution was reached: the operation stops and answers a request error, not a field error.</summary>
internal sealed class ExecutionLimitException(string message) : Exception(message);

/// <summary>An ordered response object: keys in selection order (spec §6.3 "ordered map").</summary>
internal sealed class ResultMap(int capacity) : List<KeyValuePair<string, object?>>(capacity);

/// <summary>
/// ExecuteSelectionSet / ExecuteField / CompleteValue of spec §6.3–§6.4. Fields of a selection set are started
/// in order; resolvers that complete synchronously are completed depth-first at once, asynchronous ones run
/// concurrently and are awaited after the loop (mutation root fields are awaited one by one, §6.3.1).
/// </summary>
internal static class Executor
{
    private static readonly ConcurrentDictionary<(Type, string), Func<object, object?>?> Accessors = new();

    public static async ValueTask<ExecutionResult> ExecuteOperationAsync(OperationContext context)
    {
        var operation = context.Operation;
        var rootType = context.Schema.GetRootType(operation.Operation);
        if (rootType is null)
        {
            var error = new GraphQLError(
                $"Schema is not configured to execute {operation.Operation.ToString().ToLowerInvariant()} operation.",
                [operation.Location.ToSource()],
                null,
                new Dictionary<string, object?> { ["code"] = ErrorCodes.OperationNotAllowed });
            return ExecutionResult.RequestError([error]);
        }

        var fields = new CollectedFields();
        FieldCollector.Collect(context, rootType, operation.SelectionSet, fields, new HashSet<string>(StringComparer.Ordinal));
        object? data;
        try
        {
            data = operation.Operation == OperationType.Mutation
                ? await ExecuteFieldsSeriallyAsync(context, rootType, context.RootValue, fields).ConfigureAwait(false)
                : await ExecuteFieldsAsync(context, rootType, context.RootValue, null, fields).ConfigureAwait(false);
        }
        catch (FieldErrorException e)
        {
            context.AddError(e.Error);
            data = null;
        }
        catch (ExecutionLimitException e)
        {
            return ExecutionResult.RequestError([new GraphQLError(
                e.Message, [], null, new Dictionary<string, object?> { ["code"] = ErrorCodes.LimitExceeded })]);
        }

        return new ExecutionResult(data, true, context.TakeErrors());
    }

    private static FieldDefinition? GetFieldDefinition(Schema schema, ObjectType parentType, string name)
    {
        if (name.StartsWith("__", StringComparison.Ordinal))
        {
            if (name == "__typename")
            {
                return IntrospectionTypes.TypeNameMetaField;
            }

            if (ReferenceEquals(parentType, schema.QueryType))
            {
                if (name == "__schema")
                {
                    return IntrospectionTypes.SchemaMetaField;
                }

                if (name == "__type")
                {
                    return IntrospectionTypes.TypeMetaField;
                }
            }
        }

        return parentType.GetField(name);
    }

    private static async ValueTask<ResultMap> ExecuteFieldsSeriallyAsync(OperationContext context, ObjectType type, object? source, CollectedFields fields)
    {
        var result = new ResultMap(fields.Entries.Count);
        foreach (var (key, nodes) in fields.Entries)
        {
            var definition = GetFieldDefinition(context.Schema, type, nodes[0].Name.Value);
            if (definition is null)
            {
                continue;
            }

            var value = await ExecuteFieldAsync(context, type, definition, source, nodes, new ResponsePath(null, key)).ConfigureAwait(false);
            result.Add(new KeyValuePair<string, object?>(key, value));
        }

        return result;
    }

    private static async ValueTask<ResultMap> ExecuteFieldsAsync(
        OperationContext context,
        ObjectType type,
        object? source,
        ResponsePath? path,
        CollectedFields fields)
    {
        var result = new ResultMap(fields.Entries.Count);
        List<(int Index, ValueTask<object?> Task)>? pending = null;
        foreach (var (key, nodes) in fields.Entries)
        {
            var definition = GetFieldDefinition(context.Schema, type, nodes[0].Name.Value);
            if (definition is null)
            {
                continue;
            }

            var task = ExecuteFieldAsync(context, type, definition, source, nodes, new ResponsePath(path, key));
            if (task.IsCompleted)
            {
                object? value;
                try
                {
                    value = task.GetAwaiter().GetResult();
                }
                catch (FieldErrorException) when (pending is not null)
                {
                    await DrainAsync(pending).ConfigureAwait(false);
                    throw;
                }

                result.Add(new KeyValuePair<string, object?>(key, value));
            }
            else
            {
                pending ??= [];
                pending.Add((result.Count, task));
                result.Add(new KeyValuePair<string, object?>(key, null));
            }
        }

        if (pending is not null)
        {
            await CompletePendingAsync(result, pending).ConfigureAwait(false);
        }

        return result;
    }

    private static async ValueTask CompletePendingAsync(ResultMap result, List<(int Index, ValueTask<object?> Task)> pending)
    {
        ExceptionDispatchInfo? first = null;
        foreach (var (index, task) in pending)
        {
            try
            {
                var value = await task.ConfigureAwait(false);
                result[index] = new KeyValuePair<string, object?>(result[index].Key, value);
            }
            catch (Exception e) when (first is null)
            {
                first = ExceptionDispatchInfo.Capture(e);
            }
            catch (Exception)
            {
                // Only the first failure propagates; later ones were already recorded or are subsumed by it.
            }
        }

        first?.Throw();
    }

    private static async ValueTask DrainAsync(List<(int Index, ValueTask<object?> Task)> pending)
    {
        foreach (var (_, task) in pending)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The selection set is already failing; siblings only need observing.
            }
        }
    }

    /// <summary>ExecuteField (spec §6.4): coerce arguments, resolve, complete; errors handled per §6.4.4.</summary>
    private static async ValueTask<object?> ExecuteFieldAsync(
        OperationContext context,
        ObjectType parentType,
        FieldDefinition definition,
        object? source,
        List<FieldNode> nodes,
        ResponsePath path)
    {
        context.CountResultValues(1);
        try
        {
            var arguments = definition.Arguments.Count == 0
                ? EmptyArguments
                : InputCoercion.CoerceArgumentValues(definition.Arguments, nodes[0].Arguments, context.Variables);
            var resolveContext = new ResolveFieldContext(source, arguments, definition, parentType, path, context);
            object? resolved;
            if (definition.Resolver is { } resolver)
            {
                resolved = await resolver(resolveContext).ConfigureAwait(false);
            }
            else if (context.IsSubscriptionEvent && path.Parent is null)
            {
                resolved = source;
            }
            else
            {
                resolved = DefaultResolve(source, definition.Name);
            }

            return await CompleteValueAsync(context, definition.Type, parentType, definition, nodes, path, resolved).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFieldError(context, e))
        {
            return HandleFieldError(context, e, definition.Type, nodes, path);
        }
    }

    private static readonly Dictionary<string, object?> EmptyArguments = [];

    /// <summary>Whether an exception fails only its field (§6.4.4); the client going away or an execution limit stops everything.</summary>
    private static bool IsFieldError(OperationContext context, Exception exception) =>
        exception is not ExecutionLimitException
        && (exception is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested);

    private static object? HandleFieldError(OperationContext context, Exception exception, IGraphType type, List<FieldNode> nodes, ResponsePath path)
    {
        var error = exception is FieldErrorException located ? located.Error : LocateError(context, exception, nodes, path);
        if (type is NonNullType)
        {
            throw exception as FieldErrorException ?? new FieldErrorException(error);
        }

        context.AddError(error);
        return null;
    }

    private static GraphQLError LocateError(OperationContext context, Exception exception, List<FieldNode> nodes, ResponsePath path)
    {
        var locations = exception is LocatedGraphQLException located
            ? [located.Location]
            : nodes.Select(n => n.Location.ToSource()).ToList();
        if (exception is GraphQLException graphQLException)
        {
            var extensions = new Dictionary<string, object?>();
            if (graphQLException.Extensions is not null)
            {
                foreach (var (key, value) in graphQLException.Extensions)
                {
                    extensions[key] = value;
                }
            }

            extensions["code"] = graphQLException.Code;
            return new GraphQLError(graphQLException.Message, locations, path.ToList(), extensions);
        }

        var message = context.ExposeExceptionMessages ? exception.Message : "Unexpected Execution Error";
        var error = new GraphQLError(message, locations, path.ToList(), new Dictionary<string, object?> { ["code"] = ErrorCodes.InternalServerError });
        context.OnUnexpectedError?.Invoke(error, exception);
        return error;
    }

    /// <summary>CompleteValue (spec §6.4.3).</summary>
    private static ValueTask<object?> CompleteValueAsync(
        OperationContext context,
        IGraphType type,
        ObjectType parentType,
        FieldDefinition field,
        List<FieldNode> nodes,
        ResponsePath path,
        object? result)
    {
        if (type is NonNullType nonNull)
        {
            var inner = CompleteValueAsync(context, nonNull.OfType, parentType, field, nodes, path, result);
            if (inner.IsCompletedSuccessfully)
            {
                return inner.Result is null ? throw NonNullError(parentType, field) : inner;
            }

            return AwaitNonNull(inner, parentType, field);
        }

        if (result is null)
        {
            return ValueTask.FromResult<object?>(null);
        }

        switch (type)
        {
            case ListType list:
                return CompleteListAsync(context, list, parentType, field, nodes, path, result);
            case ScalarType scalar:
                {
                    var serialized = scalar.Serialize(result) ?? throw new GraphQLException(
                        $"Expected `{scalar.Name}.serialize({Inspect.Value(result)})` to return non-nullable value, returned: null",
                        ErrorCodes.InvalidResult);
                    return ValueTask.FromResult<object?>(serialized);
                }

            case EnumType enumType:
                {
                    var value = enumType.FindByValue(result) ?? throw new GraphQLException(
                        $"Enum \"{enumType.Name}\" cannot represent value: {Inspect.Value(result)}", ErrorCodes.InvalidResult);
                    return ValueTask.FromResult<object?>(value.Name);
                }

            case ObjectType objectType:
                return CompleteObjectAsync(context, objectType, nodes, path, result);
            case InterfaceType or UnionType:
                {
                    var runtimeType = ResolveRuntimeType(context.Schema, (NamedType)type, parentType, field, result);
                    return CompleteObjectAsync(context, runtimeType, nodes, path, result);
                }

            default:
                throw new InvalidOperationException($"Cannot complete value of unexpected output type \"{type}\".");
        }
    }

    private static GraphQLException NonNullError(ObjectType parentType, FieldDefinition field) =>
        new($"Cannot return null for non-nullable field {parentType.Name}.{field.Name}.", ErrorCodes.InvalidResult);

    private static async ValueTask<object?> AwaitNonNull(ValueTask<object?> inner, ObjectType parentType, FieldDefinition field)
    {
        var value = await inner.ConfigureAwait(false);
        return value ?? throw NonNullError(parentType, field);
    }

    private static async ValueTask<object?> CompleteObjectAsync(
        OperationContext context,
        ObjectType type,
        List<FieldNode> nodes,
        ResponsePath path,
        object result)
    {
        if (type.IsTypeOf is { } isTypeOf && !isTypeOf(result))
        {
            throw new GraphQLException($"Expected value of type \"{type.Name}\" but got: {Inspect.Value(result)}.", ErrorCodes.InvalidResult);
        }

        var subfields = context.CollectSubfields(type, nodes);
        return await ExecuteFieldsAsync(context, type, result, path, subfields).ConfigureAwait(false);
    }

    private static ObjectType ResolveRuntimeType(Schema schema, NamedType abstractType, ObjectType parentType, FieldDefinition field, object value)
    {
        ObjectType? runtimeType = null;
        var resolveType = abstractType switch
        {
            InterfaceType i => i.ResolveType,
            UnionType u => u.ResolveType,
            _ => null,
        };
        if (resolveType is not null)
        {
            runtimeType = resolveType(value);
        }
        else if (value is IReadOnlyDictionary<string, object?> dict && dict.TryGetValue("__typename", out var typename) && typename is string name)
        {
            runtimeType = schema.GetType(name) as ObjectType;
        }
        else
        {
            var candidates = abstractType is UnionType union
                ? union.Types
                : schema.GetImplementations((InterfaceType)abstractType).OfType<ObjectType>().ToList();
            runtimeType = candidates.FirstOrDefault(t => t.IsTypeOf?.Invoke(value) == true)
                ?? candidates.FirstOrDefault(t => t.IsTypeOf is null && t.Name == value.GetType().Name);
        }

        if (runtimeType is null)
        {
            throw new GraphQLException(
                $"Abstract type \"{abstractType.Name}\" must resolve to an Object type at runtime for field \"{parentType.Name}.{field.Name}\". "
                + $"Either the \"{abstractType.Name}\" type should provide a \"resolveType\" function or each possible type should provide an "
                + "\"isTypeOf\" function.",
                ErrorCodes.InvalidResult);
        }

        if (!schema.GetPossibleTypes(abstractType).Contains(runtimeType))
        {
            throw new GraphQLException(
                $"Runtime Object type \"{runtimeType.Name}\" is not a possible type for \"{abstractType.Name}\".", ErrorCodes.InvalidResult);
        }

        return runtimeType;
    }

    private static async ValueTask<object?> CompleteListAsync(
        OperationContext context,
        ListType type,
        ObjectType parentType,
        FieldDefinition field,
        List<FieldNode> nodes,
        ResponsePath path,
        object result)
    {
        if (result is not IEnumerable items || result is string || result is IDictionary)
        {
            throw new GraphQLException(
                $"Expected Iterable, but did not find one for field \"{parentType.Name}.{field.Name}\".", ErrorCodes.InvalidResult);
        }

        var itemType = type.OfType;
        if (result is ICollection counted)
        {
            context.CountResultValues(counted.Count);
        }

        var completed = result is ICollection collection ? new List<object?>(collection.Count) : [];
        List<(int Index, ValueTask<object?> Task)>? pending = null;
        var index = 0;
        foreach (var item in items)
        {
            if (result is not ICollection)
            {
                context.CountResultValues(1);
            }

            var itemPath = new ResponsePath(path, index);
            var task = CompleteItemAsync(context, itemType, parentType, field, nodes, itemPath, item);
            if (task.IsCompleted)
            {
                object? value;
                try
                {
                    value = task.GetAwaiter().GetResult();
                }
                catch (FieldErrorException) when (pending is not null)
                {
                    await DrainAsync(pending).ConfigureAwait(false);
                    throw;
                }

                completed.Add(value);
            }
            else
            {
                pending ??= [];
                pending.Add((index, task));
                completed.Add(null);
            }

            index++;
        }

        if (pending is not null)
        {
            ExceptionDispatchInfo? first = null;
            foreach (var (i, task) in pending)
            {
                try
                {
                    completed[i] = await task.ConfigureAwait(false);
                }
                catch (Exception e) when (first is null)
                {
                    first = ExceptionDispatchInfo.Capture(e);
                }
                catch (Exception)
                {
                    // Only the first failure propagates.
                }
            }

            first?.Throw();
        }

        return completed;
    }

    private static async ValueTask<object?> CompleteItemAsync(
        OperationContext context,
        IGraphType itemType,
        ObjectType parentType,
        FieldDefinition field,
        List<FieldNode> nodes,
        ResponsePath path,
        object? item)
    {
        try
        {
            return await CompleteValueAsync(context, itemType, parentType, field, nodes, path, item).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFieldError(context, e))
        {
            return HandleFieldError(context, e, itemType, nodes, path);
        }
    }

    /// <summary>The default resolver: a dictionary entry, or a public property/field matched case-insensitively.</summary>
    internal static object? DefaultResolve(object? source, string name)
    {
        switch (source)
        {
            case null:
                return null;
            case IReadOnlyDictionary<string, object?> readOnly:
                return readOnly.TryGetValue(name, out var value) ? value : null;
            case IDictionary<string, object?> dict:
                return dict.TryGetValue(name, out var value2) ? value2 : null;
            case IDictionary legacy:
                return legacy.Contains(name) ? legacy[name] : null;
            default:
                var accessor = Accessors.GetOrAdd((source.GetType(), name), static key => CreateAccessor(key.Item1, key.Item2));
                return accessor?.Invoke(source);
        }
    }

    private static Func<object, object?>? CreateAccessor(Type type, string name)
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase;
        if (type.GetProperty(name, Flags) is { CanRead: true } property && property.GetIndexParameters().Length == 0)
        {
            return property.GetValue;
        }

        if (type.GetField(name, Flags) is { } field)
        {
            return field.GetValue;
        }

        return null;
    }
}
