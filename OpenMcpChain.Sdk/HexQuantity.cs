using System.Globalization;

namespace OpenMcpChain.Sdk;

/// <summary>Ethereum JSON-RPC quantities (<c>0x7a69</c>): how a task result carries its chain id and block number.</summary>
public static class HexQuantity
{
    public static string Format(long value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Reads <c>0x</c> followed by 1 to 16 hex digits.</summary>
    public static bool TryParse(string? text, out long value)
    {
        value = 0;
        return text is { Length: > 2 and <= 18 } && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && value >= 0;
    }

    public static long Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a 0x-hex quantity.");
}
