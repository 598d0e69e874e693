using System.Text.Json;
using System.Text.Json.Serialization;

namespace Verification.Api.Contracts;

/// <summary>
/// Enums as their GraphQL spellings (<c>CANARY</c>, <c>ROLLED_BACK</c>); a value that is not one of them is rejected
/// with a message listing the allowed values ("'RATE' is not one of RATIO, CONTINUOUS") instead of a .NET type name.
/// </summary>
internal sealed class ContractEnumConverterFactory : JsonConverterFactory
{
    private readonly JsonStringEnumConverter _inner = new(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false);

    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(
            typeof(ContractEnumConverter<>).MakeGenericType(typeToConvert), _inner.CreateConverter(typeToConvert, options))!;
}

/// <summary>One enum type: reads and writes through <see cref="JsonStringEnumConverter"/>, explains a wrong value.</summary>
internal sealed class ContractEnumConverter<T>(JsonConverter inner) : JsonConverter<T>
    where T : struct, Enum
{
    private static readonly string Allowed = string.Join(", ", Enum.GetNames<T>().Select(JsonNamingPolicy.SnakeCaseUpper.ConvertName));

    private readonly JsonConverter<T> _inner = (JsonConverter<T>)inner;

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"must be one of {Allowed}");
        }

        var copy = reader;
        try
        {
            return _inner.Read(ref reader, typeToConvert, options);
        }
        catch (JsonException)
        {
            throw new JsonException($"'{copy.GetString()}' is not one of {Allowed}");
        }
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => _inner.Write(writer, value, options);
}
