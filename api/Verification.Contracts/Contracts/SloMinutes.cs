namespace Verification.Api.Contracts;

/// <summary>The good and total events one SLO of a service counted in one minute (a bucket the service grain holds).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SloMinute")]
public sealed record SloMinute(string Slo, DateTimeOffset Minute, long Good, long Total);

/// <summary>A page of a service's SLO minutes, ordered by SLO name then minute; <see cref="More"/> when another page follows.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SloMinutePage")]
public sealed record SloMinutePage(IReadOnlyList<SloMinute> Minutes, bool More);
