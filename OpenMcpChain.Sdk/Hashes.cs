namespace OpenMcpChain.Sdk;

/// <summary>The shape checks of hex values (hashes, addresses, signatures) that every service and client applies to its input.</summary>
public static class Hashes
{
    /// <summary>True for 0x followed by 64 hex digits: a transaction, block or Merkle root hash.</summary>
    public static bool IsHash(string? value) => IsHex(value, 64);

    /// <summary>True for 0x followed by 40 hex digits: an account or contract address (any letter case).</summary>
    public static bool IsAddress(string? value) => IsHex(value, 40);

    /// <summary>True for 0x followed by 130 hex digits: a 65-byte secp256k1 signature (r, s, v).</summary>
    public static bool IsSignature(string? value) => IsHex(value, 130);

    private static bool IsHex(string? value, int digits) =>
        value is { } h && h.Length == digits + 2 && h.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        && h.AsSpan(2).ContainsAnyExcept(HexDigits) is false;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
