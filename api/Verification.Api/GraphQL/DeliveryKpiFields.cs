using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Delivery;
using Verification.GraphQL.Types;

namespace Verification.Api.GraphQL;

/// <summary>
/// Contract v1.1 "delivery KPIs" in the schema: <c>recordPipelineRun</c> and its input. Resolvers call
/// <see cref="PipelineRunIngestion"/>, which <c>POST /v1/pipeline-runs</c> and the CI webhooks use too.
/// </summary>
internal sealed class DeliveryKpiFields
{
    private readonly InputObjectType _runInput;
    private readonly ObjectType _runPayload;

    public DeliveryKpiFields(ScalarType dateTime, Func<string, string, (Enum Value, string Description)[], EnumType> enumOf)
    {
        var kind = enumOf("PipelineKind", "What a CI pipeline run did.",
        [
            (PipelineKind.Build, "Compiled and packaged the change."), (PipelineKind.Test, "Ran its tests."),
            (PipelineKind.Security, "A security gate: scanning, SAST, dependency audit."), (PipelineKind.Deploy, "Deployed it."),
        ]);
        var status = enumOf("PipelineStatus", "How a pipeline run ended.",
        [
            (PipelineStatus.Succeeded, "Passed."), (PipelineStatus.Failed, "Failed (timed out included)."),
            (PipelineStatus.Cancelled, "Cancelled; excluded from success rates."),
        ]);
        _runInput = new InputObjectType("PipelineRunInput", "One finished CI pipeline run.")
            .Field("service", ScalarType.String.NonNull(), "The service the pipeline builds.")
            .Field("pipeline", ScalarType.String.NonNull(), "The pipeline (workflow) name; retries share it.")
            .Field("runId", ScalarType.String.NonNull(), "The CI system's run id.")
            .Field("kind", kind.NonNull(), "BUILD, TEST, SECURITY or DEPLOY.")
            .Field("status", status.NonNull(), "SUCCEEDED, FAILED or CANCELLED.")
            .Field("startedAt", dateTime, "When it started.")
            .Field("finishedAt", dateTime, "When it finished; default: now.")
            .Field("commitSha", ScalarType.String, "The commit it ran on (a failure then a success of the same pipeline and commit is flaky).")
            .Field("artifact", ScalarType.String, "The artifact it produced (immutable tag or digest).")
            .Field("attempt", ScalarType.Int, "1 for the first run, 2 for the first retry, …; default 1.")
            .Field("batchId", ScalarType.String, "Idempotency key; default `{pipeline}/{runId}/{attempt}`.");
        _runPayload = new ObjectType("PipelineRunPayload", "The answer to recordPipelineRun.");
        _runPayload.Field("accepted", ScalarType.Int.NonNull(), description: "Runs stored by this call: 1, or 0 for a duplicate.");
        _runPayload.Field("duplicate", ScalarType.Boolean.NonNull(), description: "True when the batchId was already stored.");
    }

    /// <summary>Provenance on <c>RegisterDeploymentInput</c> and <c>Deployment</c>, with <c>provenanceMissing</c>.</summary>
    public static void AddProvenance(InputObjectType registerInput, ObjectType deployment)
    {
        registerInput
            .Field("artifact", ScalarType.String, "Provenance: the immutable artifact deployed: `name@sha256:<digest>` or a tag never reused (not `latest`).")
            .Field("buildId", ScalarType.String, "Provenance: the CI build that produced the artifact.")
            .Field("pipelineRunId", ScalarType.String, "Provenance: the pipeline run that deploys it.")
            .Field("changeUrl", ScalarType.String, "Provenance: the change it ships (pull/merge request), an http(s) URL.")
            .Field("approvedBy", ScalarType.String, "Provenance: who approved the change.");
        deployment.Field("artifact", ScalarType.String, description: "The immutable artifact deployed.");
        deployment.Field("buildId", ScalarType.String, description: "The CI build that produced it.");
        deployment.Field("pipelineRunId", ScalarType.String, description: "The pipeline run that deploys it.");
        deployment.Field("changeUrl", ScalarType.String, description: "The change it ships.");
        deployment.Field("approvedBy", ScalarType.String, description: "Who approved the change.");
        deployment.Field("provenanceMissing", new ListType(ScalarType.String.NonNull()).NonNull(),
            description: "Which of `commitSha`, `artifact`, `buildId` are not known; empty = full provenance.");
    }

    /// <summary>The KPIs beyond DORA on <c>DeliveryMetrics</c> (and so on every <c>DeliveryWeek</c>).</summary>
    public static void AddKpis(ObjectType delivery, Func<string, string, (Enum Value, string Description)[], EnumType> enumOf)
    {
        var comparison = enumOf("KpiComparison", "Which side of its reference level a KPI should be on.",
        [
            (KpiComparison.AtMost, "Good at or below the reference."), (KpiComparison.AtLeast, "Good at or above the reference."),
        ]);
        var bucket = new ObjectType("LeadTimeBucket", "Lead times in one histogram bucket: above the previous bound, up to this one.");
        bucket.Field("upToHours", ScalarType.Float, description: "Upper bound, inclusive (1, 24, 168, 720); null: above the last bound.");
        bucket.Field("count", ScalarType.Int.NonNull(), description: "Promoted deployments whose lead time falls here.");
        var delta = new ObjectType("CanaryDelta", "M8: one metric's canary effect over finished deployments.");
        delta.Field("metric", ScalarType.String.NonNull(), description: "The metric name.");
        delta.Field("deployments", ScalarType.Int.NonNull(), description: "Finished deployments with a judged effect on it.");
        delta.Field("medianEffect", ScalarType.Float.NonNull(), description: "Median effect (canary relative to baseline, 0.1 = 10 % higher).");
        delta.Field("p90Effect", ScalarType.Float.NonNull(), description: "90th percentile of the effect.");
        var kpi = new ObjectType("Kpi", "One row of the M1–M10 table: the value with its reference level next to it.");
        kpi.Field("id", ScalarType.String.NonNull(), description: "M1 … M10.");
        kpi.Field("name", ScalarType.String.NonNull(), description: "What it measures.");
        kpi.Field("field", ScalarType.String.NonNull(), description: "The DeliveryMetrics field with the value.");
        kpi.Field("value", ScalarType.Float, description: "The value; null when not measurable in the window.");
        kpi.Field("unit", ScalarType.String.NonNull(), description: "ratio, hours, minutes, per day or pages.");
        kpi.Field("reference", ScalarType.Float.NonNull(), description: "The starting target, in the value's unit.");
        kpi.Field("comparison", comparison.NonNull(), description: "AT_MOST or AT_LEAST the reference is good.");
        kpi.Field("target", ScalarType.String.NonNull(), description: "The reference as text, e.g. `≥ 90 %`.");
        kpi.Field("met", ScalarType.Boolean, description: "Whether the value meets the reference; null when there is no value.");

        delivery.Field("pipelineRuns", ScalarType.Int.NonNull(), description: "Pipeline runs finished in the window, every kind and status.");
        delivery.Field("pipelineSuccessRate", ScalarType.Float, description: "M5: SUCCEEDED ÷ (SUCCEEDED + FAILED) runs, retries included, cancelled excluded.");
        delivery.Field("flakyRuns", ScalarType.Int.NonNull(), description: "FAILED runs followed by a SUCCEEDED run of the same pipeline and commit.");
        delivery.Field("securityGateFailureRate", ScalarType.Float, description: "M9: FAILED ÷ (SUCCEEDED + FAILED) SECURITY runs.");
        delivery.Field("timeToDetectMinutes", ScalarType.Float, description: "M6: median deployment start → ROLLBACK verdict of rolled-back deployments.");
        delivery.Field("timeToDetectP90Minutes", ScalarType.Float, description: "M6: 90th percentile of the same.");
        delivery.Field("timeToDetectPageMinutes", ScalarType.Float, description: "M6: median promotion → first SLO page attributed to the deployment.");
        delivery.Field("provenanceCoverage", ScalarType.Float, description: "M7: deployments with commitSha, artifact and buildId ÷ deployments.");
        delivery.Field("pagesPerRelease", ScalarType.Float, description: "M10: pages and incidents attributed to a promotion within its service's incidentWindowMinutes ÷ promotions.");
        delivery.Field("leadTimeP50Hours", ScalarType.Float, description: "M1: median lead time (same as leadTimeHours).");
        delivery.Field("leadTimeHistogram", new ListType(bucket.NonNull()).NonNull(), description: "M1: lead times in buckets up to 1 h, 1 day, 1 week, 30 days, more.");
        delivery.Field("canaryDeltas", new ListType(delta.NonNull()).NonNull(), description: "M8: per metric, the distribution of canary effects.");
        delivery.Field("kpis", new ListType(kpi.NonNull()).NonNull(), description: "M1–M10, each with its reference level next to the value.");
    }

    /// <summary><c>ReleasePolicy.maxBurnRate</c> and its input.</summary>
    public static void AddBurnRateLimit(ObjectType policy, InputObjectType policyInput)
    {
        var limit = new ObjectType("BurnRateLimit", "Promotions pause while an SLO's burn rate over `window` is above `rate`.");
        limit.Field("window", ScalarType.String.NonNull(), description: "5m, 30m, 1h, 2h, 6h, 1d or 3d.");
        limit.Field("rate", ScalarType.Float.NonNull(), description: "The highest burn rate allowed (1 = exactly on budget).");
        var input = new InputObjectType("BurnRateLimitInput", "A burn-rate limit on promotions, e.g. {window: \"1h\", rate: 2}.")
            .Field("window", ScalarType.String.NonNull(), "5m, 30m, 1h, 2h, 6h, 1d or 3d.")
            .Field("rate", ScalarType.Float.NonNull(), "The highest burn rate allowed, > 0.");
        policy.Field("maxBurnRate", limit, description: "No promotion while any SLO burns faster than this over its window; null: no limit.");
        policyInput.Field("maxBurnRate", input, "No promotion while any SLO burns faster than this, e.g. {window: \"1h\", rate: 2}.");
    }

    /// <summary>The on-call view: <c>Service.recentDeployments(first)</c> and <c>Deployment.pagesAfter</c> (<see cref="OnCallService"/>).</summary>
    public static void AddOnCall(ObjectType service, ObjectType deployment, ObjectType incident)
    {
        service.Field("recentDeployments", new ListType(deployment.NonNull()).NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<OnCallService>().RecentAsync(((Service)ctx.Source!).Name, ctx.GetArgument("first", OnCallService.DefaultFirst),
                    ctx.CancellationToken)),
                "Its latest deployments, newest first: with provenance, verdict (canary deltas in `verdict.metrics`) and `pagesAfter`.")
            .Argument("first", ScalarType.Int, OnCallService.DefaultFirst, $"At most this many (0–{OnCallService.MaxFirst}).")
            .Costs(QueryCosts.Listing, "first");
        deployment.Field("pagesAfter", new ListType(incident.NonNull()).NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<OnCallService>().PagesAfterAsync((Deployment)ctx.Source!, ctx.CancellationToken)),
                "Pages and incidents that followed it: attributed to it, or to none and opened while it rolled out or within the "
                + "service's incidentWindowMinutes after it finished; oldest first.")
            .Costs(QueryCosts.Listing);
    }

    public void AddMutations(ObjectType mutation)
    {
        mutation.Field("recordPipelineRun", _runPayload.NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<PipelineRunIngestion>().RecordAsync(VerificationSchema.Convert<PipelineRunInput>(ctx.Arguments["input"]), ctx.CancellationToken)),
                "Records a finished CI pipeline run durably (pipeline success, flaky runs, security gate KPIs); idempotent by batchId.")
            .Argument("input", _runInput.NonNull(), "The run.")
            .RequireScope(Scopes.Ingest);
    }
}
