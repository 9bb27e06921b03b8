
namespace OpenMcpChain.ProofService.Signing;

/// <summary>The ProofService signer key (a secret parameter; never logged).</summary>
public sealed class SignerOptions
{
    public const string SectionName = "Signer";

    public string PrivateKey { get; set; } = "";

    public static bool IsValidKey(string key)
    {
        var hex = key.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? key[2..] : key;
        return hex.Length == 64 && hex.All(c => char.IsAsciiHexDigit(c));
    }

    public override string ToString() => $"{nameof(SignerOptions)} {{ PrivateKey = *** }}";
}
