using System.Globalization;
using System.Text.Json;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.GraphQL;
using Verification.GraphQL.Types;

namespace Verification.Api.GraphQL;

/// <summary>
/// The Verification GraphQL schema, contract v1 of docs/API.md: names are promised to CD tools and must not change.
/// Resolvers are thin: each calls a grain or an API-layer service and returns contract records, whose properties the
/// engine's default resolver reads.
/// </summary>
public static class VerificationSchema
{
    public static Schema Build()
    {
        var dateTime = new ScalarType("DateTime", SerializeDateTime, ParseDateTime,
            "An instant as ISO-8601 text in UTC, e.g. `2026-11-22T10:30:00Z`.", "https://www.rfc-editor.org/rfc/rfc3339");

        var cohort = Enum("Cohort", "Which version a sample comes from.",
            (Cohort.Baseline, "The current version."), (Cohort.Canary, "The new version being verified."));
        var metricKind = Enum("MetricKind", "How a metric is measured.",
            (MetricKind.Ratio, "count/total events, e.g. errors/requests; judged on the counts."),
            (MetricKind.Continuous, "Observed values, e.g. latency in ms; judged on the values."));
        var direction = Enum("Direction", "Which change of the canary is bad.",
            (Direction.Increase, "Higher is bad (errors, latency)."), (Direction.Decrease, "Lower is bad (throughput, success rate)."),
            (Direction.Either, "Any change is bad."));
        var decision = Enum("Decision", "What the CD tool should do.",
            (Decision.Pending, "Not enough evidence yet: keep the canary running and ask again."),
            (Decision.Promote, "The canary is shown not worse than the baseline on every metric."),
            (Decision.Rollback, "The canary is shown worse."),
            (Decision.Inconclusive, "The analysis window closed without either; the reason says what was missing."));
        var classification = Enum("Classification", "Per-metric judgement, Kayenta's labels.",
            (Classification.Pass, "No change in a bad direction shown."), (Classification.High, "The canary is higher, in a bad direction."),
            (Classification.Low, "The canary is lower, in a bad direction."), (Classification.Nodata, "A cohort has no samples."),
            (Classification.Error, "Samples arrived but none could be used."));
        var status = Enum("DeploymentStatus", "What the CD tool did with the deployment.",
            (DeploymentStatus.Verifying, "Being verified."), (DeploymentStatus.Promoted, "Promoted by the CD tool."),
            (DeploymentStatus.RolledBack, "Rolled back by the CD tool."), (DeploymentStatus.Aborted, "Abandoned without promotion or rollback."));
        var method = Enum("AnalysisMethod", "How the canary is judged.",
            (AnalysisMethod.Sequential, "Always-valid sequential tests (default): the false-rollback rate stays at alpha however often the verdict is read."),
            (AnalysisMethod.MannWhitney, "Kayenta-compatible fixed-horizon Mann–Whitney rank-sum judge."));

        var slo = new SloFields(dateTime, Enum);
        var kpis = new DeliveryKpiFields(dateTime, Enum);
        DeliveryKpiFields.AddKpis(slo.Delivery, Enum);
        DeliveryKpiFields.AddBurnRateLimit(slo.Policy, slo.PolicyInput);

        var sourceInput = new InputObjectType("MetricSourceInput", "Where pushed (OTLP, remote-write) or pulled (PromQL) telemetry for a metric comes from.")
            .Field("countMetric", ScalarType.String, "RATIO: counter whose increase is `count` (e.g. `http.server.errors`).")
            .Field("totalMetric", ScalarType.String, "RATIO: counter whose increase is `total` (e.g. `http.server.requests`).")
            .Field("valueMetric", ScalarType.String, "CONTINUOUS: gauge or histogram; default: the metric's own name.")
            .Field("promql", ScalarType.String, "Pulled from Prometheus; `$deployment` and `$cohort` are substituted.");
        var metricInput = new InputObjectType("MetricInput", "A metric the canary is judged on.")
            .Field("name", ScalarType.String.NonNull(), "Unique within the deployment.")
            .Field("kind", metricKind.NonNull(), "RATIO or CONTINUOUS.")
            .Field("direction", direction, Direction.Either, "Which change of the canary is bad.")
            .Field("critical", ScalarType.Boolean, false, "A failing critical metric alone means ROLLBACK.")
            .Field("allowedChange", ScalarType.Float, "Relative change tolerated before the metric fails, e.g. 0.1 = 10 %; also the promotion margin (default 0.1).")
            .Field("source", sourceInput, "Where its telemetry comes from, when not posted as samples.")
            .Field("promotionMargin", ScalarType.Float, "Relative change within which the canary must be shown for PROMOTE, apart from allowedChange (> 0); default: allowedChange, else 0.1.");
        var analysisInput = new InputObjectType("AnalysisInput", "How the canary is judged.")
            .Field("method", method, AnalysisMethod.Sequential, "SEQUENTIAL (default) or MANN_WHITNEY.")
            .Field("alpha", ScalarType.Float, AnalysisInput.DefaultAlpha, "False-rollback rate the verdict must keep, however often it is read; in (0, 0.5).")
            .Field("minDurationSeconds", ScalarType.Int, "No PROMOTE before this.")
            .Field("maxDurationSeconds", ScalarType.Int, "Window closes: PROMOTE or ROLLBACK if decided, else INCONCLUSIVE.");
        var registerInput = new InputObjectType("RegisterDeploymentInput", "A deployment to verify.")
            .Field("id", ScalarType.ID.NonNull(), "The deploy ID that telemetry is linked by.")
            .Field("service", ScalarType.String.NonNull(), "The service being deployed.")
            .Field("version", ScalarType.String.NonNull(), "The version being rolled out.")
            .Field("environment", ScalarType.String, RegisterDeploymentInput.DefaultEnvironment, "Where; DORA metrics count `production`.")
            .Field("commitSha", ScalarType.String, "The commit deployed.")
            .Field("commitTime", dateTime, "First commit of the change: lead time = promotion time − commitTime.")
            .Field("metrics", new ListType(metricInput.NonNull()), "The metrics the canary is judged on (1–100); may be omitted with `template`.")
            .Field("analysis", analysisInput, "How it is judged; defaults apply when omitted.")
            .Field("team", ScalarType.String, "The owning team, for DORA metrics per team.")
            .Field("unplanned", ScalarType.Boolean, false, "True for a deployment made to fix a production problem (counts as rework).")
            .Field("template", ScalarType.String, "An analysis template: its metrics (a metric listed here replaces the one of the same name) and its analysis (unless `analysis` is given).");
        var samplesInput = new InputObjectType("SamplesInput", "One batch of samples for one metric and cohort.")
            .Field("deploymentId", ScalarType.ID.NonNull(), "The registered deployment.")
            .Field("cohort", cohort.NonNull(), "BASELINE or CANARY.")
            .Field("metric", ScalarType.String.NonNull(), "A metric registered on the deployment.")
            .Field("values", new ListType(ScalarType.Float.NonNull()), "CONTINUOUS: observed values (1–100,000).")
            .Field("count", ScalarType.Int, "RATIO: events counted (e.g. errors) in this batch.")
            .Field("total", ScalarType.Int, "RATIO: all events in this batch.")
            .Field("at", dateTime, "When the batch was observed; default: now.")
            .Field("batchId", ScalarType.String, "Idempotency key: a batch with a known batchId is not counted twice.");

        var metricSource = new ObjectType("MetricSource", "Where a metric's telemetry comes from.");
        metricSource.Field("countMetric", ScalarType.String, description: "RATIO: counter whose increase is `count`.");
        metricSource.Field("totalMetric", ScalarType.String, description: "RATIO: counter whose increase is `total`.");
        metricSource.Field("valueMetric", ScalarType.String, description: "CONTINUOUS: gauge or histogram name.");
        metricSource.Field("promql", ScalarType.String, description: "PromQL pulled from Prometheus.");
        var metricDefinition = new ObjectType("MetricDefinition", "A metric as registered, defaults applied.");
        metricDefinition.Field("name", ScalarType.String.NonNull(), description: "The metric's name.");
        metricDefinition.Field("kind", metricKind.NonNull(), description: "RATIO or CONTINUOUS.");
        metricDefinition.Field("direction", direction.NonNull(), description: "Which change of the canary is bad.");
        metricDefinition.Field("critical", ScalarType.Boolean.NonNull(), description: "A failing critical metric alone means ROLLBACK.");
        metricDefinition.Field("allowedChange", ScalarType.Float, description: "Relative change tolerated; null: 10 % margin for promotion, any shown change fails.");
        metricDefinition.Field("source", metricSource, description: "Where its telemetry comes from, if not posted.");
        metricDefinition.Field("promotionMargin", ScalarType.Float, description: "Promotion margin as registered; null: allowedChange, else 10 %.");
        var analysis = new ObjectType("Analysis", "How a deployment is judged, defaults applied.");
        analysis.Field("method", method.NonNull(), description: "SEQUENTIAL or MANN_WHITNEY.");
        analysis.Field("alpha", ScalarType.Float.NonNull(), description: "The false-rollback rate kept.");
        analysis.Field("minDurationSeconds", ScalarType.Int, description: "No PROMOTE before this.");
        analysis.Field("maxDurationSeconds", ScalarType.Int, description: "After this an undecided verdict is INCONCLUSIVE.");

        var judgement = new ObjectType("MetricJudgement", "The evidence on one metric.");
        judgement.Field("metric", ScalarType.String.NonNull(), description: "The metric's name.");
        judgement.Field("classification", classification.NonNull(), description: "PASS, HIGH, LOW, NODATA or ERROR.");
        judgement.Field("critical", ScalarType.Boolean.NonNull(), description: "Whether the metric is critical.");
        judgement.Field("pValue", ScalarType.Float, description: "Always-valid p-value (SEQUENTIAL) or Mann–Whitney p-value.");
        judgement.Field("effect", ScalarType.Float, description: "Canary relative to baseline, e.g. 0.25 = 25 % higher.");
        judgement.Field("ciLow", ScalarType.Float, description: "Lower confidence bound of the effect.");
        judgement.Field("ciHigh", ScalarType.Float, description: "Upper confidence bound of the effect.");
        judgement.Field("baselineCount", ScalarType.Int.NonNull(), description: "Observations (CONTINUOUS) or total events (RATIO) of the baseline.");
        judgement.Field("canaryCount", ScalarType.Int.NonNull(), description: "Observations (CONTINUOUS) or total events (RATIO) of the canary.");
        var verdict = new ObjectType("Verdict", "The decision on a deployment, with the evidence behind it.");
        verdict.Field("decision", decision.NonNull(), description: "PENDING, PROMOTE, ROLLBACK or INCONCLUSIVE.");
        verdict.Field("reason", ScalarType.String.NonNull(), description: "One sentence a person can act on.");
        verdict.Field("score", ScalarType.Float, description: "0–100, Kayenta-compatible: 100 × passing ÷ judged metrics.");
        verdict.Field("decidedAt", dateTime, description: "When the decision became final (null while PENDING).");
        verdict.Field("metrics", new ListType(judgement.NonNull()).NonNull(), description: "Per-metric judgements, in registration order.");
        verdict.Field("gate", slo.Gate, description: "The service's release gate when it held a promotion back (error budget spent or burning).");
        var summary = new ObjectType("CohortSummary", "What has been ingested for one metric and cohort.");
        summary.Field("metric", ScalarType.String.NonNull(), description: "The metric's name.");
        summary.Field("cohort", cohort.NonNull(), description: "BASELINE or CANARY.");
        summary.Field("observations", ScalarType.Int.NonNull(), description: "Values (CONTINUOUS) or batches (RATIO) stored.");
        summary.Field("count", ScalarType.Int, description: "RATIO: sum of count.");
        summary.Field("total", ScalarType.Int, description: "RATIO: sum of total.");
        summary.Field("mean", ScalarType.Float, description: "CONTINUOUS: mean of the values.");

        var completionOverride = new ObjectType(
            "CompletionOverride", "A completion that went against the verdict of that moment, kept with that verdict.");
        completionOverride.Field("completedAs", status.NonNull(), description: "What the CD tool did: PROMOTED or ROLLED_BACK.");
        completionOverride.Field("decision", decision.NonNull(), description: "The verdict's decision at completion (PENDING or ROLLBACK for a promotion, PROMOTE for a rollback).");
        completionOverride.Field("reason", ScalarType.String.NonNull(), description: "The verdict's reason at completion.");
        completionOverride.Field("at", dateTime.NonNull(), description: "When the deployment was completed.");

        var deployment = new ObjectType("Deployment", "A deployment being (or having been) verified.");
        deployment.Field("id", ScalarType.ID.NonNull(), description: "The deploy ID telemetry is linked by.");
        deployment.Field("service", ScalarType.String.NonNull(), description: "The service deployed.");
        deployment.Field("version", ScalarType.String.NonNull(), description: "The version rolled out.");
        deployment.Field("environment", ScalarType.String.NonNull(), description: "Where it is deployed.");
        deployment.Field("commitSha", ScalarType.String, description: "The commit deployed.");
        deployment.Field("commitTime", dateTime, description: "First commit of the change.");
        deployment.Field("startedAt", dateTime.NonNull(), description: "When it was registered.");
        deployment.Field("finishedAt", dateTime, description: "When the CD tool completed it.");
        deployment.Field("status", status.NonNull(), description: "What the CD tool did.");
        deployment.Field("metrics", new ListType(metricDefinition.NonNull()).NonNull(), description: "The metrics it is judged on.");
        deployment.Field("analysis", analysis.NonNull(), description: "How it is judged.");
        deployment.Field("summaries", new ListType(summary.NonNull()).NonNull(), description: "What has been ingested, per metric and cohort.");
        deployment.Field("verdict", verdict.NonNull(), description: "The current verdict.");
        deployment.Field("team", ScalarType.String, description: "The owning team.");
        deployment.Field("unplanned", ScalarType.Boolean.NonNull(), description: "Made to fix a production problem (rework).");
        deployment.Field("override", completionOverride,
            description: "Set when the CD tool completed it against the verdict (e.g. PROMOTED while PENDING or ROLLBACK); null otherwise.");
        DeliveryKpiFields.AddProvenance(registerInput, deployment);
        DeliveryKpiFields.AddOnCall(slo.Service, deployment, slo.Incident);
        var recordPayload = new ObjectType("RecordSamplesPayload", "The answer to recordSamples.");
        recordPayload.Field("accepted", ScalarType.Int.NonNull(), description: "Batches stored by this call: 1, or 0 for a duplicate.");
        recordPayload.Field("duplicate", ScalarType.Boolean.NonNull(), description: "True when the batchId was already stored (nothing was counted).");
        recordPayload.Field("verdict", verdict.NonNull(), description: "The verdict after this batch.");

        var query = new ObjectType("Query", "Read deployments, verdicts, services, SLOs and delivery metrics.");
        query.Field("deployment", deployment, ctx => ContractErrors.Guard(() =>
                ctx.GetService<DeploymentCommands>().GetAsync(ctx.GetArgument<string>("id"), ctx.CancellationToken)),
                "A deployment by id; null when unknown.")
            .Argument("id", ScalarType.ID.NonNull(), "The deploy ID.")
            .RequireScope(Scopes.Read);
        query.Field("deployments", new ListType(deployment.NonNull()).NonNull(), ctx => ContractErrors.Guard(() =>
                AccessFilters.ListDeploymentsAsync(ctx.GetService<IDeploymentDirectory>(),
                    new DeploymentFilter(ctx.GetArgument<string?>("service", null), ctx.GetArgument<string?>("environment", null),
                        ctx.HasArgument("status") && ctx.Arguments["status"] is DeploymentStatus s ? s : null),
                    ctx.GetArgument("first", 50), ctx.GetArgument<string?>("after", null), ctx.CancellationToken)),
                "Deployments ordered by id; page with `after` = the last id seen.")
            .Argument("service", ScalarType.String, "Only this service.")
            .Argument("environment", ScalarType.String, "Only this environment.")
            .Argument("status", status, "Only this status.")
            .Argument("first", ScalarType.Int, 50, "At most this many (0–1000).")
            .Argument("after", ScalarType.String, "Start after this deployment id.")
            .Costs(QueryCosts.Listing, "first")
            .RequireScope(Scopes.Read);

        var mutation = new ObjectType("Mutation", "Register deployments, send samples and SLO events, record outcomes and incidents.");
        mutation.Field("registerDeployment", deployment.NonNull(), ctx => ContractErrors.Guard(async () =>
            {
                var input = Convert<RegisterDeploymentInput>(ctx.Arguments["input"]);
                var result = await ctx.GetService<DeploymentCommands>().RegisterAsync(input, ctx.CancellationToken).ConfigureAwait(false);
                return result.Deployment;
            }), "Registers a deployment. The same id and input again returns it; a different input for the same id is a CONFLICT error.")
            .Argument("input", registerInput.NonNull(), "The deployment.")
            .RequireScope(Scopes.Decide);
        mutation.Field("recordSamples", recordPayload.NonNull(), ctx => ContractErrors.Guard(async () =>
            {
                var input = Convert<SamplesInput>(ctx.Arguments["input"]);
                var result = await ctx.GetService<SampleIngestion>().RecordAsync([input], ctx.CancellationToken).ConfigureAwait(false);
                var only = result.PerDeployment.Single();
                return new RecordSamplesPayload(only.Accepted, only.Duplicates > 0, only.Verdict);
            }), "Stores one batch durably (acknowledged after commit) and re-judges the deployment.")
            .Argument("input", samplesInput.NonNull(), "The batch.")
            .RequireScope(Scopes.Ingest);
        mutation.Field("completeDeployment", deployment.NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<DeploymentCommands>().CompleteAsync(
                    ctx.GetArgument<string>("id"), ctx.GetArgument<DeploymentStatus>("status"), ctx.CancellationToken)),
                "Records what the CD tool finally did; the verdict is frozen from then on. Idempotent for the same status.")
            .Argument("id", ScalarType.ID.NonNull(), "The deploy ID.")
            .Argument("status", status.NonNull(), "PROMOTED, ROLLED_BACK or ABORTED.")
            .RequireScope(Scopes.Decide);

        slo.AddQueries(query);
        slo.AddMutations(mutation);
        AccessFields.AddQueries(query, dateTime);
        var templates = new TemplateFields(dateTime, metricInput, analysisInput, metricDefinition, analysis);
        templates.AddQueries(query);
        templates.AddMutations(mutation);
        kpis.AddMutations(mutation);

        var subscription = new ObjectType("Subscription", "Pushed changes.");
        subscription.Field("verdictChanged", verdict.NonNull(), description: "The deployment's verdict each time it changes (first: the current one).")
            .Argument("deploymentId", ScalarType.ID.NonNull(), "The deploy ID.")
            .Subscribe(async ctx =>
            {
                var id = ctx.GetArgument<string>("deploymentId");
                try
                {
                    DeploymentValidation.Identifier("deploymentId", id);
                }
                catch (InputException e)
                {
                    throw new GraphQLException(e.Message, ContractErrors.BadUserInput);
                }

                // Subscribe before reading the current verdict, so that no change between the two is lost.
                var changes = ctx.GetService<IVerdictFeed>().SubscribeAsync(id, ctx.CancellationToken);
                Deployment? current;
                try
                {
                    current = await ctx.GetService<IGrainFactory>().GetGrain<IDeploymentGrain>(id).GetAsync(ctx.CancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (Http.Problems.IsUnavailable(e))
                {
                    throw ContractErrors.Unavailability(e);
                }

                try
                {
                    CallerContext.Current.DemandDeployment(current);
                }
                catch (ForbiddenException e)
                {
                    throw new GraphQLException(e.Message, AccessMiddleware.Forbidden);
                }

                if (current is null)
                {
                    throw new GraphQLException($"Deployment '{id}' is not registered.", ContractErrors.NotFound);
                }

                return VerdictStream(current, changes, ctx.GetService<IGrainFactory>().GetGrain<IDeploymentGrain>(id), ctx.CancellationToken);
            })
            .RequireScope(Scopes.Read);

        FieldAccess.Enforce(query, mutation, subscription);
        return new SchemaBuilder()
            .Description("Verification: SLO-driven release verification. Contract v1.")
            .Query(query).Mutation(mutation).Subscription(subscription)
            .Build();
    }

    /// <summary>An enum whose GraphQL names are the contract spellings (as <see cref="ContractJson"/> writes them).</summary>
    private static EnumType Enum(string name, string description, params (Enum Value, string Description)[] values)
    {
        var type = new EnumType(name, description);
        foreach (var (value, text) in values)
        {
            type.Value(JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString()), value, text);
        }

        return type;
    }

    /// <summary>
    /// The current verdict first (so a late subscriber is not left waiting), then every change. A published verdict that
    /// repeats the last one sent is skipped (published between subscribing and reading the current one), unless it is the
    /// deployment's completion: a completed deployment publishes its verdict again (final from then on), sent once.
    /// </summary>
    private static async IAsyncEnumerable<object?> VerdictStream(Deployment current, IAsyncEnumerable<Verdict> changes,
        IDeploymentGrain grain, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return current.Verdict;
        var last = current.Verdict;
        var completionSent = current.Status != DeploymentStatus.Verifying;
        await foreach (var verdict in changes.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (verdict.SameAnswer(last))
            {
                if (completionSent
                    || (await grain.GetAsync(cancellationToken).ConfigureAwait(false))?.Status is null or DeploymentStatus.Verifying)
                {
                    continue;
                }

                completionSent = true;
            }

            last = verdict;
            yield return verdict;
        }
    }

    /// <summary>A coerced input object (dictionaries, CLR enums, DateTimeOffset) as a contract record, defaults applied.</summary>
    internal static T Convert<T>(object? value) =>
        JsonSerializer.SerializeToElement(value, ContractJson.Options).Deserialize<T>(ContractJson.Options)
            ?? throw new InputException("input", "is required");

    private static object? SerializeDateTime(object value) => value switch
    {
        DateTimeOffset d => d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DateTime d => new DateTimeOffset(d.ToUniversalTime()).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        _ => throw new GraphQLException($"DateTime cannot represent {value.GetType().Name}."),
    };

    private static object? ParseDateTime(object value) =>
        value is string s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
            ? d
            : throw new GraphQLException($"DateTime must be an ISO-8601 string, got {value}.");
}
