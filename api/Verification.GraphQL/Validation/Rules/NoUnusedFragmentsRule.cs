using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.5.1.4 Fragments Must Be Used: every fragment is reachable from some operation.</summary>
internal sealed class NoUnusedFragmentsRule : ValidationRule
{
    public override string Name => "NoUnusedFragments";

    public override bool Enter(SyntaxNode node) => node is DocumentNode;

    public override void Leave(SyntaxNode node)
    {
        if (node is not DocumentNode document)
        {
            return;
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in document.Definitions.OfType<OperationDefinitionNode>())
        {
            foreach (var fragment in Context.GetRecursivelyReferencedFragments(operation))
            {
                used.Add(fragment.Name.Value);
            }
        }

        foreach (var fragment in document.Definitions.OfType<FragmentDefinitionNode>())
        {
            if (!used.Contains(fragment.Name.Value))
            {
                Report($"Fragment \"{fragment.Name.Value}\" is never used.", fragment);
            }
        }
    }
}
