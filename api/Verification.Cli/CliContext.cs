namespace Verification.Cli;

/// <summary>What a command reads and writes besides its arguments: standard streams and the environment.</summary>
internal sealed record CliContext(TextReader In, TextWriter Out, TextWriter Error, Func<string, string?> Environment)
{
    public static CliContext FromProcess() => new(Console.In, Console.Out, Console.Error, System.Environment.GetEnvironmentVariable);
}

/// <summary>Exit codes (API.md v1.1): <c>wait</c> maps the decision; every command uses 4 for usage and connection errors.</summary>
internal static class ExitCodes
{
    public const int Promote = 0;
    public const int Ok = 0;
    public const int Rollback = 1;

    /// <summary>Commands other than <c>wait</c>: the server refused the request (4xx with a reason).</summary>
    public const int Refused = 1;

    public const int Inconclusive = 2;
    public const int Timeout = 3;
    public const int UsageOrConnection = 4;
}
