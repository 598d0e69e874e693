namespace Verification.Silo.Grains;

/// <summary>
/// How long a deployment grain's state row may lag behind its journal (configuration <c>Grains:StateWriteSeconds</c>).
/// A record that changes nothing but the counts (same decision, no webhook event anyone wants, clock and held promotion
/// unchanged) is acknowledged once its journal entries committed; the state row that counts them is written this many
/// seconds later by a grain timer, on deactivation, or with the next write that is needed anyway. The journal is the source
/// of truth: an activation replays it and recovers a row that lags, and readers of the rows (listings) ask the grain itself
/// for a deployment whose journal is ahead of its row. 0 writes the state row with every record (two commits per record).
/// </summary>
internal sealed class StateWriteOptions
{
    public const string Section = "Grains";
    public const int DefaultStateWriteSeconds = 5;
    public const int MaxStateWriteSeconds = 86_400;

    public int StateWriteSeconds { get; set; } = DefaultStateWriteSeconds;

    /// <summary>The lag allowed; zero when every record writes its state row.</summary>
    public TimeSpan Delay => TimeSpan.FromSeconds(StateWriteSeconds);
}
