using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The API reference's examples of the proof routes, shaped as a devnet run answers them.</summary>
internal static class ProofExamples
{
    public const string Signer = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    private const string Root = "0x3b1f5c8e0a9d4f27c6e1b0a8d7f3e2c1b9a8f7e6d5c4b3a29180f7e6d5c4b3a2";
    private const string Leaf = "0x8e2d4c6a1f0b3e5d7c9a2b4f6e8d0c1a3b5f7e9d2c4a6b8f0e1d3c5a7b9f2e4d";
    private const string Sibling = "0x1c3e5a7b9d2f4e6c8a0b1d3f5e7c9a2b4d6f8e0c1a3b5d7f9e2c4a6b8d0f1e3c";
    private const string Entry0 = """{"kind":"outcome","result_hash":"0x…","task_id":"0199a1c2-7d3e-7b41-9c55-3f0e8d2a6b10"}""";
    private const long At = 1_767_225_603;

    public static readonly AnchorRecord Anchor = new("devnet", 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "0x9a7c…41e0", 14, 20, Root);

    public static readonly Provenance Provenance = new()
    {
        Signer = Signer, Signature = "0x5d1f…1b", Scheme = "eip712", Message = "{\"goal\":\"…\",\"result\":{…},\"task_id\":\"0199a1c2-…\"}",
        Log = new ProvenanceLog { Index = 18, TreeSize = 20, Root = Root, Entry = Entry0, LeafHash = Leaf, InclusionPath = [Sibling] },
        Anchor = Anchor,
    };

    public static readonly BundlesApi.AnchorView AnchorView = new(Anchor, "confirmed", At, "0x7e3a…1c", At + 2);
    public static readonly LogApi.EntryResponse Entry = new(18, Entry0, Leaf, At);
    public static readonly SignedTreeHead TreeHead = new(20, Root, At, Signer, "0x7e3a…1c",
        SignedTreeHead.MessageFor(20, Root, At));
    public static readonly LogApi.InclusionResponse Inclusion = new(18, 20, Leaf, Root, [Sibling]);
}
