using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.GraphQL.Types;

namespace Verification.Api.GraphQL;

/// <summary>
/// Analysis templates in the schema (API.md v1.1, "CD integrations"): <c>template(name)</c>, <c>templates</c>,
/// <c>putTemplate</c> and <c>deleteTemplate</c>, over the same template grains as <c>/v1/templates</c>. A template shows
/// its metrics as <c>MetricDefinition</c>s and its analysis as <c>Analysis</c>, defaults applied, as a deployment does.
/// </summary>
internal sealed class TemplateFields
{
    private readonly ObjectType _template;
    private readonly InputObjectType _input;

    public TemplateFields(ScalarType dateTime, InputObjectType metricInput, InputObjectType analysisInput, ObjectType metricDefinition,
        ObjectType analysis)
    {
        _template = new ObjectType("AnalysisTemplate", "Named metrics and analysis settings a registration can use with `template`.");
        _template.Field("name", ScalarType.String.NonNull(), description: "The template's name.");
        _template.Field("metrics", new ListType(metricDefinition.NonNull()).NonNull(), description: "Its metrics, defaults applied.");
        _template.Field("analysis", analysis.NonNull(), description: "Its analysis settings, defaults applied.");
        _template.Field("updatedAt", dateTime.NonNull(), description: "When it was last stored.");
        _input = new InputObjectType("AnalysisTemplateInput", "The metrics and analysis of a template, as in RegisterDeploymentInput.")
            .Field("metrics", new ListType(metricInput.NonNull()).NonNull(), "The metrics (1–100).")
            .Field("analysis", analysisInput, "How deployments using it are judged; defaults apply when omitted.");
    }

    public void AddQueries(ObjectType query)
    {
        query.Field("template", _template, ctx => ContractErrors.Guard(() => Grain(ctx.GetArgument<string>("name"), ctx).GetAsync(ctx.CancellationToken)),
                "An analysis template by name; null when there is none.")
            .Argument("name", ScalarType.String.NonNull(), "The template's name.")
            .RequireScope(Scopes.Read);
        query.Field("templates", new ListType(_template.NonNull()).NonNull(),
            ctx => ContractErrors.Guard(() => ctx.GetService<ITemplateDirectory>().ListAsync(ctx.CancellationToken)),
            "Every analysis template, ordered by name.")
            .RequireScope(Scopes.Read);
    }

    public void AddMutations(ObjectType mutation)
    {
        mutation.Field("putTemplate", _template.NonNull(), ctx => ContractErrors.Guard(async () =>
            {
                var input = VerificationSchema.Convert<TemplateInput>(ctx.Arguments["input"]);
                var result = await ctx.GetService<TemplateCommands>().PutAsync(ctx.GetArgument<string>("name"), input, ctx.CancellationToken)
                    .ConfigureAwait(false);
                return result.Template;
            }), "Stores (creates or replaces) an analysis template. Deployments registered from it before keep their metrics.")
            .Argument("name", ScalarType.String.NonNull(), "The template's name (printable ASCII, no spaces or slashes).")
            .Argument("input", _input.NonNull(), "Its metrics and analysis.")
            .RequireScope(Scopes.Decide);
        mutation.Field("deleteTemplate", ScalarType.Boolean.NonNull(),
                ctx => ContractErrors.Guard(() => ctx.GetService<TemplateCommands>().DeleteAsync(ctx.GetArgument<string>("name"), ctx.CancellationToken)),
                "Deletes an analysis template; false when there was none.")
            .Argument("name", ScalarType.String.NonNull(), "The template's name.")
            .RequireScope(Scopes.Decide);
    }

    private static ITemplateGrain Grain(string name, ResolveFieldContext ctx)
    {
        DeploymentValidation.Identifier("name", name);
        return ctx.GetService<IGrainFactory>().GetGrain<ITemplateGrain>(name);
    }
}
