using Verification.GraphQL.Execution;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Tests.Types;

public sealed class ScalarTypeTests
{
    [Theory]
    [InlineData(5, 5)]
    [InlineData(5L, 5)]
    [InlineData(5.0, 5)]
    [InlineData(true, 1)]
    [InlineData("12", 12)]
    public void SerializeInt_Coercible_ReturnsInt(object value, int expected)
    {
        Assert.Equal(expected, ScalarType.Int.Serialize(value));
    }

    [Theory]
    [InlineData(1.5, "Int cannot represent non-integer value: 1.5")]
    [InlineData(3e9, "Int cannot represent non 32-bit signed integer value: 3000000000")]
    [InlineData("x", "Int cannot represent non-integer value: \"x\"")]
    public void SerializeInt_NotCoercible_Throws(object value, string message)
    {
        Assert.Equal(message, Assert.Throws<GraphQLException>(() => ScalarType.Int.Serialize(value)).Message);
    }

    [Fact]
    public void SerializeString_NumbersAndBooleans_FormatLikeJavaScript()
    {
        Assert.Equal(["42", "1.5", "1e+21", "1e-7", "true"], new object[] { 42, 1.5, 1e21, 1e-7, true }.Select(v => ScalarType.String.Serialize(v)));
    }

    [Fact]
    public void SerializeId_Integer_BecomesString()
    {
        Assert.Equal("7", ScalarType.ID.Serialize(7L));
    }

    [Theory]
    [InlineData("1", "Int", 1)]
    [InlineData("2147483648", "Int", null)]
    [InlineData("1.5", "Float", 1.5)]
    [InlineData("1", "Float", 1.0)]
    [InlineData("\"s\"", "String", "s")]
    [InlineData("true", "Boolean", true)]
    [InlineData("1", "Boolean", null)]
    [InlineData("7", "ID", "7")]
    [InlineData("1.5", "ID", null)]
    public void ValueFromAst_BuiltInLiterals_CoerceOrReject(string literal, string type, object? expected)
    {
        var scalar = ScalarType.Specified.Single(s => s.Name == type);
        var (ok, value) = InputCoercion.ValueFromAst(Parser.ParseValue(literal), scalar, null);
        Assert.Equal(expected is not null, ok);
        Assert.Equal(expected, value);
    }

    [Fact]
    public void CoerceInputValue_NestedErrors_ReportPaths()
    {
        var errors = new List<string>();
        var input = new InputObjectType("In").Field("n", ScalarType.Int.NonNull()).Field("l", ScalarType.Int.List());
        InputCoercion.CoerceInputValue(
            new Dictionary<string, object?> { ["l"] = new List<object?> { 1L, "x" }, ["zz"] = 1L },
            input,
            [],
            (path, _, message) => errors.Add(string.Join(".", path) + ": " + message));
        Assert.Equal(
            [
                ": Field \"n\" of required type \"Int!\" was not provided.",
                "l.1: Int cannot represent non-integer value: \"x\"",
                ": Field \"zz\" is not defined by type \"In\".",
            ],
            errors);
    }

    [Fact]
    public void CustomScalar_ParseLiteral_GoesThroughParseValue()
    {
        var sut = new ScalarType("Upper", v => v, v => ((string)v).ToUpperInvariant());
        Assert.Equal((true, (object?)"ABC"), InputCoercion.ValueFromAst(Parser.ParseValue("\"abc\""), sut, null));
    }

    [Fact]
    public void AstFromValue_InputObjectAndEnum_PrintsLiteral()
    {
        var color = new EnumType("C").Value("RED", 1).Value("BLUE", 2);
        var input = new InputObjectType("In").Field("c", color).Field("f", ScalarType.Float).Field("id", ScalarType.ID);
        var literal = ValueConversion.AstFromValue(
            new Dictionary<string, object?> { ["c"] = 2, ["f"] = 3.0, ["id"] = "12" }, input);
        Assert.Equal("{c: BLUE, f: 3, id: 12}", Printer.Print(literal!));
    }
}
