using Verification.Api.Contracts;

namespace Verification.Api.Deployments;

/// <summary>Validates a registration and applies its defaults, so that "the same input" compares equal.</summary>
public static class DeploymentValidation
{
    /// <summary>Returns the input with defaults applied; throws <see cref="InputException"/> naming the first bad field.</summary>
    public static RegisterDeploymentInput Normalize(RegisterDeploymentInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Identifier("id", input.Id);
        Text("service", input.Service);
        Text("version", input.Version);
        Text("environment", input.Environment);
        if (input.CommitSha is not null)
        {
            Text("commitSha", input.CommitSha);
        }

        if (input.Team is not null)
        {
            Text("team", input.Team);
        }

        ProvenanceValidation.Validate(input);

        var metrics = NormalizeMetrics(input.Metrics);
        var analysis = NormalizeAnalysis(input.Analysis);
        if (input.Template is not null)
        {
            Identifier("template", input.Template);
        }

        return input with
        {
            Metrics = metrics,
            Analysis = analysis,
            CommitTime = input.CommitTime?.ToUniversalTime(),
        };
    }

    /// <summary>
    /// Validates a template exactly as a registration's <c>metrics</c> and <c>analysis</c> are validated (same fields
    /// named in errors) and applies the same defaults.
    /// </summary>
    public static AnalysisTemplate NormalizeTemplate(string name, TemplateInput input, DateTimeOffset updatedAt)
    {
        ArgumentNullException.ThrowIfNull(input);
        Identifier("name", name);
        return new AnalysisTemplate(name, NormalizeMetrics(input.Metrics), NormalizeAnalysis(input.Analysis), updatedAt);
    }

    /// <summary>
    /// A registration naming a template, with the template merged in. The rule (README "Analysis templates"): the metrics
    /// are the template's, in its order, where a metric the registration lists under the same name replaces the template's
    /// one as a whole, followed by the registration's other metrics in their order; <c>analysis</c> given in the
    /// registration replaces the template's as a whole, else the template's applies. Every other field is the registration's.
    /// </summary>
    public static RegisterDeploymentInput ApplyTemplate(RegisterDeploymentInput input, AnalysisTemplate template)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(template);
        var own = input.Metrics ?? [];
        var byName = new Dictionary<string, MetricInput>(StringComparer.Ordinal);
        for (var i = 0; i < own.Count; i++)
        {
            if (own[i]?.Name is { } name && !byName.TryAdd(name, own[i]))
            {
                throw new InputException($"metrics[{i}].name", $"metric '{name}' is defined twice");
            }
        }

        var templateNames = template.Metrics.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        List<MetricInput> merged = [.. template.Metrics.Select(m => byName.GetValueOrDefault(m.Name) ?? m)];
        merged.AddRange(own.Where(m => m?.Name is not { } name || !templateNames.Contains(name)));
        return input with { Metrics = merged, Analysis = input.Analysis ?? template.Analysis, Template = template.Name };
    }

    /// <summary>The metric definitions a registration yields.</summary>
    public static IReadOnlyList<MetricDefinition> Definitions(RegisterDeploymentInput normalized) =>
        [.. normalized.Metrics.Select(m =>
            new MetricDefinition(m.Name, m.Kind, m.Direction, m.Critical, m.AllowedChange, m.Source, m.PromotionMargin))];

    /// <summary>Deployment ids are used in URLs, labels and attributes: printable ASCII without spaces or slashes.</summary>
    public static void Identifier(string field, string? value)
    {
        Text(field, value, InputLimits.MaxIdLength);
        foreach (var c in value!)
        {
            if (c <= ' ' || c > '~' || c is '/' or '\\' or '?' or '#' or '%')
            {
                throw new InputException(field, $"may contain printable ASCII except space, '/', '\\', '?', '#' and '%'; got '{value}'");
            }
        }
    }

    public static void Text(string field, string? value, int maxLength = InputLimits.MaxNameLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InputException(field, "is required and must not be blank");
        }

        if (value.Length > maxLength)
        {
            throw new InputException(field, $"must be at most {maxLength} characters, got {value.Length}");
        }
    }

    private static List<MetricInput> NormalizeMetrics(IReadOnlyList<MetricInput>? input)
    {
        if (input is null || input.Count == 0)
        {
            throw new InputException("metrics", "at least one metric is required (or a template that has them)");
        }

        if (input.Count > InputLimits.MaxMetrics)
        {
            throw new InputException("metrics", $"at most {InputLimits.MaxMetrics} metrics are allowed, got {input.Count}");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var metrics = new List<MetricInput>(input.Count);
        for (var i = 0; i < input.Count; i++)
        {
            var metric = input[i];
            var field = $"metrics[{i}]";
            if (metric is null)
            {
                throw new InputException(field, "must be a metric object, got null");
            }

            Text($"{field}.name", metric.Name);
            if (!names.Add(metric.Name))
            {
                throw new InputException($"{field}.name", $"metric '{metric.Name}' is defined twice");
            }

            if (metric.AllowedChange is { } change && (!double.IsFinite(change) || change < 0))
            {
                throw new InputException($"{field}.allowedChange", $"must be a finite number >= 0, got {change}");
            }

            if (metric.PromotionMargin is { } margin && (!double.IsFinite(margin) || margin <= 0))
            {
                throw new InputException($"{field}.promotionMargin", $"must be a finite number > 0, got {margin}");
            }

            metrics.Add(metric with { Source = NormalizeSource($"{field}.source", metric) });
        }

        return metrics;
    }

    private static AnalysisInput NormalizeAnalysis(AnalysisInput? input)
    {
        var analysis = input ?? new AnalysisInput();
        if (!double.IsFinite(analysis.Alpha) || analysis.Alpha <= 0 || analysis.Alpha >= 0.5)
        {
            throw new InputException("analysis.alpha", $"must be in (0, 0.5), got {analysis.Alpha}");
        }

        if (analysis.MinDurationSeconds is < 0)
        {
            throw new InputException("analysis.minDurationSeconds", $"must be >= 0, got {analysis.MinDurationSeconds}");
        }

        if (analysis.MaxDurationSeconds is { } max && (max <= 0 || max < (analysis.MinDurationSeconds ?? 0)))
        {
            throw new InputException("analysis.maxDurationSeconds", $"must be positive and >= minDurationSeconds, got {max}");
        }

        return analysis;
    }

    private static MetricSourceInput? NormalizeSource(string field, MetricInput metric)
    {
        var source = metric.Source;
        if (source is null)
        {
            return null;
        }

        if (metric.Kind == MetricKind.Ratio && source.ValueMetric is not null)
        {
            throw new InputException($"{field}.valueMetric", "applies to CONTINUOUS metrics; a RATIO metric uses countMetric and totalMetric");
        }

        if (metric.Kind == MetricKind.Continuous && (source.CountMetric is not null || source.TotalMetric is not null))
        {
            throw new InputException($"{field}.countMetric", "applies to RATIO metrics; a CONTINUOUS metric uses valueMetric");
        }

        if (metric.Kind == MetricKind.Ratio && (source.CountMetric is null) != (source.TotalMetric is null))
        {
            throw new InputException($"{field}.totalMetric", "countMetric and totalMetric go together");
        }

        foreach (var (name, value) in new[] { ("countMetric", source.CountMetric), ("totalMetric", source.TotalMetric), ("valueMetric", source.ValueMetric) })
        {
            if (value is not null)
            {
                Text($"{field}.{name}", value);
            }
        }

        if (source.Promql is not null)
        {
            Text($"{field}.promql", source.Promql, 4096);
        }

        return source;
    }
}
