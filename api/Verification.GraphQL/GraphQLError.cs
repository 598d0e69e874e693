namespace Verification.GraphQL;

/// <summary>A line/column position in a GraphQL document, both 1-based (spec §7.1.2 "locations").</summary>
public readonly record struct SourceLocation(int Line, int Column);

/// <summary>
/// One entry of a response's <c>errors</c> list (spec §7.1.2): a message, the document locations it
/// refers to, the response path of the field that failed (execution errors only) and extensions
/// (always carrying <c>code</c>).
/// </summary>
public sealed record GraphQLError(
    string Message,
    IReadOnlyList<SourceLocation> Locations,
    IReadOnlyList<object>? Path,
    IReadOnlyDictionary<string, object?>? Extensions)
{
    /// <summary>The validation rule that produced this error, if any (not serialized unless requested).</summary>
    internal string? Rule { get; init; }

    /// <summary>The value of <c>extensions.code</c>, or null.</summary>
    public string? Code => Extensions is not null && Extensions.TryGetValue("code", out var code) ? code as string : null;
}

/// <summary>Error codes the engine itself puts in <c>extensions.code</c>.</summary>
public static class ErrorCodes
{
    /// <summary>The document is not syntactically valid GraphQL.</summary>
    public const string SyntaxError = "GRAPHQL_PARSE_FAILED";

    /// <summary>The document failed a validation rule of spec §5.</summary>
    public const string ValidationFailed = "GRAPHQL_VALIDATION_FAILED";

    /// <summary>Variables could not be coerced (spec §6.1.2) or the operation could not be selected.</summary>
    public const string BadUserInput = "BAD_USER_INPUT";

    /// <summary>A resolver failed with an exception that is not a <see cref="GraphQLException"/>.</summary>
    public const string InternalServerError = "INTERNAL_SERVER_ERROR";

    /// <summary>A non-null field resolved to null, or a leaf value could not be serialized.</summary>
    public const string InvalidResult = "INVALID_RESULT";

    /// <summary>The document exceeds a configured size, token or depth limit.</summary>
    public const string LimitExceeded = "GRAPHQL_LIMIT_EXCEEDED";

    /// <summary>The operation kind is not allowed on this transport (e.g. a mutation over GET).</summary>
    public const string OperationNotAllowed = "OPERATION_NOT_ALLOWED";
}

/// <summary>
/// Thrown by a resolver to fail its field with a message clients may see and a machine-readable
/// <c>extensions.code</c>. Any other exception becomes a field error with code INTERNAL_SERVER_ERROR
/// whose message is hidden unless the endpoint exposes exception details.
/// </summary>
public class GraphQLException : Exception
{
    /// <summary>Creates an error with <c>extensions.code</c> = <paramref name="code"/>.</summary>
    public GraphQLException(string message, string code = "BAD_REQUEST", IReadOnlyDictionary<string, object?>? extensions = null)
        : base(message)
    {
        Code = code;
        Extensions = extensions;
    }

    /// <summary>Creates an error with the default code.</summary>
    public GraphQLException()
        : this("GraphQL error")
    {
    }

    /// <summary>Creates an error with the default code.</summary>
    public GraphQLException(string message)
        : this(message, "BAD_REQUEST")
    {
    }

    /// <summary>Creates an error with the default code wrapping another exception.</summary>
    public GraphQLException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "BAD_REQUEST";
    }

    /// <summary>The <c>extensions.code</c> value.</summary>
    public string Code { get; }

    /// <summary>Further extension entries (besides <c>code</c>).</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; }
}
