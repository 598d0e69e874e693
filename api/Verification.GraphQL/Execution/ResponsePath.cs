namespace Verification.GraphQL.Execution;

/// <summary>An immutable linked response path (spec §7.1.2 "path"): field names and list indices.</summary>
internal sealed class ResponsePath
{
    public ResponsePath(ResponsePath? parent, object key)
    {
        Parent = parent;
        Key = key;
    }

    public ResponsePath? Parent { get; }

    /// <summary>A response key (string) or list index (int).</summary>
    public object Key { get; }

    public List<object> ToList()
    {
        var list = new List<object>();
        for (var p = this; p is not null; p = p.Parent)
        {
            list.Add(p.Key);
        }

        list.Reverse();
        return list;
    }
}
