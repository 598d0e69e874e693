using Apache.Arrow;
using Apache.Arrow.Types;

namespace Verification.Api.Export;

/// <summary>The type of an export column, in Arrow and in JSON.</summary>
internal enum ColumnType
{
    /// <summary>Arrow <c>utf8</c>; JSON string.</summary>
    String,

    /// <summary>Arrow <c>int64</c>; JSON number.</summary>
    Int64,

    /// <summary>Arrow <c>float64</c>; JSON number.</summary>
    Double,

    /// <summary>Arrow <c>bool</c>; JSON boolean.</summary>
    Boolean,

    /// <summary>Arrow <c>timestamp[ms, tz=UTC]</c>; JSON ISO-8601 string.</summary>
    Timestamp,
}

/// <summary>One column of an exported table: its name, type, whether it may be null, and how a row gives its value.</summary>
internal sealed record ExportColumn<T>(string Name, ColumnType Type, bool Nullable, Func<T, object?> Value)
{
    public static readonly TimestampType TimestampType = new(TimeUnit.Millisecond, "UTC");

    public IArrowType ArrowType => Type switch
    {
        ColumnType.String => StringType.Default,
        ColumnType.Int64 => Int64Type.Default,
        ColumnType.Double => DoubleType.Default,
        ColumnType.Boolean => BooleanType.Default,
        _ => TimestampType,
    };

    /// <summary>The Arrow array of this column over <paramref name="rows"/>.</summary>
    public IArrowArray Build(IReadOnlyList<T> rows)
    {
        switch (Type)
        {
            case ColumnType.String:
                var strings = new StringArray.Builder();
                foreach (var row in rows)
                {
                    strings.Append((string?)Value(row));
                }

                return strings.Build();
            case ColumnType.Int64:
                var longs = new Int64Array.Builder();
                foreach (var row in rows)
                {
                    longs.Append((long?)Value(row));
                }

                return longs.Build();
            case ColumnType.Double:
                var doubles = new DoubleArray.Builder();
                foreach (var row in rows)
                {
                    doubles.Append((double?)Value(row));
                }

                return doubles.Build();
            case ColumnType.Boolean:
                var booleans = new BooleanArray.Builder();
                foreach (var row in rows)
                {
                    if (Value(row) is bool flag)
                    {
                        booleans.Append(flag);
                    }
                    else
                    {
                        booleans.AppendNull();
                    }
                }

                return booleans.Build();
            default:
                var times = new TimestampArray.Builder(TimestampType);
                foreach (var row in rows)
                {
                    if (Value(row) is DateTimeOffset time)
                    {
                        times.Append(time);
                    }
                    else
                    {
                        times.AppendNull();
                    }
                }

                return times.Build();
        }
    }
}

/// <summary>A table of <c>GET /v1/export/{table}</c>: its columns and the rows of a request, streamed.</summary>
internal sealed record ExportTable<T>(string Name, IReadOnlyList<ExportColumn<T>> Columns, Func<ExportFilter, CancellationToken, IAsyncEnumerable<T>> Rows)
{
    public Schema Schema => new([.. Columns.Select(c => new Field(c.Name, c.ArrowType, c.Nullable))], []);
}

/// <summary>The filters of an export: <c>service</c>, and a time range [<c>from</c>, <c>to</c>) on the table's time column.</summary>
internal sealed record ExportFilter(string? Service, DateTimeOffset? From, DateTimeOffset? To)
{
    public bool Contains(DateTimeOffset time) => (From is not { } from || time >= from) && (To is not { } to || time < to);
}
