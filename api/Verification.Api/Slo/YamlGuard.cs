using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Verification.Api.Slo;

/// <summary>
/// Checks a YAML input's shape on YamlDotNet's event stream before the representation model is built: the event
/// parser is a state machine (no recursion) and aliases are single events there, so neither deep nesting nor an
/// alias bomb can cost more than one linear pass. The representation model recurses per nesting level and hashes
/// mapping keys through aliases, so a 40,000-deep flow collection overflows the stack and 40 levels of doubled
/// aliases used as a mapping key cost 2^40 steps; both are refused here first.
/// </summary>
internal static class YamlGuard
{
    /// <summary>Deepest nesting of collections accepted (an OpenSLO document needs about 8).</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes one document may have with every alias counted as the node it stands for.</summary>
    public const int MaxExpandedNodes = 100_000;

    private const int EventsBetweenCancellationChecks = 1024;

    /// <summary>Returns the first limit the input exceeds (with its position), or null when it is within them.</summary>
    /// <exception cref="YamlException">The input is not well-formed YAML (found while scanning).</exception>
    public static string? Check(string yaml, CancellationToken cancellationToken)
    {
        var parser = new Parser(new StringReader(yaml));
        var open = new Stack<(string? Anchor, long Weight)>();
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        long documentNodes = 0;
        var events = 0;
        while (parser.MoveNext())
        {
            if (++events % EventsBetweenCancellationChecks == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var current = parser.Current!;
            long weight;
            switch (current)
            {
                case DocumentStart:
                    // Anchors are scoped to their document (YAML 1.2 §3.2.2.2).
                    anchors.Clear();
                    documentNodes = 0;
                    continue;
                case MappingStart or SequenceStart:
                    if (open.Count >= MaxDepth)
                    {
                        return $"line {current.Start.Line}, column {current.Start.Column}: nested deeper than {MaxDepth} levels";
                    }

                    open.Push((((NodeEvent)current).Anchor.IsEmpty ? null : ((NodeEvent)current).Anchor.Value, 1));
                    documentNodes++;
                    break;
                case MappingEnd or SequenceEnd:
                    var (anchor, collectionWeight) = open.Pop();
                    if (anchor is not null)
                    {
                        anchors[anchor] = collectionWeight;
                    }

                    AddToParent(open, collectionWeight);
                    continue;
                case Scalar scalar:
                    weight = 1;
                    if (!scalar.Anchor.IsEmpty)
                    {
                        anchors[scalar.Anchor.Value] = weight;
                    }

                    AddToParent(open, weight);
                    documentNodes += weight;
                    break;
                case AnchorAlias alias:
                    // An unknown alias is YamlDotNet's error to report when the model is built.
                    weight = anchors.GetValueOrDefault(alias.Value.Value, 1);
                    AddToParent(open, weight);
                    documentNodes += weight;
                    break;
                default:
                    continue;
            }

            if (documentNodes > MaxExpandedNodes)
            {
                return $"line {current.Start.Line}, column {current.Start.Column}: more than {MaxExpandedNodes} nodes with aliases expanded";
            }
        }

        return null;
    }

    private static void AddToParent(Stack<(string? Anchor, long Weight)> open, long weight)
    {
        if (open.Count > 0)
        {
            var (anchor, parentWeight) = open.Pop();
            // Saturate: a weight past the limit is refused anyway; it must not wrap on the way there.
            open.Push((anchor, Math.Min(parentWeight + weight, long.MaxValue / 2)));
        }
    }
}
