using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Slo;

/// <summary>
/// The SLO surface behind GraphQL and HTTP: one method per operation (<c>applySlo</c>, <c>recordSloEvents</c>,
/// <c>service</c>, <c>services</c>, release policy), each validating at the edge and calling the service grains.
/// </summary>
public sealed class SloService(IGrainFactory grains, IServiceDirectory directory, TimeProvider time, AuditTrail audit)
{
    /// <summary>Most services one OpenSLO input may define SLOs for.</summary>
    public const int MaxServicesPerApply = 100;

    /// <summary>
    /// GraphQL <c>applySlo(yaml)</c>: parses OpenSLO v1 documents and applies each service's SLOs to its grain. Throws
    /// <see cref="SloDefinitionException"/> with every error's field path, then nothing is applied. Returns the SLOs
    /// of the input, in input order.
    /// </summary>
    public async Task<IReadOnlyList<Contracts.Slo>> ApplyAsync(string yaml, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var parsed = OpenSloParser.Parse(yaml, cancellationToken);
        if (!parsed.IsValid)
        {
            throw new SloDefinitionException(parsed.Errors);
        }

        if (parsed.Slos.Count == 0)
        {
            throw new SloDefinitionException([new OpenSloError("yaml", "contains no 'kind: SLO' document")]);
        }

        var services = parsed.Slos.Select(s => s.Service).Distinct(StringComparer.Ordinal).ToList();
        if (services.Count > MaxServicesPerApply)
        {
            throw new SloDefinitionException([new OpenSloError("yaml", $"defines SLOs of {services.Count} services; at most {MaxServicesPerApply}")]);
        }

        foreach (var service in services)
        {
            CallerContext.Current.DemandService(service);
        }

        var applied = await Task.WhenAll(services.Select(s => grains.GetGrain<IServiceGrain>(s).ApplySlosAsync(yaml, cancellationToken)))
            .ConfigureAwait(false);
        foreach (var slo in applied.SelectMany(a => a))
        {
            await audit.RecordAsync("slo.apply", $"{slo.Service}/{slo.Name}", slo.Service, slo.Window, cancellationToken).ConfigureAwait(false);
        }

        var byName = applied.SelectMany(a => a).ToDictionary(s => (s.Service, s.Name));
        return [.. parsed.Slos.Select(s => byName[(s.Service, s.Name)])];
    }

    /// <summary>GraphQL <c>recordSloEvents(input)</c>: one batch; a known batchId answers <c>duplicate: true</c>.</summary>
    public async Task<SloEventsPayload> RecordAsync(SloEventsInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            var result = await RecordBulkAsync([input], cancellationToken).ConfigureAwait(false);
            return new SloEventsPayload(result.Accepted, result.Duplicates > 0);
        }
        catch (BatchInputException e)
        {
            throw e.Input;
        }
    }

    /// <summary>
    /// Bulk ingestion (<c>POST /v1/slo-events</c>): validates every batch first, so a bad one rejects the whole request
    /// before anything is written (<see cref="BatchInputException"/> with its index), then appends each service's batches
    /// in one grain call, services in parallel.
    /// </summary>
    public async Task<SloEventsResult> RecordBulkAsync(IReadOnlyList<SloEventsInput> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count > InputLimits.MaxBatchesPerRequest)
        {
            throw new BatchInputException(events.Count - 1,
                new InputException("batches", $"at most {InputLimits.MaxBatchesPerRequest} batches per request, got {events.Count}"));
        }

        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                DeploymentValidation.Text("service", events[i].Service);
            }
            catch (InputException e)
            {
                throw new BatchInputException(i, e);
            }

            if (!CallerContext.Current.MayAccess(events[i].Service))
            {
                throw new ForbiddenException($"line {i + 1}: the token '{CallerContext.Current.Name}' may not access the service '{events[i].Service}'.");
            }

            if (!groups.TryGetValue(events[i].Service, out var list))
            {
                groups[events[i].Service] = list = [];
            }

            list.Add(i);
        }

        var windows = await Task.WhenAll(groups.Keys.Select(s => grains.GetGrain<IServiceGrain>(s).GetEventWindowsAsync(cancellationToken)))
            .ConfigureAwait(false);
        var byService = groups.Keys.Zip(windows).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                SloEventValidation.Validate(events[i], byService[events[i].Service], now);
            }
            catch (InputException e)
            {
                throw new BatchInputException(i, e);
            }
        }

        var results = await Task.WhenAll(groups.Select(g =>
                grains.GetGrain<IServiceGrain>(g.Key).RecordEventsAsync([.. g.Value.Select(i => events[i])], cancellationToken)))
            .ConfigureAwait(false);
        return new SloEventsResult(results.Sum(r => r.Accepted), results.Sum(r => r.Duplicates));
    }

    /// <summary>GraphQL <c>service(name)</c>: the service with its SLOs, or null when nothing is stored for it.</summary>
    public Task<Service?> GetServiceAsync(string name, CancellationToken cancellationToken)
    {
        DeploymentValidation.Text("name", name);
        CallerContext.Current.DemandService(name);
        return grains.GetGrain<IServiceGrain>(name).GetAsync(cancellationToken);
    }

    /// <summary>GraphQL <c>services</c>: every service with stored state, ordered by name.</summary>
    public async Task<IReadOnlyList<Service>> ListServicesAsync(CancellationToken cancellationToken)
    {
        var caller = CallerContext.Current;
        var names = (await directory.ListServicesAsync(cancellationToken).ConfigureAwait(false)).Where(caller.MayAccess);
        var services = await Task.WhenAll(names.Select(n => grains.GetGrain<IServiceGrain>(n).GetAsync(cancellationToken))).ConfigureAwait(false);
        return [.. services.OfType<Service>()];
    }

    /// <summary>
    /// <c>GET /v1/services/{name}/prometheus-rules</c>: the Prometheus rule file of the service's SLOs
    /// (<see cref="PrometheusRules"/>); <paramref name="team"/> labels every series with the owning team.
    /// </summary>
    public async Task<string> GetPrometheusRulesAsync(string name, string? team, CancellationToken cancellationToken)
    {
        DeploymentValidation.Text("name", name);
        if (team is not null)
        {
            DeploymentValidation.Text("team", team);
        }

        CallerContext.Current.DemandService(name);
        var sources = await grains.GetGrain<IServiceGrain>(name).GetRuleSourcesAsync(cancellationToken).ConfigureAwait(false);
        return sources.Count == 0
            ? throw new NotFoundException($"Service '{name}' has no SLOs: apply an OpenSLO definition first (POST /v1/slos).")
            : PrometheusRules.Write(name, sources, team);
    }

    /// <summary>Sets a service's release policy (<c>PUT /v1/services/{name}/policy</c>).</summary>
    public async Task<ReleasePolicy> SetPolicyAsync(string service, ReleasePolicy policy, CancellationToken cancellationToken)
    {
        DeploymentValidation.Text("service", service);
        ReleasePolicyValidation.Validate(policy);
        CallerContext.Current.DemandService(service);
        var set = await grains.GetGrain<IServiceGrain>(service).SetPolicyAsync(policy, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync("policy.set", service, service, null, cancellationToken).ConfigureAwait(false);
        return set;
    }
}
