using System.Text.Json;
using Verification.Api.Contracts;

namespace Verification.Api.Http;

/// <summary>Parses an NDJSON body of contract objects (<see cref="SamplesInput"/>, <see cref="SloEventsInput"/>), naming the line of the first bad one.</summary>
internal static class Ndjson
{
    /// <summary>Returns the objects and, for each, its 1-based line number. Blank lines are skipped.</summary>
    public static (List<T> Items, List<int> Lines) Parse<T>(ReadOnlySpan<byte> body)
        where T : class
    {
        var items = new List<T>();
        var lines = new List<int>();
        var lineNumber = 0;
        while (!body.IsEmpty)
        {
            lineNumber++;
            var end = body.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            T? item;
            try
            {
                item = JsonSerializer.Deserialize<T>(line, ContractJson.Options);
            }
            catch (JsonException e)
            {
                throw new NdjsonLineException(lineNumber, Problems.JsonField(e, whole: "line"), Problems.JsonReason(e));
            }

            items.Add(item ?? throw new NdjsonLineException(lineNumber, "line", "must be a JSON object, not null"));
            lines.Add(lineNumber);
        }

        return (items, lines);
    }
}

/// <summary>Line <see cref="Line"/> of an NDJSON body is not a valid object.</summary>
internal sealed class NdjsonLineException(int line, string field, string reason) : Exception($"line {line}: {field}: {reason}")
{
    public int Line { get; } = line;

    public string Field { get; } = field;

    public string Reason { get; } = reason;
}
