namespace OpenMcpChain.ProofService.Signing;

/// <summary>
/// What attests a task outcome. The first implementation signs EIP-712 typed data with a secp256k1 key; a
/// zero-knowledge prover or a TEE quote provider plugs in here, returning its own scheme name and evidence.
/// </summary>
public interface IAttestationProvider
{
    /// <summary>The scheme written into provenance (e.g. <c>eip712</c>); verifiers dispatch on it.</summary>
    string Scheme { get; }

    /// <summary>Who attests: for secp256k1 the Ethereum address anyone recovers from the signature.</summary>
    string Identity { get; }

    /// <summary>Produces the evidence (a signature, a proof, a quote) over the typed data of one outcome.</summary>
    string Attest(string typedDataJson);
}
