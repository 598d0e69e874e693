namespace Verification.GraphQL.Language;

/// <summary>Lexical token kinds of spec §2.1.6 (punctuators, names, numbers, strings) plus start/end markers.</summary>
internal enum TokenKind
{
    StartOfFile,
    EndOfFile,
    Bang,
    Dollar,
    Amp,
    ParenL,
    ParenR,
    Spread,
    Colon,
    EqualsSign,
    At,
    BracketL,
    BracketR,
    BraceL,
    Pipe,
    BraceR,
    Name,
    Int,
    Float,
    String,
    BlockString,
}

/// <summary>One token: its kind, source span, 1-based line/column and, for names, numbers and strings, its value.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int End, int Line, int Column, string? Value)
{
    public static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.StartOfFile => "<SOF>",
        TokenKind.EndOfFile => "<EOF>",
        TokenKind.Bang => "\"!\"",
        TokenKind.Dollar => "\"$\"",
        TokenKind.Amp => "\"&\"",
        TokenKind.ParenL => "\"(\"",
        TokenKind.ParenR => "\")\"",
        TokenKind.Spread => "\"...\"",
        TokenKind.Colon => "\":\"",
        TokenKind.EqualsSign => "\"=\"",
        TokenKind.At => "\"@\"",
        TokenKind.BracketL => "\"[\"",
        TokenKind.BracketR => "\"]\"",
        TokenKind.BraceL => "\"{\"",
        TokenKind.Pipe => "\"|\"",
        TokenKind.BraceR => "\"}\"",
        TokenKind.Name => "Name",
        TokenKind.Int => "Int",
        TokenKind.Float => "Float",
        TokenKind.String => "String",
        TokenKind.BlockString => "BlockString",
        _ => kind.ToString(),
    };

    /// <summary>How a syntax error names this token, e.g. <c>Name "foo"</c> or <c>"{"</c>.</summary>
    public string Description => Value is null
        ? Describe(Kind)
        : $"{Describe(Kind)} \"{Value}\"";
}

/// <summary>A syntax error (spec §2): the message is prefixed "Syntax Error: " like graphql-js.</summary>
internal sealed class GraphQLSyntaxException : Exception
{
    public GraphQLSyntaxException(string description, SourceLocation location)
        : base("Syntax Error: " + description)
    {
        Description = description;
        Location = location;
    }

    public GraphQLSyntaxException()
        : this("invalid document", new SourceLocation(1, 1))
    {
    }

    public GraphQLSyntaxException(string message)
        : this(message, new SourceLocation(1, 1))
    {
    }

    public GraphQLSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Description = message;
        Location = new SourceLocation(1, 1);
    }

    public string Description { get; }

    public SourceLocation Location { get; }

    public bool IsLimit { get; init; }

    public GraphQLError ToError() => new(
        Message,
        [Location],
        null,
        new Dictionary<string, object?> { ["code"] = IsLimit ? ErrorCodes.LimitExceeded : ErrorCodes.SyntaxError });
}
