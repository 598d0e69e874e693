using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Verification.Cli.Tests;

/// <summary>The `verification` commands and their exit codes against a real silo process.</summary>
public sealed class CliAppTests(SiloServer silo) : IClassFixture<SiloServer>
{
    private static string Yaml(string id, int? maxSeconds = null) => $"""
        # a deployment as a pipeline keeps it next to its manifests
        id: {id}
        service: checkout
        version: "2.0"
        metrics:
          - name: errors
            kind: RATIO
            direction: INCREASE
            critical: true
        analysis:
          alpha: 0.01
        {(maxSeconds is { } max ? $"  maxDurationSeconds: {max}" : "")}
        """;

    private static string Samples(string id, long baselineErrors, long baselineTotal, long canaryErrors, long canaryTotal) => $$"""
        {"deploymentId":"{{id}}","cohort":"BASELINE","metric":"errors","count":{{baselineErrors}},"total":{{baselineTotal}}}
        {"deploymentId":"{{id}}","cohort":"CANARY","metric":"errors","count":{{canaryErrors}},"total":{{canaryTotal}}}
        """;

    private async Task RegisterAsync(string id, int? maxSeconds = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{id}-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, Yaml(id, maxSeconds));
        try
        {
            var (exit, output, error) = await Cli.RunAsync(["register", "-f", file, "--url", silo.Url]);
            Assert.True(exit == 0, error);
            Assert.Equal($"registered {id}\n", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task RegisterRolledBackAsync(string id)
    {
        await RegisterAsync(id);
        await PushAsync(Samples(id, 0, 10_000, 20, 10_000));
    }

    private async Task PushAsync(string ndjson)
    {
        var (exit, _, error) = await Cli.RunAsync(["push", "--url", silo.Url], ndjson);
        Assert.True(exit == 0, error);
    }

    [Fact]
    public async Task Register_YamlTwiceThenChanged_0Then0Then1()
    {
        var file = Path.Combine(Path.GetTempPath(), $"reg-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, Yaml("cli-reg"));
        var first = await Cli.RunAsync(["register", "-f", file, "--url", silo.Url]);
        var again = await Cli.RunAsync(["register", "--file", file, "--url", silo.Url]);
        await File.WriteAllTextAsync(file, Yaml("cli-reg").Replace("\"2.0\"", "\"3.0\"", StringComparison.Ordinal));
        var changed = await Cli.RunAsync(["register", "-f", file, "--url", silo.Url]);
        File.Delete(file);

        Assert.Equal((0, "registered cli-reg\n"), (first.Exit, first.Out));
        Assert.Equal((0, "cli-reg was registered already with the same input\n"), (again.Exit, again.Out));
        Assert.Equal(1, changed.Exit);
        Assert.Contains("409", changed.Error, StringComparison.Ordinal);
        Assert.Contains("different version", changed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_JsonFileWithBadField_1NamingIt()
    {
        var file = Path.Combine(Path.GetTempPath(), $"reg-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"id":"cli-json","service":"s","version":"v","metrics":[{"name":"m","kind":"PERCENT"}]}""");

        var (exit, _, error) = await Cli.RunAsync(["register", "-f", file, "--url", silo.Url]);
        File.Delete(file);

        Assert.Equal(1, exit);
        Assert.Contains("400", error, StringComparison.Ordinal);
        Assert.Contains("metrics[0].kind", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_MissingFile_4()
    {
        var (exit, _, error) = await Cli.RunAsync(["register", "-f", "/nonexistent/deployment.yaml", "--url", silo.Url]);

        Assert.Equal(4, exit);
        Assert.Contains("deployment.yaml", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_StdinInBatches_ProgressPerBatchAndTotal()
    {
        await RegisterAsync("cli-push");
        var lines = Enumerable.Range(1, 5).Select(i =>
            $$"""{"deploymentId":"cli-push","cohort":"CANARY","metric":"errors","count":1,"total":100,"batchId":"p{{i}}"}""");

        var (exit, output, error) = await Cli.RunAsync(["push", "--batch", "2", "--url", silo.Url], string.Join('\n', lines) + "\n\n");
        var repeat = await Cli.RunAsync(["push", "--url", silo.Url], string.Join('\n', lines));

        Assert.Equal(0, exit);
        Assert.Equal("accepted 5, duplicates 0\n", output);
        Assert.Equal("pushed 2 lines: 2 stored, 0 duplicates\npushed 4 lines: 4 stored, 0 duplicates\npushed 5 lines: 5 stored, 0 duplicates\n", error);
        Assert.Equal((0, "accepted 0, duplicates 5\n"), (repeat.Exit, repeat.Out));
    }

    [Fact]
    public async Task Push_BadLineInSecondBatch_1NamingTheInputLine()
    {
        await RegisterAsync("cli-push-bad");
        var input = """
            {"deploymentId":"cli-push-bad","cohort":"CANARY","metric":"errors","count":1,"total":100}

            {"deploymentId":"cli-push-bad","cohort":"CANARY","metric":"errors","count":1,"total":100}
            {"deploymentId":"cli-push-bad","cohort":"CANARY","metric":"errors","count":5,"total":1}
            """;

        var (exit, _, error) = await Cli.RunAsync(["push", "--batch", "1", "--url", silo.Url], input);

        Assert.Equal(1, exit);
        Assert.Contains("input line 4:", error, StringComparison.Ordinal);
        Assert.Contains("stored before: 2 batches", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_RollbackAlready_1WithOneLine()
    {
        await RegisterRolledBackAsync("cli-rollback");

        var (exit, output, _) = await Cli.RunAsync(["wait", "cli-rollback", "--url", silo.Url]);

        Assert.Equal(1, exit);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ROLLBACK .*errors.*\n$", output);
    }

    [Fact]
    public async Task Wait_AsAProcess_ExitCodeIsTheDecision()
    {
        await RegisterRolledBackAsync("cli-process");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "verification.dll"), "wait", "cli-process", "--timeout", "1m" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["VERIFICATION_URL"] = silo.Url;
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.Contains(" ROLLBACK ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_Promote_0()
    {
        await RegisterAsync("cli-promote");
        await PushAsync(Samples("cli-promote", 20_000, 2_000_000, 20_000, 2_000_000));

        var (exit, output, error) = await Cli.RunAsync(["wait", "cli-promote", "--url", silo.Url, "--timeout", "1m"]);

        Assert.True(exit == 0, output + error);
        Assert.Contains(" PROMOTE ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Wait_ChangeWhileWaiting_EachChangeOnOneLineThen1(bool poll)
    {
        var id = poll ? "cli-follow-poll" : "cli-follow-ws";
        await RegisterAsync(id);
        string[] args = poll ? ["wait", id, "--url", silo.Url, "--poll"] : ["wait", id, "--url", silo.Url];

        var waiting = Cli.Start(args);
        await UntilPrintedAsync(waiting, " PENDING ");
        await PushAsync(Samples(id, 0, 10_000, 20, 10_000));
        var exit = await waiting.Exit;
        var (output, error) = (waiting.Out(), waiting.Error());

        Assert.True(exit == 1, output + error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(" PENDING ", lines[0], StringComparison.Ordinal);
        Assert.Contains(" ROLLBACK ", lines[1], StringComparison.Ordinal);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Wait_CompletedWhilePending_2WithoutWaitingForTheTimeout(bool poll)
    {
        var id = poll ? "cli-complete-poll" : "cli-complete-ws";
        await RegisterAsync(id);
        string[] args = poll ? ["wait", id, "--url", silo.Url, "--poll"] : ["wait", id, "--url", silo.Url];
        var clock = Stopwatch.StartNew();

        var waiting = Cli.Start(args);
        await UntilPrintedAsync(waiting, " PENDING ");
        using (var http = new HttpClient { BaseAddress = silo.BaseAddress })
        using (var complete = await http.PostAsync($"v1/deployments/{id}/complete",
                   new StringContent("""{"status":"ABORTED"}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, complete.StatusCode);
        }

        var exit = await waiting.Exit;

        Assert.True(exit == 2, waiting.Out() + waiting.Error());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(50), $"ended after {clock.Elapsed}, not by the completion");
    }

    [Fact]
    public async Task Wait_PendingPastTimeout_3()
    {
        await RegisterAsync("cli-timeout");
        var clock = Stopwatch.StartNew();

        var (exit, output, error) = await Cli.RunAsync(["wait", "cli-timeout", "--url", silo.Url, "--timeout", "2s"]);

        Assert.Equal(3, exit);
        Assert.Contains(" PENDING ", output, StringComparison.Ordinal);
        Assert.Contains("timed out after 00:00:02 without a decision (last: PENDING)", error, StringComparison.Ordinal);
        // CancelAfter's timer runs on the coarse tick count, which may fire a few milliseconds before the Stopwatch's 2 s (seen
        // once in CI: the check failed with the timeout reported): the wait must have lasted the timeout, give or take that.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2) - TimerResolution, $"returned after {clock.Elapsed}");
    }

    /// <summary>How early a timer may fire against <see cref="Stopwatch"/> (the tick count's granularity, generously).</summary>
    private static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task Wait_WindowClosedWithoutData_2()
    {
        await RegisterAsync("cli-inconclusive", maxSeconds: 1);
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        var deadline = Stopwatch.StartNew();
        while ((await http.GetFromJsonAsync<JsonElement>("v1/deployments/cli-inconclusive/verdict")).GetProperty("decision").GetString() == "PENDING")
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the window did not close");
            await Task.Delay(100);
        }

        var (exit, output, _) = await Cli.RunAsync(["wait", "cli-inconclusive", "--url", silo.Url]);

        Assert.Equal(2, exit);
        Assert.Contains(" INCONCLUSIVE ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Wait_UnknownDeployment_4(bool poll)
    {
        string[] args = poll ? ["wait", "cli-nobody", "--url", silo.Url, "--poll"] : ["wait", "cli-nobody", "--url", silo.Url];

        var (exit, _, error) = await Cli.RunAsync(args);

        Assert.Equal(4, exit);
        Assert.Contains("Deployment 'cli-nobody' is not registered.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_NothingListening_4()
    {
        var (exit, _, error) = await Cli.RunAsync(["wait", "x", "--url", $"http://127.0.0.1:{SiloServer.FreePort()}"]);

        Assert.Equal(4, exit);
        Assert.Contains("cannot reach the service", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wait", "x", "--timeout", "soon")]
    [InlineData("wait")]
    [InlineData("complete", "x", "--status", "DONE")]
    [InlineData("frobnicate")]
    [InlineData("push", "--batch", "0")]
    public async Task Run_BadUsage_4(params string[] args)
    {
        var (exit, _, error) = await Cli.RunAsync([.. args, "--url", silo.Url]);

        Assert.Equal(4, exit);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UrlFromEnvironment_Used()
    {
        await RegisterAsync("cli-env");

        var (exit, output, _) = await Cli.RunAsync(["status", "cli-env"], environment: new Dictionary<string, string> { ["VERIFICATION_URL"] = silo.Url });

        Assert.Equal(0, exit);
        Assert.StartsWith("cli-env PENDING score=", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Rollback_EvidencePerMetric()
    {
        await RegisterRolledBackAsync("cli-status");

        var (exit, output, _) = await Cli.RunAsync(["status", "cli-status", "--url", silo.Url]);
        var json = await Cli.RunAsync(["status", "cli-status", "--json", "--url", silo.Url]);
        var missing = await Cli.RunAsync(["status", "cli-missing", "--url", silo.Url]);

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("cli-status ROLLBACK (final) score=", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^  errors +HIGH +effect .* baseline=10000 canary=10000 critical$", lines[2]);
        Assert.Equal("ROLLBACK", JsonDocument.Parse(json.Out).RootElement.GetProperty("decision").GetString());
        Assert.Equal(1, missing.Exit);
        Assert.Contains("404", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_ThenDifferently_0Then1()
    {
        await RegisterAsync("cli-complete");

        var first = await Cli.RunAsync(["complete", "cli-complete", "--status", "ABORTED", "--url", silo.Url]);
        var conflicting = await Cli.RunAsync(["complete", "cli-complete", "--status", "PROMOTED", "--url", silo.Url]);
        var waited = await Cli.RunAsync(["wait", "cli-complete", "--url", silo.Url]);
        var polled = await Cli.RunAsync(["wait", "cli-complete", "--url", silo.Url, "--poll"]);

        Assert.Equal((0, "cli-complete completed as ABORTED\n"), (first.Exit, first.Out));
        Assert.Equal(1, conflicting.Exit);
        Assert.Contains("409", conflicting.Error, StringComparison.Ordinal);
        Assert.Equal((2, 2), (waited.Exit, polled.Exit));
    }

    /// <summary>Polls (with a deadline) until the running CLI has printed <paramref name="text"/>: it follows the verdict by then.</summary>
    private static async Task UntilPrintedAsync(Cli.Running cli, string text)
    {
        var deadline = Stopwatch.StartNew();
        while (!cli.Out().Contains(text, StringComparison.Ordinal))
        {
            Assert.False(cli.Exit.IsCompleted, "the CLI ended: " + cli.Out() + cli.Error());
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "nothing printed: " + cli.Error());
            await Task.Delay(20);
        }
    }
}

/// <summary>Parsing that needs no service.</summary>
public sealed class CliParsingTests
{
    [Theory]
    [InlineData("20s", 20)]
    [InlineData("30m", 1800)]
    [InlineData("2h", 7200)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d", 86400)]
    [InlineData("1.5m", 90)]
    public void TryParse_Duration_Seconds(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var sut));
        Assert.Equal(TimeSpan.FromSeconds(seconds), sut);
    }

    [Theory]
    [InlineData("")]
    [InlineData("20")]
    [InlineData("m")]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("5 s")]
    public void TryParse_NotADuration_False(string text) => Assert.False(Durations.TryParse(text, out _));

    [Fact]
    public void Convert_Yaml_TypedJson()
    {
        var sut = YamlJson.Convert("""
            id: a
            version: "1.0"
            unplanned: false
            commitSha: 0123abc
            metrics: [{name: m, kind: RATIO, allowedChange: 0.1, critical: true}]
            analysis: {minDurationSeconds: 60}
            team: ~
            """);

        Assert.Equal(
            """{"id":"a","version":"1.0","unplanned":false,"commitSha":"0123abc","metrics":[{"name":"m","kind":"RATIO","allowedChange":0.1,"critical":true}],"analysis":{"minDurationSeconds":60},"team":null}""",
            sut!.ToJsonString());
    }

    [Fact]
    public async Task VerdictAsync_Token_SentAsBearer()
    {
        using var handler = new CapturingHandler();
        using var sut = new VerificationClient(new Uri("http://127.0.0.1:1/"), "s3cret", handler);

        await sut.VerdictAsync("d", "\"tag\"", 5, CancellationToken.None);

        Assert.Equal("Bearer s3cret", handler.Request!.Headers.Authorization!.ToString());
        Assert.Equal("/v1/deployments/d/verdict?wait=5", handler.Request.RequestUri!.PathAndQuery);
        Assert.Equal("\"tag\"", handler.Request.Headers.IfNoneMatch.ToString());
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("{}", Encoding.UTF8, "application/json") });
        }
    }
}
