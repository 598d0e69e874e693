using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Delivery;
using Verification.Api.Slo;
using Verification.GraphQL.Types;

namespace Verification.Api.GraphQL;

/// <summary>
/// SLOs, error budgets, burn rates, the release gate, incidents and DORA delivery metrics in the schema (docs/API.md:
/// <c>recordSloEvents</c>, <c>applySlo</c>, <c>service</c>, <c>services</c>, <c>delivery</c>, and the names on
/// <c>Service</c>, <c>Slo</c>, <c>BurnRate</c>, <c>DeliveryMetrics</c>). Resolvers call <see cref="SloService"/>,
/// <see cref="IncidentService"/> and <see cref="DeliveryService"/>, which the HTTP endpoints use too.
/// </summary>
internal sealed class SloFields
{
    private readonly ScalarType _dateTime;

    public SloFields(ScalarType dateTime, Func<string, string, (Enum Value, string Description)[], EnumType> enumOf)
    {
        _dateTime = dateTime;
        var alert = enumOf("AlertLevel", "Multi-window, multi-burn-rate alert state (Google SRE workbook, ch. 5).",
        [
            (AlertLevel.None, "No burn-rate rule fires."),
            (AlertLevel.Ticket, "A slow burn: (1d and 2h) > 3 or (3d and 6h) > 1, scaled to the SLO's period."),
            (AlertLevel.Page, "A fast burn: (1h and 5m) > 14.4 or (6h and 30m) > 6, scaled to the SLO's period."),
        ]);
        var budgeting = enumOf("BudgetingMethod", "How the error budget is counted (OpenSLO budgetingMethod).",
        [
            (SloBudgetingMethod.Occurrences, "Bad events ÷ all events, traffic-weighted."),
            (SloBudgetingMethod.Timeslices, "Bad time slices ÷ all slices."),
        ]);
        var performance = enumOf("DeliveryPerformance", "DORA 2023 performance level.",
        [
            (DeliveryPerformance.Elite, "Elite performers."), (DeliveryPerformance.High, "High performers."),
            (DeliveryPerformance.Medium, "Medium performers."), (DeliveryPerformance.Low, "Low performers."),
        ]);
        var source = enumOf("IncidentSource", "How an incident was opened.",
        [
            (IncidentSource.Manual, "Opened through openIncident or POST /v1/incidents."),
            (IncidentSource.SloPage, "Opened automatically: an SLO reached PAGE soon after a promotion."),
        ]);

        var burnRate = new ObjectType("BurnRate", "How fast the error budget burns over one window: 1 = exactly on budget.");
        burnRate.Field("window", ScalarType.String.NonNull(), description: "The window: 5m, 30m, 1h, 2h, 6h, 1d or 3d.");
        burnRate.Field("rate", ScalarType.Float.NonNull(), description: "(bad ÷ total over the window) ÷ (1 − target); 0 without traffic.");
        var objective = new ObjectType("SloObjective", "One objective of an SLO and its budget.");
        objective.Field("displayName", ScalarType.String, description: "The objective's display name.");
        objective.Field("target", ScalarType.Float.NonNull(), description: "The target good ratio, e.g. 0.999.");
        objective.Field("budgetRemaining", ScalarType.Float.NonNull(), description: "1 = untouched, 0 = spent, negative = overspent.");
        objective.Field("budgetConsumed", ScalarType.Float.NonNull(), description: "1 − budgetRemaining.");
        objective.Field("timeToExhaustionHours", ScalarType.Float, description: "Hours until the budget is spent at the 1h burn rate; null when not burning.");
        objective.Field("burnRates", new ListType(burnRate.NonNull()).NonNull(), description: "Burn rates over 5m … 3d.");
        objective.Field("alert", alert.NonNull(), description: "NONE, TICKET or PAGE.");
        objective.Field("good", ScalarType.Float.NonNull(), description: "Good events in the period (a Float: counts may exceed 32-bit Int).");
        objective.Field("total", ScalarType.Float.NonNull(), description: "All events in the period (a Float: counts may exceed 32-bit Int).");
        var slo = new ObjectType("Slo", "A service level objective with its error budget and burn rates (first objective; all in `objectives`).");
        slo.Field("service", ScalarType.String.NonNull(), description: "The service.");
        slo.Field("name", ScalarType.String.NonNull(), description: "The SLO's name (OpenSLO metadata.name).");
        slo.Field("displayName", ScalarType.String, description: "OpenSLO metadata.displayName.");
        slo.Field("description", ScalarType.String, description: "OpenSLO spec.description.");
        slo.Field("target", ScalarType.Float.NonNull(), description: "The target good ratio, e.g. 0.999.");
        slo.Field("window", ScalarType.String.NonNull(), description: "The budgeting window, e.g. `28d rolling` or `1M calendar`.");
        slo.Field("budgetingMethod", budgeting.NonNull(), description: "OCCURRENCES or TIMESLICES.");
        slo.Field("budgetRemaining", ScalarType.Float.NonNull(), description: "1 = untouched, 0 = spent, negative = overspent.");
        slo.Field("budgetConsumed", ScalarType.Float.NonNull(), description: "1 − budgetRemaining.");
        slo.Field("timeToExhaustionHours", ScalarType.Float, description: "Hours until the budget is spent at the 1h burn rate; null when not burning.");
        slo.Field("burnRates", new ListType(burnRate.NonNull()).NonNull(), description: "Burn rates over 5m, 30m, 1h, 2h, 6h, 1d, 3d.");
        slo.Field("alert", alert.NonNull(), description: "NONE, TICKET or PAGE.");
        slo.Field("good", ScalarType.Float.NonNull(), description: "Good events in the period (a Float: counts may exceed 32-bit Int).");
        slo.Field("total", ScalarType.Float.NonNull(), description: "All events in the period (a Float: counts may exceed 32-bit Int).");
        slo.Field("periodStart", dateTime.NonNull(), description: "Start of the current budgeting period.");
        slo.Field("periodEnd", dateTime.NonNull(), description: "End of the current budgeting period.");
        slo.Field("definedAt", dateTime.NonNull(), description: "When this definition was applied (its budget counts from then).");
        slo.Field("objectives", new ListType(objective.NonNull()).NonNull(), description: "Every objective with its own budget.");

        var policy = new ObjectType("ReleasePolicy", "When the service's error budget holds promotions back.");
        policy.Field("minBudgetRemaining", ScalarType.Float.NonNull(), description: "No promotion while any SLO has less budget left than this (default 0).");
        policy.Field("blockOnPage", ScalarType.Boolean.NonNull(), description: "No promotion while any SLO is at PAGE (default true).");
        policy.Field("blockOnTicket", ScalarType.Boolean.NonNull(), description: "No promotion while any SLO is at TICKET (default false).");
        policy.Field("incidentWindowMinutes", ScalarType.Int.NonNull(), description: "An SLO reaching PAGE this soon after a promotion opens an incident linked to it.");
        Gate = new ObjectType("ReleaseGate", "Whether the service's error budget allows a promotion now.");
        Gate.Field("allowed", ScalarType.Boolean.NonNull(), description: "False: a PROMOTE verdict is held back.");
        Gate.Field("reason", ScalarType.String.NonNull(), description: "Why, naming the SLO and its numbers.");
        Gate.Field("slo", ScalarType.String, description: "The SLO that blocks, if any.");
        Gate.Field("budgetRemaining", ScalarType.Float, description: "That SLO's remaining budget.");
        Gate.Field("alert", alert, description: "That SLO's alert state.");
        Gate.Field("checkedAt", dateTime.NonNull(), description: "When the gate was evaluated.");
        var incident = new ObjectType("Incident", "A production problem, linked to a service and optionally to the deployment that caused it.");
        incident.Field("id", ScalarType.ID.NonNull(), description: "`<service>-<number>`.");
        incident.Field("service", ScalarType.String.NonNull(), description: "The service.");
        incident.Field("title", ScalarType.String.NonNull(), description: "What happened.");
        incident.Field("deploymentId", ScalarType.ID, description: "The deployment that caused it; counts as a change failure.");
        incident.Field("source", source.NonNull(), description: "MANUAL or SLO_PAGE.");
        incident.Field("slo", ScalarType.String, description: "The SLO that paged, for SLO_PAGE incidents.");
        incident.Field("openedAt", dateTime.NonNull(), description: "When the failure was detected.");
        incident.Field("resolvedAt", dateTime, description: "When service was restored.");
        incident.Field("fixedByDeploymentId", ScalarType.ID, description: "The deployment that fixed it; counts as rework.");
        var service = new ObjectType("Service", "A service: its SLOs, release policy, gate and incidents.");
        service.Field("name", ScalarType.String.NonNull(), description: "The service name.");
        service.Field("slos", new ListType(slo.NonNull()).NonNull(), description: "Its SLOs with budgets and burn rates.");
        service.Field("policy", policy.NonNull(), description: "Its release policy.");
        service.Field("gate", Gate.NonNull(), description: "Whether a promotion would be allowed now.");
        service.Field("incidents", new ListType(incident.NonNull()).NonNull(), description: "Its incidents, newest first.");

        var levels = new ObjectType("DeliveryLevels", "The DORA 2023 level of each metric; null when the metric is undefined.");
        levels.Field("deploymentFrequency", performance, description: "On demand (≥ 1/day) / daily–weekly / weekly–monthly / less.");
        levels.Field("leadTime", performance, description: "< 1 day / < 1 week / < 1 month / more.");
        levels.Field("changeFailureRate", performance, description: "0–5 % / 5–10 % / 10–15 % / more.");
        levels.Field("recoveryTime", performance, description: "< 1 hour / < 1 day / < 1 week / more.");
        var delivery = new ObjectType("DeliveryMetrics", "DORA delivery metrics over a window of production deployments.");
        delivery.Field("service", ScalarType.String, description: "The service filtered on, if any.");
        delivery.Field("team", ScalarType.String, description: "The team filtered on, if any.");
        delivery.Field("from", dateTime.NonNull(), description: "Window start.");
        delivery.Field("to", dateTime.NonNull(), description: "Window end (now).");
        delivery.Field("deployments", ScalarType.Int.NonNull(), description: "Production deployments in the window.");
        delivery.Field("deploymentFrequencyPerDay", ScalarType.Float.NonNull(), description: "Production deployments promoted per day.");
        delivery.Field("leadTimeHours", ScalarType.Float, description: "Median of promotion time − commitTime, hours.");
        delivery.Field("leadTimeP90Hours", ScalarType.Float, description: "90th percentile of promotion time − commitTime, hours.");
        delivery.Field("changeFailureRate", ScalarType.Float, description: "Deployments rolled back or linked to an incident ÷ finished deployments.");
        delivery.Field("recoveryTimeHours", ScalarType.Float, description: "Median failure detected → restored, hours.");
        delivery.Field("reworkRate", ScalarType.Float, description: "Unplanned deployments (fixing a production problem) ÷ deployments.");
        delivery.Field("levels", levels.NonNull(), description: "The level of each metric.");
        delivery.Field("performance", performance, description: "Overall level: the lowest defined per-metric level; null without deployments.");
        delivery.Field("overrides", ScalarType.Int.NonNull(), description: "Finished deployments completed against their verdict (promoted while PENDING or ROLLBACK, rolled back while PROMOTE).");
        var week = new ObjectType("DeliveryWeek", "DORA metrics for one ISO week.");
        week.Field("isoYear", ScalarType.Int.NonNull(), description: "ISO-8601 week-numbering year.");
        week.Field("isoWeek", ScalarType.Int.NonNull(), description: "ISO-8601 week number.");
        week.Field("metrics", delivery.NonNull(), description: "The metrics of that week.");
        var eventsPayload = new ObjectType("SloEventsPayload", "The answer to recordSloEvents.");
        eventsPayload.Field("accepted", ScalarType.Int.NonNull(), description: "Batches stored by this call: 1, or 0 for a duplicate.");
        eventsPayload.Field("duplicate", ScalarType.Boolean.NonNull(), description: "True when the batchId was already stored.");

        EventsInput = new InputObjectType("SloEventsInput", "Good and total events of one SLO over a short interval.")
            .Field("service", ScalarType.String.NonNull(), "The service.")
            .Field("slo", ScalarType.String.NonNull(), "The SLO's name.")
            .Field("good", ScalarType.Int.NonNull(), "Good events, 0 ≤ good ≤ total.")
            .Field("total", ScalarType.Int.NonNull(), "All events.")
            .Field("at", dateTime, "When they happened (late data lands in its own minute); default: now.")
            .Field("batchId", ScalarType.String, "Idempotency key: a known batch is not counted twice.");
        OpenIncidentInputType = new InputObjectType("OpenIncidentInput", "A production problem.")
            .Field("service", ScalarType.String.NonNull(), "The service.")
            .Field("title", ScalarType.String, "What happened.")
            .Field("deploymentId", ScalarType.ID, "The deployment that caused it.")
            .Field("openedAt", dateTime, "When it was detected; default: now.");
        PolicyInput = new InputObjectType("ReleasePolicyInput", "A service's release policy.")
            .Field("minBudgetRemaining", ScalarType.Float, 0.0, "No promotion while any SLO has less budget left than this.")
            .Field("blockOnPage", ScalarType.Boolean, true, "No promotion while any SLO is at PAGE.")
            .Field("blockOnTicket", ScalarType.Boolean, false, "No promotion while any SLO is at TICKET.")
            .Field("incidentWindowMinutes", ScalarType.Int, ReleasePolicy.DefaultIncidentWindowMinutes, "An SLO at PAGE this soon after a promotion opens an incident.");

        Service = service;
        Slo = slo;
        Incident = incident;
        Policy = policy;
        Delivery = delivery;
        Week = week;
        EventsPayload = eventsPayload;
    }

    public ObjectType Gate { get; }

    public ObjectType Service { get; }

    private ObjectType Slo { get; }

    public ObjectType Incident { get; }

    public ObjectType Policy { get; }

    public ObjectType Delivery { get; }

    private ObjectType Week { get; }

    private ObjectType EventsPayload { get; }

    private InputObjectType EventsInput { get; }

    private InputObjectType OpenIncidentInputType { get; }

    public InputObjectType PolicyInput { get; }

    public void AddQueries(ObjectType query)
    {
        query.Field("service", Service, ctx => ContractErrors.Guard(() =>
                ctx.GetService<SloService>().GetServiceAsync(ctx.GetArgument<string>("name"), ctx.CancellationToken)),
                "A service with its SLOs, budgets, burn rates, release gate and incidents; null when unknown.")
            .Argument("name", ScalarType.String.NonNull(), "The service name.")
            .RequireScope(Scopes.Read);
        query.Field("services", new ListType(Service.NonNull()).NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<SloService>().ListServicesAsync(ctx.CancellationToken)), "Every service that has SLOs or incidents.")
            .Costs(QueryCosts.Listing)
            .RequireScope(Scopes.Read);
        query.Field("delivery", Delivery.NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<DeliveryService>().GetAsync(ctx.GetArgument<string?>("service", null), ctx.GetArgument<string?>("team", null),
                    ctx.GetArgument("days", DeliveryService.DefaultDays), ctx.CancellationToken)),
                "DORA delivery metrics of production deployments over the last `days` days, per service, per team or overall.")
            .Argument("service", ScalarType.String, "Only this service.")
            .Argument("team", ScalarType.String, "Only deployments registered with this team.")
            .Argument("days", ScalarType.Int, DeliveryService.DefaultDays, "The window, 1–366 days back from now.")
            .Costs(QueryCosts.Delivery)
            .RequireScope(Scopes.Read);
        query.Field("deliveryTrend", new ListType(Week.NonNull()).NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<DeliveryService>().WeeklyAsync(ctx.GetArgument<string?>("service", null), ctx.GetArgument<string?>("team", null),
                    ctx.GetArgument("weeks", 12), ctx.CancellationToken)),
                "The same DORA metrics per ISO week, oldest first.")
            .Argument("service", ScalarType.String, "Only this service.")
            .Argument("team", ScalarType.String, "Only this team.")
            .Argument("weeks", ScalarType.Int, 12, "How many weeks back, 1–104.")
            .Costs(QueryCosts.Delivery, "weeks")
            .RequireScope(Scopes.Read);
    }

    public void AddMutations(ObjectType mutation)
    {
        mutation.Field("applySlo", new ListType(Slo.NonNull()).NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<SloService>().ApplyAsync(ctx.GetArgument<string>("yaml"), ctx.CancellationToken)),
                "Defines or updates SLOs from OpenSLO v1 YAML (kind SLO, inline or referenced SLI). Invalid input: BAD_USER_INPUT with "
                + "`extensions.errors` [{path, message}], nothing applied. The same definition again changes nothing; a changed one restarts its budget.")
            .Argument("yaml", ScalarType.String.NonNull(), "One or more OpenSLO v1 documents.")
            .RequireScope(Scopes.Decide);
        mutation.Field("recordSloEvents", EventsPayload.NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<SloService>().RecordAsync(VerificationSchema.Convert<SloEventsInput>(ctx.Arguments["input"]), ctx.CancellationToken)),
                "Records good/total events of an SLO durably; idempotent by batchId.")
            .Argument("input", EventsInput.NonNull(), "The events.")
            .RequireScope(Scopes.Ingest);
        mutation.Field("openIncident", Incident.NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<IncidentService>().OpenAsync(VerificationSchema.Convert<OpenIncidentInput>(ctx.Arguments["input"]), ctx.CancellationToken)),
                "Opens an incident; linked to a deployment it counts as that deployment's change failure.")
            .Argument("input", OpenIncidentInputType.NonNull(), "The incident.")
            .RequireScope(Scopes.Decide);
        mutation.Field("resolveIncident", Incident.NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<IncidentService>().ResolveAsync(ctx.GetArgument<string>("id"),
                    new ResolveIncidentInput(ctx.GetArgument<DateTimeOffset?>("resolvedAt", null), ctx.GetArgument<string?>("fixedByDeploymentId", null)),
                    ctx.CancellationToken)),
                "Resolves an incident: recovery time ends here; a fixing deployment counts as rework.")
            .Argument("id", ScalarType.ID.NonNull(), "The incident id.")
            .Argument("resolvedAt", _dateTime, "When service was restored; default: now.")
            .Argument("fixedByDeploymentId", ScalarType.ID, "The deployment that fixed it.")
            .RequireScope(Scopes.Decide);
        mutation.Field("setReleasePolicy", Policy.NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<SloService>().SetPolicyAsync(ctx.GetArgument<string>("service"),
                    VerificationSchema.Convert<ReleasePolicy>(ctx.Arguments["policy"]), ctx.CancellationToken)),
                "Sets when the service's error budget holds promotions back.")
            .Argument("service", ScalarType.String.NonNull(), "The service.")
            .Argument("policy", PolicyInput.NonNull(), "The policy.")
            .RequireScope(Scopes.Decide);
    }
}
