namespace OpenMcpChain.Sdk;

/// <summary>The one shape check of a 32-byte hash that every service and client applies to its input.</summary>
public static class Hashes
{
    /// <summary>True for 0x followed by 64 hex digits: a transaction, block or Merkle root hash.</summary>
    public static bool IsHash(string? value) =>
        value is { Length: 66 } h && h.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && h.AsSpan(2).ContainsAnyExcept(HexDigits) is false;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
