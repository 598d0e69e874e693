namespace Verification.Api.Contracts;

/// <summary>Bad client input: the field it concerns and why. Maps to HTTP 400 / GraphQL BAD_USER_INPUT.</summary>
[GenerateSerializer]
[Alias("Verification.InputException")]
public sealed class InputException : Exception
{
    public InputException(string field, string reason)
        : base($"{field}: {reason}")
    {
        Field = field;
        Reason = reason;
    }

    public InputException()
        : this("input", "invalid")
    {
    }

    public InputException(string message)
        : this("input", message)
    {
    }

    public InputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "input";
        Reason = message;
    }

    [Id(0)]
    public string Field { get; } = "input";

    [Id(1)]
    public string Reason { get; } = "invalid";
}

/// <summary>The request conflicts with what is stored (e.g. same deployment id, different input). HTTP 409 / CONFLICT.</summary>
[GenerateSerializer]
[Alias("Verification.ConflictException")]
public sealed class ConflictException : Exception
{
    public ConflictException()
    {
    }

    public ConflictException(string message)
        : base(message)
    {
    }

    public ConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A conflict about one input field: answered with <c>field</c> (HTTP problem member, GraphQL extension).</summary>
    public static ConflictException OnField(string field, string message) => new(message) { Field = field };

    /// <summary>The input field that conflicts with what is stored, when the conflict concerns one field.</summary>
    [Id(0)]
    public string? Field { get; private init; }
}

/// <summary>The addressed thing does not exist. HTTP 404 / NOT_FOUND.</summary>
[GenerateSerializer]
[Alias("Verification.NotFoundException")]
public sealed class NotFoundException : Exception
{
    public NotFoundException()
    {
    }

    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
