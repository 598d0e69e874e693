using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Verification.Analysis.Slo;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Verification.Api.Slo;

/// <summary>
/// Reads OpenSLO v1 documents (https://github.com/OpenSLO/OpenSLO, README "SLO", "SLI",
/// "Objectives"): <c>kind: SLO</c> with a ratio indicator given inline (<c>spec.indicator</c>) or by
/// name (<c>spec.indicatorRef</c> to a <c>kind: SLI</c> document of the same input), Occurrences or
/// Timeslices budgeting, one rolling or calendar-aligned time window.
/// </summary>
/// <remarks>
/// All errors are collected with the path of the field (<c>documents[1].spec.objectives[0].target</c>,
/// documents counted from 0 in input order); any error rejects the whole input. Not supported, and
/// reported as errors: thresholdMetric and raw ratio SLIs, RatioTimeslices budgeting, rolling windows
/// in months, quarters or years. Other kinds (Service, DataSource, AlertPolicy …) and
/// <c>alertPolicies</c> are ignored with a note: alerting follows <see cref="BurnRateAlerting"/>.
/// </remarks>
public static partial class OpenSloParser
{
    /// <summary>Largest input accepted, in characters.</summary>
    public const int MaxInputLength = 1 << 20;

    /// <summary>Most YAML documents accepted in one input.</summary>
    public const int MaxDocuments = 200;

    /// <summary>Most objectives accepted per SLO (each needs its own bucket state).</summary>
    public const int MaxObjectives = 10;

    private const string ApiVersion = "openslo/v1";
    private const int MaxNameLength = 63;
    private const int MaxServiceLength = 255;

    private static readonly string[] StartTimeFormats =
        ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd"];

    /// <summary>Parses one or many <c>---</c>-separated documents.</summary>
    /// <remarks>Nesting depth and alias expansion are checked (<see cref="YamlGuard"/>) before the YAML is loaded.</remarks>
    public static OpenSloParseResult Parse(string yaml, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var reader = new OpenSloReader();
        var notes = new List<string>();
        if (yaml.Length > MaxInputLength)
        {
            reader.Error("yaml", $"must be at most {MaxInputLength} characters");
            return Result([], reader, notes);
        }

        var stream = new YamlStream();
        try
        {
            if (YamlGuard.Check(yaml, cancellationToken) is { } limit)
            {
                reader.Error("yaml", limit);
                return Result([], reader, notes);
            }

            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            reader.Error("yaml", $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
            return Result([], reader, notes);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16.3 throws these instead of a YamlException on some malformed input (found by the fuzz suite,
            // corpus openslo/): its scanner on an unclosed flow sequence followed by block content, its representation
            // model on an empty mapping key before a truncated document.
            reader.Error("yaml", "is not well-formed YAML");
            return Result([], reader, notes);
        }

        if (stream.Documents.Count > MaxDocuments)
        {
            reader.Error("documents", $"at most {MaxDocuments} documents are accepted");
            return Result([], reader, notes);
        }

        var documents = new List<(string Path, string Kind, YamlMappingNode Root)>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var path = $"documents[{i}]";
            switch (stream.Documents[i].RootNode)
            {
                case YamlScalarNode { Value: null or "" }:
                    continue; // an empty document, e.g. after a trailing ---
                case YamlMappingNode root:
                    var apiVersion = reader.String(root, "apiVersion", path, required: true);
                    if (apiVersion is not null && apiVersion != ApiVersion)
                    {
                        reader.Error(OpenSloReader.Path(path, "apiVersion"), $"must be {ApiVersion}");
                    }

                    if (reader.String(root, "kind", path, required: true) is { } kind)
                    {
                        documents.Add((path, kind, root));
                    }

                    break;
                default:
                    reader.Error(path, "must be a mapping");
                    break;
            }
        }

        var indicators = ReadSliDocuments(documents, reader);
        var slos = new List<(string Path, SloDefinition Slo)>();
        foreach (var (path, kind, root) in documents)
        {
            if (kind == "SLO")
            {
                if (ReadSlo(root, path, indicators, reader, notes) is { } slo)
                {
                    slos.Add((path, slo));
                }
            }
            else if (kind != "SLI")
            {
                notes.Add($"{path}: kind {kind} ignored");
            }
        }

        foreach (var duplicate in slos.GroupBy(s => (s.Slo.Service, s.Slo.Name)).Where(g => g.Count() > 1))
        {
            foreach (var (path, _) in duplicate.Skip(1))
            {
                reader.Error(
                    OpenSloReader.Path(path, "metadata.name"),
                    $"SLO '{duplicate.Key.Name}' of service '{duplicate.Key.Service}' is already defined in {duplicate.First().Path}");
            }
        }

        return Result(slos.Select(s => s.Slo).ToList(), reader, notes);
    }

    // Errors are listed in document order (SLI documents are read first, wherever they stand).
    private static OpenSloParseResult Result(List<SloDefinition> slos, OpenSloReader reader, List<string> notes) =>
        reader.Errors.Count > 0
            ? new OpenSloParseResult([], reader.Errors.OrderBy(e => DocumentIndex(e.Path)).ToList(), notes)
            : new OpenSloParseResult(slos, [], notes);

    private static int DocumentIndex(string path) =>
        path.StartsWith("documents[", StringComparison.Ordinal)
        && int.TryParse(path.AsSpan(10, path.IndexOf(']', StringComparison.Ordinal) - 10), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : -1;

    private static Dictionary<string, SloIndicator?> ReadSliDocuments(
        List<(string Path, string Kind, YamlMappingNode Root)> documents,
        OpenSloReader reader)
    {
        var indicators = new Dictionary<string, SloIndicator?>(StringComparer.Ordinal);
        foreach (var (path, _, root) in documents.Where(d => d.Kind == "SLI"))
        {
            var metadata = reader.Mapping(root, "metadata", path, required: true);
            var name = metadata is null ? null : Name(metadata, OpenSloReader.Path(path, "metadata"), reader);
            var displayName = metadata is null ? null : reader.String(metadata, "displayName", OpenSloReader.Path(path, "metadata"), required: false);
            var spec = reader.Mapping(root, "spec", path, required: true);
            var indicator = spec is null ? null : ReadIndicatorSpec(spec, OpenSloReader.Path(path, "spec"), name, displayName, reader);
            if (name is null)
            {
                continue;
            }

            if (!indicators.TryAdd(name, indicator))
            {
                reader.Error(OpenSloReader.Path(path, "metadata.name"), $"SLI '{name}' is defined more than once");
            }
        }

        return indicators;
    }

    private static SloDefinition? ReadSlo(
        YamlMappingNode root,
        string path,
        Dictionary<string, SloIndicator?> indicators,
        OpenSloReader reader,
        List<string> notes)
    {
        var errorsBefore = reader.Errors.Count;
        var metadataPath = OpenSloReader.Path(path, "metadata");
        var metadata = reader.Mapping(root, "metadata", path, required: true);
        var name = metadata is null ? null : Name(metadata, metadataPath, reader);
        var displayName = metadata is null ? null : reader.String(metadata, "displayName", metadataPath, required: false);

        var specPath = OpenSloReader.Path(path, "spec");
        var spec = reader.Mapping(root, "spec", path, required: true);
        if (spec is null)
        {
            return null;
        }

        var description = reader.String(spec, "description", specPath, required: false);
        var service = reader.String(spec, "service", specPath, required: true, MaxServiceLength);
        var indicator = ReadIndicator(spec, specPath, indicators, reader);
        var window = ReadTimeWindow(spec, specPath, reader);
        var method = ReadBudgetingMethod(spec, specPath, reader);
        // Objectives are read even when the window or method is wrong, so that all errors show.
        var objectives = ReadObjectives(spec, specPath, method, window, reader, notes);
        if (OpenSloReader.Child(spec, "alertPolicies") is not null)
        {
            notes.Add($"{specPath}.alertPolicies ignored: alerts follow the multi-window, multi-burn-rate policy");
        }

        if (reader.Errors.Count > errorsBefore || name is null || service is null || indicator is null
            || window is null || method is null || objectives is null)
        {
            return null;
        }

        return new SloDefinition(service, name, displayName, description, indicator, window, method.Value, objectives.AsReadOnly());
    }

    private static string? Name(YamlMappingNode metadata, string path, OpenSloReader reader)
    {
        var name = reader.String(metadata, "name", path, required: true, MaxNameLength);
        if (name is not null && !NamePattern().IsMatch(name))
        {
            reader.Error(OpenSloReader.Path(path, "name"), "must be lowercase letters, digits, '-' or '.', starting and ending with a letter or digit (RFC 1123)");
            return null;
        }

        return name;
    }

    private static SloIndicator? ReadIndicator(YamlMappingNode spec, string specPath, Dictionary<string, SloIndicator?> indicators, OpenSloReader reader)
    {
        var inline = OpenSloReader.Child(spec, "indicator");
        var reference = OpenSloReader.Child(spec, "indicatorRef");
        if (inline is not null && reference is not null)
        {
            reader.Error(OpenSloReader.Path(specPath, "indicatorRef"), "give either indicator or indicatorRef, not both");
            return null;
        }

        if (reference is not null)
        {
            var name = reader.String(spec, "indicatorRef", specPath, required: true);
            if (name is null)
            {
                return null;
            }

            if (!indicators.TryGetValue(name, out var found))
            {
                reader.Error(OpenSloReader.Path(specPath, "indicatorRef"), $"no SLI named '{name}' in the input");
                return null;
            }

            // null: the SLI exists but has errors of its own, already reported at its document.
            return found;
        }

        var indicatorPath = OpenSloReader.Path(specPath, "indicator");
        var node = reader.Mapping(spec, "indicator", specPath, required: false);
        if (node is null)
        {
            if (inline is null)
            {
                reader.Error(indicatorPath, "is required (or indicatorRef)");
            }

            return null;
        }

        var metadata = reader.Mapping(node, "metadata", indicatorPath, required: false);
        var metadataPath = OpenSloReader.Path(indicatorPath, "metadata");
        var name2 = metadata is not null && OpenSloReader.Child(metadata, "name") is not null ? Name(metadata, metadataPath, reader) : null;
        var displayName = metadata is null ? null : reader.String(metadata, "displayName", metadataPath, required: false);
        var indicatorSpec = reader.Mapping(node, "spec", indicatorPath, required: true);
        return indicatorSpec is null ? null : ReadIndicatorSpec(indicatorSpec, OpenSloReader.Path(indicatorPath, "spec"), name2, displayName, reader);
    }

    private static SloIndicator? ReadIndicatorSpec(YamlMappingNode spec, string path, string? name, string? displayName, OpenSloReader reader)
    {
        if (OpenSloReader.Child(spec, "thresholdMetric") is not null)
        {
            reader.Error(OpenSloReader.Path(path, "thresholdMetric"), "is not supported; use ratioMetric (good/total or bad/total)");
            return null;
        }

        var ratioPath = OpenSloReader.Path(path, "ratioMetric");
        var ratio = reader.Mapping(spec, "ratioMetric", path, required: true);
        if (ratio is null)
        {
            return null;
        }

        if (OpenSloReader.Child(ratio, "raw") is not null)
        {
            reader.Error(OpenSloReader.Path(ratioPath, "raw"), "is not supported; use good/total or bad/total");
            return null;
        }

        var counter = reader.Boolean(ratio, "counter", ratioPath);
        var good = MetricSource(ratio, "good", ratioPath, reader);
        var bad = MetricSource(ratio, "bad", ratioPath, reader);
        var total = MetricSource(ratio, "total", ratioPath, reader);
        var hasGood = OpenSloReader.Child(ratio, "good") is not null;
        var hasBad = OpenSloReader.Child(ratio, "bad") is not null;
        if (hasGood == hasBad)
        {
            reader.Error(OpenSloReader.Path(ratioPath, hasGood ? "bad" : "good"), "exactly one of good and bad must be given");
            return null;
        }

        if (OpenSloReader.Child(ratio, "total") is null)
        {
            reader.Error(OpenSloReader.Path(ratioPath, "total"), "is required");
            return null;
        }

        return total is null || (good is null && bad is null) ? null : new SloIndicator(name, displayName, good, bad, total, counter);
    }

    private static SloMetricSource? MetricSource(YamlMappingNode ratio, string key, string ratioPath, OpenSloReader reader)
    {
        if (OpenSloReader.Child(ratio, key) is null)
        {
            return null;
        }

        var sidePath = OpenSloReader.Path(ratioPath, key);
        var side = reader.Mapping(ratio, key, ratioPath, required: true);
        var source = side is null ? null : reader.Mapping(side, "metricSource", sidePath, required: true);
        if (source is null)
        {
            return null;
        }

        var sourcePath = OpenSloReader.Path(sidePath, "metricSource");
        var type = reader.String(source, "type", sourcePath, required: false);
        var sourceRef = reader.String(source, "metricSourceRef", sourcePath, required: false);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.Mapping(source, "spec", sourcePath, required: false) is { } specNode)
        {
            // Only scalar fields are kept: they name the metric or query; nested data-source
            // settings have no meaning here.
            foreach (var (k, v) in specNode.Children)
            {
                if (k is YamlScalarNode { Value: { } fieldName } && v is YamlScalarNode { Value: { } fieldValue })
                {
                    fields[fieldName] = fieldValue;
                }
            }
        }

        if (type is null && sourceRef is null && fields.Count == 0)
        {
            reader.Error(sourcePath, "must name a metric (spec) or a DataSource (metricSourceRef)");
            return null;
        }

        return new SloMetricSource(type, sourceRef, fields.ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    private static SloWindow? ReadTimeWindow(YamlMappingNode spec, string specPath, OpenSloReader reader)
    {
        var path = OpenSloReader.Path(specPath, "timeWindow");
        YamlMappingNode? item;
        switch (OpenSloReader.Child(spec, "timeWindow"))
        {
            case null:
                reader.Error(path, "is required");
                return null;
            case YamlSequenceNode { Children.Count: 1 } list when list.Children[0] is YamlMappingNode first:
                // The spec's form: a list of exactly one item.
                item = first;
                path += "[0]";
                break;
            case YamlMappingNode single:
                item = single;
                break;
            default:
                reader.Error(path, "must be a list of exactly one window");
                return null;
        }

        var durationText = reader.String(item, "duration", path, required: true);
        var isRolling = reader.Boolean(item, "isRolling", path);
        var calendar = reader.Mapping(item, "calendar", path, required: false);
        var durationPath = OpenSloReader.Path(path, "duration");
        if (durationText is null)
        {
            return null;
        }

        if (!DurationShorthand.TryParse(durationText, out var count, out var unit))
        {
            reader.Error(durationPath, "must be a duration shorthand such as 28d, 4w, 1M (number then m, h, d, w, M, Q or Y)");
            return null;
        }

        if (calendar is null)
        {
            if (OpenSloReader.Child(item, "calendar") is not null)
            {
                return null;
            }

            if (isRolling == false)
            {
                reader.Error(OpenSloReader.Path(path, "calendar"), "is required when isRolling is false");
                return null;
            }

            if (DurationShorthand.FixedLength(count, unit) is not { } length)
            {
                reader.Error(durationPath, "a rolling window must be given in m, h, d or w");
                return null;
            }

            if (length > SloWindow.MaxLength)
            {
                reader.Error(durationPath, "must be at most 366d");
                return null;
            }

            return new RollingWindow(length);
        }

        if (isRolling == true)
        {
            reader.Error(OpenSloReader.Path(path, "isRolling"), "must be false (or omitted) for a calendar window");
            return null;
        }

        return ReadCalendar(calendar, OpenSloReader.Path(path, "calendar"), count, unit, durationPath, reader);
    }

    private static CalendarWindow? ReadCalendar(
        YamlMappingNode calendar,
        string path,
        int count,
        CalendarUnit unit,
        string durationPath,
        OpenSloReader reader)
    {
        var startText = reader.String(calendar, "startTime", path, required: true);
        var zoneText = reader.String(calendar, "timeZone", path, required: true);
        DateTime? start = null;
        if (startText is not null)
        {
            if (DateTime.TryParseExact(startText, StartTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                start = parsed;
            }
            else
            {
                reader.Error(OpenSloReader.Path(path, "startTime"), "must be a local date and time without zone, e.g. 2026-01-01 00:00:00");
            }
        }

        var zoneOk = false;
        if (zoneText is not null)
        {
            try
            {
                _ = TimeZoneInfo.FindSystemTimeZoneById(zoneText);
                zoneOk = true;
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                reader.Error(OpenSloReader.Path(path, "timeZone"), $"unknown IANA time zone '{zoneText}'");
            }
        }

        if (start is null || !zoneOk)
        {
            return null;
        }

        try
        {
            return new CalendarWindow(unit, count, start.Value, zoneText!);
        }
        catch (ArgumentOutOfRangeException)
        {
            reader.Error(durationPath, "must be at most one year");
            return null;
        }
    }

    private static BudgetingMethod? ReadBudgetingMethod(YamlMappingNode spec, string specPath, OpenSloReader reader)
    {
        var text = reader.String(spec, "budgetingMethod", specPath, required: true);
        switch (text)
        {
            case null:
                return null;
            case "Occurrences":
                return BudgetingMethod.Occurrences;
            case "Timeslices":
                return BudgetingMethod.Timeslices;
            case "RatioTimeslices":
                reader.Error(OpenSloReader.Path(specPath, "budgetingMethod"), "RatioTimeslices is not supported; use Occurrences or Timeslices");
                return null;
            default:
                reader.Error(OpenSloReader.Path(specPath, "budgetingMethod"), "must be Occurrences or Timeslices");
                return null;
        }
    }

    private static List<SloObjective>? ReadObjectives(
        YamlMappingNode spec,
        string specPath,
        BudgetingMethod? method,
        SloWindow? window,
        OpenSloReader reader,
        List<string> notes)
    {
        var list = reader.Sequence(spec, "objectives", specPath, required: true);
        var listPath = OpenSloReader.Path(specPath, "objectives");
        if (list is null)
        {
            return null;
        }

        if (list.Children.Count is 0 or > MaxObjectives)
        {
            reader.Error(listPath, $"must hold 1 to {MaxObjectives} objectives");
            return null;
        }

        var objectives = new List<SloObjective>();
        var ok = true;
        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"{listPath}[{i}]";
            if (list.Children[i] is not YamlMappingNode item)
            {
                reader.Error(path, "must be a mapping");
                ok = false;
                continue;
            }

            if (ReadObjective(item, path, method, window, reader, notes) is { } objective)
            {
                objectives.Add(objective);
            }
            else
            {
                ok = false;
            }
        }

        return ok ? objectives : null;
    }

    private static SloObjective? ReadObjective(
        YamlMappingNode item,
        string path,
        BudgetingMethod? method,
        SloWindow? window,
        OpenSloReader reader,
        List<string> notes)
    {
        var displayName = reader.String(item, "displayName", path, required: false);
        var target = reader.Number(item, "target", path);
        var percent = reader.Number(item, "targetPercent", path);
        var hasTarget = OpenSloReader.Child(item, "target") is not null;
        var hasPercent = OpenSloReader.Child(item, "targetPercent") is not null;
        double? value = null;
        if (hasTarget && hasPercent)
        {
            reader.Error(OpenSloReader.Path(path, "targetPercent"), "give either target or targetPercent, not both");
        }
        else if (!hasTarget && !hasPercent)
        {
            reader.Error(OpenSloReader.Path(path, "target"), "is required (or targetPercent)");
        }
        else if (target is { } t)
        {
            if (t is > 0 and < 1)
            {
                value = t;
            }
            else
            {
                reader.Error(OpenSloReader.Path(path, "target"), "must be between 0 and 1 (exclusive)");
            }
        }
        else if (percent is { } p)
        {
            if (p is > 0 and < 100)
            {
                value = p / 100;
            }
            else
            {
                reader.Error(OpenSloReader.Path(path, "targetPercent"), "must be between 0 and 100 (exclusive)");
            }
        }

        foreach (var thresholdField in new[] { "op", "value" })
        {
            if (OpenSloReader.Child(item, thresholdField) is not null)
            {
                notes.Add($"{path}.{thresholdField} ignored: it applies to threshold metrics only");
            }
        }

        double? sliceTarget = null;
        TimeSpan? sliceWindow = null;
        var sliceOk = true;
        if (method == BudgetingMethod.Timeslices)
        {
            (sliceTarget, sliceWindow, sliceOk) = ReadTimeSlice(item, path, reader);
        }
        else if (method == BudgetingMethod.Occurrences
            && (OpenSloReader.Child(item, "timeSliceTarget") is not null || OpenSloReader.Child(item, "timeSliceWindow") is not null))
        {
            notes.Add($"{path}: timeSliceTarget and timeSliceWindow ignored with Occurrences budgeting");
        }

        if (value is null || !sliceOk || window is null || method is null)
        {
            return null;
        }

        return new SloObjective(displayName, value.Value, new SloPolicy(value.Value, window, method.Value, sliceTarget, sliceWindow));
    }

    private static (double? Target, TimeSpan? Window, bool Ok) ReadTimeSlice(YamlMappingNode item, string path, OpenSloReader reader)
    {
        var ok = true;
        var targetPath = OpenSloReader.Path(path, "timeSliceTarget");
        var sliceTarget = reader.Number(item, "timeSliceTarget", path);
        if (OpenSloReader.Child(item, "timeSliceTarget") is null)
        {
            reader.Error(targetPath, "is required with Timeslices budgeting");
            ok = false;
        }
        else if (sliceTarget is not (> 0 and <= 1))
        {
            if (sliceTarget is not null)
            {
                reader.Error(targetPath, "must be greater than 0 and at most 1");
            }

            ok = false;
        }

        var windowPath = OpenSloReader.Path(path, "timeSliceWindow");
        var text = reader.String(item, "timeSliceWindow", path, required: false);
        TimeSpan? window = null;
        if (OpenSloReader.Child(item, "timeSliceWindow") is null)
        {
            reader.Error(windowPath, "is required with Timeslices budgeting");
            ok = false;
        }
        else if (text is not null)
        {
            // A bare number is minutes (OpenSLO v1, notes on timeSliceWindow).
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes > 0)
            {
                window = TimeSpan.FromMinutes(minutes);
            }
            else if (DurationShorthand.TryParse(text, out var count, out var unit))
            {
                window = DurationShorthand.FixedLength(count, unit);
            }

            if (window is not { } w || w > SloPolicy.MaxTimeSliceWindow)
            {
                reader.Error(windowPath, "must be minutes (e.g. 5) or a duration of m, h or d, at most 1d");
                window = null;
                ok = false;
            }
        }
        else
        {
            ok = false;
        }

        return (sliceTarget, window, ok);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
