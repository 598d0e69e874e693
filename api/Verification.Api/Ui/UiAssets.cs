using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Verification.Api.Ui;

/// <summary>One static file of the built-in UI, read once from the assembly's embedded resources.</summary>
internal sealed record UiAsset(string Name, string ContentType, byte[] Content, string ETag);

/// <summary>
/// The built-in UI's files, embedded in this assembly under <c>Verification.Ui/</c> (see the csproj), so the silo
/// serves them with nothing on disk and nothing from the internet.
/// </summary>
internal static class UiAssets
{
    private const string Prefix = "Verification.Ui/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private static readonly Lazy<FrozenDictionary<string, UiAsset>> All = new(Load);

    /// <summary>The asset named <paramref name="name"/> (e.g. <c>app.js</c>), or null.</summary>
    public static UiAsset? Find(string name) => All.Value.GetValueOrDefault(name);

    private static FrozenDictionary<string, UiAsset> Load()
    {
        var assembly = typeof(UiAssets).Assembly;
        var assets = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..];
            var content = Read(assembly, resource);
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"";
            assets[name] = new UiAsset(name, type, content, etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource '{resource}' is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
