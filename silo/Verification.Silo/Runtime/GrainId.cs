namespace Verification.Silo.Runtime;

/// <summary>Addresses one grain: its kind (e.g. "deployment") and its string key (e.g. the deploy ID).</summary>
internal readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}
