using Verification.GraphQL.Language;

namespace Verification.GraphQL.Tests.Language;

public sealed class LexerTests
{
    private static List<Token> Lex(string source)
    {
        var sut = new Lexer(source);
        var tokens = new List<Token>();
        Token token;
        while ((token = sut.Next()).Kind != TokenKind.EndOfFile)
        {
            tokens.Add(token);
        }

        return tokens;
    }

    private static Token Single(string source) => Assert.Single(Lex(source));

    private static GraphQLSyntaxException Error(string source) => Assert.Throws<GraphQLSyntaxException>(() => Lex(source));

    [Fact]
    public void Next_AllPunctuators_ProducesEachKind()
    {
        var kinds = Lex("! $ & ( ) ... : = @ [ ] { | }").Select(t => t.Kind);
        Assert.Equal(
            [
                TokenKind.Bang, TokenKind.Dollar, TokenKind.Amp, TokenKind.ParenL, TokenKind.ParenR, TokenKind.Spread, TokenKind.Colon,
                TokenKind.EqualsSign, TokenKind.At, TokenKind.BracketL, TokenKind.BracketR, TokenKind.BraceL, TokenKind.Pipe, TokenKind.BraceR,
            ],
            kinds);
    }

    [Fact]
    public void Next_IgnoredTokens_SkipsBomWhitespaceCommasAndComments()
    {
        var tokens = Lex("\uFEFF \t,,\r\n# comment\r\n  name, other # trailing");
        Assert.Equal(["name", "other"], tokens.Select(t => t.Value));
        Assert.Equal((3, 3), (tokens[0].Line, tokens[0].Column));
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("-0", false)]
    [InlineData("123", false)]
    [InlineData("-42", false)]
    [InlineData("1.5", true)]
    [InlineData("-0.25", true)]
    [InlineData("1e10", true)]
    [InlineData("1E-3", true)]
    [InlineData("6.02e+23", true)]
    public void Next_Numbers_KindAndRawValue(string source, bool isFloat)
    {
        var token = Single(source);
        Assert.Equal(isFloat ? TokenKind.Float : TokenKind.Int, token.Kind);
        Assert.Equal(source, token.Value);
    }

    [Theory]
    [InlineData("01", "Syntax Error: Invalid number, unexpected digit after 0: \"1\".", 2)]
    [InlineData("1.", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 3)]
    [InlineData("1.a", "Syntax Error: Invalid number, expected digit but got: \"a\".", 3)]
    [InlineData("1e", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 3)]
    [InlineData("12a", "Syntax Error: Invalid number, expected digit but got: \"a\".", 3)]
    [InlineData("1.5.3", "Syntax Error: Invalid number, expected digit but got: \".\".", 4)]
    [InlineData("-", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 2)]
    [InlineData("0x1", "Syntax Error: Invalid number, expected digit but got: \"x\".", 2)]
    public void Next_InvalidNumbers_ThrowWithColumn(string source, string message, int column)
    {
        var error = Error(source);
        Assert.Equal(message, error.Message);
        Assert.Equal(new SourceLocation(1, column), error.Location);
    }

    [Theory]
    [InlineData("\"simple\"", "simple")]
    [InlineData("\"quote \\\" slash \\\\ \\/ \\b\\f\\n\\r\\t\"", "quote \" slash \\ / \b\f\n\r\t")]
    [InlineData("\"\\u0041\\u00e9\"", "Aé")]
    [InlineData("\"\\u{1F600}\"", "\U0001F600")]
    [InlineData("\"\\uD83D\\uDE00\"", "\U0001F600")]
    [InlineData("\"\\u{41}\"", "A")]
    [InlineData("\"unicode \u00e9 \U0001F600\"", "unicode \u00e9 \U0001F600")]
    public void Next_Strings_DecodeEscapes(string source, string value)
    {
        var token = Single(source);
        Assert.Equal(TokenKind.String, token.Kind);
        Assert.Equal(value, token.Value);
    }

    [Theory]
    [InlineData("\"open", "Syntax Error: Unterminated string.")]
    [InlineData("\"line\nbreak\"", "Syntax Error: Unterminated string.")]
    [InlineData("\"\\x\"", "Syntax Error: Invalid character escape sequence: \"\\x\".")]
    [InlineData("\"\\u12\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u12\"\".")]
    [InlineData("\"\\uD83D\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uD83D\".")]
    [InlineData("\"\\u{110000}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{110000}\".")]
    [InlineData("\"\\u{}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{}\".")]
    [InlineData("\"bell\u0007\"", "Syntax Error: Invalid character within String: U+0007.")]
    public void Next_InvalidStrings_Throw(string source, string message)
    {
        Assert.Equal(message, Error(source).Message);
    }

    [Fact]
    public void Next_BlockString_DedentsPerBlockStringValue()
    {
        var token = Single("\"\"\"\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  \"\"\"");
        Assert.Equal(TokenKind.BlockString, token.Kind);
        Assert.Equal("Hello,\n  World!\n\nYours,\n  GraphQL.", token.Value);
    }

    [Fact]
    public void Next_BlockString_KeepsFirstLineAndEscapedTripleQuote()
    {
        Assert.Equal("first\nsecond \"\"\" \\n", Single("\"\"\"first\n  second \\\"\"\" \\n\"\"\"").Value);
    }

    [Fact]
    public void Next_BlockString_CountsLinesForFollowingTokens()
    {
        var tokens = Lex("\"\"\"a\r\nb\rc\"\"\" name");
        Assert.Equal((3, 6), (tokens[1].Line, tokens[1].Column));
    }

    [Theory]
    [InlineData("?", "Syntax Error: Unexpected character: \"?\".")]
    [InlineData("'x'", "Syntax Error: Unexpected single quote character ('), did you mean to use a double quote (\")?")]
    [InlineData("..", "Syntax Error: Unexpected character: \".\".")]
    [InlineData("\u0007", "Syntax Error: Unexpected character: U+0007.")]
    public void Next_UnexpectedCharacters_Throw(string source, string message)
    {
        Assert.Equal(message, Error(source).Message);
    }

    [Fact]
    public void Next_ErrorOnLaterLine_ReportsLineAndColumn()
    {
        var error = Error("{\n  a\n    ?");
        Assert.Equal(new SourceLocation(3, 5), error.Location);
    }
}
