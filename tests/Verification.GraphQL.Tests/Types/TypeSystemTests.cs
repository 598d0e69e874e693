using Verification.GraphQL.Execution;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Tests.Types;

public sealed class TypeSystemTests
{
    private enum Mode
    {
        Sequential,
        MannWhitney,
    }

    private sealed record Filter(string Name, Mode Mode, List<int> Values);

    private sealed record Circle(double Radius);

    private sealed record Square(double Side);

    [Fact]
    public void FromEnum_ClrEnum_UsesConstantCaseNamesAndClrValues()
    {
        var sut = EnumType.FromEnum<Mode>("AnalysisMode");
        Assert.Equal(["SEQUENTIAL", "MANN_WHITNEY"], sut.Values.Select(v => v.Name));
        Assert.Equal(Mode.MannWhitney, sut.Values[1].Value);
    }

    [Fact]
    public async Task GetArgument_InputObjectToRecord_Converts()
    {
        var input = new InputObjectType("FilterInput")
            .Field("name", ScalarType.String.NonNull())
            .Field("mode", EnumType.FromEnum<Mode>())
            .Field("values", ScalarType.Int.NonNull().List());
        var query = new ObjectType("Query");
        query.Field("describe", ScalarType.String, ctx =>
            {
                var filter = ctx.GetArgument<Filter>("filter");
                return $"{filter.Name}:{filter.Mode}:{string.Join("+", filter.Values)}";
            })
            .Argument("filter", input.NonNull());
        var sut = new GraphQLExecutor(new SchemaBuilder().Query(query).Build());
        var result = await sut.ExecuteAsync(new GraphQLRequest("{ describe(filter: {name: \"n\", mode: MANN_WHITNEY, values: [1, 2]}) }"));
        Assert.Equal("""{"data":{"describe":"n:MannWhitney:1+2"}}""", result.ToJson());
    }

    [Fact]
    public async Task GetArgument_Conversions_StringNumberEnumAndList()
    {
        var query = new ObjectType("Query");
        query.Field("c", ScalarType.String, ctx =>
                $"{ctx.GetArgument<string>("i")}|{ctx.GetArgument<long>("i")}|{ctx.GetArgument<double>("i")}|{ctx.GetArgument<Mode>("m")}|"
                + $"{ctx.GetArgument<int[]>("l").Sum()}|{ctx.GetArgument("missing", "fallback")}")
            .Argument("i", ScalarType.Int)
            .Argument("m", new EnumType("M").Value("MANN_WHITNEY"))
            .Argument("l", ScalarType.Int.List())
            .Argument("missing", ScalarType.String);
        var sut = new GraphQLExecutor(new SchemaBuilder().Query(query).Build());
        var result = await sut.ExecuteAsync(new GraphQLRequest("{ c(i: 7, m: MANN_WHITNEY, l: [1, 2, 3]) }"));
        Assert.Equal("""{"data":{"c":"7|7|7|MannWhitney|6|fallback"}}""", result.ToJson());
    }

    [Fact]
    public async Task Execute_UnionOfClrRecords_ResolvesByIsTypeOfAndTypeName()
    {
        var circle = new ObjectType("Circle") { IsTypeOf = value => value is Circle };
        circle.Field("radius", ScalarType.Float);
        var square = new ObjectType("Square");
        square.Field("side", ScalarType.Float);
        var shape = new UnionType("Shape", [circle, square]);
        var query = new ObjectType("Query");
        query.Field("shapes", shape.List(), _ => new object[] { new Circle(1.5), new Square(2) });
        var sut = new GraphQLExecutor(new SchemaBuilder().Query(query).Build());
        var result = await sut.ExecuteAsync(new GraphQLRequest("{ shapes { __typename ... on Circle { radius } ... on Square { side } } }"));
        Assert.Equal("""{"data":{"shapes":[{"__typename":"Circle","radius":1.5},{"__typename":"Square","side":2}]}}""", result.ToJson());
    }

    [Fact]
    public async Task Execute_ResolveTypeOutsidePossibleTypes_FieldError()
    {
        var a = new ObjectType("A");
        a.Field("x", ScalarType.Int);
        var b = new ObjectType("B");
        b.Field("x", ScalarType.Int);
        var iface = new InterfaceType("I") { ResolveType = _ => b };
        iface.Field("x", ScalarType.Int);
        a.Implements(iface);
        var query = new ObjectType("Query");
        query.Field("i", iface, _ => new Dictionary<string, object?> { ["x"] = 1 });
        query.Field("b", b);
        var sut = new GraphQLExecutor(new SchemaBuilder().Query(query).AddType(a).Build());
        var result = await sut.ExecuteAsync(new GraphQLRequest("{ i { x } }"));
        Assert.Equal("Runtime Object type \"B\" is not a possible type for \"I\".", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void PrintSdl_UnconventionalRootNames_PrintsSchemaDefinition()
    {
        var root = new ObjectType("Root");
        root.Field("x", ScalarType.Int);
        var sut = new SchemaBuilder().Query(root).Description("The schema.").Build();
        Assert.Equal(
            """"
            """The schema."""
            schema {
              query: Root
            }

            type Root {
              x: Int
            }
            """",
            sut.PrintSdl());
    }

    [Fact]
    public void PrintSdl_CustomDirectiveAndDeprecations_PrintsLikeGraphQLJs()
    {
        var query = new ObjectType("Query");
        query.Field("a", ScalarType.String).Deprecate();
        query.Field("b", ScalarType.String).Deprecate("Use \"a\"");
        var sut = new SchemaBuilder()
            .Query(query)
            .AddDirective(new DirectiveDefinition("cache", [DirectiveLocation.FieldDefinition, DirectiveLocation.Object], "Caching.", true)
                .Argument("seconds", ScalarType.Int, 60, null))
            .Build();
        Assert.Equal(
            """"
            """Caching."""
            directive @cache(seconds: Int = 60) repeatable on FIELD_DEFINITION | OBJECT

            type Query {
              a: String @deprecated
              b: String @deprecated(reason: "Use \"a\"")
            }
            """",
            sut.PrintSdl());
    }
}
