using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Silo.Ingestion.Telemetry;

namespace Verification.Silo.Tests.Ingestion.Telemetry;

public sealed class TelemetryRecorderTests
{
    [Fact]
    public void Split_MoreValuesThanABatchTakes_PartsWithDerivedBatchIds()
    {
        var values = Enumerable.Range(0, (2 * InputLimits.MaxValuesPerBatch) + 3).Select(i => (double)i).ToArray();
        var batch = new SamplesInput("d", Cohort.Canary, "latency", Values: values, BatchId: "otlp-abc");

        var sut = TelemetryRecorder.Split(batch).ToArray();

        Assert.Equal(["otlp-abc.0", "otlp-abc.1", "otlp-abc.2"], sut.Select(b => b.BatchId!).ToArray());
        Assert.Equal([InputLimits.MaxValuesPerBatch, InputLimits.MaxValuesPerBatch, 3], sut.Select(b => b.Values!.Count).ToArray());
        Assert.Equal(values, sut.SelectMany(b => b.Values!).ToArray());
    }

    [Fact]
    public void Split_SmallBatch_Unchanged()
    {
        var batch = new SamplesInput("d", Cohort.Baseline, "errors", Count: 1, Total: 5, BatchId: "x");

        var sut = Assert.Single(TelemetryRecorder.Split(batch));

        Assert.Same(batch, sut);
    }
}
