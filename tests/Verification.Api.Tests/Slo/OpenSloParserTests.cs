using Verification.Analysis.Slo;
using Verification.Api.Slo;

namespace Verification.Api.Tests.Slo;

public sealed class OpenSloParserTests
{
    private const string InlineSlo = """
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: checkout-availability
          displayName: Checkout availability
        spec:
          description: Requests answered without a 5xx
          service: checkout
          indicator:
            metadata:
              name: checkout-errors
            spec:
              ratioMetric:
                counter: true
                good:
                  metricSource:
                    type: Prometheus
                    spec:
                      query: sum(rate(http_requests_total{code!~"5.."}[1m]))
                total:
                  metricSource:
                    type: Prometheus
                    spec:
                      query: sum(rate(http_requests_total[1m]))
          timeWindow:
            - duration: 28d
              isRolling: true
          budgetingMethod: Occurrences
          objectives:
            - displayName: Good
              targetPercent: 99.9
        """;

    private static string[] Errors(OpenSloParseResult result) => result.Errors.Select(e => e.ToString()).ToArray();

    [Fact]
    public void Parse_InlineRollingOccurrences_Definition()
    {
        var sut = OpenSloParser.Parse(InlineSlo);

        Assert.Empty(sut.Errors);
        var slo = Assert.Single(sut.Slos);
        Assert.Equal("checkout", slo.Service);
        Assert.Equal("checkout-availability", slo.Name);
        Assert.Equal("Checkout availability", slo.DisplayName);
        Assert.Equal("Requests answered without a 5xx", slo.Description);
        Assert.Equal(new RollingWindow(TimeSpan.FromDays(28)), slo.Window);
        Assert.Equal(BudgetingMethod.Occurrences, slo.BudgetingMethod);
        var objective = Assert.Single(slo.Objectives);
        Assert.Equal("Good", objective.DisplayName);
        // targetPercent 99.9 → 0.999 (99.9 / 100 in doubles).
        Assert.Equal(99.9 / 100, objective.Target);
        Assert.Equal(objective.Target, objective.Policy.Target);
        Assert.Equal("checkout-errors", slo.Indicator.Name);
        Assert.True(slo.Indicator.Counter);
        Assert.Equal("sum(rate(http_requests_total{code!~\"5..\"}[1m]))", slo.Indicator.Good!.Metric);
        Assert.Equal("Prometheus", slo.Indicator.Good.Type);
        Assert.Null(slo.Indicator.Bad);
        Assert.Equal("sum(rate(http_requests_total[1m]))", slo.Indicator.Total.Metric);
    }

    [Fact]
    public void Parse_SliReferenceCalendarTimeslicesAndOtherKinds_DefinitionAndNotes()
    {
        var yaml = """
            apiVersion: openslo/v1
            kind: Service
            metadata:
              name: payments
            spec:
              description: The payment service
            ---
            apiVersion: openslo/v1
            kind: SLI
            metadata:
              name: payment-failures
            spec:
              ratioMetric:
                bad:
                  metricSource:
                    spec:
                      metric: payments.failed
                total:
                  metricSource:
                    spec:
                      metric: payments.total
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: payments-success
            spec:
              service: payments
              indicatorRef: payment-failures
              timeWindow:
                - duration: 1M
                  calendar:
                    startTime: 2026-01-01 00:00:00
                    timeZone: Europe/Berlin
              budgetingMethod: Timeslices
              objectives:
                - target: 0.99
                  timeSliceTarget: 0.95
                  timeSliceWindow: 5m
              alertPolicies:
                - alertPolicyRef: page-me
            ---
            """;

        var sut = OpenSloParser.Parse(yaml);

        Assert.Empty(sut.Errors);
        var slo = Assert.Single(sut.Slos);
        Assert.Equal(new CalendarWindow(CalendarUnit.Month, 1, new DateTime(2026, 1, 1), "Europe/Berlin"), slo.Window);
        Assert.Equal(BudgetingMethod.Timeslices, slo.BudgetingMethod);
        var policy = Assert.Single(slo.Objectives).Policy;
        Assert.Equal(0.99, policy.Target);
        Assert.Equal(0.95, policy.TimeSliceTarget);
        Assert.Equal(TimeSpan.FromMinutes(5), policy.TimeSliceWindow);
        Assert.Equal("payment-failures", slo.Indicator.Name);
        Assert.Null(slo.Indicator.Good);
        Assert.Equal("payments.failed", slo.Indicator.Bad!.Metric);
        Assert.Equal("payments.total", slo.Indicator.Total.Metric);
        Assert.Equal(
            [
                "documents[0]: kind Service ignored",
                "documents[2].spec.alertPolicies ignored: alerts follow the multi-window, multi-burn-rate policy",
            ],
            sut.Notes);
    }

    [Fact]
    public void Parse_SeveralInvalidDocuments_AllErrorsWithPathsAndNoSlos()
    {
        var yaml = InlineSlo + """

            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: Bad_Name
            spec:
              indicatorRef: missing-sli
              timeWindow:
                - duration: 1M
                  isRolling: true
              budgetingMethod: Occurrences
              objectives:
                - target: 1.5
                - targetPercent: 0
            """;

        var sut = OpenSloParser.Parse(yaml);

        // The first document is valid, but nothing is returned when any is not.
        Assert.Empty(sut.Slos);
        Assert.Equal(
            [
                "documents[1].metadata.name: must be lowercase letters, digits, '-' or '.', starting and ending with a letter or digit (RFC 1123)",
                "documents[1].spec.service: is required",
                "documents[1].spec.indicatorRef: no SLI named 'missing-sli' in the input",
                "documents[1].spec.timeWindow[0].duration: a rolling window must be given in m, h, d or w",
                "documents[1].spec.objectives[0].target: must be between 0 and 1 (exclusive)",
                "documents[1].spec.objectives[1].targetPercent: must be between 0 and 100 (exclusive)",
            ],
            Errors(sut));
    }

    [Fact]
    public void Parse_ObjectiveTargetsOutOfRange_ErrorPerObjective()
    {
        var yaml = InlineSlo.Replace("""
                - displayName: Good
                  targetPercent: 99.9
            """, """
                - target: 1.5
                - targetPercent: 0
                - target: 0.5
                  targetPercent: 50
                - displayName: none
            """, StringComparison.Ordinal);

        var sut = OpenSloParser.Parse(yaml);

        Assert.Equal(
            [
                "documents[0].spec.objectives[0].target: must be between 0 and 1 (exclusive)",
                "documents[0].spec.objectives[1].targetPercent: must be between 0 and 100 (exclusive)",
                "documents[0].spec.objectives[2].targetPercent: give either target or targetPercent, not both",
                "documents[0].spec.objectives[3].target: is required (or targetPercent)",
            ],
            Errors(sut));
    }

    [Theory]
    [InlineData("apiVersion: openslo/v1", "apiVersion: openslo/v1alpha", "documents[0].apiVersion: must be openslo/v1")]
    [InlineData("budgetingMethod: Occurrences", "budgetingMethod: RatioTimeslices",
        "documents[0].spec.budgetingMethod: RatioTimeslices is not supported; use Occurrences or Timeslices")]
    [InlineData("duration: 28d", "duration: 28 days",
        "documents[0].spec.timeWindow[0].duration: must be a duration shorthand such as 28d, 4w, 1M (number then m, h, d, w, M, Q or Y)")]
    [InlineData("duration: 28d", "duration: 367d", "documents[0].spec.timeWindow[0].duration: must be at most 366d")]
    [InlineData("targetPercent: 99.9", "targetPercent: lots", "documents[0].spec.objectives[0].targetPercent: must be a number")]
    [InlineData("service: checkout", "service: [a, b]", "documents[0].spec.service: must be a string")]
    [InlineData("ratioMetric:", "thresholdMetric:",
        "documents[0].spec.indicator.spec.thresholdMetric: is not supported; use ratioMetric (good/total or bad/total)")]
    [InlineData("good:", "bad:\n          metricSource: {type: X}\n        good:",
        "documents[0].spec.indicator.spec.ratioMetric.bad: exactly one of good and bad must be given")]
    public void Parse_OneFieldWrong_ErrorNamesField(string find, string replace, string expected)
    {
        var sut = OpenSloParser.Parse(InlineSlo.Replace(find, replace, StringComparison.Ordinal));

        Assert.Empty(sut.Slos);
        Assert.Equal([expected], Errors(sut));
    }

    [Fact]
    public void Parse_TimeslicesWithoutSliceSettings_BothRequired()
    {
        var sut = OpenSloParser.Parse(InlineSlo.Replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices", StringComparison.Ordinal));

        Assert.Equal(
            [
                "documents[0].spec.objectives[0].timeSliceTarget: is required with Timeslices budgeting",
                "documents[0].spec.objectives[0].timeSliceWindow: is required with Timeslices budgeting",
            ],
            Errors(sut));
    }

    [Fact]
    public void Parse_TimeslicesWithBareNumberWindow_Minutes()
    {
        var yaml = InlineSlo
            .Replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices", StringComparison.Ordinal)
            .Replace("targetPercent: 99.9", "targetPercent: 99.9\n      timeSliceTarget: 1\n      timeSliceWindow: 10", StringComparison.Ordinal);

        var sut = OpenSloParser.Parse(yaml);

        Assert.Empty(sut.Errors);
        Assert.Equal(TimeSpan.FromMinutes(10), sut.Slos[0].Objectives[0].Policy.TimeSliceWindow);
        Assert.Equal(1.0, sut.Slos[0].Objectives[0].Policy.TimeSliceTarget);
    }

    [Fact]
    public void Parse_CalendarWithUnknownZoneAndBadStart_BothErrors()
    {
        var yaml = InlineSlo.Replace("""
                - duration: 28d
                  isRolling: true
            """, """
                - duration: 1w
                  calendar:
                    startTime: next monday
                    timeZone: Mars/Olympus
            """, StringComparison.Ordinal);

        var sut = OpenSloParser.Parse(yaml);

        Assert.Equal(
            [
                "documents[0].spec.timeWindow[0].calendar.startTime: must be a local date and time without zone, e.g. 2026-01-01 00:00:00",
                "documents[0].spec.timeWindow[0].calendar.timeZone: unknown IANA time zone 'Mars/Olympus'",
            ],
            Errors(sut));
    }

    [Fact]
    public void Parse_InvalidSliAfterSlo_ErrorsInDocumentOrderWithoutFollowOnError()
    {
        var slo = InlineSlo.Replace("  indicator:\n    metadata:", "  indicatorRef: broken\n  unused:\n    metadata:", StringComparison.Ordinal);
        var yaml = slo + """

            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: second
            spec:
              service: checkout
              indicatorRef: broken
              timeWindow: [{duration: 0d}]
              budgetingMethod: Occurrences
              objectives: [{target: 0.99}]
            ---
            apiVersion: openslo/v1
            kind: SLI
            metadata:
              name: broken
            spec:
              ratioMetric:
                total:
                  metricSource:
                    spec: {metric: requests}
            """;

        Assert.Contains("indicatorRef: broken", slo, StringComparison.Ordinal);

        var sut = OpenSloParser.Parse(yaml);

        // Both SLOs refer to an SLI that exists but is invalid: only the SLI's own error is
        // reported for it, and errors come in document order though SLIs are read first.
        Assert.Equal(
            [
                "documents[1].spec.timeWindow[0].duration: must be a duration shorthand such as 28d, 4w, 1M (number then m, h, d, w, M, Q or Y)",
                "documents[2].spec.ratioMetric.good: exactly one of good and bad must be given",
            ],
            Errors(sut));
    }

    [Fact]
    public void Parse_SameSloTwice_DuplicateError()
    {
        var sut = OpenSloParser.Parse(InlineSlo + "\n---\n" + InlineSlo);

        Assert.Equal(
            ["documents[1].metadata.name: SLO 'checkout-availability' of service 'checkout' is already defined in documents[0]"],
            Errors(sut));
    }

    [Fact]
    public void Parse_MalformedYaml_ErrorWithLine()
    {
        var sut = OpenSloParser.Parse("apiVersion: openslo/v1\nkind: [SLO\n");

        var error = Assert.Single(sut.Errors);
        Assert.Equal("yaml", error.Path);
        Assert.StartsWith("line 3, column 1: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SameInputTwice_EqualDefinitions()
    {
        var first = OpenSloParser.Parse(InlineSlo).Slos.Single();

        var second = OpenSloParser.Parse(InlineSlo).Slos.Single();

        Assert.Equal(first, second);
        Assert.NotEqual(first, OpenSloParser.Parse(InlineSlo.Replace("99.9", "99.5", StringComparison.Ordinal)).Slos.Single());
        Assert.NotEqual(first, OpenSloParser.Parse(InlineSlo.Replace("[1m]))\n        total", "[5m]))\n        total", StringComparison.Ordinal)).Slos.Single());
    }

    [Fact]
    public void Parse_Empty_NoSlosNoErrors()
    {
        var sut = OpenSloParser.Parse("");

        Assert.True(sut.IsValid);
        Assert.Empty(sut.Slos);
    }
}
