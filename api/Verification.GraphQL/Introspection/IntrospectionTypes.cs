using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Introspection;

/// <summary>
/// The introspection types of spec §4.2 (__Schema, __Type, __Field, __InputValue, __EnumValue, __Directive,
/// __TypeKind, __DirectiveLocation), built with the public type-system API and shared by every schema.
/// Their resolvers read the schema of the executing request.
/// </summary>
internal static class IntrospectionTypes
{
    static IntrospectionTypes()
    {
        TypeKind = new EnumType("__TypeKind", "An enum describing what kind of type a given `__Type` is.")
            .Value("SCALAR", description: "Indicates this type is a scalar.")
            .Value("OBJECT", description: "Indicates this type is an object. `fields` and `interfaces` are valid fields.")
            .Value("INTERFACE", description: "Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are valid fields.")
            .Value("UNION", description: "Indicates this type is a union. `possibleTypes` is a valid field.")
            .Value("ENUM", description: "Indicates this type is an enum. `enumValues` is a valid field.")
            .Value("INPUT_OBJECT", description: "Indicates this type is an input object. `inputFields` is a valid field.")
            .Value("LIST", description: "Indicates this type is a list. `ofType` is a valid field.")
            .Value("NON_NULL", description: "Indicates this type is a non-null. `ofType` is a valid field.");

        DirectiveLocationType = new EnumType(
            "__DirectiveLocation",
            "A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation describes one such possible adjacencies.");
        foreach (var location in Enum.GetValues<DirectiveLocation>())
        {
            DirectiveLocationType.Value(DirectiveDefinition.LocationName(location), location, $"Location adjacent to a {location} element.");
        }

        Schema = new ObjectType(
            "__Schema",
            "A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available types and directives on the server, "
            + "as well as the entry points for query, mutation, and subscription operations.");
        Type = new ObjectType(
            "__Type",
            "The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in GraphQL as represented by the `__TypeKind` enum.");
        Field = new ObjectType(
            "__Field",
            "Object and Interface types are described by a list of Fields, each of which has a name, potentially a list of arguments, and a return type.");
        InputValue = new ObjectType(
            "__InputValue",
            "Arguments provided to Fields or Directives and the input fields of an InputObject are represented as Input Values "
            + "which describe their type and optionally a default value.");
        EnumValue = new ObjectType(
            "__EnumValue",
            "One possible value for a given Enum. Enum values are unique values, not a placeholder for a string or numeric value.");
        Directive = new ObjectType(
            "__Directive",
            "A Directive provides a way to describe alternate runtime execution and type validation behavior in a GraphQL document.");

        DefineSchema();
        DefineType();
        DefineField();
        DefineInputValue();
        DefineEnumValue();
        DefineDirective();
        All = [Schema, Type, TypeKind, Field, InputValue, EnumValue, Directive, DirectiveLocationType];

        // Meta fields (spec §4.1, §4.2) are built last: their types must exist first.
        SchemaMetaField = CreateMetaField("__schema", Schema.NonNull(), ctx => ctx.Execution.Schema)
            .Describe("Access the current type schema of this server.");
        TypeMetaField = CreateMetaField("__type", Type, ctx => ctx.Execution.Schema.GetType(ctx.GetArgument<string>("name")))
            .Argument("name", ScalarType.String.NonNull())
            .Describe("Request the type information of a single type.");
        TypeNameMetaField = CreateMetaField("__typename", ScalarType.String.NonNull(), ctx => ctx.ParentType.Name)
            .Describe("The name of the current Object type at runtime.");
    }

    public static ObjectType Schema { get; }

    public static ObjectType Type { get; }

    public static EnumType TypeKind { get; }

    public static ObjectType Field { get; }

    public static ObjectType InputValue { get; }

    public static ObjectType EnumValue { get; }

    public static ObjectType Directive { get; }

    public static EnumType DirectiveLocationType { get; }

    public static HashSet<NamedType> All { get; }

    /// <summary><c>__schema: __Schema!</c>, available on the query root (spec §4.2).</summary>
    public static FieldDefinition SchemaMetaField { get; }

    /// <summary><c>__type(name: String!): __Type</c>.</summary>
    public static FieldDefinition TypeMetaField { get; }

    /// <summary><c>__typename: String!</c>, available on every object, interface and union (spec §4.1).</summary>
    public static FieldDefinition TypeNameMetaField { get; }

    private static FieldDefinition CreateMetaField(string name, IGraphType type, Func<ResolveFieldContext, object?> resolve)
    {
        // Meta fields live on no type; a throwaway holder gives them the same definition shape as ordinary fields.
        var holder = new ObjectType("__Meta");
        return holder.Field(name, type, resolve);
    }

    private static Schema SchemaOf(ResolveFieldContext ctx) => ctx.Execution.Schema;

    private static void DefineSchema()
    {
        Schema.Field("description", ScalarType.String, ctx => ((Schema)ctx.Source!).Description);
        Schema.Field("types", Type.NonNull().List().NonNull(), ctx => ((Schema)ctx.Source!).Types.Values.ToList())
            .Describe("A list of all types supported by this server.");
        Schema.Field("queryType", Type.NonNull(), ctx => ((Schema)ctx.Source!).QueryType)
            .Describe("The type that query operations will be rooted at.");
        Schema.Field("mutationType", Type, ctx => ((Schema)ctx.Source!).MutationType)
            .Describe("If this server supports mutation, the type that mutation operations will be rooted at.");
        Schema.Field("subscriptionType", Type, ctx => ((Schema)ctx.Source!).SubscriptionType)
            .Describe("If this server support subscription, the type that subscription operations will be rooted at.");
        Schema.Field("directives", Directive.NonNull().List().NonNull(), ctx => ((Schema)ctx.Source!).Directives)
            .Describe("A list of all directives supported by this server.");
    }

    private static void DefineType()
    {
        Type.Field("kind", TypeKind.NonNull(), ctx => ctx.Source switch
        {
            ScalarType => "SCALAR",
            ObjectType => "OBJECT",
            InterfaceType => "INTERFACE",
            UnionType => "UNION",
            EnumType => "ENUM",
            InputObjectType => "INPUT_OBJECT",
            ListType => "LIST",
            _ => "NON_NULL",
        });
        Type.Field("name", ScalarType.String, ctx => (ctx.Source as NamedType)?.Name);
        Type.Field("description", ScalarType.String, ctx => (ctx.Source as NamedType)?.Description);
        Type.Field("specifiedByURL", ScalarType.String, ctx => (ctx.Source as ScalarType)?.SpecifiedByUrl);
        Type.Field("fields", Field.NonNull().List(), ctx => ctx.Source is FieldsType f
                ? f.Fields.Where(x => IncludeDeprecated(ctx) || x.DeprecationReason is null).ToList()
                : null)
            .Argument("includeDeprecated", ScalarType.Boolean, false);
        Type.Field("interfaces", Type.NonNull().List(), ctx => (ctx.Source as FieldsType)?.Interfaces);
        Type.Field("possibleTypes", Type.NonNull().List(), ctx => ctx.Source switch
        {
            UnionType u => u.Types,
            InterfaceType i => SchemaOf(ctx).GetImplementations(i).OfType<ObjectType>().ToList(),
            _ => null,
        });
        Type.Field("enumValues", EnumValue.NonNull().List(), ctx => ctx.Source is EnumType e
                ? e.Values.Where(x => IncludeDeprecated(ctx) || x.DeprecationReason is null).ToList()
                : null)
            .Argument("includeDeprecated", ScalarType.Boolean, false);
        Type.Field("inputFields", InputValue.NonNull().List(), ctx => ctx.Source is InputObjectType io
                ? io.Fields.Where(x => IncludeDeprecated(ctx) || x.DeprecationReason is null).ToList()
                : null)
            .Argument("includeDeprecated", ScalarType.Boolean, false);
        Type.Field("ofType", Type, ctx => ctx.Source switch
        {
            ListType l => l.OfType,
            NonNullType n => n.OfType,
            _ => null,
        });
    }

    private static bool IncludeDeprecated(ResolveFieldContext ctx) => ctx.GetArgument("includeDeprecated", false);

    private static void DefineField()
    {
        Field.Field("name", ScalarType.String.NonNull(), ctx => ((FieldDefinition)ctx.Source!).Name);
        Field.Field("description", ScalarType.String, ctx => ((FieldDefinition)ctx.Source!).Description);
        Field.Field("args", InputValue.NonNull().List().NonNull(), ctx => ((FieldDefinition)ctx.Source!).Arguments
                .Where(x => IncludeDeprecated(ctx) || x.DeprecationReason is null).ToList())
            .Argument("includeDeprecated", ScalarType.Boolean, false);
        Field.Field("type", Type.NonNull(), ctx => ((FieldDefinition)ctx.Source!).Type);
        Field.Field("isDeprecated", ScalarType.Boolean.NonNull(), ctx => ((FieldDefinition)ctx.Source!).DeprecationReason is not null);
        Field.Field("deprecationReason", ScalarType.String, ctx => ((FieldDefinition)ctx.Source!).DeprecationReason);
    }

    private static void DefineInputValue()
    {
        InputValue.Field("name", ScalarType.String.NonNull(), ctx => ((InputValueDefinition)ctx.Source!).Name);
        InputValue.Field("description", ScalarType.String, ctx => ((InputValueDefinition)ctx.Source!).Description);
        InputValue.Field("type", Type.NonNull(), ctx => ((InputValueDefinition)ctx.Source!).Type);
        InputValue.Field("defaultValue", ScalarType.String, ctx =>
            {
                var value = (InputValueDefinition)ctx.Source!;
                var literal = value.HasDefaultValue ? value.DefaultLiteral ?? ValueConversion.AstFromValue(value.DefaultValue, value.Type) : null;
                return literal is null ? null : Printer.Print(literal);
            })
            .Describe("A GraphQL-formatted string representing the default value for this input value.");
        InputValue.Field("isDeprecated", ScalarType.Boolean.NonNull(), ctx => ((InputValueDefinition)ctx.Source!).DeprecationReason is not null);
        InputValue.Field("deprecationReason", ScalarType.String, ctx => ((InputValueDefinition)ctx.Source!).DeprecationReason);
    }

    private static void DefineEnumValue()
    {
        EnumValue.Field("name", ScalarType.String.NonNull(), ctx => ((EnumValueDefinition)ctx.Source!).Name);
        EnumValue.Field("description", ScalarType.String, ctx => ((EnumValueDefinition)ctx.Source!).Description);
        EnumValue.Field("isDeprecated", ScalarType.Boolean.NonNull(), ctx => ((EnumValueDefinition)ctx.Source!).DeprecationReason is not null);
        EnumValue.Field("deprecationReason", ScalarType.String, ctx => ((EnumValueDefinition)ctx.Source!).DeprecationReason);
    }

    private static void DefineDirective()
    {
        Directive.Field("name", ScalarType.String.NonNull(), ctx => ((DirectiveDefinition)ctx.Source!).Name);
        Directive.Field("description", ScalarType.String, ctx => ((DirectiveDefinition)ctx.Source!).Description);
        Directive.Field("isRepeatable", ScalarType.Boolean.NonNull(), ctx => ((DirectiveDefinition)ctx.Source!).IsRepeatable);
        Directive.Field("locations", DirectiveLocationType.NonNull().List().NonNull(), ctx => ((DirectiveDefinition)ctx.Source!).Locations);
        Directive.Field("args", InputValue.NonNull().List().NonNull(), ctx => ((DirectiveDefinition)ctx.Source!).Arguments
                .Where(x => IncludeDeprecated(ctx) || x.DeprecationReason is null).ToList())
            .Argument("includeDeprecated", ScalarType.Boolean, false);
    }
}
