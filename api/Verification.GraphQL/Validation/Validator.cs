using Verification.GraphQL.Language;
using Verification.GraphQL.Types;
using Verification.GraphQL.Validation.Rules;

namespace Verification.GraphQL.Validation;

/// <summary>
/// Validates an executable document (spec §5) in one depth-first walk: <see cref="TypeInfo"/> enters each
/// node, then every rule's Enter; children; every rule's Leave, then TypeInfo leaves (graphql-js
/// ParallelVisitor + visitWithTypeInfo).
/// </summary>
internal static class Validator
{
    public const int DefaultMaxErrors = 100;

    /// <summary>Every rule of spec §5, in graphql-js <c>specifiedRules</c> order.</summary>
    public static IReadOnlyList<Func<ValidationRule>> SpecifiedRules { get; } =
    [
        () => new ExecutableDefinitionsRule(),
        () => new UniqueOperationNamesRule(),
        () => new LoneAnonymousOperationRule(),
        () => new SingleFieldSubscriptionsRule(),
        () => new KnownTypeNamesRule(),
        () => new FragmentsOnCompositeTypesRule(),
        () => new VariablesAreInputTypesRule(),
        () => new ScalarLeafsRule(),
        () => new FieldsOnCorrectTypeRule(),
        () => new UniqueFragmentNamesRule(),
        () => new KnownFragmentNamesRule(),
        () => new NoUnusedFragmentsRule(),
        () => new PossibleFragmentSpreadsRule(),
        () => new NoFragmentCyclesRule(),
        () => new UniqueVariableNamesRule(),
        () => new NoUndefinedVariablesRule(),
        () => new NoUnusedVariablesRule(),
        () => new KnownDirectivesRule(),
        () => new UniqueDirectivesPerLocationRule(),
        () => new KnownArgumentNamesRule(),
        () => new UniqueArgumentNamesRule(),
        () => new ValuesOfCorrectTypeRule(),
        () => new ProvidedRequiredArgumentsRule(),
        () => new VariablesInAllowedPositionRule(),
        () => new OverlappingFieldsCanBeMergedRule(),
        () => new UniqueInputFieldNamesRule(),
    ];

    public static List<GraphQLError> Validate(
        Schema schema,
        DocumentNode document,
        IReadOnlyList<Func<ValidationRule>>? rules = null,
        int maxErrors = DefaultMaxErrors)
    {
        var context = new ValidationContext(schema, document, maxErrors);
        var instances = (rules ?? SpecifiedRules).Select(factory =>
        {
            var rule = factory();
            rule.Context = context;
            return rule;
        }).ToArray();
        var walker = new Walker(context, instances);
        walker.Visit(document);
        if (context.IsFull)
        {
            context.Errors.Add(new GraphQLError(
                "Too many validation errors, error limit reached. Validation aborted.",
                [],
                null,
                new Dictionary<string, object?> { ["code"] = ErrorCodes.ValidationFailed }));
        }

        return context.Errors;
    }

    private sealed class Walker(ValidationContext context, ValidationRule[] rules)
    {
        private readonly SyntaxNode?[] _skipping = new SyntaxNode?[rules.Length];

        public void Visit(SyntaxNode node)
        {
            if (context.IsFull)
            {
                return;
            }

            context.TypeInfo.Enter(node);
            if (node is ExecutableDefinitionNode definition)
            {
                context.CurrentDefinition = definition;
            }
            else if (node is VariableNode variable)
            {
                context.RecordVariableUsage(variable);
            }

            for (var i = 0; i < rules.Length; i++)
            {
                if (_skipping[i] is null && !rules[i].Enter(node))
                {
                    _skipping[i] = node;
                }
            }

            foreach (var child in Children(node))
            {
                Visit(child);
            }

            for (var i = 0; i < rules.Length; i++)
            {
                if (_skipping[i] is null)
                {
                    rules[i].Leave(node);
                }
                else if (ReferenceEquals(_skipping[i], node))
                {
                    _skipping[i] = null;
                }
            }

            if (node is ExecutableDefinitionNode)
            {
                context.CurrentDefinition = null;
            }

            context.TypeInfo.Leave(node);
        }

        /// <summary>Children in graphql-js visiting order (descriptions and names are not visited).</summary>
        private static IEnumerable<SyntaxNode> Children(SyntaxNode node)
        {
            switch (node)
            {
                case SchemaDefinitionNode s:
                    return [.. s.Directives, .. s.OperationTypes];
                case OperationTypeDefinitionNode o:
                    return [o.Type];
                case ObjectTypeDefinitionNode o:
                    return [.. o.Interfaces, .. o.Directives, .. o.Fields];
                case FieldDefinitionNode f:
                    return [.. f.Arguments, f.Type, .. f.Directives];
                case InputValueDefinitionNode v:
                    return v.DefaultValue is null ? [v.Type, .. v.Directives] : [v.Type, v.DefaultValue, .. v.Directives];
                case UnionTypeDefinitionNode u:
                    return [.. u.Directives, .. u.Types];
                case EnumTypeDefinitionNode e:
                    return [.. e.Directives, .. e.Values];
                case EnumValueDefinitionNode e:
                    return e.Directives;
                case InputObjectTypeDefinitionNode i:
                    return [.. i.Directives, .. i.Fields];
                case ScalarTypeDefinitionNode s:
                    return s.Directives;
                case DirectiveDefinitionNode d:
                    return d.Arguments;
                case DocumentNode d:
                    return d.Definitions;
                case OperationDefinitionNode o:
                    return [.. o.VariableDefinitions, .. o.Directives, o.SelectionSet];
                case VariableDefinitionNode v:
                    return v.DefaultValue is null ? [v.Type, .. v.Directives] : [v.Type, v.DefaultValue, .. v.Directives];
                case SelectionSetNode s:
                    return s.Selections;
                case FieldNode f:
                    return f.SelectionSet is null ? [.. f.Arguments, .. f.Directives] : [.. f.Arguments, .. f.Directives, f.SelectionSet];
                case ArgumentNode a:
                    return [a.Value];
                case FragmentSpreadNode s:
                    return s.Directives;
                case InlineFragmentNode i:
                    return i.TypeCondition is null ? [.. i.Directives, i.SelectionSet] : [i.TypeCondition, .. i.Directives, i.SelectionSet];
                case FragmentDefinitionNode f:
                    return [f.TypeCondition, .. f.Directives, f.SelectionSet];
                case ListValueNode l:
                    return l.Values;
                case ObjectValueNode o:
                    return o.Fields;
                case ObjectFieldNode f:
                    return [f.Value];
                case DirectiveNode d:
                    return d.Arguments;
                case ListTypeNode l:
                    return [l.Type];
                case NonNullTypeNode n:
                    return [n.Type];
                default:
                    return [];
            }
        }
    }
}
