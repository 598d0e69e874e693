using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Grains;

public sealed class DeploymentDirectoryTests
{
    [Fact]
    public async Task ListAsync_FiltersAndPagesById()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        foreach (var (id, service) in new[] { ("d3", "a"), ("d1", "a"), ("d2", "b"), ("d4", "a") })
        {
            await fixture.Sut.GetGrain<IDeploymentGrain>(id).RegisterAsync(DeploymentGrainTests.Input(id) with { Service = service }, CancellationToken.None);
        }

        await fixture.Sut.GetGrain<IDeploymentGrain>("d4").CompleteAsync(DeploymentStatus.Promoted, CancellationToken.None);
        var sut = new DeploymentDirectory(fixture.Storage, fixture.Sut);

        var firstPage = await sut.ListAsync(new DeploymentFilter(Service: "a"), 2, null, CancellationToken.None);
        var secondPage = await sut.ListAsync(new DeploymentFilter(Service: "a"), 2, firstPage[^1].Id, CancellationToken.None);
        var promoted = await sut.ListAsync(new DeploymentFilter(Status: DeploymentStatus.Promoted), 50, null, CancellationToken.None);

        Assert.Equal(["d1", "d3"], firstPage.Select(d => d.Id));
        Assert.Equal(["d4"], secondPage.Select(d => d.Id));
        Assert.Equal(["d4"], promoted.Select(d => d.Id));
        await Assert.ThrowsAsync<InputException>(() => sut.ListAsync(new DeploymentFilter(), 5000, null, CancellationToken.None));
    }
}
