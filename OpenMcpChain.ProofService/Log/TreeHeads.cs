using Nethereum.Hex.HexConvertors.Extensions;
using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Log;

/// <summary>Signs tree heads: EIP-191 over canonical JSON of size, root and time, with the ProofService key.</summary>
public sealed class TreeHeads(LogReader reader, OutcomeSigner signer)
{
    public async Task<SignedTreeHead> SignAsync(long size, CancellationToken ct)
    {
        var root = (await reader.RootAsync(size, ct)).ToHex(true);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var message = SignedTreeHead.MessageFor(size, root, timestamp);
        return new SignedTreeHead(size, root, timestamp, signer.Address, signer.Sign(message), message);
    }
}
