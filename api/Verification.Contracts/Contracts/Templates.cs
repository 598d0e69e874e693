namespace Verification.Api.Contracts;

/// <summary>
/// The body of <c>PUT /v1/templates/{name}</c> and GraphQL <c>putTemplate</c>: the metrics and analysis settings of a
/// registration, kept under a name so that registrations (and Flagger's <c>metadata.template</c>) can name them.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.TemplateInput")]
public sealed record TemplateInput(IReadOnlyList<MetricInput> Metrics, AnalysisInput? Analysis = null);

/// <summary>A stored analysis template: validated and with the defaults of a registration applied.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.AnalysisTemplate")]
public sealed record AnalysisTemplate(string Name, IReadOnlyList<MetricInput> Metrics, AnalysisInput Analysis, DateTimeOffset UpdatedAt);

/// <summary>The answer to storing a template: it, and whether the name was new.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.PutTemplateResult")]
public sealed record PutTemplateResult(AnalysisTemplate Template, bool Created);

/// <summary>One grain per analysis template, keyed by its name.</summary>
[Alias("Verification.ITemplateGrain")]
public interface ITemplateGrain : IGrainWithStringKey
{
    /// <summary>Stores (creates or replaces) the template; throws <see cref="InputException"/> naming the first bad field.</summary>
    [Alias("PutAsync")]
    Task<PutTemplateResult> PutAsync(TemplateInput input, CancellationToken cancellationToken);

    /// <summary>The template, or null when there is none under this name.</summary>
    [Alias("GetAsync")]
    Task<AnalysisTemplate?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the template; false when there was none. Deployments registered from it keep their metrics.</summary>
    [Alias("DeleteAsync")]
    Task<bool> DeleteAsync(CancellationToken cancellationToken);
}

/// <summary>Lists stored templates without activating their grains.</summary>
public interface ITemplateDirectory
{
    /// <summary>Every template, ordered by name.</summary>
    Task<IReadOnlyList<AnalysisTemplate>> ListAsync(CancellationToken cancellationToken);
}
