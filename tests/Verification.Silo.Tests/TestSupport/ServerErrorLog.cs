using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>
/// Fails a test when the server logs an exception at Error or Critical — an exception nobody handled (the
/// exception-handler middleware, Kestrel, a hosted service, a subscription that failed). In process it is a logger
/// provider (<see cref="SiloFactory"/>); for a real process it reads the console output (<see cref="SiloProcess"/>).
/// <see cref="ThrowIfAny"/> runs when the silo is disposed, so the test (or class fixture) that ran it fails.
/// </summary>
public sealed partial class ServerErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly Lock _lines = new();
    private string? _header;

    /// <summary>What was logged, one entry per exception ("category: message: exception").</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>
    /// One line of a silo's console output (simple console format: "fail: Category[id]", then indented message and
    /// exception lines): an exception line under a <c>fail</c> or <c>crit</c> header is recorded.
    /// </summary>
    public void ReadConsoleLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            Read(line);
        }
    }

    private void Read(string line)
    {
        if (Header().IsMatch(line))
        {
            _header = line.StartsWith("fail", StringComparison.Ordinal) || line.StartsWith("crit", StringComparison.Ordinal) ? line.Trim() : null;
        }
        else if (_header is not null && ExceptionLine().IsMatch(line))
        {
            _errors.Enqueue($"{_header} {line.Trim()}");
            _header = null;
        }
    }

    /// <summary>
    /// Removes the recorded errors that contain <paramref name="text"/> (an error the test caused on purpose, which the
    /// server logs but handles); returns how many.
    /// </summary>
    public int Expect(string text)
    {
        var removed = 0;
        for (var count = _errors.Count; count > 0 && _errors.TryDequeue(out var error); count--)
        {
            if (error.Contains(text, StringComparison.Ordinal))
            {
                removed++;
            }
            else
            {
                _errors.Enqueue(error);
            }
        }

        return removed;
    }

    public void ThrowIfAny()
    {
        if (!_errors.IsEmpty)
        {
            throw new InvalidOperationException(
                "The server logged an unhandled exception:" + Environment.NewLine + string.Join(Environment.NewLine + Environment.NewLine, _errors));
        }
    }

    public void Dispose()
    {
    }

    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex Header();

    [GeneratedRegex(@"^\s+[\w.]+(Exception|Error)( \(0x[0-9A-Fa-f]+\))?: ")]
    private static partial Regex ExceptionLine();

    private sealed class Logger(ServerErrorLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error && exception is not null)
            {
                owner._errors.Enqueue($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)}{Environment.NewLine}{exception}");
            }
        }
    }
}
