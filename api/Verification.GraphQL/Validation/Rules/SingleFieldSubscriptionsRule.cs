using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.2.3.1 Single root field: a subscription selects exactly one root field, not an introspection field.</summary>
internal sealed class SingleFieldSubscriptionsRule : ValidationRule
{
    public override string Name => "SingleFieldSubscriptions";

    public override bool Enter(SyntaxNode node)
    {
        if (node is not OperationDefinitionNode operation)
        {
            return node is DocumentNode;
        }

        if (operation.Operation != OperationType.Subscription || Context.Schema.SubscriptionType is null)
        {
            return false;
        }

        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var grouped = new List<List<FieldNode>>();
        Collect(operation.SelectionSet, keys, grouped, new HashSet<string>(StringComparer.Ordinal));
        var label = operation.Name is null ? "Anonymous Subscription" : $"Subscription \"{operation.Name.Value}\"";
        if (grouped.Count > 1)
        {
            Report($"{label} must select only one top level field.", grouped.Skip(1).SelectMany(g => g).ToArray());
        }

        foreach (var group in grouped)
        {
            if (group[0].Name.Value.StartsWith("__", StringComparison.Ordinal))
            {
                Report($"{label} must not select an introspection top level field.", [.. group]);
            }
        }

        return false;
    }

    /// <summary>CollectFields with no variable values: directives whose condition is a variable do not exclude.</summary>
    private void Collect(SelectionSetNode set, Dictionary<string, int> keys, List<List<FieldNode>> grouped, HashSet<string> visited)
    {
        foreach (var selection in set.Selections)
        {
            if (IsExcluded(selection.Directives))
            {
                continue;
            }

            switch (selection)
            {
                case FieldNode field:
                    if (keys.TryGetValue(field.ResponseKey, out var i))
                    {
                        grouped[i].Add(field);
                    }
                    else
                    {
                        keys[field.ResponseKey] = grouped.Count;
                        grouped.Add([field]);
                    }

                    break;
                case InlineFragmentNode inline when Matches(inline.TypeCondition):
                    Collect(inline.SelectionSet, keys, grouped, visited);
                    break;
                case FragmentSpreadNode spread when visited.Add(spread.Name.Value)
                    && Context.Fragments.TryGetValue(spread.Name.Value, out var fragment) && Matches(fragment.TypeCondition):
                    Collect(fragment.SelectionSet, keys, grouped, visited);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>DoesFragmentConditionMatch against the subscription root type (spec §6.3.2).</summary>
    private bool Matches(NamedTypeNode? condition)
    {
        if (condition is null)
        {
            return true;
        }

        var root = Context.Schema.SubscriptionType!;
        var type = Context.Schema.GetType(condition.Name.Value);
        return ReferenceEquals(type, root) || (type is InterfaceType or UnionType && Context.Schema.IsSubType(type, root));
    }

    private static bool IsExcluded(IReadOnlyList<DirectiveNode> directives) => directives.Any(d =>
        (d.Name.Value == "skip" && d.Arguments.Any(a => a.Name.Value == "if" && a.Value is BooleanValueNode { Value: true }))
        || (d.Name.Value == "include" && d.Arguments.Any(a => a.Name.Value == "if" && a.Value is BooleanValueNode { Value: false })));
}
