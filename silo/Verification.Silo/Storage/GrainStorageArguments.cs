using System.Runtime.InteropServices;

namespace Verification.Silo.Storage;

/// <summary>Argument checks and conflict messages shared by every <see cref="IGrainStorage"/> provider.</summary>
internal static class GrainStorageArguments
{
    public static void ValidateId(StorageKey id)
    {
        if (string.IsNullOrEmpty(id.Type))
        {
            throw new ArgumentException("The grain type must not be empty.", nameof(id));
        }

        if (id.Key is null)
        {
            throw new ArgumentException("The grain key must not be null.", nameof(id));
        }
    }

    public static void ValidateAppend(StorageKey id, IReadOnlyList<JournalEntry> journal)
    {
        ValidateId(id);
        ArgumentNullException.ThrowIfNull(journal);
    }

    public static void ValidateList(string grainType, int limit)
    {
        ArgumentException.ThrowIfNullOrEmpty(grainType);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
    }

    /// <summary>The payload as an array, without a copy when it already is a whole array.</summary>
    public static byte[] ToArray(ReadOnlyMemory<byte> payload) =>
        MemoryMarshal.TryGetArray(payload, out var segment) && segment.Array is not null
            && segment.Offset == 0 && segment.Count == segment.Array.Length
            ? segment.Array
            : payload.ToArray();

    public static GrainStateConflictException JournalKeyTaken(StorageKey id, Exception innerException) =>
        new($"Grain {id}: a journal entry with one of these sequence numbers or batch ids is already stored.", innerException);
}
