using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Verification.Silo.Hosting;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Hosting;

/// <summary>The request log: off by default, one line per request when its category is set to Information.</summary>
public sealed class RequestLogTests
{
    [Fact]
    public async Task Request_CategoryAtInformation_OneLinePerRequest()
    {
        var lines = new Lines();
        await using var silo = new SiloFactory();
        using var http = silo.WithWebHostBuilder(b =>
        {
            b.UseSetting($"Logging:LogLevel:{SiloHostDefaults.RequestLogCategory}", "Information");
            b.ConfigureLogging(logging => logging.AddProvider(lines));
        }).CreateClient();

        await http.GetAsync("/healthz");
        await http.GetAsync("/v1/deployments/nope");

        Assert.Equal(["GET /healthz 200", "GET /v1/deployments/nope 404"], lines.Requests.Select(l => l[..l.LastIndexOf(' ', l.Length - 4)]).ToArray());
    }

    [Fact]
    public async Task Request_DefaultLevels_NoRequestLine()
    {
        var lines = new Lines();
        await using var silo = new SiloFactory();
        using var http = silo.WithWebHostBuilder(b =>
        {
            // The factory sets Default to Warning; back to the process default, Information, with no request setting.
            b.UseSetting("Logging:LogLevel:Default", "Information");
            b.ConfigureLogging(logging => logging.AddProvider(lines));
        }).CreateClient();

        await http.GetAsync("/healthz");

        Assert.Empty(lines.Requests);
    }

    private sealed class Lines : ILoggerProvider
    {
        public ConcurrentQueue<string> Requests { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName == SiloHostDefaults.RequestLogCategory ? Requests : null);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string>? sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => sink is not null;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink?.Enqueue(formatter(state, exception));
        }
    }
}
