using System.Globalization;
using System.Text.Json;

namespace Verification.Cli;

/// <summary>A verdict as the CLI prints it, from the flat HTTP verdict or a GraphQL <c>verdictChanged</c> event.</summary>
internal sealed record CliVerdict(string Decision, bool Final, string Reason, double? Score, string? DecidedAt, string? ETag)
{
    public const string Pending = "PENDING";

    /// <summary>The verdict answered by <c>GET /v1/deployments/{id}/verdict</c>.</summary>
    public static CliVerdict FromHttp(string body, string? etag)
    {
        var root = JsonDocument.Parse(body).RootElement;
        return new CliVerdict(root.GetProperty("decision").GetString() ?? "", root.GetProperty("final").GetBoolean(),
            root.GetProperty("reason").GetString() ?? "", Number(root, "score"), Text(root, "decidedAt"), etag);
    }

    /// <summary>A GraphQL <c>Verdict</c> (decision, reason, score, decidedAt): decided means final, as the service keeps a decision.</summary>
    public static CliVerdict FromGraphQL(JsonElement verdict)
    {
        var decision = verdict.GetProperty("decision").GetString() ?? "";
        return new CliVerdict(decision, decision != Pending, verdict.GetProperty("reason").GetString() ?? "", Number(verdict, "score"),
            Text(verdict, "decidedAt"), null);
    }

    /// <summary>Whether a reader would see the same thing (what "a change" means for printing).</summary>
    public bool Same(CliVerdict? other) =>
        other is not null && Decision == other.Decision && Final == other.Final && Reason == other.Reason && Nullable.Equals(Score, other.Score);

    /// <summary>One line: time of the change (UTC), decision, score, reason.</summary>
    public string Line(DateTimeOffset now) => string.Create(CultureInfo.InvariantCulture,
        $"{now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} {Decision,-12} score={(Score is { } s ? s.ToString("0.#", CultureInfo.InvariantCulture) : "-"),-5} {Reason}");

    /// <summary>The exit code of <c>wait</c> for a final verdict: PROMOTE 0, ROLLBACK 1, anything else (INCONCLUSIVE, completed undecided) 2.</summary>
    public int ExitCode => Decision switch
    {
        "PROMOTE" => ExitCodes.Promote,
        "ROLLBACK" => ExitCodes.Rollback,
        _ => ExitCodes.Inconclusive,
    };

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
