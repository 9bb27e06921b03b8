using System.Text.Json.Nodes;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Log;

/// <summary>
/// A request to seal a task's outcome: the sequencer signs it over the task's log entries as of its batch and appends
/// the <c>task_outcome</c> entry in that same batch, so the attested step log is exactly what precedes the outcome.
/// </summary>
public sealed record OutcomeSeal(string TaskId, string Goal, string CanonicalResult, string Message, IReadOnlyList<string> TxHashes)
{
    /// <summary>The seal of <paramref name="result"/>; <see cref="Message"/> is the readable outcome that is stored and compared.</summary>
    public static OutcomeSeal For(string taskId, string goal, JsonObject result, IReadOnlyList<string> txHashes) =>
        new(taskId, goal, CanonicalJson.Serialize(result),
            CanonicalJson.Serialize(new JsonObject { ["task_id"] = taskId, ["goal"] = goal, ["result"] = result.DeepClone() }), txHashes);

    /// <summary>The EIP-712 typed data over the task's step log (<paramref name="steps"/>, in log order) and every transaction it names.</summary>
    public string TypedData(IReadOnlyList<LogEntry> steps, DateTimeOffset now)
    {
        var txHashes = TxHashes.Concat(steps.Select(s => SentTxHash(s.Entry)).OfType<string>())
            .Select(h => h.ToLowerInvariant()).Distinct().ToList();
        return TaskOutcomeTypedData.Build(TaskId, Goal, CanonicalResult, MerkleProof.RootOf([.. steps.Select(s => s.LeafHash)]),
            steps.Count, txHashes, now.ToUnixTimeSeconds());
    }

    /// <summary>The log entry that records an attestation.</summary>
    public static string OutcomeEntry(Attestation a) => CanonicalJson.Serialize(new JsonObject
    {
        ["type"] = "task_outcome",
        ["task_id"] = a.TaskId,
        ["signer"] = a.Signer,
        ["scheme"] = a.Scheme,
        ["signature"] = a.Signature,
        ["attested_at"] = a.CreatedAt.ToUnixTimeSeconds(),
    });

    /// <summary>The hash of a transaction ChainService sent, from one of its <c>chain_write</c> log entries.</summary>
    private static string? SentTxHash(string entry) =>
        JsonNode.Parse(entry) is JsonObject e && e["type"] is JsonValue type && type.TryGetValue<string>(out var kind)
        && kind == "chain_write" && e["result"] is JsonObject r && r["tx_hash"] is JsonValue hash && hash.TryGetValue<string>(out var text)
            ? text
            : null;
}
