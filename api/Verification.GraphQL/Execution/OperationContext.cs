using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Execution;

/// <summary>Everything one operation's execution shares (spec §6): schema, operation, fragments, coerced
/// variables, request services, cancellation and the error list.</summary>
internal sealed class OperationContext
{
    private readonly List<GraphQLError> _errors = [];
    private readonly Dictionary<(ObjectType, IReadOnlyList<FieldNode>), CollectedFields> _subfieldCache = [];

    public OperationContext(
        Schema schema,
        DocumentNode document,
        OperationDefinitionNode operation,
        IReadOnlyDictionary<string, object?> variables,
        GraphQLRequestContext context,
        bool exposeExceptionMessages,
        CancellationToken cancellationToken)
    {
        Schema = schema;
        Document = document;
        Operation = operation;
        Variables = variables;
        RootValue = context.RootValue;
        Services = context.Services;
        UserContext = context.UserContext ?? new Dictionary<string, object?>();
        ExposeExceptionMessages = exposeExceptionMessages;
        CancellationToken = cancellationToken;
        foreach (var definition in document.Definitions)
        {
            if (definition is FragmentDefinitionNode fragment)
            {
                Fragments.TryAdd(fragment.Name.Value, fragment);
            }
        }
    }

    public Schema Schema { get; }

    public DocumentNode Document { get; }

    public OperationDefinitionNode Operation { get; }

    public Dictionary<string, FragmentDefinitionNode> Fragments { get; } = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, object?> Variables { get; }

    public object? RootValue { get; set; }

    public IServiceProvider? Services { get; }

    public IDictionary<string, object?> UserContext { get; }

    public bool ExposeExceptionMessages { get; }

    public Action<GraphQLError, Exception>? OnUnexpectedError { get; init; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Most values (fields and list items) the response may hold.</summary>
    public int MaxResultValues { get; init; } = int.MaxValue;

    private int _resultValues;

    /// <summary>
    /// Counts <paramref name="count"/> more values of the response, and stops the whole execution when the client has gone
    /// or the response would exceed <see cref="MaxResultValues"/>.
    /// </summary>
    public void CountResultValues(int count)
    {
        CancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Add(ref _resultValues, count) > MaxResultValues)
        {
            throw new ExecutionLimitException(
                $"The response would hold more than {MaxResultValues} values (fields and list items); ask for fewer.");
        }
    }

    /// <summary>Set while mapping a subscription event: root fields without resolver return the event itself.</summary>
    public bool IsSubscriptionEvent { get; set; }

    public void AddError(GraphQLError error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }

    public List<GraphQLError> TakeErrors()
    {
        lock (_errors)
        {
            var copy = new List<GraphQLError>(_errors);
            _errors.Clear();
            return copy;
        }
    }

    /// <summary>CollectSubfields, memoized per (object type, field nodes) so list items share one collection.</summary>
    public CollectedFields CollectSubfields(ObjectType type, IReadOnlyList<FieldNode> nodes)
    {
        lock (_subfieldCache)
        {
            if (_subfieldCache.TryGetValue((type, nodes), out var cached))
            {
                return cached;
            }
        }

        var fields = new CollectedFields();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.SelectionSet is not null)
            {
                FieldCollector.Collect(this, type, node.SelectionSet, fields, visited);
            }
        }

        lock (_subfieldCache)
        {
            _subfieldCache[(type, nodes)] = fields;
        }

        return fields;
    }
}

/// <summary>Fields grouped by response key, in document order (spec §6.3.2 CollectFields result).</summary>
internal sealed class CollectedFields
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public List<KeyValuePair<string, List<FieldNode>>> Entries { get; } = [];

    public void Add(string key, FieldNode node)
    {
        if (_index.TryGetValue(key, out var i))
        {
            Entries[i].Value.Add(node);
            return;
        }

        _index[key] = Entries.Count;
        Entries.Add(new KeyValuePair<string, List<FieldNode>>(key, [node]));
    }
}

/// <summary>CollectFields (spec §6.3.2) with @skip/@include (spec §3.13.1, §3.13.2) and fragment type conditions.</summary>
internal static class FieldCollector
{
    public static void Collect(
        OperationContext context,
        ObjectType type,
        SelectionSetNode selectionSet,
        CollectedFields fields,
        HashSet<string> visitedFragments)
    {
        foreach (var selection in selectionSet.Selections)
        {
            if (!ShouldInclude(selection.Directives, context.Variables))
            {
                continue;
            }

            switch (selection)
            {
                case FieldNode field:
                    fields.Add(field.ResponseKey, field);
                    break;
                case InlineFragmentNode inline:
                    if (DoesFragmentConditionMatch(context.Schema, inline.TypeCondition, type))
                    {
                        Collect(context, type, inline.SelectionSet, fields, visitedFragments);
                    }

                    break;
                case FragmentSpreadNode spread:
                    var name = spread.Name.Value;
                    if (!visitedFragments.Add(name))
                    {
                        continue;
                    }

                    if (context.Fragments.TryGetValue(name, out var fragment)
                        && DoesFragmentConditionMatch(context.Schema, fragment.TypeCondition, type))
                    {
                        Collect(context, type, fragment.SelectionSet, fields, visitedFragments);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    public static bool ShouldInclude(IReadOnlyList<DirectiveNode> directives, IReadOnlyDictionary<string, object?> variables)
    {
        foreach (var directive in directives)
        {
            var name = directive.Name.Value;
            if (name is not ("skip" or "include"))
            {
                continue;
            }

            var definition = name == "skip" ? DirectiveDefinition.Skip : DirectiveDefinition.Include;
            var args = InputCoercion.CoerceArgumentValues(definition.Arguments, directive.Arguments, variables);
            var condition = args.TryGetValue("if", out var value) && value is true;
            if (name == "skip" && condition)
            {
                return false;
            }

            if (name == "include" && !condition)
            {
                return false;
            }
        }

        return true;
    }

    private static bool DoesFragmentConditionMatch(Schema schema, NamedTypeNode? condition, ObjectType type)
    {
        if (condition is null)
        {
            return true;
        }

        var conditionalType = schema.GetType(condition.Name.Value);
        if (ReferenceEquals(conditionalType, type))
        {
            return true;
        }

        return conditionalType is InterfaceType or UnionType && schema.IsSubType(conditionalType, type);
    }
}
