using Verification.Api.Contracts;
using Verification.GraphQL;
using Verification.GraphQL.Types;

namespace Verification.Api.Access;

/// <summary>
/// Scopes on GraphQL root fields, declared where a field is defined (<c>query.Field(…).RequireScope(Scopes.Read)</c>) and
/// enforced by <see cref="Enforce"/>, which wraps every root field's resolver: a caller without the scope gets a
/// <c>FORBIDDEN</c> error on that field. An undeclared root field needs admin (and the schema test fails for it).
/// </summary>
public static class FieldAccess
{
    private const string MetadataKey = "verification.access.scope";

    /// <summary>The field needs <paramref name="scope"/>.</summary>
    public static FieldDefinition RequireScope(this FieldDefinition field, string scope)
    {
        ArgumentNullException.ThrowIfNull(field);
        field.Metadata[MetadataKey] = AccessRequirement.Needs(scope).Scope;
        return field;
    }

    /// <summary>The scope declared on <paramref name="field"/>, or null.</summary>
    public static string? DeclaredScope(FieldDefinition field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.Metadata.TryGetValue(MetadataKey, out var scope) ? scope as string : null;
    }

    /// <summary>Wraps the resolvers (and subscribers) of every field of <paramref name="roots"/> with its scope check.</summary>
    public static void Enforce(params ObjectType?[] roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        foreach (var root in roots.OfType<ObjectType>())
        {
            foreach (var field in root.Fields)
            {
                var scope = DeclaredScope(field) ?? Scopes.Admin;
                if (field.Resolver is { } resolve)
                {
                    field.Resolver = ctx =>
                    {
                        Check(scope);
                        return resolve(ctx);
                    };
                }

                if (field.Subscriber is { } subscribe)
                {
                    field.Subscriber = ctx =>
                    {
                        Check(scope);
                        return subscribe(ctx);
                    };
                }
            }
        }
    }

    private static void Check(string scope)
    {
        try
        {
            CallerContext.Current.Demand(scope);
        }
        catch (ForbiddenException e)
        {
            throw new GraphQLException(e.Message, AccessMiddleware.Forbidden);
        }
    }
}
