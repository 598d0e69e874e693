using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Verification.GraphQL.Transport;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Tests;

/// <summary>The example from the engine's documentation, kept compiling and working.</summary>
public sealed class PublicApiExampleTests
{
    private sealed record Greeting(string Text, int Times);

    private static Schema BuildExampleSchema()
    {
        var greeting = new ObjectType("Greeting", "A greeting.");
        greeting.Field("text", ScalarType.String.NonNull());
        greeting.Field("times", ScalarType.Int.NonNull());

        var query = new ObjectType("Query");
        query.Field("hello", ScalarType.String.NonNull(), ctx => $"Hello, {ctx.GetArgument("name", "world")}!")
            .Argument("name", ScalarType.String, "world", "Who to greet.");

        var input = new InputObjectType("GreetInput")
            .Field("text", ScalarType.String.NonNull())
            .Field("times", ScalarType.Int, 1);
        var mutation = new ObjectType("Mutation");
        mutation.Field("greet", greeting.NonNull(), ctx =>
            {
                var args = ctx.GetArgument<Dictionary<string, object?>>("input");
                if ((int)args["times"]! < 1)
                {
                    throw new GraphQLException("times must be positive", "BAD_USER_INPUT");
                }

                return new Greeting((string)args["text"]!, (int)args["times"]!);
            })
            .Argument("input", input.NonNull());

        var subscription = new ObjectType("Subscription");
        subscription.Field("ticks", ScalarType.Int.NonNull())
            .Argument("count", ScalarType.Int.NonNull())
            .Subscribe(ctx => ValueTask.FromResult(Ticks(ctx.GetArgument<int>("count"), ctx.CancellationToken)));

        return new SchemaBuilder().Query(query).Mutation(mutation).Subscription(subscription).Build();
    }

    private static async IAsyncEnumerable<object?> Ticks(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 1; i <= count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }
    }

    [Fact]
    public void PrintSdl_ExampleSchema_PrintsDefinitions()
    {
        Assert.Equal(
            """"
            type Query {
              hello(
                """Who to greet."""
                name: String = "world"
              ): String!
            }

            type Mutation {
              greet(input: GreetInput!): Greeting!
            }

            """A greeting."""
            type Greeting {
              text: String!
              times: Int!
            }

            input GreetInput {
              text: String!
              times: Int = 1
            }

            type Subscription {
              ticks(count: Int!): Int!
            }
            """",
            BuildExampleSchema().PrintSdl());
    }

    [Fact]
    public async Task MapGraphQL_ExampleSchema_ServesMutation()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();
        app.UseWebSockets();
        app.MapGraphQL("/graphql", BuildExampleSchema());
        await app.StartAsync();
        using var client = app.GetTestClient();
        var response = await client.PostAsJsonAsync("/graphql", new { query = "mutation { greet(input: {text: \"hi\", times: 2}) { text times } }" });
        Assert.Equal("""{"data":{"greet":{"text":"hi","times":2}}}""", await response.Content.ReadAsStringAsync());
    }
}
