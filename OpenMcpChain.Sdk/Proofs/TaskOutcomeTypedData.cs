using System.Text;
using System.Text.Json.Nodes;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace OpenMcpChain.Sdk.Proofs;

/// <summary>
/// The EIP-712 typed data an outcome attestation signs: task id, hashes of the goal and of the canonical result, the
/// step-log root and size, the transaction hashes and the time. Standard tooling (eth_signTypedData_v4) recovers the signer.
/// </summary>
public static class TaskOutcomeTypedData
{
    public const string PrimaryType = "TaskOutcome";

    /// <remarks>Transaction hashes are a <c>string[]</c> of 0x-hex: Nethereum's typed-data encoder does not accept hex
    /// elements in a <c>bytes32[]</c>, and a signature both it and foundry reproduce byte for byte matters more.</remarks>
    public static string Build(string taskId, string goal, string canonicalResult, byte[] stepLogRoot, long stepLogSize,
        IReadOnlyList<string> txHashes, long timestamp)
    {
        var typedData = new JsonObject
        {
            ["types"] = new JsonObject
            {
                ["EIP712Domain"] = new JsonArray(Field("name", "string"), Field("version", "string")),
                [PrimaryType] = new JsonArray(
                    Field("taskId", "string"), Field("goalHash", "bytes32"), Field("resultHash", "bytes32"),
                    Field("stepLogRoot", "bytes32"), Field("stepLogSize", "uint256"), Field("txHashes", "string[]"),
                    Field("timestamp", "uint256")),
            },
            ["primaryType"] = PrimaryType,
            ["domain"] = new JsonObject { ["name"] = "OpenMCP-Chain", ["version"] = "1" },
            ["message"] = new JsonObject
            {
                ["taskId"] = taskId,
                ["goalHash"] = Keccak(goal),
                ["resultHash"] = Keccak(canonicalResult),
                ["stepLogRoot"] = stepLogRoot.ToHex(true),
                ["stepLogSize"] = stepLogSize,
                ["txHashes"] = new JsonArray([.. txHashes.Select(h => (JsonNode)h)]),
                ["timestamp"] = timestamp,
            },
        };
        return typedData.ToJsonString();
    }

    public static string Keccak(string text) => Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(text)).ToHex(true);

    private static JsonObject Field(string name, string type) => new() { ["name"] = name, ["type"] = type };
}
