using Verification.Api.Access;
using Verification.GraphQL.Types;

namespace Verification.Api.GraphQL;

/// <summary>GraphQL <c>auditLog</c>: the audit trail (admin), as <c>GET /v1/audit</c> answers it.</summary>
internal static class AccessFields
{
    public static void AddQueries(ObjectType query, ScalarType dateTime)
    {
        var entry = new ObjectType("AuditEntry", "One audited change: who (the token's name) did what, to what, when.");
        entry.Field("sequence", ScalarType.Int.NonNull(), description: "Its position in the trail, from 1 (page back with `before`).");
        entry.Field("at", dateTime.NonNull(), description: "When it was done.");
        entry.Field("actor", ScalarType.String.NonNull(), description: "The token's name; `anonymous` while authentication is off, `bootstrap` for Auth:BootstrapToken.");
        entry.Field("tokenId", ScalarType.String, description: "The token's id (null for anonymous and bootstrap).");
        entry.Field("action", ScalarType.String.NonNull(), description: "What was done, e.g. `deployment.register`, `slo.apply`, `token.create`.");
        entry.Field("target", ScalarType.String.NonNull(), description: "What it was done to: a deployment id, service, incident id or token id.");
        entry.Field("service", ScalarType.String, description: "The service it concerns, when there is one.");
        entry.Field("detail", ScalarType.String, description: "A short detail, e.g. the status a deployment was completed as.");
        query.Field("auditLog", new ListType(entry.NonNull()).NonNull(), ctx => ContractErrors.Guard(() =>
                ctx.GetService<AuditTrail>().ListAsync(ctx.GetArgument("first", AuditTrail.DefaultPage),
                    ctx.GetArgument<int?>("before", null), ctx.CancellationToken)),
                "The audit trail, newest first (admin on every service).")
            .Argument("first", ScalarType.Int, AuditTrail.DefaultPage, "At most this many (1–1000).")
            .Argument("before", ScalarType.Int, "Only entries before this sequence number.")
            .Costs(QueryCosts.Listing, "first")
            .RequireScope(Scopes.Admin);
    }
}
