using System.Security.Cryptography;
using System.Text;

namespace Verification.Api.Access;

/// <summary>
/// Token secrets: 256 random bits, shown once, stored only as their SHA-256. A slow password hash is not needed: the
/// secrets are random, so the hash cannot be reversed by guessing (unlike a password's), and every request checks one.
/// </summary>
public static class TokenSecrets
{
    /// <summary>What every secret starts with, so that secret scanners and people recognise one.</summary>
    public const string Prefix = "vt_";

    private const int SecretBytes = 32;

    /// <summary>A new secret: <see cref="Prefix"/> and 256 random bits in base64url.</summary>
    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A new token id: 96 random bits in hex (public, not secret).</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>The stored form of a secret: lower-case hex SHA-256 of its UTF-8 bytes.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares a presented secret with the configured one in constant time.</summary>
    public static bool SameSecret(string presented, string configured) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
}
