using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.3.1 Field Selections: the field exists on the parent type; suggests types or fields.</summary>
internal sealed class FieldsOnCorrectTypeRule : ValidationRule
{
    public override string Name => "FieldsOnCorrectType";

    public override bool Enter(SyntaxNode node)
    {
        if (node is FieldNode field && Context.TypeInfo.ParentType is { } parentType && Context.TypeInfo.FieldDef is null)
        {
            var name = field.Name.Value;
            var suggestion = Suggestions.DidYouMean(SuggestedTypeNames(parentType, name), "to use an inline fragment on");
            if (suggestion.Length == 0)
            {
                suggestion = Suggestions.DidYouMean(
                    parentType is FieldsType fields ? Suggestions.List(name, fields.Fields.Select(f => f.Name)) : []);
            }

            Report($"Cannot query field \"{name}\" on type \"{parentType.Name}\"." + suggestion, field);
        }

        return true;
    }

    private List<string> SuggestedTypeNames(NamedType type, string fieldName)
    {
        if (!type.IsAbstractType())
        {
            return [];
        }

        var schema = Context.Schema;
        var usage = new Dictionary<FieldsType, int>();
        foreach (var possible in schema.GetPossibleTypes(type))
        {
            if (possible.GetField(fieldName) is null)
            {
                continue;
            }

            usage[possible] = 1;
            foreach (var iface in possible.Interfaces)
            {
                if (iface.GetField(fieldName) is not null)
                {
                    usage[iface] = usage.GetValueOrDefault(iface) + 1;
                }
            }
        }

        var list = usage.Keys.ToList();
        list.Sort((a, b) =>
        {
            var diff = usage[b] - usage[a];
            if (diff != 0)
            {
                return diff;
            }

            if (a is InterfaceType && schema.IsSubType(a, b))
            {
                return -1;
            }

            if (b is InterfaceType && schema.IsSubType(b, a))
            {
                return 1;
            }

            return string.CompareOrdinal(a.Name, b.Name);
        });
        return list.Select(t => t.Name).ToList();
    }
}
