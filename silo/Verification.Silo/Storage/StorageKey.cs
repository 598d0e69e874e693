namespace Verification.Silo.Storage;

/// <summary>Where one grain's state and journal are stored: its kind (e.g. "deployment") and its string key (e.g. the deploy ID).</summary>
internal readonly record struct StorageKey(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}
