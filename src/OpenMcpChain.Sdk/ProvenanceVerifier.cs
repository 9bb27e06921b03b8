using Nethereum.Signer;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Sdk;

/// <summary>Checks a task's provenance offline, with no server.</summary>
public static class ProvenanceVerifier
{
    /// <summary>Recovers the address that produced <paramref name="provenance"/>'s signature over its message.</summary>
    public static string RecoverSigner(Provenance provenance) => provenance.Scheme switch
    {
        "eip191" => new EthereumMessageSigner().EncodeUTF8AndEcRecover(provenance.Message, provenance.Signature),
        _ => throw new NotSupportedException($"Unknown signature scheme '{provenance.Scheme}'."),
    };

    /// <summary>True when the signature recovers to <paramref name="expectedSigner"/> (case-insensitive hex).</summary>
    public static bool IsSignedBy(Provenance provenance, string expectedSigner) =>
        string.Equals(RecoverSigner(provenance), expectedSigner, StringComparison.OrdinalIgnoreCase)
        && string.Equals(provenance.Signer, expectedSigner, StringComparison.OrdinalIgnoreCase);
}
