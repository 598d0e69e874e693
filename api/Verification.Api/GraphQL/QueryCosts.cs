namespace Verification.Api.GraphQL;

/// <summary>
/// What the costly root fields weigh in the GraphQL cost limit (<c>GraphQLExecutorOptions.MaxCost</c>, units of about a
/// microsecond of work; a plain field is 1). Measured on loopback (issue 11): one <c>deliveryTrend(weeks: 104)</c> took
/// about 5 ms (1,100 aliases: 5.8 s).
/// </summary>
internal static class QueryCosts
{
    /// <summary>A listing that reads a page of grains or the directory (<c>deployments</c>, <c>services</c>).</summary>
    public const int Listing = 1_000;

    /// <summary>DORA metrics computed over every production deployment in the window (<c>delivery</c>, <c>deliveryTrend</c>).</summary>
    public const int Delivery = 5_000;
}
