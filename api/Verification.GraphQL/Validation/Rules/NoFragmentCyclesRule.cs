using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.5.2.2 Fragment spreads must not form cycles (reported once per cycle, with its path).</summary>
internal sealed class NoFragmentCyclesRule : ValidationRule
{
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);
    private readonly List<FragmentSpreadNode> _path = [];
    private readonly Dictionary<string, int> _pathIndex = new(StringComparer.Ordinal);

    public override string Name => "NoFragmentCycles";

    public override bool Enter(SyntaxNode node)
    {
        if (node is FragmentDefinitionNode fragment)
        {
            Detect(fragment);
        }

        return node is DocumentNode;
    }

    private void Detect(FragmentDefinitionNode fragment)
    {
        var name = fragment.Name.Value;
        if (!_visited.Add(name))
        {
            return;
        }

        var spreads = Context.GetFragmentSpreads(fragment.SelectionSet);
        if (spreads.Count == 0)
        {
            return;
        }

        _pathIndex[name] = _path.Count;
        foreach (var spread in spreads)
        {
            var spreadName = spread.Name.Value;
            _path.Add(spread);
            if (!_pathIndex.TryGetValue(spreadName, out var cycleIndex))
            {
                if (Context.Fragments.TryGetValue(spreadName, out var target))
                {
                    Detect(target);
                }
            }
            else
            {
                var cyclePath = _path.Skip(cycleIndex).ToList();
                var via = cyclePath.Take(cyclePath.Count - 1).Select(s => $"\"{s.Name.Value}\"").ToList();
                Report(
                    $"Cannot spread fragment \"{spreadName}\" within itself" + (via.Count > 0 ? " via " + string.Join(", ", via) : string.Empty) + ".",
                    [.. cyclePath]);
            }

            _path.RemoveAt(_path.Count - 1);
        }

        _pathIndex.Remove(name);
    }
}
