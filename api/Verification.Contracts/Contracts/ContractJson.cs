using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Verification.Api.Contracts;

/// <summary>
/// JSON as the contract spells it (docs/API.md): camelCase field names, enums as their GraphQL names
/// (<c>CANARY</c>, <c>ROLLED_BACK</c>, <c>MANN_WHITNEY</c>), ISO-8601 times, unknown fields rejected,
/// non-nullable fields required; human text is written unescaped (<c>'availability'</c>, <c>+12 %</c>: still valid JSON).
/// </summary>
public static class ContractJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Converters = { new ContractEnumConverterFactory() },
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            NumberHandling = JsonNumberHandling.Strict,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            MaxDepth = 16,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
