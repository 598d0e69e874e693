using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;

namespace Verification.Silo.Tests.Providers.Prometheus;

/// <summary>
/// A tiny Prometheus target on 127.0.0.1: serves the text exposition format 0.0.4 of series the test sets, and counts
/// the scrapes it answered.
/// </summary>
internal sealed class TextExporter : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), double> _series = new();
    private readonly ConcurrentDictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _scrapes;

    public TextExporter(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public int Scrapes => Volatile.Read(ref _scrapes);

    /// <summary>Sets a series, e.g. <c>Set("app_errors_total", "counter", ("deployment_id", "d"), 3)</c>.</summary>
    public void Set(string name, string type, string labels, double value)
    {
        _types[name] = type;
        _series[(name, labels)] = value;
    }

    public static string Labels(string deploymentId, string cohort) =>
        $"deployment_id=\"{deploymentId}\",deployment_cohort=\"{cohort}\"";

    /// <summary>Polls until <paramref name="count"/> more scrapes than now were answered.</summary>
    public async Task WaitForScrapesAsync(int count, TimeSpan timeout)
    {
        var target = Scrapes + count;
        var deadline = DateTime.UtcNow + timeout;
        while (Scrapes < target)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Prometheus scraped the exporter {Scrapes} times, expected {target} within {timeout}.");
            }

            await Task.Delay(50);
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var text = new StringBuilder();
            foreach (var group in _series.OrderBy(p => p.Key.Name, StringComparer.Ordinal).GroupBy(p => p.Key.Name))
            {
                text.Append(CultureInfo.InvariantCulture, $"# TYPE {group.Key} {_types[group.Key]}\n");
                foreach (var ((name, labels), value) in group)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {value.ToString("R", CultureInfo.InvariantCulture)}\n");
                }
            }

            var body = Encoding.UTF8.GetBytes(text.ToString());
            context.Response.ContentType = "text/plain; version=0.0.4";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
            Interlocked.Increment(ref _scrapes);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
