using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Sdk;

/// <summary>Proofs: the signer, a task's attestation and proof bundle, and the transparency log's tree head.</summary>
public sealed partial class OpenMcpChainClient
{
    public Task<SignerResponse> GetSignerAsync(CancellationToken ct = default) => GetAsync<SignerResponse>("api/v1/signer", ct);

    /// <summary>A finished task's provenance: the signed outcome, its log entry and inclusion proof, and the anchor once anchored.</summary>
    public Task<Provenance> GetAttestationAsync(string taskId, CancellationToken ct = default) =>
        GetAsync<Provenance>($"api/v1/attestations/{Escape(taskId)}", ct);

    /// <summary>Everything needed to check a task later with no server (<see cref="ProofBundleVerifier"/>).</summary>
    public Task<ProofBundle> GetBundleAsync(string taskId, CancellationToken ct = default) =>
        GetAsync<ProofBundle>($"api/v1/bundles/{Escape(taskId)}", ct);

    /// <summary>Has the server check a bundle (offline checks, and the anchor on chain when it knows the network).</summary>
    public Task<BundleVerification> VerifyBundleAsync(ProofBundle bundle, CancellationToken ct = default) =>
        PostAsync<BundleVerification>("api/v1/bundles/verify", bundle, ct);

    /// <summary>The log's current tree head, signed (EIP-191) by the signer.</summary>
    public Task<SignedTreeHead> GetTreeHeadAsync(CancellationToken ct = default) => GetAsync<SignedTreeHead>("api/v1/log/tree-head", ct);
}
