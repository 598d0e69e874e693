using System.Net;
using System.Text;
using Verification.Api.Slo;
using Verification.Silo.Tests.Grains;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Fuzz;

/// <summary>OpenSLO YAML, generated and mutated: the parser never throws and the endpoint never answers 5xx.</summary>
public sealed class OpenSloFuzzTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private const string Surface = "openslo";

    private static readonly string[] Dictionary =
    [
        "&a ", "*a", "? ", ": ", "- ", "[", "]", "{", "}", ",", "\n", "\n  ", "---\n", "...\n", "!!binary ", "!!str ", "%YAML 1.2\n", "<<: *a\n",
        "|\n", ">-\n", "\"", "'", "#", "\t", "~", "null", "1e999", "-.inf", ".nan", "0x7FFFFFFF", "2026-13-45", "calendar:\n",
        "budgetingMethod: Timeslices\n", "timeSliceTarget: 0.95\n", "timeSliceWindow: 1m\n", "indicatorRef: errors\n", "kind: SLI\n",
        new string('[', 100), new string('-', 3) + " &x [*x]",
    ];

    private sealed record Input(string Yaml, bool Valid, bool Corpus);

    [Fact]
    public async Task ApplySlos_FuzzedYaml_ParserNeverThrowsAndNoServerError()
    {
        await using var silo = new FuzzSilo(factory);
        var seed = FuzzRun.Seed(1105);
        var mutator = new Mutator(seed);

        var ran = await FuzzRun.RunAsync(Surface, seed, Inputs(mutator), async (input, index) =>
        {
            var parsed = OpenSloParser.Parse(input.Yaml);
            if (input.Valid)
            {
                Assert.Empty(parsed.Errors);
            }

            if (index % FuzzRun.HttpEvery != 0 && !input.Corpus)
            {
                return;
            }

            using var response = await silo.Http.PostAsync("/v1/slos", new StringContent(input.Yaml, Encoding.UTF8, "application/yaml"));
            FuzzSilo.NotServerError(response);
            if (input.Valid)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            else if (!parsed.IsValid)
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            }
        }, input => FuzzRun.Show(input.Yaml));

        Assert.True(ran >= FuzzRun.Inputs);
    }

    private static IEnumerable<Input> Inputs(Mutator mutator)
    {
        foreach (var (_, bytes) in FuzzRun.Corpus(Surface))
        {
            yield return new Input(FuzzRun.Utf8(bytes), false, true);
        }

        for (var i = 0; i < FuzzRun.Inputs; i++)
        {
            var valid = ServiceGrainTests.Yaml($"svc-{mutator.Random.Next(20)}", $"slo-{mutator.Random.Next(50)}");
            yield return mutator.Random.Next(10) switch
            {
                0 => new Input(valid, true, false),
                1 => new Input(RandomYaml(mutator), false, false),
                _ => new Input(mutator.Mutate(valid, Dictionary), false, false),
            };
        }
    }

    /// <summary>Structure-first YAML: nested block and flow collections with anchors and aliases.</summary>
    private static string RandomYaml(Mutator mutator)
    {
        var text = new StringBuilder();
        var anchors = 0;
        void Node(int depth, string indent)
        {
            var random = mutator.Random;
            switch (depth > 6 ? 0 : random.Next(5))
            {
                case 0:
                    text.Append(random.Next(4) == 0 && anchors > 0 ? $"*a{random.Next(anchors)}" : $"v{random.Next(100)}");
                    break;
                case 1:
                    text.Append($"&a{anchors++} [");
                    for (var i = random.Next(4); i > 0; i--)
                    {
                        Node(depth + 1, indent);
                        text.Append(", ");
                    }

                    text.Append(']');
                    break;
                case 2:
                    text.Append('{');
                    for (var i = random.Next(4); i > 0; i--)
                    {
                        text.Append(random.Next(5) == 0 && anchors > 0 ? $"? *a{random.Next(anchors)} : " : $"k{random.Next(20)}: ");
                        Node(depth + 1, indent);
                        text.Append(", ");
                    }

                    text.Append('}');
                    break;
                default:
                    for (var i = 1 + random.Next(3); i > 0; i--)
                    {
                        text.Append('\n').Append(indent).Append($"k{random.Next(20)}{i}: ");
                        Node(depth + 1, indent + "  ");
                    }

                    break;
            }
        }

        text.Append("root: ");
        Node(0, "  ");
        return text.ToString();
    }
}
