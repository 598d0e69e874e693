using Verification.GraphQL.Introspection;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Execution;

/// <summary>
/// The static cost of an operation, before anything runs: each field as often as it would execute — every alias and
/// every fragment spread counted where it is used — times the expected length of each list around it (the value of its
/// <see cref="FieldDefinition.ListSizeArgument"/>, else a default). <c>@skip</c>/<c>@include</c> are not evaluated, and
/// every type condition of an abstract selection is counted: the cost is an upper bound.
/// </summary>
internal sealed class QueryCost
{
    private readonly Schema _schema;
    private readonly IReadOnlyDictionary<string, FragmentDefinitionNode> _fragments;
    private readonly IReadOnlyDictionary<string, object?> _variables;
    private readonly int _defaultListSize;
    private readonly long _cap;
    private readonly Dictionary<string, long> _fragmentCosts = new(StringComparer.Ordinal);

    private QueryCost(
        Schema schema, IReadOnlyDictionary<string, FragmentDefinitionNode> fragments, IReadOnlyDictionary<string, object?> variables,
        int defaultListSize, long limit)
    {
        _schema = schema;
        _fragments = fragments;
        _variables = variables;
        _defaultListSize = defaultListSize;
        // Every partial cost is held at limit + 1, so a product of two stays far inside a long.
        _cap = limit + 1;
    }

    /// <summary>The cost of <paramref name="operation"/>, or <paramref name="limit"/> + 1 when it is larger.</summary>
    public static long Compute(
        Schema schema,
        OperationDefinitionNode operation,
        IReadOnlyDictionary<string, FragmentDefinitionNode> fragments,
        IReadOnlyDictionary<string, object?> variables,
        int defaultListSize,
        long limit)
    {
        var rootType = schema.GetRootType(operation.Operation);
        return new QueryCost(schema, fragments, variables, defaultListSize, limit).SelectionSet(rootType, operation.SelectionSet);
    }

    private long SelectionSet(NamedType? parentType, SelectionSetNode selectionSet)
    {
        long total = 0;
        foreach (var selection in selectionSet.Selections)
        {
            var cost = selection switch
            {
                FieldNode field => Field(parentType, field),
                FragmentSpreadNode spread => Fragment(spread.Name.Value),
                InlineFragmentNode inline => SelectionSet(
                    inline.TypeCondition is null ? parentType : _schema.GetType(inline.TypeCondition.Name.Value), inline.SelectionSet),
                _ => 0,
            };
            total = Math.Min(total + cost, _cap);
            if (total == _cap)
            {
                break;
            }
        }

        return total;
    }

    private long Fragment(string name)
    {
        if (_fragmentCosts.TryGetValue(name, out var known))
        {
            return known;
        }

        // Validation has refused cycles and unknown fragments before execution asks for a cost.
        var cost = _fragments.TryGetValue(name, out var fragment)
            ? SelectionSet(_schema.GetType(fragment.TypeCondition.Name.Value), fragment.SelectionSet)
            : 0;
        _fragmentCosts[name] = cost;
        return cost;
    }

    private long Field(NamedType? parentType, FieldNode node)
    {
        var definition = Definition(parentType, node.Name.Value);
        if (definition is null)
        {
            return 1;
        }

        var items = node.SelectionSet is null ? 1 : SelectionSet(definition.Type.GetNamedType(), node.SelectionSet);
        var type = definition.Type;
        var first = true;
        while (type is NonNullType or ListType)
        {
            if (type is ListType list)
            {
                items = Math.Min(items * (first ? ListSize(definition, node) : _defaultListSize), _cap);
                first = false;
                type = list.OfType;
            }
            else
            {
                type = ((NonNullType)type).OfType;
            }
        }

        return Math.Min(definition.Cost + (node.SelectionSet is null && first ? 0 : items), _cap);
    }

    private long ListSize(FieldDefinition definition, FieldNode node)
    {
        if (definition.ListSizeArgument is not { } name)
        {
            return _defaultListSize;
        }

        var argument = node.Arguments.FirstOrDefault(a => a.Name.Value == name);
        object? value = argument?.Value switch
        {
            IntValueNode literal => long.TryParse(literal.Value, out var parsed) ? parsed : null,
            VariableNode variable => _variables.GetValueOrDefault(variable.Name.Value),
            _ => argument is null ? definition.FindArgument(name)?.DefaultValue : null,
        };
        return value switch
        {
            int size => Math.Clamp(size, 0, _cap),
            long size => Math.Clamp(size, 0, _cap),
            _ => _defaultListSize,
        };
    }

    private FieldDefinition? Definition(NamedType? parentType, string name)
    {
        if (name == "__typename")
        {
            return IntrospectionTypes.TypeNameMetaField;
        }

        if (ReferenceEquals(parentType, _schema.QueryType))
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

        return parentType is FieldsType fields ? fields.GetField(name) : null;
    }
}
