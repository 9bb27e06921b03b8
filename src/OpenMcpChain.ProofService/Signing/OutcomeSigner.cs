using Microsoft.Extensions.Options;
using Nethereum.Signer;

namespace OpenMcpChain.ProofService.Signing;

/// <summary>Signs task outcomes with the service's secp256k1 key, so anyone can recover the signer address.</summary>
public sealed class OutcomeSigner(IOptions<SignerOptions> options)
{
    public const string Scheme = "eip191";

    private readonly EthECKey _key = new(options.Value.PrivateKey);
    private readonly EthereumMessageSigner _signer = new();

    public string Address => _key.GetPublicAddress();

    /// <summary>An EIP-191 personal-message signature over the UTF-8 bytes of <paramref name="message"/>.</summary>
    public string Sign(string message) => _signer.EncodeUTF8AndSign(message, _key);
}
