namespace Verification.Silo.Runtime;

/// <summary>Options of the grain runtime (configuration section <c>Grains</c>).</summary>
internal sealed class GrainRuntimeOptions
{
    public const string Section = "Grains";
    public const int DefaultIdleTimeoutSeconds = 600;
    public const int DefaultCollectionIntervalSeconds = 60;
    public const int DefaultMaxConflictRetries = 2;

    /// <summary>An activation unused for this long is deactivated (its state is already durable).</summary>
    public int IdleTimeoutSeconds { get; set; } = DefaultIdleTimeoutSeconds;

    /// <summary>How often idle activations are looked for.</summary>
    public int CollectionIntervalSeconds { get; set; } = DefaultCollectionIntervalSeconds;

    /// <summary>How often a call that lost a write conflict is run again on a reloaded activation before the conflict is returned.</summary>
    public int MaxConflictRetries { get; set; } = DefaultMaxConflictRetries;

    public void Validate()
    {
        if (IdleTimeoutSeconds <= 0)
        {
            throw new InvalidOperationException($"{Section}:IdleTimeoutSeconds must be positive, got {IdleTimeoutSeconds}.");
        }

        if (MaxConflictRetries < 0)
        {
            throw new InvalidOperationException($"{Section}:MaxConflictRetries must be >= 0, got {MaxConflictRetries}.");
        }

        if (CollectionIntervalSeconds <= 0)
        {
            throw new InvalidOperationException(
                $"{Section}:CollectionIntervalSeconds must be positive, got {CollectionIntervalSeconds}.");
        }
    }
}
