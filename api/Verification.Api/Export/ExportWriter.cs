using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Microsoft.AspNetCore.Http;

namespace Verification.Api.Export;

/// <summary>
/// Writes the rows of an <see cref="ExportTable{T}"/> as an Arrow IPC stream or as JSON lines, a batch of
/// <see cref="BatchRows"/> rows at a time, so memory stays bounded whatever the table's size.
/// </summary>
internal static class ExportWriter
{
    public const string ArrowStream = "application/vnd.apache.arrow.stream";
    public const string Ndjson = "application/x-ndjson";
    public const int BatchRows = 1024;

    /// <summary>The rows as an Arrow stream answer (the schema first, then record batches, then the end marker).</summary>
    public static IResult Arrow<T>(ExportTable<T> table, ExportFilter filter) => new Streamed(ArrowStream, async (body, ct) =>
    {
        var schema = table.Schema;
        using var writer = new ArrowStreamWriter(body, schema, leaveOpen: true);
        await writer.WriteStartAsync(ct).ConfigureAwait(false);
        await foreach (var rows in BatchesAsync(table, filter, ct).ConfigureAwait(false))
        {
            using var batch = new RecordBatch(schema, [.. table.Columns.Select(c => c.Build(rows))], rows.Count);
            await writer.WriteRecordBatchAsync(batch, ct).ConfigureAwait(false);
            await body.FlushAsync(ct).ConfigureAwait(false);
        }

        await writer.WriteEndAsync(ct).ConfigureAwait(false);
    });

    /// <summary>The rows as JSON lines: one object per row with the same column names and values.</summary>
    public static IResult JsonLines<T>(ExportTable<T> table, ExportFilter filter) => new Streamed(Ndjson, async (body, ct) =>
    {
        // A batch is formatted in memory, then written with one asynchronous call (Kestrel allows no synchronous writes).
        var buffer = new ArrayBufferWriter<byte>();
        await foreach (var rows in BatchesAsync(table, filter, ct).ConfigureAwait(false))
        {
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer))
            {
                foreach (var row in rows)
                {
                    WriteRow(json, table.Columns, row);
                    json.Flush();
                    buffer.Write("\n"u8);
                    json.Reset();
                }
            }

            await body.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
            await body.FlushAsync(ct).ConfigureAwait(false);
        }
    });

    private static void WriteRow<T>(Utf8JsonWriter json, IReadOnlyList<ExportColumn<T>> columns, T row)
    {
        json.WriteStartObject();
        foreach (var column in columns)
        {
            json.WritePropertyName(column.Name);
            switch (column.Value(row))
            {
                case null:
                    json.WriteNullValue();
                    break;
                case string text:
                    json.WriteStringValue(text);
                    break;
                case long number:
                    json.WriteNumberValue(number);
                    break;
                case double number:
                    json.WriteNumberValue(number);
                    break;
                case bool flag:
                    json.WriteBooleanValue(flag);
                    break;
                case DateTimeOffset time:
                    // Milliseconds, as the Arrow column holds.
                    json.WriteStringValue(time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                    break;
                case var other:
                    throw new InvalidOperationException($"Column {column.Name} gave a {other.GetType().Name}.");
            }
        }

        json.WriteEndObject();
    }

    private static async IAsyncEnumerable<List<T>> BatchesAsync<T>(ExportTable<T> table, ExportFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = new List<T>(BatchRows);
        await foreach (var row in table.Rows(filter, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
            if (rows.Count == BatchRows)
            {
                yield return rows;
                rows = new List<T>(BatchRows);
            }
        }

        if (rows.Count > 0)
        {
            yield return rows;
        }
    }

    /// <summary>An answer written straight to the response body.</summary>
    private sealed class Streamed(string contentType, Func<Stream, CancellationToken, Task> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = contentType;
            await write(httpContext.Response.Body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
