using Verification.GraphQL.Language;

namespace Verification.GraphQL.Execution;

/// <summary>A parsed and validated document, or the errors that stopped it.</summary>
internal sealed record PreparedDocument(DocumentNode? Document, IReadOnlyList<GraphQLError> Errors);

/// <summary>A bounded least-recently-used cache of prepared documents keyed by document text, so repeated
/// queries (CD tools poll the same one) skip parsing and validation.</summary>
internal sealed class DocumentCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, PreparedDocument Value)>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, PreparedDocument Value)> _order = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    public PreparedDocument GetOrAdd(string key, Func<string, PreparedDocument> factory)
    {
        if (capacity <= 0)
        {
            return factory(key);
        }

        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return node.Value.Value;
            }
        }

        var value = factory(key);
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var existing))
            {
                return existing.Value.Value;
            }

            _map[key] = _order.AddFirst((key, value));
            if (_map.Count > capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _map.Remove(last.Value.Key);
            }
        }

        return value;
    }
}
