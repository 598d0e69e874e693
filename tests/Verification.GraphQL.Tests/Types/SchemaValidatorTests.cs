using Verification.GraphQL.Types;

namespace Verification.GraphQL.Tests.Types;

public sealed class SchemaValidatorTests
{
    private static GraphQLSchemaException BuildFails(Func<SchemaBuilder, SchemaBuilder> configure)
    {
        return Assert.Throws<GraphQLSchemaException>(() => configure(new SchemaBuilder()).Build());
    }

    private static ObjectType Query()
    {
        var query = new ObjectType("Query");
        query.Field("ok", ScalarType.Int);
        return query;
    }

    [Fact]
    public void Build_MissingQuery_Fails()
    {
        Assert.Equal(["Query root type must be provided."], BuildFails(b => b).Errors);
    }

    [Fact]
    public void Build_ObjectWithoutFields_Fails()
    {
        var empty = new ObjectType("Empty");
        var query = Query();
        query.Field("e", empty);
        Assert.Equal(["Type Empty must define one or more fields."], BuildFails(b => b.Query(query)).Errors);
    }

    [Fact]
    public void Build_ReservedAndInvalidNames_Fail()
    {
        var query = Query();
        query.Field("__bad", ScalarType.Int);
        query.Field("bad-name", ScalarType.Int);
        Assert.Equal(
            [
                "Name \"__bad\" must not begin with \"__\", which is reserved by GraphQL introspection.",
                "Names must only contain [_a-zA-Z0-9] but \"bad-name\" (Query.bad-name) does not.",
            ],
            BuildFails(b => b.Query(query)).Errors);
    }

    [Fact]
    public void Build_InterfaceFieldMissingOrWrongType_Fails()
    {
        var iface = new InterfaceType("Shape");
        iface.Field("area", ScalarType.Float.NonNull());
        iface.Field("name", ScalarType.String).Argument("lang", ScalarType.String);
        var square = new ObjectType("Square").Implements(iface);
        square.Field("area", ScalarType.Float);
        square.Field("other", ScalarType.Int).Argument("req", ScalarType.Int.NonNull());
        var query = Query();
        query.Field("shape", iface);
        var errors = BuildFails(b => b.Query(query).AddType(square)).Errors;
        Assert.Equal(
            [
                "Interface field Shape.area expects type Float! but Square.area is type Float.",
                "Interface field Shape.name expected but Square does not provide it.",
            ],
            errors);
    }

    [Fact]
    public void Build_InterfaceArgumentRules_Fail()
    {
        var iface = new InterfaceType("I");
        iface.Field("f", ScalarType.Int).Argument("a", ScalarType.Int);
        var impl = new ObjectType("T").Implements(iface);
        impl.Field("f", ScalarType.Int).Argument("a", ScalarType.String).Argument("b", ScalarType.Int.NonNull());
        var query = Query();
        query.Field("i", iface);
        Assert.Equal(
            [
                "Interface field argument I.f(a:) expects type Int but T.f(a:) is type String.",
                "Object field T.f includes required argument b that is missing from the Interface field I.f.",
            ],
            BuildFails(b => b.Query(query).AddType(impl)).Errors);
    }

    [Fact]
    public void Build_TransitiveInterfaceNotDeclared_Fails()
    {
        var node = new InterfaceType("Node");
        node.Field("id", ScalarType.ID);
        var named = new InterfaceType("Named").Implements(node);
        named.Field("id", ScalarType.ID);
        var thing = new ObjectType("Thing").Implements(named);
        thing.Field("id", ScalarType.ID);
        var query = Query();
        query.Field("n", named);
        Assert.Equal(
            ["Type Thing must implement Node because it is implemented by Named."],
            BuildFails(b => b.Query(query).AddType(thing)).Errors);
    }

    [Fact]
    public void Build_CovariantFieldType_Accepted()
    {
        var node = new InterfaceType("Node");
        node.Field("self", node);
        node.Field("list", node.List());
        var thing = new ObjectType("Thing").Implements(node);
        thing.Field("self", thing.NonNull());
        thing.Field("list", thing.NonNull().List().NonNull());
        var query = Query();
        query.Field("node", node);
        var sut = new SchemaBuilder().Query(query).AddType(thing).Build();
        Assert.Same(thing, sut.GetType("Thing"));
    }

    [Fact]
    public void Build_InputNonNullCycle_Fails()
    {
        var a = new InputObjectType("A");
        var b = new InputObjectType("B");
        a.Field("b", b.NonNull());
        b.Field("a", a.NonNull());
        b.Field("self", b.List().NonNull());
        var query = Query();
        query.Field("x", ScalarType.Int).Argument("a", a);
        Assert.Equal(
            ["Cannot reference Input Object \"A\" within itself through a series of non-null fields: \"b.a\"."],
            BuildFails(q => q.Query(query)).Errors);
    }

    [Fact]
    public void Build_DuplicateTypeNames_Fail()
    {
        var query = Query();
        query.Field("a", new EnumType("E").Value("X"));
        query.Field("b", new EnumType("E").Value("Y"));
        Assert.Equal(
            ["Schema must contain uniquely named types but contains multiple types named \"E\"."],
            BuildFails(q => q.Query(query)).Errors);
    }

    [Fact]
    public void Build_EmptyUnionEnumAndDeprecatedRequiredArgument_Fail()
    {
        var query = Query();
        query.Field("u", new UnionType("U", []));
        query.Field("e", new EnumType("E"));
        query.Field("d", ScalarType.Int).DeprecatedArgument("req", ScalarType.Int.NonNull(), "gone");
        Assert.Equal(
            [
                "Required argument Query.d(req:) cannot be deprecated.",
                "Union type U must define one or more member types.",
                "Enum type E must define one or more values.",
            ],
            BuildFails(q => q.Query(query)).Errors);
    }

    [Fact]
    public void Field_AfterBuild_Throws()
    {
        var query = Query();
        new SchemaBuilder().Query(query).Build();
        Assert.Throws<InvalidOperationException>(() => query.Field("late", ScalarType.Int));
    }
}
