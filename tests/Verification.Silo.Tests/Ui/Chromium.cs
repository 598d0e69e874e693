using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Verification.Silo.Tests.Ui;

/// <summary>
/// Headless Chromium (Debian's <c>/usr/bin/chromium</c>) driven over the Chrome DevTools Protocol on its own
/// WebSocket: one browser process in a new profile directory, one page attached in flat session mode. It records
/// every console error, uncaught exception and browser log error of the page, so that tests can require none.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    public const string DefaultExecutable = "/usr/bin/chromium";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly Task _reader;
    private int _nextId;
    private string? _session;

    private Chromium(Process process, string profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Console errors, uncaught exceptions and log errors of the page since the last <see cref="ClearErrors"/>.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    public void ClearErrors() => _errors.Clear();

    /// <summary>Starts the browser and opens one blank page of <paramref name="width"/> × <paramref name="height"/> CSS pixels.</summary>
    public static async Task<Chromium> LaunchAsync(int width, int height, CancellationToken cancellationToken)
    {
        var executable = Environment.GetEnvironmentVariable("VERIFICATION_CHROMIUM") ?? DefaultExecutable;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium is not installed at {executable}: apt-get install -y chromium (test.sh does).");
        }

        var profile = Directory.CreateTempSubdirectory("verification-chromium-").FullName;
        var info = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
            "--mute-audio", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--user-data-dir={profile}",
            $"--window-size={width},{height}", "about:blank",
        })
        {
            info.ArgumentList.Add(flag);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var endpoint = await ReadDevToolsEndpointAsync(process, cancellationToken);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(endpoint, cancellationToken);
        var browser = new Chromium(process, profile, socket);
        var target = await browser.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, browserLevel: true);
        var attached = await browser.SendAsync("Target.attachToTarget",
            new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true }, browserLevel: true);
        browser._session = attached["sessionId"]!.GetValue<string>();
        await browser.SendAsync("Page.enable");
        await browser.SendAsync("Runtime.enable");
        await browser.SendAsync("Log.enable");
        await browser.SendAsync("Emulation.setDeviceMetricsOverride",
            new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
        return browser;
    }

    /// <summary>Loads <paramref name="url"/> as a navigation (the browser sends its usual <c>Accept: text/html…</c>).</summary>
    public async Task NavigateAsync(Uri url)
    {
        var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        if (result["errorText"] is { } error)
        {
            throw new InvalidOperationException($"Navigation to {url} failed: {error}");
        }
    }

    /// <summary>Evaluates a JavaScript expression in the page (promises awaited) and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate",
            new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"Script failed: {exception.ToJsonString()}");
        }

        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>Polls <paramref name="expression"/> until it is truthy (no sleeps: every 50 ms up to the deadline).</summary>
    public async Task<JsonNode> WaitForAsync(string expression, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await EvaluateAsync($"(() => {{ try {{ return ({expression}) || null; }} catch {{ return null; }} }})()");
            if (value is not null)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                var text = await EvaluateAsync("document.body ? document.body.innerText.slice(0, 2000) : ''");
                throw new TimeoutException($"Waited {timeout.TotalSeconds} s for: {expression}\nPage text:\n{text}\nErrors: {string.Join("\n", Errors)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Presses a key (keyDown, then keyUp) as a keyboard would, on the focused element.</summary>
    public async Task PressAsync(string key, int keyCode, string? text = null, int modifiers = 0)
    {
        var down = new JsonObject
        {
            ["type"] = text is null ? "rawKeyDown" : "keyDown", ["key"] = key, ["code"] = key,
            ["windowsVirtualKeyCode"] = keyCode, ["nativeVirtualKeyCode"] = keyCode, ["modifiers"] = modifiers,
        };
        if (text is not null)
        {
            down["text"] = text;
        }

        await SendAsync("Input.dispatchKeyEvent", down);
        await SendAsync("Input.dispatchKeyEvent", new JsonObject
        {
            ["type"] = "keyUp", ["key"] = key, ["code"] = key, ["windowsVirtualKeyCode"] = keyCode, ["nativeVirtualKeyCode"] = keyCode, ["modifiers"] = modifiers,
        });
    }

    /// <summary>A PNG of the whole page (not only the viewport).</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var metrics = await SendAsync("Page.getLayoutMetrics");
        var size = metrics["cssContentSize"]!;
        var clip = new JsonObject
        {
            ["x"] = 0, ["y"] = 0, ["width"] = size["width"]!.GetValue<double>(), ["height"] = size["height"]!.GetValue<double>(), ["scale"] = 1,
        };
        var shot = await SendAsync("Page.captureScreenshot",
            new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true, ["clip"] = clip });
        return Convert.FromBase64String(shot["data"]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await SendAsync("Browser.close", browserLevel: true).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or WebSocketException or InvalidOperationException or OperationCanceledException)
        {
            // Closed already or not answering: killed below.
        }

        if (!_process.WaitForExit(5000))
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _socket.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket ended with the browser.
        }

        _process.Dispose();
        _stop.Dispose();
        _send.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A file the browser still held; it is a temporary directory.
        }
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null, bool browserLevel = false)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (!browserLevel)
        {
            message["sessionId"] = _session;
        }

        var answer = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }

        return await answer.Task.WaitAsync(CommandTimeout);
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
        {
            var received = await _socket.ReceiveAsync(buffer, _stop.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }

            var node = JsonNode.Parse(message.ToArray())!;
            message.SetLength(0);
            if (node["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var answer))
            {
                if (node["error"] is { } error)
                {
                    answer.TrySetException(new InvalidOperationException($"DevTools error: {error.ToJsonString()}"));
                }
                else
                {
                    answer.TrySetResult(node["result"] ?? new JsonObject());
                }
            }
            else if (node["method"]?.GetValue<string>() is { } method)
            {
                Observe(method, node["params"]);
            }
        }
    }

    private void Observe(string method, JsonNode? parameters)
    {
        if (method == "Runtime.consoleAPICalled")
        {
            var type = parameters?["type"]?.GetValue<string>();
            if (type is "error" or "assert")
            {
                _errors.Enqueue("console: " + parameters?["args"]?.ToJsonString());
            }
        }
        else if (method == "Runtime.exceptionThrown")
        {
            _errors.Enqueue("exception: " + parameters?["exceptionDetails"]?.ToJsonString());
        }
        else if (method == "Log.entryAdded" && parameters?["entry"]?["level"]?.GetValue<string>() == "error")
        {
            _errors.Enqueue("log: " + parameters["entry"]?.ToJsonString());
        }
    }

    private static async Task<Uri> ReadDevToolsEndpointAsync(Process process, CancellationToken cancellationToken)
    {
        const string marker = "DevTools listening on ";
        var seen = new StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            seen.AppendLine(line);
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                // Keep draining stderr so the browser never blocks on a full pipe.
                _ = Task.Run(async () =>
                {
                    while (await process.StandardError.ReadLineAsync(CancellationToken.None) is not null)
                    {
                    }
                }, CancellationToken.None);
                return new Uri(line[(at + marker.Length)..].Trim());
            }
        }

        throw new InvalidOperationException("Chromium exited before it listened for DevTools:\n" + seen);
    }
}
