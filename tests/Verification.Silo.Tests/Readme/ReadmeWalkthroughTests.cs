using System.Diagnostics;
using Verification.Silo.Tests.GraphQL;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Readme;

/// <summary>
/// The README's walk-through, pasted as a newcomer would: every command of it, taken from README.md itself, runs with
/// bash against a real silo process on a fresh database, and prints the answer the README shows. Needs bash, curl and
/// jq (./test.sh installs them) and the .NET SDK (the subscription step runs tools/graphql-subscribe.cs).
/// </summary>
public sealed class ReadmeWalkthroughTests
{
    private const string ReadmeAddress = "127.0.0.1:5080";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public void Parse_Readme_HasBothVerdictsCompletionSloAndDelivery()
    {
        var sut = ReadmeWalkthrough.Parse(File.ReadAllText(Path.Combine(NodeScript.RepositoryRoot(), "README.md")));

        Assert.All(sut, step => Assert.NotNull(step.Expected));
        var answers = string.Join('\n', sut.Select(s => s.Expected));
        Assert.Contains("\"decision\": \"ROLLBACK\"", answers, StringComparison.Ordinal);
        Assert.Contains("\"decision\": \"PROMOTE\"", answers, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"ROLLED_BACK\"", answers, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"PROMOTED\"", answers, StringComparison.Ordinal);
        Assert.Contains("\"budgetRemaining\"", answers, StringComparison.Ordinal);
        Assert.Contains("\"changeFailureRate\"", answers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Walkthrough_PastedOnAFreshSilo_EveryCommandAnswersAsTheReadmeShows()
    {
        var root = NodeScript.RepositoryRoot();
        var steps = ReadmeWalkthrough.Parse(await File.ReadAllTextAsync(Path.Combine(root, "README.md")));
        using var started = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var directory = Directory.CreateTempSubdirectory("verification-readme-");
        try
        {
            await using (var silo = await SiloProcess.StartAsync(
                new Dictionary<string, string> { ["Storage:ConnectionString"] = $"Data Source={Path.Combine(directory.FullName, "readme.db")}" },
                started.Token))
            {
                var address = $"{silo.BaseAddress.Host}:{silo.BaseAddress.Port}";
                for (var i = 0; i < steps.Count; i++)
                {
                    var (command, expected) = steps[i];
                    var (exitCode, output, error) = await BashAsync(command.Replace(ReadmeAddress, address, StringComparison.Ordinal), root);

                    var where = $"README walk-through, command {i + 1}:\n{command}\n";
                    Assert.True(exitCode == 0, $"{where}exited with {exitCode}: {error}");
                    if (expected is not null && ReadmeWalkthrough.Difference(expected, output) is { } difference)
                    {
                        Assert.Fail($"{where}{difference}\nIt printed:\n{output}\nstderr:\n{error}");
                    }
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("{\"a\":1,\"b\":[true,null]}", "{ \"b\": [true, null], \"a\": 1.0000000000001 }", null)]
    [InlineData("{\"a\":1}", "{\"a\":2}", "$.a: the README shows 1, the command printed 2")]
    [InlineData("{\"a\":1}\n{\"b\":2}", "{\"a\":1}", "the README shows 2 JSON values, the command printed 1")]
    [InlineData("{\"r\":\"after … s; ok\"}", "{\"r\":\"after 0.6 s; ok\"}", null)]
    [InlineData("{\"r\":\"after … s; ok\"}", "{\"r\":\"after 0.6 s; no\"}", "$.r: the README shows \"after … s; ok\", the command printed \"after 0.6 s; no\"")]
    [InlineData("{\"a\":true}", "{\"a\":false}", "$.a: the README shows true, the command printed false")]
    [InlineData("{\"a\":1}", "{\"a\":1,\"b\":2}", "$: the README shows the fields a, the command printed a, b")]
    [InlineData("201", "200", "$: the README shows 201, the command printed 200")]
    [InlineData("ok", "ok\n", null)]
    [InlineData("ok", "no", "line 1: the README shows 'ok'")]
    public void Difference_ExpectedAndActual_NamesTheFirstDifference(string expected, string actual, string? difference)
    {
        var sut = ReadmeWalkthrough.Difference(expected, actual);

        Assert.Equal(difference, sut);
    }

    private static async Task<(int ExitCode, string Output, string Error)> BashAsync(string script, string workingDirectory)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-euo", "pipefail", "-c", script })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        using var timeout = new CancellationTokenSource(StepTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The command did not finish within {StepTimeout}: {script}");
        }

        return (process.ExitCode, await output, await error);
    }
}
