using Verification.GraphQL.Language;

namespace Verification.GraphQL.Tests.Language;

public sealed class BlockStringTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("  \n  \n", "")]
    [InlineData("\n  a\n   b\n  \n", "a\n b")]
    [InlineData("first\n  a\n  b", "first\na\nb")]
    [InlineData("\t\ta\n\t\t\tb", "\t\ta\nb")]
    public void Dedent_RawValue_FollowsBlockStringValue(string raw, string expected)
    {
        Assert.Equal(expected, BlockString.Dedent(raw));
    }

    [Theory]
    [InlineData("short", "\"\"\"short\"\"\"")]
    [InlineData("two\nlines", "\"\"\"\ntwo\nlines\n\"\"\"")]
    [InlineData("ends with quote\"", "\"\"\"\nends with quote\"\n\"\"\"")]
    [InlineData(" leading space", "\"\"\" leading space\"\"\"")]
    [InlineData("has \"\"\" inside", "\"\"\"has \\\"\"\" inside\"\"\"")]
    public void Print_Value_MatchesGraphQLJsLayout(string value, string expected)
    {
        Assert.Equal(expected, BlockString.Print(value));
    }

    [Theory]
    [InlineData("plain", true)]
    [InlineData("", true)]
    [InlineData("\nleading newline", false)]
    [InlineData("trailing\n", false)]
    [InlineData("a\n  b", true)]
    [InlineData("  a\n  b", false)]
    [InlineData("control\u0001", false)]
    public void IsPrintable_Value_Decides(string value, bool expected)
    {
        Assert.Equal(expected, BlockString.IsPrintable(value));
    }

    [Fact]
    public void PrintString_ControlCharacters_Escaped()
    {
        Assert.Equal("\"a\\\"b\\\\c\\n\\u0001\\u007F\"", BlockString.PrintString("a\"b\\c\n\u0001\u007f"));
    }
}
