using Verification.Api.Contracts;
using Verification.Silo.Grains;

namespace Verification.Silo.Tests.Grains;

public sealed class InProcessVerdictFeedTests
{
    private static Verdict Verdict(Decision decision) => new(decision, decision.ToString(), null, null, []);

    [Fact]
    public async Task SubscribeAsync_PublishBeforeEnumerating_IsReceived()
    {
        var sut = new InProcessVerdictFeed();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var stream = sut.SubscribeAsync("d", cts.Token);
        sut.Publish("d", Verdict(Decision.Rollback));
        await using var reader = stream.GetAsyncEnumerator(cts.Token);

        Assert.True(await reader.MoveNextAsync());
        Assert.Equal(Decision.Rollback, reader.Current.Decision);
    }

    [Fact]
    public async Task SubscribeAsync_Cancelled_StopsReceivingAndOtherDeploymentsAreSeparate()
    {
        var sut = new InProcessVerdictFeed();
        using var cts = new CancellationTokenSource();
        var stream = sut.SubscribeAsync("d", cts.Token);

        sut.Publish("other", Verdict(Decision.Promote));
        await cts.CancelAsync();
        sut.Publish("d", Verdict(Decision.Rollback));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in stream)
            {
                Assert.Fail("nothing may arrive after cancellation");
            }
        });
    }
}
