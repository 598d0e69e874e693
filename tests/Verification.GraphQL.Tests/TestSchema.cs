using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Tests;

/// <summary>
/// The C# side of the conformance schema: every kind of type, deprecations, defaults, a custom scalar,
/// interfaces implementing interfaces, a union, resolvers that throw, return nulls in lists and violate non-null.
/// tests/conformance/schema.js implements the same schema with graphql-js over the same data.json.
/// </summary>
internal static class TestSchema
{
    private static readonly Lazy<Schema> Instance = new(Create);

    public static Schema Schema => Instance.Value;

    public static string DataPath => Path.Combine(RepoPaths.Conformance, "data.json");

    public static Dictionary<string, object?> LoadData()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(DataPath));
        return (Dictionary<string, object?>)ValueConversionAccess.FromJson(document.RootElement)!;
    }

    public static Schema Create()
    {
        var data = LoadData();
        var people = ((List<object?>)data["people"]!).Cast<Dictionary<string, object?>>().ToList();
        var pets = ((List<object?>)data["pets"]!).Cast<Dictionary<string, object?>>().ToList();
        var all = people.Concat(pets).ToList();

        var dateTime = new ScalarType(
            "DateTime",
            value => value is DateTimeOffset d ? d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : value as string
                ?? throw new GraphQLException("DateTime cannot represent a non-date value.", "INVALID_RESULT"),
            value => value is string s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
                ? d : throw new GraphQLException($"DateTime cannot represent value: {JsonSerializer.Serialize(value)}", "BAD_USER_INPUT"),
            "An ISO-8601 instant in UTC.",
            "https://scalars.graphql.org/andimarek/date-time");

        var color = new EnumType("Color", "A colour.")
            .Value("RED")
            .Value("GREEN", description: "Like grass.")
            .Value("BLUE", deprecationReason: "Use RED")
            .Value("OLD", deprecationReason: DirectiveDefinition.DefaultDeprecationReason);

        var node = new InterfaceType("Node", "Something with an ID.");
        node.Field("id", ScalarType.ID.NonNull());
        var named = new InterfaceType("Named").Implements(node);
        named.Field("id", ScalarType.ID.NonNull());
        named.Field("name", ScalarType.String);

        var person = new ObjectType("Person", "A human being.").Implements(named, node);
        var dog = new ObjectType("Dog").Implements(named, node);
        var cat = new ObjectType("Cat").Implements(named, node);
        var pet = new UnionType("Pet", [dog, cat], "Dogs or cats.");

        person.Field("id", ScalarType.ID.NonNull());
        person.Field("name", ScalarType.String);
        person.Field("age", ScalarType.Int);
        person.Field("favoriteColor", color);
        person.Field("pets", pet.NonNull().List().NonNull(), ctx => Lookup(all, ctx.Source, "petIds"));
        person.Field("friends", person.List(), ctx => Lookup(all, ctx.Source, "friendIds"));
        person.Field("nickname", ScalarType.String).Deprecate("Use name");
        person.Field("secret", ScalarType.String, _ => throw new GraphQLException("Access denied", "FORBIDDEN"));
        person.Field("born", dateTime);

        dog.Field("id", ScalarType.ID.NonNull());
        dog.Field("name", ScalarType.String);
        dog.Field("barkVolume", ScalarType.Int);
        dog.Field("owner", person, ctx => all.FirstOrDefault(p => Equals(p["id"], ((Dictionary<string, object?>)ctx.Source!)["ownerId"])));
        dog.Field("doesKnowCommand", ScalarType.Boolean.NonNull(), ctx => ctx.GetArgument<string>("command") == "SIT")
            .Argument("command", ScalarType.String.NonNull());

        cat.Field("id", ScalarType.ID.NonNull());
        cat.Field("name", ScalarType.String);
        cat.Field("lives", ScalarType.Int.NonNull());
        cat.Field("meowVolume", ScalarType.Int);

        var filter = new InputObjectType("PersonFilter", "Which people to return.")
            .Field("nameStartsWith", ScalarType.String)
            .Field("minAge", ScalarType.Int, 0)
            .Field("colors", color.NonNull().List())
            .DeprecatedField("legacy", ScalarType.Boolean, "Ignored");
        var range = new InputObjectType("Range")
            .Field("from", ScalarType.Int.NonNull())
            .Field("to", ScalarType.Int.NonNull(), "Inclusive upper bound.");

        var nested = new ObjectType("Nested");
        nested.Field("value", ScalarType.Int, ctx => ((int)ctx.Source!) + 0);
        nested.Field("child", nested, ctx => (int)ctx.Source! + 1);
        nested.Field("nonNullError", ScalarType.String.NonNull(), _ => throw new GraphQLException("nested failure", "NESTED"));
        nested.Field("nonNullChild", nested.NonNull(), _ => null);
        nested.Field("items", nested.NonNull().List(), ctx => new List<object?> { 1, 2 });

        var query = new ObjectType("Query", "The root of all reads.");
        query.Field("hello", ScalarType.String.NonNull(), ctx => $"Hello, {ctx.Arguments["name"] ?? "null"}!")
            .Argument("name", ScalarType.String, "world", "Who to greet.");
        query.Field("people", person.NonNull().List().NonNull(), ctx =>
            {
                var f = ctx.GetArgument<Dictionary<string, object?>?>("filter", null);
                IEnumerable<Dictionary<string, object?>> result = people;
                if (f is not null)
                {
                    if (f.GetValueOrDefault("nameStartsWith") is string prefix)
                    {
                        result = result.Where(p => ((string)p["name"]!).StartsWith(prefix, StringComparison.Ordinal));
                    }

                    var minAge = Convert.ToInt64(f.GetValueOrDefault("minAge") ?? 0, CultureInfo.InvariantCulture);
                    result = result.Where(p => Convert.ToInt64(p["age"] ?? 0L, CultureInfo.InvariantCulture) >= minAge);
                }

                return result.ToList();
            })
            .Argument("filter", filter);
        query.Field("node", node, ctx => all.FirstOrDefault(p => Equals(p["id"], ctx.GetArgument<string>("id"))))
            .Argument("id", ScalarType.ID.NonNull());
        query.Field("named", named.List(), _ => all);
        query.Field("pets", pet.List(), _ => pets);
        query.Field("error", ScalarType.String, _ => throw new GraphQLException("Boom", "BOOM"));
        query.Field("errorNonNull", ScalarType.String.NonNull(), _ => throw new GraphQLException("Non-null boom", "BOOM"));
        query.Field("nullNonNull", ScalarType.String.NonNull(), _ => null);
        query.Field("listWithNulls", ScalarType.Int.List(), _ => new List<object?> { 1, null, 3 });
        query.Field("listOfNonNullWithNull", ScalarType.Int.NonNull().List(), _ => new List<object?> { 1, null, 3 });
        query.Field("nonNullListOfNonNullWithNull", ScalarType.Int.NonNull().List().NonNull(), _ => new List<object?> { 1, null, 3 });
        query.Field("listWithErrors", ScalarType.String.List(), _ => new List<object?> { "a", new BadValue(), "c" });
        query.Field("nested", nested, _ => 1);
        query.Field("color", color, ctx => ctx.Arguments.GetValueOrDefault("c"))
            .Argument("c", color);
        query.Field("badEnum", color, _ => 99);
        query.Field("add", ScalarType.Int.NonNull(), ctx => ctx.GetArgument<int>("a") + ctx.GetArgument<int>("b"))
            .Argument("a", ScalarType.Int.NonNull())
            .Argument("b", ScalarType.Int.NonNull(), 1);
        query.Field("sum", ScalarType.Int, ctx => ctx.GetArgument<List<int>>("values")?.Sum())
            .Argument("values", ScalarType.Int.NonNull().List());
        query.Field("echoFloat", ScalarType.Float, ctx => ctx.Arguments.GetValueOrDefault("value"))
            .Argument("value", ScalarType.Float);
        query.Field("echoId", ScalarType.ID, ctx => ctx.Arguments.GetValueOrDefault("value"))
            .Argument("value", ScalarType.ID);
        query.Field("echoRange", ScalarType.String, ctx => ctx.Arguments.GetValueOrDefault("range") is Dictionary<string, object?> r
                ? $"{r["from"]}..{r["to"]}" : null)
            .Argument("range", range, new Dictionary<string, object?> { ["from"] = 1, ["to"] = 2 });
        query.Field("tooBigInt", ScalarType.Int, _ => 3_000_000_000L);
        query.Field("stringFromNumber", ScalarType.String, _ => 42);
        query.Field("floatFromInt", ScalarType.Float, _ => 7);
        query.Field("since", dateTime, _ => "2024-01-02T03:04:05Z");
        query.Field("oldField", ScalarType.String, _ => "old").Deprecate();
        query.Field("withDeprecatedArg", ScalarType.String, ctx => ctx.GetArgument<string?>("old", null) ?? "none")
            .DeprecatedArgument("old", ScalarType.String, "Use new")
            .Argument("new", ScalarType.String);
        query.Field("describedArgs", ScalarType.String, _ => "ok")
            .Argument("first", ScalarType.Int, "The first one.")
            .Argument("second", ScalarType.String.NonNull().List(), new List<object?> { "a", "b" }, "The second one.");

        var mutation = new ObjectType("Mutation");
        var counter = 0;
        mutation.Field("increment", ScalarType.Int.NonNull(), ctx => Interlocked.Add(ref counter, ctx.GetArgument("by", 1)))
            .Argument("by", ScalarType.Int, 1);
        mutation.Field("createPerson", person, ctx =>
            {
                var input = ctx.GetArgument<Dictionary<string, object?>>("input");
                return new Dictionary<string, object?> { ["id"] = "new", ["name"] = input["name"], ["age"] = input.GetValueOrDefault("age") };
            })
            .Argument("input", new InputObjectType("CreatePersonInput").Field("name", ScalarType.String.NonNull()).Field("age", ScalarType.Int).NonNull());

        var subscription = new ObjectType("Subscription");
        subscription.Field("count", ScalarType.Int.NonNull())
            .Argument("to", ScalarType.Int.NonNull())
            .Subscribe(ctx => ValueTask.FromResult(Count(ctx.GetArgument<int>("to"), ctx.CancellationToken)));

        var custom = new DirectiveDefinition(
                "tag",
                [DirectiveLocation.Field, DirectiveLocation.Query, DirectiveLocation.FragmentSpread],
                "Tags a selection.",
                isRepeatable: true)
            .Argument("name", ScalarType.String.NonNull());
        custom.Argument("legacy", ScalarType.String);
        custom.Arguments[^1].Deprecate("old");
        var once = new DirectiveDefinition("once", [DirectiveLocation.Field, DirectiveLocation.InlineFragment]);

        return new SchemaBuilder()
            .Query(query)
            .Mutation(mutation)
            .Subscription(subscription)
            .AddType(cat)
            .AddDirective(custom)
            .AddDirective(once)
            .Build();
    }

    private static async IAsyncEnumerable<object?> Count(int to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 1; i <= to; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return i;
        }
    }

    private static List<Dictionary<string, object?>> Lookup(List<Dictionary<string, object?>> all, object? source, string key)
    {
        var ids = (List<object?>?)((Dictionary<string, object?>)source!).GetValueOrDefault(key) ?? [];
        return ids.Select(id => all.First(p => Equals(p["id"], id))).ToList();
    }

    private sealed class BadValue
    {
        public override string ToString() => "{}";
    }
}

/// <summary>Paths inside the repository, found by walking up from the test binaries.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Conformance => Path.Combine(Root, "tests", "conformance");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Verification.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}

/// <summary>Access to the engine's JSON conversion for fixtures.</summary>
internal static class ValueConversionAccess
{
    public static object? FromJson(JsonElement element) => ValueConversion.FromJson(element);
}
