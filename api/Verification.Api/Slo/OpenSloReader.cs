using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Verification.Api.Slo;

/// <summary>
/// Typed access to the fields of a YAML mapping, collecting an error with the field's path for every
/// missing or mistyped value instead of stopping at the first.
/// </summary>
internal sealed class OpenSloReader
{
    private readonly List<OpenSloError> _errors = [];

    public IReadOnlyList<OpenSloError> Errors => _errors;

    public void Error(string path, string message) => _errors.Add(new OpenSloError(path, message));

    public static string Path(string parent, string key) => $"{parent}.{key}";

    public static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    public YamlMappingNode? Mapping(YamlMappingNode map, string key, string path, bool required)
    {
        switch (Child(map, key))
        {
            case null:
                RequiredMissing(required, Path(path, key));
                return null;
            case YamlMappingNode mapping:
                return mapping;
            default:
                Error(Path(path, key), "must be a mapping");
                return null;
        }
    }

    public YamlSequenceNode? Sequence(YamlMappingNode map, string key, string path, bool required)
    {
        switch (Child(map, key))
        {
            case null:
                RequiredMissing(required, Path(path, key));
                return null;
            case YamlSequenceNode sequence:
                return sequence;
            default:
                Error(Path(path, key), "must be a list");
                return null;
        }
    }

    public string? String(YamlMappingNode map, string key, string path, bool required, int maxLength = 1050)
    {
        var fieldPath = Path(path, key);
        switch (Child(map, key))
        {
            case null:
                RequiredMissing(required, fieldPath);
                return null;
            case YamlScalarNode { Value: { } value }:
                if (value.Length == 0 && required)
                {
                    Error(fieldPath, "must not be empty");
                    return null;
                }

                if (value.Length > maxLength)
                {
                    Error(fieldPath, $"must be at most {maxLength} characters");
                    return null;
                }

                return value;
            default:
                Error(fieldPath, "must be a string");
                return null;
        }
    }

    public double? Number(YamlMappingNode map, string key, string path)
    {
        var fieldPath = Path(path, key);
        switch (Child(map, key))
        {
            case null:
                return null;
            case YamlScalarNode { Value: { } value }
                when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                return number;
            default:
                Error(fieldPath, "must be a number");
                return null;
        }
    }

    public bool? Boolean(YamlMappingNode map, string key, string path)
    {
        switch (Child(map, key))
        {
            case null:
                return null;
            case YamlScalarNode { Value: { } value } when value.Equals("true", StringComparison.OrdinalIgnoreCase):
                return true;
            case YamlScalarNode { Value: { } value } when value.Equals("false", StringComparison.OrdinalIgnoreCase):
                return false;
            default:
                Error(Path(path, key), "must be true or false");
                return null;
        }
    }

    private void RequiredMissing(bool required, string path)
    {
        if (required)
        {
            Error(path, "is required");
        }
    }
}
