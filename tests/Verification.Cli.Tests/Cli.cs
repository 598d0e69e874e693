namespace Verification.Cli.Tests;

/// <summary>Runs the CLI in process with captured standard streams and an environment of its own.</summary>
internal static class Cli
{
    public static async Task<(int Exit, string Out, string Error)> RunAsync(string[] args, string stdin = "",
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var run = Start(args, stdin, environment);
        return (await run.Exit, run.Out(), run.Error());
    }

    /// <summary>Starts the CLI; its output can be read while it runs.</summary>
    public static Running Start(string[] args, string stdin = "", IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var syncOutput = TextWriter.Synchronized(output);
        var syncError = TextWriter.Synchronized(error);
        var context = new CliContext(new StringReader(stdin), syncOutput, syncError, name => environment?.GetValueOrDefault(name));
        var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var exit = Task.Run(async () =>
        {
            using (limit)
            {
                return await CliApp.RunAsync(args, context, limit.Token);
            }
        });
        return new Running(exit, () => Read(syncOutput, output), () => Read(syncError, error));
    }

    /// <summary>The text so far; the synchronized writer locks on itself (MethodImplOptions.Synchronized), so does this.</summary>
    private static string Read(TextWriter synchronized, StringWriter writer)
    {
        lock (synchronized)
        {
            return writer.ToString();
        }
    }

    internal sealed record Running(Task<int> Exit, Func<string> Out, Func<string> Error);
}
