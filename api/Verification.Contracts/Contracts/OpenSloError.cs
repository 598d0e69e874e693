namespace Verification.Api.Slo;

/// <summary>A problem with the input, at a field path such as <c>documents[1].spec.objectives[0].target</c>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.OpenSloError")]
public sealed record OpenSloError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
