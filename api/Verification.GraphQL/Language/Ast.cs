namespace Verification.GraphQL.Language;

// Immutable syntax tree of spec §2 (executable documents) and §3 (type system documents).
// Each node carries its source location; equality is structural except for lists (reference).

/// <summary>Where a node starts in the source: offsets and 1-based line/column.</summary>
internal readonly record struct Location(int Start, int End, int Line, int Column)
{
    public SourceLocation ToSource() => new(Line, Column);
}

internal abstract record SyntaxNode
{
    public Location Location { get; init; }
}

internal sealed record NameNode(string Value) : SyntaxNode;

internal sealed record DocumentNode(IReadOnlyList<DefinitionNode> Definitions) : SyntaxNode
{
    /// <summary>Number of tokens the parser consumed (for limits and metrics).</summary>
    public int TokenCount { get; init; }
}

internal abstract record DefinitionNode : SyntaxNode;

internal abstract record ExecutableDefinitionNode : DefinitionNode
{
    public abstract IReadOnlyList<DirectiveNode> Directives { get; }

    public abstract SelectionSetNode SelectionSet { get; }
}

internal enum OperationType
{
    Query,
    Mutation,
    Subscription,
}

internal sealed record OperationDefinitionNode(
    OperationType Operation,
    NameNode? Name,
    IReadOnlyList<VariableDefinitionNode> VariableDefinitions,
    IReadOnlyList<DirectiveNode> DirectiveList,
    SelectionSetNode Selections) : ExecutableDefinitionNode
{
    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;

    public override SelectionSetNode SelectionSet => Selections;
}

internal sealed record VariableDefinitionNode(
    VariableNode Variable,
    TypeNode Type,
    ValueNode? DefaultValue,
    IReadOnlyList<DirectiveNode> Directives) : SyntaxNode;

internal sealed record SelectionSetNode(IReadOnlyList<SelectionNode> Selections) : SyntaxNode;

internal abstract record SelectionNode : SyntaxNode
{
    public abstract IReadOnlyList<DirectiveNode> Directives { get; }
}

internal sealed record FieldNode(
    NameNode? Alias,
    NameNode Name,
    IReadOnlyList<ArgumentNode> Arguments,
    IReadOnlyList<DirectiveNode> DirectiveList,
    SelectionSetNode? SelectionSet) : SelectionNode
{
    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;

    /// <summary>The response key: the alias if present, else the field name (spec §2.7).</summary>
    public string ResponseKey => Alias?.Value ?? Name.Value;
}

internal sealed record ArgumentNode(NameNode Name, ValueNode Value) : SyntaxNode;

internal sealed record FragmentSpreadNode(NameNode Name, IReadOnlyList<DirectiveNode> DirectiveList) : SelectionNode
{
    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;
}

internal sealed record InlineFragmentNode(
    NamedTypeNode? TypeCondition,
    IReadOnlyList<DirectiveNode> DirectiveList,
    SelectionSetNode SelectionSet) : SelectionNode
{
    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;
}

internal sealed record FragmentDefinitionNode(
    NameNode Name,
    NamedTypeNode TypeCondition,
    IReadOnlyList<DirectiveNode> DirectiveList,
    SelectionSetNode Selections) : ExecutableDefinitionNode
{
    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;

    public override SelectionSetNode SelectionSet => Selections;
}

internal abstract record ValueNode : SyntaxNode;

internal sealed record VariableNode(NameNode Name) : ValueNode;

internal sealed record IntValueNode(string Value) : ValueNode;

internal sealed record FloatValueNode(string Value) : ValueNode;

internal sealed record StringValueNode(string Value, bool Block) : ValueNode;

internal sealed record BooleanValueNode(bool Value) : ValueNode;

internal sealed record NullValueNode : ValueNode;

internal sealed record EnumValueNode(string Value) : ValueNode;

internal sealed record ListValueNode(IReadOnlyList<ValueNode> Values) : ValueNode;

internal sealed record ObjectValueNode(IReadOnlyList<ObjectFieldNode> Fields) : ValueNode;

internal sealed record ObjectFieldNode(NameNode Name, ValueNode Value) : SyntaxNode;

internal sealed record DirectiveNode(NameNode Name, IReadOnlyList<ArgumentNode> Arguments) : SyntaxNode;

internal abstract record TypeNode : SyntaxNode;

internal sealed record NamedTypeNode(NameNode Name) : TypeNode;

internal sealed record ListTypeNode(TypeNode Type) : TypeNode;

internal sealed record NonNullTypeNode(TypeNode Type) : TypeNode;

// Type system definitions (spec §3). Extensions reuse the definition records with IsExtension set.

internal abstract record TypeSystemDefinitionNode : DefinitionNode
{
    public bool IsExtension { get; init; }
}

internal sealed record SchemaDefinitionNode(
    StringValueNode? Description,
    IReadOnlyList<DirectiveNode> Directives,
    IReadOnlyList<OperationTypeDefinitionNode> OperationTypes) : TypeSystemDefinitionNode;

internal sealed record OperationTypeDefinitionNode(OperationType Operation, NamedTypeNode Type) : SyntaxNode;

internal abstract record TypeDefinitionNode : TypeSystemDefinitionNode
{
    public abstract NameNode Name { get; }

    public abstract StringValueNode? Description { get; }

    public abstract IReadOnlyList<DirectiveNode> Directives { get; }
}

internal sealed record ScalarTypeDefinitionNode(StringValueNode? Desc, NameNode TypeName, IReadOnlyList<DirectiveNode> DirectiveList)
    : TypeDefinitionNode
{
    public override NameNode Name => TypeName;

    public override StringValueNode? Description => Desc;

    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;
}

internal sealed record ObjectTypeDefinitionNode(
    StringValueNode? Desc,
    NameNode TypeName,
    IReadOnlyList<NamedTypeNode> Interfaces,
    IReadOnlyList<DirectiveNode> DirectiveList,
    IReadOnlyList<FieldDefinitionNode> Fields,
    bool IsInterface) : TypeDefinitionNode
{
    public override NameNode Name => TypeName;

    public override StringValueNode? Description => Desc;

    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;
}

internal sealed record FieldDefinitionNode(
    StringValueNode? Description,
    NameNode Name,
    IReadOnlyList<InputValueDefinitionNode> Arguments,
    TypeNode Type,
    IReadOnlyList<DirectiveNode> Directives) : SyntaxNode;

internal sealed record InputValueDefinitionNode(
    StringValueNode? Description,
    NameNode Name,
    TypeNode Type,
    ValueNode? DefaultValue,
    IReadOnlyList<DirectiveNode> Directives) : SyntaxNode;

internal sealed record UnionTypeDefinitionNode(
    StringValueNode? Desc,
    NameNode TypeName,
    IReadOnlyList<DirectiveNode> DirectiveList,
    IReadOnlyList<NamedTypeNode> Types) : TypeDefinitionNode
{
    public override NameNode Name => TypeName;

    public override StringValueNode? Description => Desc;

    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;
}

internal sealed record EnumTypeDefinitionNode(
    StringValueNode? Desc,
    NameNode TypeName,
    IReadOnlyList<DirectiveNode> DirectiveList,
    IReadOnlyList<EnumValueDefinitionNode> Values) : TypeDefinitionNode
{
    public override NameNode Name => TypeName;

    public override StringValueNode? Description => Desc;

    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;
}

internal sealed record EnumValueDefinitionNode(StringValueNode? Description, NameNode Name, IReadOnlyList<DirectiveNode> Directives)
    : SyntaxNode;

internal sealed record InputObjectTypeDefinitionNode(
    StringValueNode? Desc,
    NameNode TypeName,
    IReadOnlyList<DirectiveNode> DirectiveList,
    IReadOnlyList<InputValueDefinitionNode> Fields) : TypeDefinitionNode
{
    public override NameNode Name => TypeName;

    public override StringValueNode? Description => Desc;

    public override IReadOnlyList<DirectiveNode> Directives => DirectiveList;
}

internal sealed record DirectiveDefinitionNode(
    StringValueNode? Description,
    NameNode Name,
    IReadOnlyList<InputValueDefinitionNode> Arguments,
    bool Repeatable,
    IReadOnlyList<NameNode> Locations) : TypeSystemDefinitionNode;
