using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Verification.Cli;

/// <summary>
/// <c>verification</c>: register a deployment, push samples, read its status, wait for the verdict, complete it.
/// Exit codes (API.md v1.1): <c>wait</c> 0 PROMOTE, 1 ROLLBACK, 2 INCONCLUSIVE, 3 timeout; every command 4 for a usage
/// or connection error; other commands 1 when the service refuses the request.
/// </summary>
internal static class CliApp
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const int DefaultBatchLines = 1000;

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        var url = new Option<string?>("--url") { Description = $"Service address (default: $VERIFICATION_URL, else {DefaultUrl})", Recursive = true };
        var token = new Option<string?>("--token") { Description = "Bearer token (default: $VERIFICATION_TOKEN)", Recursive = true };
        var root = new RootCommand("Release verification from a pipeline: register, push samples, wait for PROMOTE or ROLLBACK.")
        {
            url, token,
        };

        root.Subcommands.Add(RegisterCommand(context));
        root.Subcommands.Add(PushCommand(context));
        root.Subcommands.Add(StatusCommand(context));
        root.Subcommands.Add(WaitCommand(context));
        root.Subcommands.Add(CompleteCommand(context));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await context.Error.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync("Try 'verification --help'.").ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }

        var configuration = new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await context.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or WebSocketException or IOException)
        {
            await context.Error.WriteLineAsync("error: cannot reach the service: " + e.Message).ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
    }

    private static VerificationClient Connect(ParseResult parse, CliContext context)
    {
        var url = parse.GetValue<string?>("--url") ?? context.Environment("VERIFICATION_URL") ?? DefaultUrl;
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--url: '{url}' is not an http:// or https:// address");
        }

        var token = parse.GetValue<string?>("--token") ?? context.Environment("VERIFICATION_TOKEN");
        return new VerificationClient(address, string.IsNullOrEmpty(token) ? null : token);
    }

    private static Command RegisterCommand(CliContext context)
    {
        var file = new Option<FileInfo>("--file", "-f") { Description = "deployment.yaml or deployment.json (RegisterDeploymentInput)", Required = true };
        var command = new Command("register", "Register a deployment (idempotent: the same file again is fine).") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            string json;
            try
            {
                json = YamlJson.Convert(await File.ReadAllTextAsync(path.FullName, cancellationToken).ConfigureAwait(false))?.ToJsonString()
                    ?? throw new UsageException($"{path.Name}: the file holds no deployment");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or JsonException or YamlDotNet.Core.YamlException)
            {
                throw new UsageException($"{path.Name}: {e.Message}");
            }

            using var client = Connect(parse, context);
            var answer = await client.RegisterAsync(json, cancellationToken).ConfigureAwait(false);
            if (!answer.Ok)
            {
                await context.Error.WriteLineAsync("register refused: " + answer.Problem()).ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            var id = JsonDocument.Parse(answer.Body).RootElement.GetProperty("id").GetString();
            await context.Out.WriteLineAsync(answer.Status == HttpStatusCode.Created
                ? $"registered {id}"
                : $"{id} was registered already with the same input").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command PushCommand(CliContext context)
    {
        var file = new Option<string?>("--file", "-f") { Description = "NDJSON of SamplesInput, one per line ('-' or absent: standard input)" };
        var batch = new Option<int>("--batch") { Description = "lines per request (1–10000)", DefaultValueFactory = _ => DefaultBatchLines };
        var command = new Command("push", "Send samples (NDJSON) in batches, with progress on standard error.") { file, batch };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var size = parse.GetValue(batch);
            if (size is < 1 or > 10_000)
            {
                throw new UsageException($"--batch: {size} is not between 1 and 10000");
            }

            var path = parse.GetValue(file);
            TextReader input;
            try
            {
                input = path is null or "-" ? context.In : new StreamReader(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--file: {e.Message}");
            }

            using var client = Connect(parse, context);
            try
            {
                return await PushAsync(client, input, size, context, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (!ReferenceEquals(input, context.In))
                {
                    input.Dispose();
                }
            }
        });
        return command;
    }

    private static async Task<int> PushAsync(VerificationClient client, TextReader input, int size, CliContext context,
        CancellationToken cancellationToken)
    {
        long accepted = 0, duplicates = 0, lines = 0, lineNumber = 0;
        var body = new StringBuilder();
        var numbers = new List<long>(size);
        while (true)
        {
            var line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is not null)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                body.Append(line).Append('\n');
                numbers.Add(lineNumber);
            }

            if (numbers.Count == size || (line is null && numbers.Count > 0))
            {
                var answer = await client.PushAsync(body.ToString(), cancellationToken).ConfigureAwait(false);
                if (!answer.Ok)
                {
                    await context.Error.WriteLineAsync($"push refused at input lines {numbers[0]}–{numbers[^1]}: "
                        + Relined(answer, numbers)).ConfigureAwait(false);
                    await context.Error.WriteLineAsync($"stored before: {accepted} batches ({duplicates} duplicates)").ConfigureAwait(false);
                    return ExitCodes.Refused;
                }

                using var json = JsonDocument.Parse(answer.Body);
                accepted += json.RootElement.GetProperty("accepted").GetInt64();
                duplicates += json.RootElement.GetProperty("duplicates").GetInt64();
                lines += numbers.Count;
                await context.Error.WriteLineAsync($"pushed {lines} lines: {accepted} stored, {duplicates} duplicates").ConfigureAwait(false);
                body.Clear();
                numbers.Clear();
            }

            if (line is null)
            {
                break;
            }
        }

        await context.Out.WriteLineAsync($"accepted {accepted}, duplicates {duplicates}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>The service names the line within the request; the user wants the line of their input.</summary>
    private static string Relined(ServiceAnswer answer, List<long> numbers)
    {
        try
        {
            using var json = JsonDocument.Parse(answer.Body);
            if (json.RootElement.TryGetProperty("line", out var line) && line.TryGetInt32(out var n) && n >= 1 && n <= numbers.Count
                && json.RootElement.TryGetProperty("field", out var field) && json.RootElement.TryGetProperty("detail", out var detail))
            {
                var reason = detail.GetString() ?? "";
                var cut = reason.IndexOf(": ", StringComparison.Ordinal);
                return $"{(int)answer.Status} input line {numbers[n - 1]}: {(cut >= 0 ? reason[(cut + 2)..] : reason)} (field {field.GetString()})";
            }
        }
        catch (JsonException)
        {
            // Not a problem body.
        }

        return answer.Problem();
    }

    private static Command StatusCommand(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "deployment id" };
        var json = new Option<bool>("--json") { Description = "print the verdict as the service answers it (JSON)" };
        var command = new Command("status", "Print the deployment's verdict and the evidence per metric.") { id, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = Connect(parse, context);
            var deployment = parse.GetValue(id)!;
            var answer = await client.VerdictAsync(deployment, null, null, cancellationToken).ConfigureAwait(false);
            if (!answer.Ok)
            {
                await context.Error.WriteLineAsync("status: " + answer.Problem()).ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            if (parse.GetValue(json))
            {
                await context.Out.WriteLineAsync(answer.Body).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var verdict = CliVerdict.FromHttp(answer.Body, answer.ETag);
            await context.Out.WriteLineAsync($"{deployment} {verdict.Decision}{(verdict.Final ? " (final)" : "")} score={verdict.Score?.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}")
                .ConfigureAwait(false);
            await context.Out.WriteLineAsync(verdict.Reason).ConfigureAwait(false);
            foreach (var metric in JsonDocument.Parse(answer.Body).RootElement.GetProperty("metrics").EnumerateArray())
            {
                await context.Out.WriteLineAsync(MetricLine(metric)).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string MetricLine(JsonElement metric)
    {
        static string Percent(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
                ? (v.GetDouble() * 100).ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture) + "%"
                : "-";

        var p = metric.TryGetProperty("pValue", out var pv) && pv.ValueKind == JsonValueKind.Number
            ? pv.GetDouble().ToString("G3", System.Globalization.CultureInfo.InvariantCulture)
            : "-";
        return $"  {metric.GetProperty("metric").GetString(),-20} {metric.GetProperty("classification").GetString(),-8} "
            + $"effect {Percent(metric, "effect")} [{Percent(metric, "ciLow")}, {Percent(metric, "ciHigh")}] p={p} "
            + $"baseline={metric.GetProperty("baselineCount").GetRawText()} canary={metric.GetProperty("canaryCount").GetRawText()}"
            + (metric.GetProperty("critical").GetBoolean() ? " critical" : "");
    }

    private static Command WaitCommand(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "deployment id" };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "give up after this long (20s, 30m, 2h; default 30m): exit 3",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(30),
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
                if (Durations.TryParse(text, out var duration))
                {
                    return duration;
                }

                result.AddError($"--timeout: '{text}' is not a duration like 20s, 30m or 2h");
                return default;
            },
        };
        var poll = new Option<bool>("--poll") { Description = "follow by long poll only (no WebSocket)" };
        var command = new Command("wait",
            "Block until the verdict is decided, printing each change: exit 0 PROMOTE, 1 ROLLBACK, 2 INCONCLUSIVE, 3 timeout, 4 error.")
        {
            id, timeout, poll,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = Connect(parse, context);
            var deployment = parse.GetValue(id)!;
            var limit = parse.GetValue(timeout);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limit);
            var follower = new VerdictFollower(client, context.Error) { PollOnly = parse.GetValue(poll) };
            CliVerdict? last = null;
            try
            {
                await foreach (var verdict in follower.FollowAsync(deployment, deadline.Token).ConfigureAwait(false))
                {
                    if (!verdict.Same(last))
                    {
                        await context.Out.WriteLineAsync(verdict.Line(DateTimeOffset.UtcNow)).ConfigureAwait(false);
                        last = verdict;
                    }

                    if (verdict.Final)
                    {
                        return verdict.ExitCode;
                    }
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The timeout.
            }
            catch (DeploymentNotFoundException e)
            {
                await context.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.UsageOrConnection;
            }

            await context.Error.WriteLineAsync($"timed out after {limit} without a decision (last: {last?.Decision ?? "nothing heard"})")
                .ConfigureAwait(false);
            return ExitCodes.Timeout;
        });
        return command;
    }

    private static Command CompleteCommand(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "deployment id" };
        var status = new Option<string>("--status") { Description = "what the pipeline did", Required = true };
        status.AcceptOnlyFromAmong("PROMOTED", "ROLLED_BACK", "ABORTED");
        var command = new Command("complete", "Record what the pipeline finally did (idempotent for the same status).") { id, status };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = Connect(parse, context);
            var deployment = parse.GetValue(id)!;
            var answer = await client.CompleteAsync(deployment, parse.GetValue(status)!, cancellationToken).ConfigureAwait(false);
            if (!answer.Ok)
            {
                await context.Error.WriteLineAsync("complete refused: " + answer.Problem()).ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            await context.Out.WriteLineAsync($"{deployment} completed as {parse.GetValue(status)}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary>A usage error found while running a command (a file that cannot be read, a bad address): exit 4.</summary>
internal sealed class UsageException(string message) : Exception(message);
