using Nethereum.Signer;

namespace OpenMcpChain.Tests;

/// <summary>The proof signer as the AppHost configures it, so a check never trusts the address a response names itself.</summary>
internal static class ProofSigner
{
    /// <summary>The address of the key the AppHost gives ProofService (<c>Parameters:proof-signer-key</c>).</summary>
    public static async Task<string> ConfiguredProofSignerAsync(this SystemFixture system) =>
        new EthECKey(await system.ParameterAsync("proof-signer-key")).GetPublicAddress();
}
