using System.Text.Json;
using Orleans.Storage;
using Verification.Api.Contracts;

namespace Verification.Silo.Storage;

/// <summary>
/// Orleans grain state as the JSON text our schema has always stored (<see cref="ContractJson.Options"/>): a
/// <see cref="StoredValue{T}"/> is written as its value alone (<c>null</c> while empty), so rows written before the move
/// to Orleans read back unchanged, and the directories read the same rows without Orleans.
/// </summary>
internal sealed class ContractJsonStorageSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => input is IStoredValue stored
        ? new BinaryData(JsonSerializer.SerializeToUtf8Bytes(stored.Value, stored.ValueType, ContractJson.Options))
        : new BinaryData(JsonSerializer.SerializeToUtf8Bytes(input, ContractJson.Options));

    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(StoredValue<>))
        {
            var stored = (IStoredValue)Activator.CreateInstance<T>()!;
            stored.Value = JsonSerializer.Deserialize(input.ToMemory().Span, stored.ValueType, ContractJson.Options);
            return (T)stored;
        }

        return JsonSerializer.Deserialize<T>(input.ToMemory().Span, ContractJson.Options)!;
    }
}

/// <summary>A grain's state record, or null while the grain was never written (Orleans needs a parameterless state type).</summary>
internal sealed class StoredValue<T> : IStoredValue
    where T : class
{
    public T? Value { get; set; }

    object? IStoredValue.Value
    {
        get => Value;
        set => Value = (T?)value;
    }

    Type IStoredValue.ValueType => typeof(T);
}

/// <summary>What <see cref="ContractJsonStorageSerializer"/> needs of a <see cref="StoredValue{T}"/> without knowing T.</summary>
internal interface IStoredValue
{
    object? Value { get; set; }

    Type ValueType { get; }
}
