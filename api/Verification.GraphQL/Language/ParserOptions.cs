namespace Verification.GraphQL.Language;

/// <summary>Limits a client-controlled document must stay within before any work is spent on it.</summary>
public sealed record ParserOptions
{
    /// <summary>Default maximum document length in characters.</summary>
    public const int DefaultMaxLength = 100_000;

    /// <summary>Default maximum number of tokens.</summary>
    public const int DefaultMaxTokens = 15_000;

    /// <summary>Default maximum nesting of selection sets, list/object values and list types.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Maximum document length in characters.</summary>
    public int MaxLength { get; init; } = DefaultMaxLength;

    /// <summary>Maximum number of significant tokens.</summary>
    public int MaxTokens { get; init; } = DefaultMaxTokens;

    /// <summary>Maximum nesting depth.</summary>
    public int MaxDepth { get; init; } = DefaultMaxDepth;

    /// <summary>The defaults.</summary>
    public static ParserOptions Default { get; } = new();
}
