using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace OpenMcpChain.Sdk.Proofs;

/// <summary>The fields an outcome attestation signs, as <see cref="TaskOutcomeTypedData"/> writes them and reads them back.</summary>
public sealed record TaskOutcomeMessage(
    string TaskId, string GoalHash, string ResultHash, string StepLogRoot, long StepLogSize, IReadOnlyList<string> TxHashes, long Timestamp);

/// <summary>
/// The EIP-712 typed data an outcome attestation signs: task id, hashes of the goal and of the canonical result, the
/// step-log root and size, the transaction hashes and the time. Standard tooling (eth_signTypedData_v4) recovers the signer.
/// </summary>
public static class TaskOutcomeTypedData
{
    public const string PrimaryType = "TaskOutcome";
    private const string DomainName = "OpenMCP-Chain";
    private const string DomainVersion = "1";

    /// <remarks>Transaction hashes are a <c>string[]</c> of 0x-hex: Nethereum's typed-data encoder does not accept hex
    /// elements in a <c>bytes32[]</c>, and a signature both it and foundry reproduce byte for byte matters more.</remarks>
    public static string Build(string taskId, string goal, string canonicalResult, byte[] stepLogRoot, long stepLogSize,
        IReadOnlyList<string> txHashes, long timestamp) =>
        ToJson(new TaskOutcomeMessage(taskId, Keccak(goal), Keccak(canonicalResult), stepLogRoot.ToHex(true), stepLogSize, txHashes, timestamp));

    /// <summary>The typed data (domain, types and message) that signs <paramref name="message"/>.</summary>
    public static string ToJson(TaskOutcomeMessage message) => new JsonObject
    {
        ["types"] = Types(),
        ["primaryType"] = PrimaryType,
        ["domain"] = Domain(),
        ["message"] = new JsonObject
        {
            ["taskId"] = message.TaskId,
            ["goalHash"] = message.GoalHash,
            ["resultHash"] = message.ResultHash,
            ["stepLogRoot"] = message.StepLogRoot,
            ["stepLogSize"] = message.StepLogSize,
            ["txHashes"] = new JsonArray([.. message.TxHashes.Select(h => (JsonNode)h)]),
            ["timestamp"] = message.Timestamp,
        },
    }.ToJsonString();

    /// <summary>
    /// Reads typed data back, accepting exactly what <see cref="ToJson"/> writes (this domain, these types, each field of
    /// its type); otherwise null, and <paramref name="problem"/> says what differs. Checkers sign-check
    /// <see cref="ToJson"/> of the result, so they never hand untrusted typed data to an EIP-712 encoder.
    /// </summary>
    public static TaskOutcomeMessage? Read(JsonElement? typedData, out string? problem)
    {
        problem = null;
        var root = typedData is { ValueKind: JsonValueKind.Object } given ? StrictJson.Object(given.GetRawText()) : null;
        if (root is not { } data) return Fail("is not a JSON object without repeated member names", out problem);
        if (!data.TryGetProperty("types", out var types) || !JsonNode.DeepEquals(JsonNode.Parse(types.GetRawText()), Types()))
            return Fail($"types are not the {PrimaryType} schema", out problem);
        if (data.StringMember("primaryType") != PrimaryType) return Fail($"primaryType is not {PrimaryType}", out problem);
        if (!data.TryGetProperty("domain", out var domain) || !JsonNode.DeepEquals(JsonNode.Parse(domain.GetRawText()), Domain()))
            return Fail($"domain is not {DomainName} version {DomainVersion}", out problem);
        if (!data.TryGetProperty("message", out var m) || m.ValueKind != JsonValueKind.Object)
            return Fail("message is not an object", out problem);
        if (m.EnumerateObject().Count() != 7) return Fail("message does not hold exactly the 7 fields of the schema", out problem);

        var taskId = m.StringMember("taskId");
        var goalHash = m.StringMember("goalHash");
        var resultHash = m.StringMember("resultHash");
        var stepLogRoot = m.StringMember("stepLogRoot");
        if (taskId is null) return Fail("message.taskId is not a string", out problem);
        if (!Hashes.IsHash(goalHash) || !Hashes.IsHash(resultHash) || !Hashes.IsHash(stepLogRoot))
            return Fail("message.goalHash, resultHash and stepLogRoot must each be 0x and 64 hex digits", out problem);
        if (Count(m, "stepLogSize") is not { } stepLogSize) return Fail("message.stepLogSize is not an integer from 0 to 2^63-1", out problem);
        if (Count(m, "timestamp") is not { } timestamp) return Fail("message.timestamp is not an integer from 0 to 2^63-1", out problem);
        if (!m.TryGetProperty("txHashes", out var txs) || txs.ValueKind != JsonValueKind.Array
            || txs.EnumerateArray().Any(h => h.ValueKind != JsonValueKind.String || !Hashes.IsHash(h.GetString())))
            return Fail("message.txHashes is not an array of transaction hashes", out problem);
        return new TaskOutcomeMessage(taskId, goalHash!, resultHash!, stepLogRoot!, stepLogSize, [.. txs.EnumerateArray().Select(h => h.GetString()!)], timestamp);
    }

    public static string Keccak(string text) => Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(text)).ToHex(true);

    private static long? Count(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0 ? n : null;

    private static TaskOutcomeMessage? Fail(string what, out string problem)
    {
        problem = $"typed_data {what}.";
        return null;
    }

    private static JsonObject Types() => new()
    {
        ["EIP712Domain"] = new JsonArray(Field("name", "string"), Field("version", "string")),
        [PrimaryType] = new JsonArray(
            Field("taskId", "string"), Field("goalHash", "bytes32"), Field("resultHash", "bytes32"),
            Field("stepLogRoot", "bytes32"), Field("stepLogSize", "uint256"), Field("txHashes", "string[]"),
            Field("timestamp", "uint256")),
    };

    private static JsonObject Domain() => new() { ["name"] = DomainName, ["version"] = DomainVersion };

    private static JsonObject Field(string name, string type) => new() { ["name"] = name, ["type"] = type };
}
