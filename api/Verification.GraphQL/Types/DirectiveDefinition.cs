namespace Verification.GraphQL.Types;

/// <summary>Where a directive may appear (spec §3.13 DirectiveLocation).</summary>
public enum DirectiveLocation
{
    /// <summary>QUERY.</summary>
    Query,

    /// <summary>MUTATION.</summary>
    Mutation,

    /// <summary>SUBSCRIPTION.</summary>
    Subscription,

    /// <summary>FIELD.</summary>
    Field,

    /// <summary>FRAGMENT_DEFINITION.</summary>
    FragmentDefinition,

    /// <summary>FRAGMENT_SPREAD.</summary>
    FragmentSpread,

    /// <summary>INLINE_FRAGMENT.</summary>
    InlineFragment,

    /// <summary>VARIABLE_DEFINITION.</summary>
    VariableDefinition,

    /// <summary>SCHEMA.</summary>
    Schema,

    /// <summary>SCALAR.</summary>
    Scalar,

    /// <summary>OBJECT.</summary>
    Object,

    /// <summary>FIELD_DEFINITION.</summary>
    FieldDefinition,

    /// <summary>ARGUMENT_DEFINITION.</summary>
    ArgumentDefinition,

    /// <summary>INTERFACE.</summary>
    Interface,

    /// <summary>UNION.</summary>
    Union,

    /// <summary>ENUM.</summary>
    Enum,

    /// <summary>ENUM_VALUE.</summary>
    EnumValue,

    /// <summary>INPUT_OBJECT.</summary>
    InputObject,

    /// <summary>INPUT_FIELD_DEFINITION.</summary>
    InputFieldDefinition,
}

/// <summary>A directive definition (spec §3.13). Custom directives are validated and introspected; executable
/// directives other than @skip/@include have no execution behaviour of their own.</summary>
public sealed class DirectiveDefinition
{
    /// <summary>The default reason of <c>@deprecated</c>.</summary>
    public const string DefaultDeprecationReason = "No longer supported";

    private readonly List<InputValueDefinition> _arguments = [];

    /// <summary>Defines a directive.</summary>
    public DirectiveDefinition(string name, IEnumerable<DirectiveLocation> locations, string? description = null, bool isRepeatable = false)
    {
        Name = name;
        Locations = [.. locations];
        Description = description;
        IsRepeatable = isRepeatable;
    }

    /// <summary>Name without '@'.</summary>
    public string Name { get; }

    /// <summary>Description.</summary>
    public string? Description { get; }

    /// <summary>Allowed locations.</summary>
    public IReadOnlyList<DirectiveLocation> Locations { get; }

    /// <summary>Whether it may appear more than once at one location.</summary>
    public bool IsRepeatable { get; }

    /// <summary>Arguments.</summary>
    public IReadOnlyList<InputValueDefinition> Arguments => _arguments;

    internal InputValueDefinition? FindArgument(string name) => _arguments.FirstOrDefault(a => a.Name == name);

    /// <summary>Adds an argument.</summary>
    public DirectiveDefinition Argument(string name, IGraphType type, string? description = null)
    {
        _arguments.Add(new InputValueDefinition(name, type, description));
        return this;
    }

    /// <summary>Adds an argument with a default.</summary>
    public DirectiveDefinition Argument(string name, IGraphType type, object? defaultValue, string? description)
    {
        _arguments.Add(new InputValueDefinition(name, type, description) { DefaultValue = defaultValue });
        return this;
    }

    /// <summary><c>@include(if: Boolean!)</c> (spec §3.13.2).</summary>
    public static DirectiveDefinition Include { get; } = new DirectiveDefinition(
            "include",
            [DirectiveLocation.Field, DirectiveLocation.FragmentSpread, DirectiveLocation.InlineFragment],
            "Directs the executor to include this field or fragment only when the `if` argument is true.")
        .Argument("if", ScalarType.Boolean.NonNull(), "Included when true.");

    /// <summary><c>@skip(if: Boolean!)</c> (spec §3.13.1).</summary>
    public static DirectiveDefinition Skip { get; } = new DirectiveDefinition(
            "skip",
            [DirectiveLocation.Field, DirectiveLocation.FragmentSpread, DirectiveLocation.InlineFragment],
            "Directs the executor to skip this field or fragment when the `if` argument is true.")
        .Argument("if", ScalarType.Boolean.NonNull(), "Skipped when true.");

    /// <summary><c>@deprecated(reason: String = "No longer supported")</c> (spec §3.13.3).</summary>
    public static DirectiveDefinition Deprecated { get; } = new DirectiveDefinition(
            "deprecated",
            [DirectiveLocation.FieldDefinition, DirectiveLocation.ArgumentDefinition, DirectiveLocation.InputFieldDefinition, DirectiveLocation.EnumValue],
            "Marks an element of a GraphQL schema as no longer supported.")
        .Argument(
            "reason",
            ScalarType.String,
            DefaultDeprecationReason,
            "Explains why this element was deprecated, usually also including a suggestion for how to access supported similar data. "
            + "Formatted using the Markdown syntax, as specified by [CommonMark](https://commonmark.org/).");

    /// <summary><c>@specifiedBy(url: String!)</c> (spec §3.13.4).</summary>
    public static DirectiveDefinition SpecifiedBy { get; } = new DirectiveDefinition(
            "specifiedBy",
            [DirectiveLocation.Scalar],
            "Exposes a URL that specifies the behavior of this scalar.")
        .Argument("url", ScalarType.String.NonNull(), "The URL that specifies the behavior of this scalar.");

    internal static IReadOnlyList<DirectiveDefinition> Specified { get; } = [Include, Skip, Deprecated, SpecifiedBy];

    internal static string LocationName(DirectiveLocation location) => EnumType.ToConstantCase(location.ToString());
}
