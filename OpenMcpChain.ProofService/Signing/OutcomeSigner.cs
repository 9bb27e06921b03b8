using System.Text;
using Microsoft.Extensions.Options;
using Nethereum.Signer;
using Nethereum.Util;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Signing;

/// <summary>Signs task outcomes with the service's secp256k1 key, so anyone can recover the signer address.</summary>
public sealed class OutcomeSigner(IOptions<SignerOptions> options) : IAttestationProvider
{
    public const string Eip712 = "eip712";

    string IAttestationProvider.Scheme => Eip712;
    string IAttestationProvider.Identity => Address;
    string IAttestationProvider.Attest(string typedDataJson) => SignTypedData(typedDataJson);

    // Nethereum encodes and hashes; the signature is Secp256k1Signer's (the same bytes Nethereum's key would sign, cheaper).
    private readonly Secp256k1Signer _key = new(options.Value.PrivateKey);
    private readonly EthereumMessageSigner _messages = new();
    private readonly Nethereum.Signer.EIP712.Eip712TypedDataSigner _typedData = new();

    public string Address => _key.Address;

    /// <summary>An EIP-191 personal-message signature over the UTF-8 bytes of <paramref name="message"/> (tree heads).</summary>
    public string Sign(string message) => _key.SignHash(_messages.HashPrefixedMessage(Encoding.UTF8.GetBytes(message)));

    /// <summary>An EIP-712 (eth_signTypedData_v4) signature over typed data given as JSON (attestations).</summary>
    public string SignTypedData(string typedDataJson) => _key.SignHash(Sha3Keccack.Current.CalculateHash(_typedData.EncodeTypedData(typedDataJson)));
}
