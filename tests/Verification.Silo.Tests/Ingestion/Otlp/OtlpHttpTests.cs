using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Ingestion.RemoteWrite;
using Verification.Silo.Protos.Otlp;

namespace Verification.Silo.Tests.Ingestion.Otlp;

public sealed class OtlpHttpTests
{
    private static readonly ExportMetricsServiceResponse Partial = new()
    {
        PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = 3, ErrorMessage = "3 data point(s) rejected" },
    };

    [Fact]
    public void EncodeResponse_JsonRequest_OtlpJsonWithInt64AsString()
    {
        var (body, contentType) = OtlpHttp.EncodeResponse(Partial, "application/json");

        Assert.Equal("application/json", contentType);
        Assert.Equal(
            """{ "partialSuccess": { "rejectedDataPoints": "3", "errorMessage": "3 data point(s) rejected" } }""",
            Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void EncodeResponse_ProtobufRequest_ProtobufBody()
    {
        var (body, contentType) = OtlpHttp.EncodeResponse(Partial, "application/x-protobuf");

        Assert.Equal("application/x-protobuf", contentType);
        Assert.Equal(Partial, ExportMetricsServiceResponse.Parser.ParseFrom(body));
        Assert.Equal(Partial.ToByteArray(), body);
    }

    [Fact]
    public void AddTelemetryIngestion_Configured_OptionsBoundAndTranslatorsShareConverter()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Ingestion:Telemetry:MaxSeries"] = "7" })
            .Build();
        using var provider = new ServiceCollection().AddTelemetryIngestion(configuration).BuildServiceProvider();

        Assert.Equal(7, provider.GetRequiredService<TelemetryIngestionOptions>().MaxSeries);
        Assert.NotNull(provider.GetRequiredService<OtlpMetricsTranslator>());
        Assert.NotNull(provider.GetRequiredService<RemoteWriteTranslator>());
        Assert.Same(provider.GetRequiredService<CumulativeDeltaConverter>(), provider.GetRequiredService<CumulativeDeltaConverter>());
    }

    [Fact]
    public void AddTelemetryIngestion_InvalidOption_FailsAtStart()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Ingestion:Telemetry:MaxBodyBytes"] = "0" })
            .Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTelemetryIngestion(configuration));

        Assert.Equal("MaxBodyBytes must be positive, got 0.", error.Message);
    }
}
