using System.Globalization;
using Verification.Analysis.Slo;
using Verification.Api.Slo;
using Contracts = Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// One SLO of a service grain's activation: its definition and one <see cref="SloBuckets"/> per objective (the objectives
/// share the indicator, so every event batch is counted in each). Maps the pure evaluation to the contract.
/// </summary>
internal sealed class ActiveSlo
{
    private readonly SloBuckets[] _objectives;

    private ActiveSlo(SloDefinition definition, SloEntryState entry, SloBuckets[] objectives)
    {
        Definition = definition;
        Entry = entry;
        _objectives = objectives;
    }

    public SloDefinition Definition { get; }

    public SloEntryState Entry { get; }

    /// <summary>The same SLO with its buckets restored from <paramref name="snapshot"/>.</summary>
    public ActiveSlo Restore(IReadOnlyList<ObjectiveBucketsState> snapshot) => Create(Definition, Entry, snapshot);

    /// <summary>An SLO with its buckets restored from <paramref name="snapshot"/> (or empty when it has none for it).</summary>
    public static ActiveSlo Create(SloDefinition definition, SloEntryState entry, IReadOnlyList<ObjectiveBucketsState>? snapshot)
    {
        var objectives = new SloBuckets[definition.Objectives.Count];
        for (var i = 0; i < objectives.Length; i++)
        {
            var policy = definition.Objectives[i].Policy;
            var stored = snapshot?.FirstOrDefault(o => o.Slo == entry.Name && o.Objective == i);
            objectives[i] = stored is null ? new SloBuckets(policy) : SloBuckets.Restore(policy, SloBucketCodec.Decode(stored.Buckets));
        }

        return new ActiveSlo(definition, entry, objectives);
    }

    /// <summary>The event times every objective accepts at <paramref name="now"/> (<see cref="SloBuckets.Add"/>'s rules).</summary>
    public Contracts.SloEventWindow EventWindow(DateTimeOffset now)
    {
        // Add accepts minutes after nowMinute − capacity; the smallest capacity (the shortest time slice) binds.
        var capacity = _objectives.Min(o => o.Capacity);
        var minuteStart = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        return new Contracts.SloEventWindow(Entry.Name, minuteStart.AddMinutes(-(capacity - 1)), now + SloBuckets.MaxClockSkew);
    }

    /// <summary>How many more events the minute of <paramref name="at"/> may take in every objective (<see cref="SloBuckets.MaxEventsPerMinute"/>).</summary>
    public long Room(DateTimeOffset at, DateTimeOffset now) => _objectives.Min(o => o.Room(at, now));

    /// <summary>Counts a batch in every objective (validated before: each accepts it).</summary>
    public void Add(SloEventEntry entry, DateTimeOffset now)
    {
        foreach (var objective in _objectives)
        {
            objective.Add(entry.At, entry.Good, entry.Total, now);
        }
    }

    /// <summary>Takes back an <see cref="Add"/> of the same <paramref name="now"/> (a write that counted it first failed).</summary>
    public void Remove(SloEventEntry entry, DateTimeOffset now)
    {
        foreach (var objective in _objectives)
        {
            objective.Remove(entry.At, entry.Good, entry.Total, now);
        }
    }

    /// <summary>
    /// The non-empty minutes still held, oldest first: every objective counts the same events, so those of the objective
    /// keeping the most minutes (the longest window).
    /// </summary>
    public IReadOnlyList<SloBucket> Minutes() => _objectives.MaxBy(o => o.Capacity)!.Snapshot();

    /// <summary>The encoded buckets of every objective, for the grain state.</summary>
    public IEnumerable<ObjectiveBucketsState> SnapshotObjectives() =>
        _objectives.Select((o, i) => new ObjectiveBucketsState(Entry.Name, i, SloBucketCodec.Encode(o.Snapshot())));

    /// <summary>Every objective's status at <paramref name="now"/>.</summary>
    public IReadOnlyList<SloStatus> Evaluate(DateTimeOffset now) => [.. _objectives.Select(o => o.Evaluate(now))];

    /// <summary>The contract view; headline numbers from the governing objective (highest alert, then least budget left).</summary>
    public Contracts.Slo ToContract(IReadOnlyList<SloStatus> statuses)
    {
        var governing = Governing(statuses);
        var d = Definition;
        var s = statuses[governing];
        var objectives = statuses.Select((status, i) => new Contracts.SloObjectiveStatus(
            d.Objectives[i].DisplayName, d.Objectives[i].Target, status.BudgetRemaining, status.BudgetConsumed, status.TimeToExhaustion?.TotalHours,
            Map(status.BurnRates), Map(status.Alert), status.Good, status.Total)).ToList();
        return new Contracts.Slo(
            d.Service, d.Name, d.DisplayName, d.Description, d.Objectives[governing].Target, WindowText(d.Window),
            d.BudgetingMethod == BudgetingMethod.Timeslices ? Contracts.SloBudgetingMethod.Timeslices : Contracts.SloBudgetingMethod.Occurrences,
            s.BudgetRemaining, s.BudgetConsumed, s.TimeToExhaustion?.TotalHours, Map(s.BurnRates), Map(s.Alert), s.Good, s.Total,
            s.Period.Start, s.Period.End, Entry.DefinedAt, objectives);
    }

    /// <summary>The index of the governing objective: the highest alert, then the least budget left (the first on a tie).</summary>
    public static int Governing(IReadOnlyList<SloStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var governing = 0;
        for (var i = 1; i < statuses.Count; i++)
        {
            if (statuses[i].Alert > statuses[governing].Alert
                || (statuses[i].Alert == statuses[governing].Alert && statuses[i].BudgetRemaining < statuses[governing].BudgetRemaining))
            {
                governing = i;
            }
        }

        return governing;
    }

    public static Contracts.AlertLevel Map(SloAlert alert) => alert switch
    {
        SloAlert.Page => Contracts.AlertLevel.Page,
        SloAlert.Ticket => Contracts.AlertLevel.Ticket,
        _ => Contracts.AlertLevel.None,
    };

    private static Contracts.BurnRate[] Map(IReadOnlyList<BurnRate> rates) => [.. rates.Select(r => new Contracts.BurnRate(r.Window, r.Rate))];

    /// <summary>The window in OpenSLO's shorthand: <c>28d rolling</c>, <c>1M calendar from 2026-01-01 00:00:00 Europe/Berlin</c>.</summary>
    public static string WindowText(SloWindow window) => window switch
    {
        RollingWindow r => $"{Shorthand(r.Duration)} rolling",
        CalendarWindow c => string.Create(CultureInfo.InvariantCulture,
            $"{c.Count}{UnitLetter(c.Unit)} calendar from {c.StartTime:yyyy-MM-dd HH:mm:ss} {c.TimeZoneId}"),
        _ => window.ToString(),
    };

    private static string Shorthand(TimeSpan d) =>
        d.Ticks % TimeSpan.TicksPerDay == 0 ? string.Create(CultureInfo.InvariantCulture, $"{d.Ticks / TimeSpan.TicksPerDay}d")
        : d.Ticks % TimeSpan.TicksPerHour == 0 ? string.Create(CultureInfo.InvariantCulture, $"{d.Ticks / TimeSpan.TicksPerHour}h")
        : string.Create(CultureInfo.InvariantCulture, $"{d.Ticks / TimeSpan.TicksPerMinute}m");

    private static char UnitLetter(CalendarUnit unit) => unit switch
    {
        CalendarUnit.Minute => 'm',
        CalendarUnit.Hour => 'h',
        CalendarUnit.Day => 'd',
        CalendarUnit.Week => 'w',
        CalendarUnit.Month => 'M',
        CalendarUnit.Quarter => 'Q',
        _ => 'Y',
    };
}
