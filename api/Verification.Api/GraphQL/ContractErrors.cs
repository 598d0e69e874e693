using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Api.Http;
using Verification.GraphQL;

namespace Verification.Api.GraphQL;

/// <summary>Turns contract exceptions into GraphQL errors with <c>extensions.code</c> (and the field at fault).</summary>
internal static class ContractErrors
{
    public const string BadUserInput = "BAD_USER_INPUT";
    public const string Conflict = "CONFLICT";
    public const string NotFound = "NOT_FOUND";

    /// <summary>
    /// A retryable failure (HTTP answers it 503 with Retry-After): the silo holding the data died or shut down, or a write
    /// lost a concurrent update; <c>extensions.retryAfter</c> gives the seconds to wait.
    /// </summary>
    public const string Unavailable = "UNAVAILABLE";

    /// <summary>Runs a resolver body, mapping <see cref="InputException"/>, <see cref="ConflictException"/> and <see cref="NotFoundException"/>.</summary>
    public static async ValueTask<object?> Guard<T>(Func<Task<T>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (InputException e)
        {
            throw Input(e);
        }
        catch (BatchInputException e)
        {
            throw Input(e.Input);
        }
        catch (SloDefinitionException e)
        {
            throw new GraphQLException(e.Message, BadUserInput, new Dictionary<string, object?>
            {
                ["errors"] = e.Errors.Select(x => new Dictionary<string, object?> { ["path"] = x.Path, ["message"] = x.Message }).ToList(),
            });
        }
        catch (ConflictException e)
        {
            throw Conflicting(e);
        }
        catch (BatchConflictException e)
        {
            throw Conflicting(e.Conflict);
        }
        catch (NotFoundException e)
        {
            throw new GraphQLException(e.Message, NotFound);
        }
        catch (Exception e) when (Problems.IsUnavailable(e))
        {
            throw Unavailability(e);
        }
        catch (ForbiddenException e)
        {
            throw new GraphQLException(e.Message, Access.AccessMiddleware.Forbidden);
        }
    }

    /// <summary>The GraphQL error of a retryable failure (<see cref="Problems.IsUnavailable"/>).</summary>
    public static GraphQLException Unavailability(Exception e) =>
        new(Problems.UnavailableMessage(e), Unavailable, new Dictionary<string, object?> { ["retryAfter"] = Problems.RetryAfterSeconds });

    private static GraphQLException Conflicting(ConflictException e) =>
        new(e.Message, Conflict, e.Field is null ? null : new Dictionary<string, object?> { ["field"] = e.Field });

    private static GraphQLException Input(InputException e) =>
        new(e.Message, BadUserInput, new Dictionary<string, object?> { ["field"] = e.Field });
}
