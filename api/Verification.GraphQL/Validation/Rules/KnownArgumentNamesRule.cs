using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.4.1 Argument Names: arguments of fields and directives are defined.</summary>
internal sealed class KnownArgumentNamesRule : ValidationRule
{
    public override string Name => "KnownArgumentNames";

    public override bool Enter(SyntaxNode node)
    {
        switch (node)
        {
            case DirectiveNode directive when Context.Schema.GetDirective(directive.Name.Value) is { } definition:
                foreach (var argument in directive.Arguments)
                {
                    if (definition.FindArgument(argument.Name.Value) is null)
                    {
                        Report(
                            $"Unknown argument \"{argument.Name.Value}\" on directive \"@{directive.Name.Value}\"."
                            + Suggestions.DidYouMean(Suggestions.List(argument.Name.Value, definition.Arguments.Select(a => a.Name))),
                            argument);
                    }
                }

                // Directive arguments are checked here only; the field-argument check must not see them.
                return false;
            case DirectiveNode:
                return false;
            case ArgumentNode argument when Context.TypeInfo.Argument is null
                && Context.TypeInfo.FieldDef is { } field && Context.TypeInfo.ParentType is { } parentType:
                Report(
                    $"Unknown argument \"{argument.Name.Value}\" on field \"{parentType.Name}.{field.Name}\"."
                    + Suggestions.DidYouMean(Suggestions.List(argument.Name.Value, field.Arguments.Select(a => a.Name))),
                    argument);
                break;
            default:
                break;
        }

        return true;
    }
}
