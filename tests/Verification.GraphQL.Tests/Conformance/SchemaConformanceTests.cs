using System.Text.Json.Nodes;

namespace Verification.GraphQL.Tests.Conformance;

[Collection(ConformanceCollection.Name)]
public sealed class SchemaConformanceTests(ConformanceFixture fixture)
{
    [Fact]
    public void BuildClientSchema_OurIntrospection_ValidatesWithoutErrors()
    {
        var schema = fixture.Answer["schema"]!.AsObject();
        Assert.Empty(schema["errors"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    [Fact]
    public void PrintSchema_OfOurIntrospection_EqualsOurSdlPrinter()
    {
        var printed = fixture.Answer["schema"]!["printed"]!.GetValue<string>();
        var sut = TestSchema.Schema;
        Assert.Equal(printed, sut.PrintSdl());
    }

    [Fact]
    public void PrintSchema_SortedOurIntrospection_EqualsHandWrittenJsSchema()
    {
        // schema.js's SDL (written independently) must be the same schema as ours, up to definition order,
        // so that the execution comparison compares like with like.
        var ours = fixture.Answer["schema"]!["sorted"]!.GetValue<string>();
        Assert.Equal(fixture.Answer["jsSchemaSorted"]!.GetValue<string>(), ours);
        Assert.NotNull(JsonNode.Parse(fixture.IntrospectionJson)!["__schema"]);
    }
}
