using Verification.Api.Contracts;
using Verification.Api.Delivery;

namespace Verification.Api.Tests.Delivery;

public sealed class OnCallServiceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static Deployment Deployment(string id, DateTimeOffset started, DateTimeOffset? finished) => new(
        id, "pay", "v", "production", null, null, started, finished, finished is null ? DeploymentStatus.Verifying : DeploymentStatus.Promoted,
        [], new AnalysisInput(), [], new Verdict(Decision.Pending, "", null, null, []));

    private static Incident Incident(string id, string? deploymentId, DateTimeOffset opened, string service = "pay") =>
        new(id, service, "t", deploymentId, IncidentSource.SloPage, "availability", opened, null, null);

    [Fact]
    public void PagesAfter_Promoted_LinkedAndUnlinkedWithinWindowOldestFirst()
    {
        var sut = Deployment("d2", T0, T0.AddMinutes(20));
        Incident[] incidents =
        [
            Incident("pay-5", null, T0.AddMinutes(80)),      // 60 min after finishing: inside
            Incident("pay-6", null, T0.AddMinutes(81)),      // outside
            Incident("pay-4", "d2", T0.AddDays(2)),          // linked: whenever
            Incident("pay-3", null, T0.AddMinutes(-1)),      // before it started
            Incident("pay-2", "d1", T0.AddMinutes(30)),      // another deployment's
            Incident("shop-1", null, T0.AddMinutes(30), "shop"),
            Incident("pay-7", null, T0.AddMinutes(5)),       // while it rolled out
        ];

        var pages = OnCallService.PagesAfter(sut, incidents, TimeSpan.FromMinutes(60), T0.AddDays(3));

        Assert.Equal(["pay-7", "pay-5", "pay-4"], pages.Select(p => p.Id));
    }

    [Fact]
    public void PagesAfter_StillVerifying_WindowRunsFromNow()
    {
        var sut = Deployment("d3", T0, null);

        var pages = OnCallService.PagesAfter(sut, [Incident("pay-1", null, T0.AddMinutes(70))], TimeSpan.FromMinutes(60), T0.AddMinutes(15));

        Assert.Equal(["pay-1"], pages.Select(p => p.Id));
    }
}
