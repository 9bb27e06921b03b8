using Microsoft.Extensions.Options;
using Nethereum.Signer;

namespace OpenMcpChain.ProofService.Signing;

/// <summary>Signs task outcomes with the service's secp256k1 key, so anyone can recover the signer address.</summary>
public sealed class OutcomeSigner(IOptions<SignerOptions> options) : IAttestationProvider
{
    public const string Eip712 = "eip712";

    string IAttestationProvider.Scheme => Eip712;
    string IAttestationProvider.Identity => Address;
    string IAttestationProvider.Attest(string typedDataJson) => SignTypedData(typedDataJson);

    private readonly EthECKey _key = new(options.Value.PrivateKey);
    private readonly EthereumMessageSigner _signer = new();
    private readonly Nethereum.Signer.EIP712.Eip712TypedDataSigner _typedSigner = new();

    public string Address => _key.GetPublicAddress();

    /// <summary>An EIP-191 personal-message signature over the UTF-8 bytes of <paramref name="message"/> (tree heads).</summary>
    public string Sign(string message) => _signer.EncodeUTF8AndSign(message, _key);

    /// <summary>An EIP-712 (eth_signTypedData_v4) signature over typed data given as JSON (attestations).</summary>
    public string SignTypedData(string typedDataJson) => _typedSigner.SignTypedDataV4(typedDataJson, _key);
}
