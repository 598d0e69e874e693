namespace Verification.Silo.Storage;

/// <summary>Where one grain's state and journal are stored: its kind (e.g. "deployment") and its string key (e.g. the deploy ID).</summary>
internal readonly record struct StorageKey(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";

    /// <summary>
    /// The Orleans state name, <c>{type}/{key}</c> with <c>%</c> and <c>`</c> of the key percent-encoded: the ADO.NET
    /// provider reads a backtick in a state name as a generic type's arity and fails on anything else after it (a deploy
    /// ID such as <c>a`b</c> would make its grain unloadable). Our OrleansQuery SQL decodes the key again
    /// (Storage/Sql/*/0002_orleans_persistence.sql), so rows keep the key as given.
    /// </summary>
    public string StateName => $"{Type}/{Key.Replace("%", "%25", StringComparison.Ordinal).Replace("`", "%60", StringComparison.Ordinal)}";
}
