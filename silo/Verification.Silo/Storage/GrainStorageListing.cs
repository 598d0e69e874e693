using System.Runtime.CompilerServices;

namespace Verification.Silo.Storage;

/// <summary>Reading every stored state of one grain type, a page at a time.</summary>
internal static class GrainStorageListing
{
    /// <summary>States fetched per round trip.</summary>
    public const int PageSize = 500;

    /// <summary>
    /// Every stored state of <paramref name="grainType"/> with a key after <paramref name="afterKey"/> (null: from the start),
    /// ordered by key; stop enumerating to stop reading.
    /// </summary>
    public static async IAsyncEnumerable<StoredGrain> ListAllAsync(this IGrainStorage storage, string grainType, string? afterKey,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = afterKey;
        while (true)
        {
            var page = await storage.ListAsync(grainType, cursor, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var stored in page)
            {
                yield return stored;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            cursor = page[^1].Key;
        }
    }
}
