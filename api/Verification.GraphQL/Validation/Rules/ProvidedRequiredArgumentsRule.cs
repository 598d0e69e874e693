using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.4.2.1 Required Arguments: non-null arguments without default are provided.</summary>
internal sealed class ProvidedRequiredArgumentsRule : ValidationRule
{
    public override string Name => "ProvidedRequiredArguments";

    public override void Leave(SyntaxNode node)
    {
        switch (node)
        {
            case FieldNode field when Context.TypeInfo.FieldDef is { } definition:
                foreach (var argument in definition.Arguments)
                {
                    if (argument.IsRequired && !field.Arguments.Any(a => a.Name.Value == argument.Name))
                    {
                        Report(
                            $"Field \"{definition.Name}\" argument \"{argument.Name}\" of type \"{argument.Type}\" is required, but it was not provided.",
                            field);
                    }
                }

                break;
            case DirectiveNode directive when Context.Schema.GetDirective(directive.Name.Value) is { } definition:
                foreach (var argument in definition.Arguments)
                {
                    if (argument.IsRequired && !directive.Arguments.Any(a => a.Name.Value == argument.Name))
                    {
                        Report(
                            $"Directive \"@{definition.Name}\" argument \"{argument.Name}\" of type \"{argument.Type}\" is required, but it was not provided.",
                            directive);
                    }
                }

                break;
            default:
                break;
        }
    }
}
