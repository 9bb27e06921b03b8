using System.Numerics;
using System.Text.Json.Serialization;

namespace OpenMcpChain.ChainService.Policy;

/// <summary>What a caller asked to send, before simulation and policy. Stored as is for approvals.</summary>
public sealed record WriteIntent
{
    public required string Kind { get; init; }
    public string? Network { get; init; }
    public string? Wallet { get; init; }
    /// <summary>The recipient; empty for a contract creation (whose <see cref="Data"/> is the init code).</summary>
    public required string To { get; init; }
    /// <summary>Native value in wei, as a decimal string (JSON cannot hold it as a number).</summary>
    public required string Value { get; init; }
    public required string Data { get; init; }
    public required string Caller { get; init; }
    public string? TaskId { get; init; }
    public string? IdempotencyKey { get; init; }
    /// <summary>The function signature the calldata was encoded from, when the caller named one (decoded on approvals).</summary>
    public string? Signature { get; init; }
    /// <summary>A one-line description for people reviewing approvals.</summary>
    public required string Summary { get; init; }

    [JsonIgnore]
    public BigInteger ValueWei => BigInteger.Parse(Value);

    [JsonIgnore]
    public bool IsCreation => To.Length == 0;
}
