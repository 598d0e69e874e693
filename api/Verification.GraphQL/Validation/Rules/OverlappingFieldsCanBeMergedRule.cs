using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>
/// Spec §5.3.2 Field Selection Merging (FieldsInSetCanMerge / SameResponseShape). Fields with one response key
/// must be the same field with the same arguments unless their parents are distinct object types, must have
/// shapes that can merge, and so must their sub-selections — including those reached through fragments.
/// Comparisons are memoized per selection set and per fragment pair (the graphql-js algorithm).
/// </summary>
/// <remarks>
/// graphql-js compares every pair of fields with one response key, which is quadratic: 15,000 × <c>id</c> in one
/// selection set costs seconds. Fields of one key are first grouped by what the comparison reads of them (parent
/// type, field name, arguments, sub-selection; not alias or directives): one comparison stands for every pair of
/// two groups (or within one), and only a pair of groups that conflicts is compared member by member, in graphql-js
/// order, so its errors are the same. Distinct fields that still cost quadratic work (different sub-selections)
/// are bounded by <see cref="MaxComparisons"/>: past it the document is refused as too complex.
/// </remarks>
internal sealed class OverlappingFieldsCanBeMergedRule : ValidationRule
{
    private readonly Dictionary<SelectionSetNode, (FieldMap Fields, List<string> Fragments)> _cache =
        new(ReferenceEqualityComparer.Instance);

    private readonly Dictionary<(string, string), bool> _comparedFragmentPairs = [];

    private readonly Dictionary<List<FieldEntry>, List<List<int>>> _classes = new(ReferenceEqualityComparer.Instance);

    private int _comparisons;

    /// <summary>Most field comparisons one document may need (each costs about a microsecond).</summary>
    public const int MaxComparisons = 200_000;

    public override string Name => "OverlappingFieldsCanBeMerged";

    /// <summary>Field comparisons made so far.</summary>
    internal int Comparisons => _comparisons;

    private bool OverBudget => _comparisons > MaxComparisons;

    public override bool Enter(SyntaxNode node)
    {
        if (OverBudget)
        {
            return false;
        }

        if (node is SelectionSetNode selectionSet)
        {
            foreach (var conflict in FindConflictsWithinSelectionSet(Context.TypeInfo.ParentType, selectionSet))
            {
                Report(
                    $"Fields \"{conflict.Reason.ResponseName}\" conflict because {ReasonMessage(conflict.Reason)}. "
                    + "Use different aliases on the fields to fetch both if this was intentional.",
                    [.. conflict.Fields1, .. conflict.Fields2]);
            }

            if (OverBudget)
            {
                Report($"The document needs more than {MaxComparisons} field comparisons to check that fields can merge; "
                    + "use fewer fields with the same response name.", selectionSet);
                return false;
            }
        }

        return true;
    }

    private static string ReasonMessage(ConflictReason reason) => reason.SubReasons is null
        ? reason.Message!
        : string.Join(" and ", reason.SubReasons.Select(r => $"subfields \"{r.ResponseName}\" conflict because {ReasonMessage(r)}"));

    private sealed record FieldEntry(NamedType? ParentType, FieldNode Node, FieldDefinition? Definition);

    private sealed class FieldMap
    {
        public List<string> Keys { get; } = [];

        public Dictionary<string, List<FieldEntry>> Entries { get; } = new(StringComparer.Ordinal);

        public void Add(string key, FieldEntry entry)
        {
            if (!Entries.TryGetValue(key, out var list))
            {
                Entries[key] = list = [];
                Keys.Add(key);
            }

            list.Add(entry);
        }
    }

    private sealed record ConflictReason(string ResponseName, string? Message, List<ConflictReason>? SubReasons);

    private sealed record Conflict(ConflictReason Reason, List<FieldNode> Fields1, List<FieldNode> Fields2);

    private List<Conflict> FindConflictsWithinSelectionSet(NamedType? parentType, SelectionSetNode selectionSet)
    {
        var conflicts = new List<Conflict>();
        var (fieldMap, fragmentNames) = GetFieldsAndFragmentNames(parentType, selectionSet);
        CollectConflictsWithin(conflicts, fieldMap);
        for (var i = 0; i < fragmentNames.Count; i++)
        {
            CollectConflictsBetweenFieldsAndFragment(conflicts, false, fieldMap, fragmentNames[i]);
            for (var j = i + 1; j < fragmentNames.Count; j++)
            {
                CollectConflictsBetweenFragments(conflicts, false, fragmentNames[i], fragmentNames[j]);
            }
        }

        return conflicts;
    }

    private void CollectConflictsBetweenFieldsAndFragment(List<Conflict> conflicts, bool mutuallyExclusive, FieldMap fieldMap, string fragmentName)
    {
        if (!Context.Fragments.TryGetValue(fragmentName, out var fragment))
        {
            return;
        }

        var (fieldMap2, referenced) = GetReferencedFieldsAndFragmentNames(fragment);
        if (ReferenceEquals(fieldMap, fieldMap2))
        {
            return;
        }

        CollectConflictsBetween(conflicts, mutuallyExclusive, fieldMap, fieldMap2);
        foreach (var referencedName in referenced)
        {
            if (HasPair(referencedName, fragmentName, mutuallyExclusive))
            {
                continue;
            }

            AddPair(referencedName, fragmentName, mutuallyExclusive);
            CollectConflictsBetweenFieldsAndFragment(conflicts, mutuallyExclusive, fieldMap, referencedName);
        }
    }

    private void CollectConflictsBetweenFragments(List<Conflict> conflicts, bool mutuallyExclusive, string name1, string name2)
    {
        if (name1 == name2 || HasPair(name1, name2, mutuallyExclusive))
        {
            return;
        }

        AddPair(name1, name2, mutuallyExclusive);
        if (!Context.Fragments.TryGetValue(name1, out var fragment1) || !Context.Fragments.TryGetValue(name2, out var fragment2))
        {
            return;
        }

        var (fieldMap1, referenced1) = GetReferencedFieldsAndFragmentNames(fragment1);
        var (fieldMap2, referenced2) = GetReferencedFieldsAndFragmentNames(fragment2);
        CollectConflictsBetween(conflicts, mutuallyExclusive, fieldMap1, fieldMap2);
        foreach (var referenced in referenced2)
        {
            CollectConflictsBetweenFragments(conflicts, mutuallyExclusive, name1, referenced);
        }

        foreach (var referenced in referenced1)
        {
            CollectConflictsBetweenFragments(conflicts, mutuallyExclusive, referenced, name2);
        }
    }

    private List<Conflict> FindConflictsBetweenSubSelectionSets(
        bool mutuallyExclusive,
        NamedType? parentType1,
        SelectionSetNode selectionSet1,
        NamedType? parentType2,
        SelectionSetNode selectionSet2)
    {
        var conflicts = new List<Conflict>();
        var (fieldMap1, fragmentNames1) = GetFieldsAndFragmentNames(parentType1, selectionSet1);
        var (fieldMap2, fragmentNames2) = GetFieldsAndFragmentNames(parentType2, selectionSet2);
        CollectConflictsBetween(conflicts, mutuallyExclusive, fieldMap1, fieldMap2);
        foreach (var name in fragmentNames2)
        {
            CollectConflictsBetweenFieldsAndFragment(conflicts, mutuallyExclusive, fieldMap1, name);
        }

        foreach (var name in fragmentNames1)
        {
            CollectConflictsBetweenFieldsAndFragment(conflicts, mutuallyExclusive, fieldMap2, name);
        }

        foreach (var name1 in fragmentNames1)
        {
            foreach (var name2 in fragmentNames2)
            {
                CollectConflictsBetweenFragments(conflicts, mutuallyExclusive, name1, name2);
            }
        }

        return conflicts;
    }

    private void CollectConflictsWithin(List<Conflict> conflicts, FieldMap fieldMap)
    {
        foreach (var key in fieldMap.Keys)
        {
            ComparePairs(conflicts, false, key, fieldMap.Entries[key], null);
        }
    }

    private void CollectConflictsBetween(List<Conflict> conflicts, bool mutuallyExclusive, FieldMap fieldMap1, FieldMap fieldMap2)
    {
        foreach (var key in fieldMap1.Keys)
        {
            if (fieldMap2.Entries.TryGetValue(key, out var fields2))
            {
                ComparePairs(conflicts, mutuallyExclusive, key, fieldMap1.Entries[key], fields2);
            }
        }
    }

    /// <summary>
    /// Compares every field of <paramref name="fields1"/> with every field of <paramref name="fields2"/> (or, when it is
    /// null, every pair within <paramref name="fields1"/>), one comparison per pair of groups of alike fields.
    /// </summary>
    private void ComparePairs(List<Conflict> conflicts, bool mutuallyExclusive, string key, List<FieldEntry> fields1, List<FieldEntry>? fields2)
    {
        var within = fields2 is null;
        var other = fields2 ?? fields1;
        if (within && fields1.Count < 2)
        {
            return;
        }

        var classes1 = Classes(fields1);
        var classes2 = within ? classes1 : Classes(other);
        List<(int I, int J, Conflict? Probe)>? expand = null;
        for (var a = 0; a < classes1.Count && !OverBudget; a++)
        {
            for (var b = within ? a : 0; b < classes2.Count && !OverBudget; b++)
            {
                var members1 = classes1[a];
                var members2 = classes2[b];
                var sameClass = within && a == b;
                if (sameClass && members1.Count < 2)
                {
                    continue;
                }

                var (i0, j0) = (members1[0], sameClass ? members1[1] : members2[0]);
                if (within && i0 > j0)
                {
                    (i0, j0) = (j0, i0);
                }

                if (FindConflict(mutuallyExclusive, key, fields1[i0], other[j0]) is not { } probe)
                {
                    continue;
                }

                // These groups conflict: list every member pair, compared in graphql-js order below.
                expand ??= [];
                foreach (var i in members1)
                {
                    foreach (var j in members2)
                    {
                        if (sameClass && j <= i)
                        {
                            continue;
                        }

                        var (first, second) = within && i > j ? (j, i) : (i, j);
                        expand.Add((first, second, first == i0 && second == j0 ? probe : null));
                    }
                }
            }
        }

        if (expand is null)
        {
            return;
        }

        expand.Sort((x, y) => x.I != y.I ? x.I.CompareTo(y.I) : x.J.CompareTo(y.J));
        foreach (var (i, j, probe) in expand)
        {
            if (OverBudget || conflicts.Count >= Validator.DefaultMaxErrors)
            {
                return;
            }

            if ((probe ?? FindConflict(mutuallyExclusive, key, fields1[i], other[j])) is { } conflict)
            {
                conflicts.Add(conflict);
            }
        }
    }

    /// <summary>Indexes of <paramref name="fields"/> grouped by what <see cref="FindConflict"/> reads of a field, in first-seen order.</summary>
    private List<List<int>> Classes(List<FieldEntry> fields)
    {
        if (_classes.TryGetValue(fields, out var cached))
        {
            return cached;
        }

        var classes = new List<List<int>>();
        var byShape = new Dictionary<(NamedType?, string), List<int>>();
        for (var i = 0; i < fields.Count; i++)
        {
            var node = fields[i].Node;
            var shape = (fields[i].ParentType, Shape(node));
            if (!byShape.TryGetValue(shape, out var members))
            {
                byShape[shape] = members = [];
                classes.Add(members);
            }

            members.Add(i);
        }

        _classes[fields] = classes;
        return classes;
    }

    private static string Shape(FieldNode node)
    {
        var arguments = node.Arguments
            .OrderBy(a => a.Name.Value, StringComparer.Ordinal)
            .Select(a => a.Name.Value + ":" + Stringify(a.Value));
        return $"{node.Name.Value}({string.Join(",", arguments)}){(node.SelectionSet is null ? string.Empty : Printer.Print(node.SelectionSet))}";
    }

    private Conflict? FindConflict(bool parentFieldsAreMutuallyExclusive, string responseName, FieldEntry field1, FieldEntry field2)
    {
        if (++_comparisons > MaxComparisons)
        {
            return null;
        }

        // Fields on two different object types can never both apply to one result object (spec §5.3.2 step 2.c).
        var mutuallyExclusive = parentFieldsAreMutuallyExclusive
            || (!ReferenceEquals(field1.ParentType, field2.ParentType) && field1.ParentType is ObjectType && field2.ParentType is ObjectType);
        var node1 = field1.Node;
        var node2 = field2.Node;
        if (!mutuallyExclusive)
        {
            if (node1.Name.Value != node2.Name.Value)
            {
                return Simple(responseName, $"\"{node1.Name.Value}\" and \"{node2.Name.Value}\" are different fields", node1, node2);
            }

            if (!SameArguments(node1, node2))
            {
                return Simple(responseName, "they have differing arguments", node1, node2);
            }
        }

        var type1 = field1.Definition?.Type;
        var type2 = field2.Definition?.Type;
        if (type1 is not null && type2 is not null && DoTypesConflict(type1, type2))
        {
            return Simple(responseName, $"they return conflicting types \"{type1}\" and \"{type2}\"", node1, node2);
        }

        if (node1.SelectionSet is not null && node2.SelectionSet is not null)
        {
            var conflicts = FindConflictsBetweenSubSelectionSets(
                mutuallyExclusive, type1?.GetNamedType(), node1.SelectionSet, type2?.GetNamedType(), node2.SelectionSet);
            if (conflicts.Count > 0)
            {
                return new Conflict(
                    new ConflictReason(responseName, null, conflicts.Select(c => c.Reason).ToList()),
                    [node1, .. conflicts.SelectMany(c => c.Fields1)],
                    [node2, .. conflicts.SelectMany(c => c.Fields2)]);
            }
        }

        return null;
    }

    private static Conflict Simple(string responseName, string message, FieldNode node1, FieldNode node2) =>
        new(new ConflictReason(responseName, message, null), [node1], [node2]);

    private static bool SameArguments(FieldNode node1, FieldNode node2)
    {
        if (node1.Arguments.Count != node2.Arguments.Count)
        {
            return false;
        }

        foreach (var argument1 in node1.Arguments)
        {
            var argument2 = node2.Arguments.FirstOrDefault(a => a.Name.Value == argument1.Name.Value);
            if (argument2 is null || Stringify(argument1.Value) != Stringify(argument2.Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Prints a value with object fields sorted by name, so field order does not make two values differ.</summary>
    private static string Stringify(ValueNode value) => Printer.Print(Sort(value));

    private static ValueNode Sort(ValueNode value) => value switch
    {
        ObjectValueNode obj => new ObjectValueNode(obj.Fields
            .OrderBy(f => f.Name.Value, StringComparer.Ordinal)
            .Select(f => f with { Value = Sort(f.Value) })
            .ToList()),
        ListValueNode list => new ListValueNode(list.Values.Select(Sort).ToList()),
        _ => value,
    };

    /// <summary>Two field types conflict when their list/non-null shapes differ or leaf types differ (SameResponseShape).</summary>
    private static bool DoTypesConflict(IGraphType type1, IGraphType type2)
    {
        if (type1 is ListType list1)
        {
            return type2 is not ListType list2 || DoTypesConflict(list1.OfType, list2.OfType);
        }

        if (type2 is ListType)
        {
            return true;
        }

        if (type1 is NonNullType nonNull1)
        {
            return type2 is not NonNullType nonNull2 || DoTypesConflict(nonNull1.OfType, nonNull2.OfType);
        }

        if (type2 is NonNullType)
        {
            return true;
        }

        if (type1.IsLeafType() || type2.IsLeafType())
        {
            return !ReferenceEquals(type1, type2);
        }

        return false;
    }

    private (FieldMap Fields, List<string> Fragments) GetFieldsAndFragmentNames(NamedType? parentType, SelectionSetNode selectionSet)
    {
        if (_cache.TryGetValue(selectionSet, out var cached))
        {
            return cached;
        }

        var fieldMap = new FieldMap();
        var fragmentNames = new List<string>();
        CollectFieldsAndFragmentNames(parentType, selectionSet, fieldMap, fragmentNames);
        var result = (fieldMap, fragmentNames);
        _cache[selectionSet] = result;
        return result;
    }

    private (FieldMap Fields, List<string> Fragments) GetReferencedFieldsAndFragmentNames(FragmentDefinitionNode fragment)
    {
        if (_cache.TryGetValue(fragment.SelectionSet, out var cached))
        {
            return cached;
        }

        var type = Context.Schema.GetType(fragment.TypeCondition.Name.Value);
        return GetFieldsAndFragmentNames(type, fragment.SelectionSet);
    }

    private void CollectFieldsAndFragmentNames(NamedType? parentType, SelectionSetNode selectionSet, FieldMap fieldMap, List<string> fragmentNames)
    {
        foreach (var selection in selectionSet.Selections)
        {
            switch (selection)
            {
                case FieldNode field:
                    {
                        var definition = parentType is FieldsType fields ? fields.GetField(field.Name.Value) : null;
                        fieldMap.Add(field.ResponseKey, new FieldEntry(parentType, field, definition));
                        break;
                    }

                case FragmentSpreadNode spread:
                    if (!fragmentNames.Contains(spread.Name.Value))
                    {
                        fragmentNames.Add(spread.Name.Value);
                    }

                    break;
                case InlineFragmentNode inline:
                    {
                        var type = inline.TypeCondition is null ? parentType : Context.Schema.GetType(inline.TypeCondition.Name.Value);
                        CollectFieldsAndFragmentNames(type, inline.SelectionSet, fieldMap, fragmentNames);
                        break;
                    }

                default:
                    break;
            }
        }
    }

    private static (string, string) PairKey(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

    private bool HasPair(string a, string b, bool mutuallyExclusive)
    {
        if (!_comparedFragmentPairs.TryGetValue(PairKey(a, b), out var storedExclusive))
        {
            return false;
        }

        // A pair compared as mutually exclusive does not cover a later non-exclusive comparison.
        return mutuallyExclusive || !storedExclusive;
    }

    private void AddPair(string a, string b, bool mutuallyExclusive) => _comparedFragmentPairs[PairKey(a, b)] = mutuallyExclusive;
}
