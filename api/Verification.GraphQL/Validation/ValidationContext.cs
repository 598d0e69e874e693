using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation;

/// <summary>A variable reference found during the walk, with the input type expected where it appears.</summary>
internal sealed record VariableUsage(VariableNode Node, IGraphType? Type, InputValueDefinition? DefaultValueOwner);

/// <summary>What rules share during one validation walk: schema, document, type info, fragments, usages, errors.</summary>
internal sealed class ValidationContext
{
    private readonly Dictionary<SelectionSetNode, List<FragmentSpreadNode>> _spreads = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ExecutableDefinitionNode, List<VariableUsage>> _usages = new(ReferenceEqualityComparer.Instance);
    private readonly int _maxErrors;

    public ValidationContext(Schema schema, DocumentNode document, int maxErrors)
    {
        Schema = schema;
        Document = document;
        TypeInfo = new TypeInfo(schema);
        _maxErrors = maxErrors;
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

    public TypeInfo TypeInfo { get; }

    public Dictionary<string, FragmentDefinitionNode> Fragments { get; } = new(StringComparer.Ordinal);

    public List<GraphQLError> Errors { get; } = [];

    public bool IsFull => Errors.Count >= _maxErrors;

    /// <summary>The operation or fragment currently being walked.</summary>
    public ExecutableDefinitionNode? CurrentDefinition { get; set; }

    public void Report(string rule, string message, SyntaxNode[] nodes)
    {
        if (IsFull)
        {
            return;
        }

        var locations = nodes.Select(n => n.Location.ToSource()).ToList();
        Errors.Add(new GraphQLError(message, locations, null, new Dictionary<string, object?> { ["code"] = ErrorCodes.ValidationFailed })
        {
            Rule = rule,
        });
    }

    public void RecordVariableUsage(VariableNode node)
    {
        if (CurrentDefinition is null)
        {
            return;
        }

        if (!_usages.TryGetValue(CurrentDefinition, out var list))
        {
            _usages[CurrentDefinition] = list = [];
        }

        list.Add(new VariableUsage(node, TypeInfo.InputType, TypeInfo.DefaultValueOwner));
    }

    /// <summary>Variable usages of an operation and every fragment it reaches (valid once the walk left the document).</summary>
    public List<VariableUsage> GetRecursiveVariableUsages(OperationDefinitionNode operation)
    {
        var usages = new List<VariableUsage>(_usages.GetValueOrDefault(operation) ?? []);
        foreach (var fragment in GetRecursivelyReferencedFragments(operation))
        {
            usages.AddRange(_usages.GetValueOrDefault(fragment) ?? []);
        }

        return usages;
    }

    /// <summary>Fragment spreads directly inside a selection set, including nested inline fragments and fields.</summary>
    public List<FragmentSpreadNode> GetFragmentSpreads(SelectionSetNode selectionSet)
    {
        if (_spreads.TryGetValue(selectionSet, out var cached))
        {
            return cached;
        }

        var spreads = new List<FragmentSpreadNode>();
        var stack = new Stack<SelectionSetNode>();
        stack.Push(selectionSet);
        while (stack.Count > 0)
        {
            foreach (var selection in stack.Pop().Selections)
            {
                switch (selection)
                {
                    case FragmentSpreadNode spread:
                        spreads.Add(spread);
                        break;
                    case FieldNode { SelectionSet: { } set }:
                        stack.Push(set);
                        break;
                    case InlineFragmentNode inline:
                        stack.Push(inline.SelectionSet);
                        break;
                    default:
                        break;
                }
            }
        }

        _spreads[selectionSet] = spreads;
        return spreads;
    }

    public List<FragmentDefinitionNode> GetRecursivelyReferencedFragments(ExecutableDefinitionNode definition)
    {
        var fragments = new List<FragmentDefinitionNode>();
        var collected = new HashSet<string>(StringComparer.Ordinal);
        var toVisit = new Stack<SelectionSetNode>();
        toVisit.Push(definition.SelectionSet);
        while (toVisit.Count > 0)
        {
            foreach (var spread in GetFragmentSpreads(toVisit.Pop()))
            {
                var name = spread.Name.Value;
                if (collected.Add(name) && Fragments.TryGetValue(name, out var fragment))
                {
                    fragments.Add(fragment);
                    toVisit.Push(fragment.SelectionSet);
                }
            }
        }

        return fragments;
    }
}
