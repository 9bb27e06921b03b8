using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using OpenMcpChain.Sdk.Grpc;
using static OpenMcpChain.Gateway.Grpc.RestBridge;

namespace OpenMcpChain.Gateway.Grpc;

/// <summary>The audit trail over gRPC, each call the same call on the public proof routes (<see cref="RestBridge"/>).</summary>
public sealed class AuditGrpcService(RestBridge rest) : AuditService.AuditServiceBase
{
    public override async Task<TreeHead> GetTreeHead(GetTreeHeadRequest request, ServerCallContext context)
    {
        var h = await rest.GetAsync(context, "api/v1/log/tree-head");
        return new TreeHead
        {
            TreeSize = h.Long("tree_size"), Root = h.Str("root"), Timestamp = h.Long("timestamp"), Signer = h.Str("signer"),
            Signature = h.Str("signature"), Message = h.Str("message"),
        };
    }

    public override async Task<LogEntry> GetEntry(GetEntryRequest request, ServerCallContext context) =>
        ToEntry(await rest.GetAsync(context, $"api/v1/log/entries/{Number(request.Index, "index")}"));

    public override async Task<ListTaskEntriesResponse> ListTaskEntries(ListTaskEntriesRequest request, ServerCallContext context)
    {
        var entries = await rest.GetAsync(context, "api/v1/log/entries" + Json.Query(("task_id", Required(request.TaskId, "task_id")),
            ("limit", request.HasLimit ? request.Limit.ToString(CultureInfo.InvariantCulture) : null)));
        return new ListTaskEntriesResponse { Entries = { entries.Items().Select(ToEntry) } };
    }

    public override async Task<InclusionProof> GetInclusionProof(GetInclusionProofRequest request, ServerCallContext context)
    {
        var p = await rest.GetAsync(context, "api/v1/log/proofs/inclusion" + Json.Query(("index", Number(request.Index, "index")),
            ("tree_size", request.HasTreeSize ? request.TreeSize.ToString(CultureInfo.InvariantCulture) : null)));
        return new InclusionProof
        {
            Index = p.Long("index"), TreeSize = p.Long("tree_size"), LeafHash = p.Str("leaf_hash"), Root = p.Str("root"),
            Path = { p.Items("path").Select(h => h.GetString() ?? "") },
        };
    }

    public override async Task<ConsistencyProof> GetConsistencyProof(GetConsistencyProofRequest request, ServerCallContext context)
    {
        var p = await rest.GetAsync(context, "api/v1/log/proofs/consistency" + Json.Query(("first", Number(request.First, "first")),
            ("second", request.HasSecond ? request.Second.ToString(CultureInfo.InvariantCulture) : null)));
        return new ConsistencyProof
        {
            First = p.Long("first"), Second = p.Long("second"), FirstRoot = p.Str("first_root"), SecondRoot = p.Str("second_root"),
            Proof = { p.Items("proof").Select(h => h.GetString() ?? "") },
        };
    }

    public override async Task<Document> GetAttestation(GetAttestationRequest request, ServerCallContext context) =>
        new() { Json = (await rest.GetAsync(context, $"api/v1/attestations/{Id(request.TaskId, "task_id")}")).GetRawText() };

    public override async Task<Document> GetProofBundle(GetProofBundleRequest request, ServerCallContext context) =>
        new() { Json = (await rest.GetAsync(context, $"api/v1/bundles/{Id(request.TaskId, "task_id")}")).GetRawText() };

    public override async Task<ListAnchorsResponse> ListAnchors(ListAnchorsRequest request, ServerCallContext context)
    {
        var anchors = await rest.GetAsync(context, "api/v1/anchors" + Json.Query(
            ("limit", request.HasLimit ? request.Limit.ToString(CultureInfo.InvariantCulture) : null),
            ("before_size", request.HasBeforeSize ? request.BeforeSize.ToString(CultureInfo.InvariantCulture) : null)));
        return new ListAnchorsResponse
        {
            Anchors =
            {
                anchors.Items().Select(v => v.Obj("anchor") is { } a ? new Anchor
                {
                    Network = a.Str("network"), ChainId = a.Long("chain_id"), Contract = a.Str("contract"), TxHash = a.Str("tx_hash"),
                    BlockNumber = a.Long("block_number"), TreeSize = a.Long("tree_size"), Root = a.Str("root"), Status = v.Str("status"),
                    TreeHeadTimestamp = v.Long("tree_head_timestamp"), TreeHeadSignature = v.Str("tree_head_signature"),
                } : new Anchor { Status = v.Str("status") }),
            },
        };
    }

    private static LogEntry ToEntry(JsonElement e) => new()
    {
        Index = e.Long("index"), Entry = e.Str("entry"), LeafHash = e.Str("leaf_hash"), CreatedAt = e.Long("created_at"),
    };

    /// <summary>A log index or size: negative is INVALID_ARGUMENT here (REST would take "-1" as no such route).</summary>
    private static string Number(long value, string field) =>
        value < 0 ? throw GrpcErrors.InvalidArgument($"{field} must be 0 or more.") : value.ToString(CultureInfo.InvariantCulture);
}
