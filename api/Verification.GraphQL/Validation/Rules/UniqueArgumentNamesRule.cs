using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.4.2 Argument Uniqueness (fields and directives).</summary>
internal sealed class UniqueArgumentNamesRule : ValidationRule
{
    public override string Name => "UniqueArgumentNames";

    public override bool Enter(SyntaxNode node)
    {
        var arguments = node switch
        {
            FieldNode f => f.Arguments,
            DirectiveNode d => d.Arguments,
            _ => null,
        };
        if (arguments is { Count: > 1 })
        {
            foreach (var group in arguments.GroupBy(a => a.Name.Value).Where(g => g.Count() > 1))
            {
                Report($"There can be only one argument named \"{group.Key}\".", group.Select(a => (SyntaxNode)a.Name).ToArray());
            }
        }

        return true;
    }
}
