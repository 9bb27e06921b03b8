using System.Text.Json;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Policy;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Approvals;

/// <summary>A stored approval request as the API answers it.</summary>
public static class ApprovalMapping
{
    public static WriteIntent Intent(this ApprovalRequest approval) =>
        JsonSerializer.Deserialize<WriteIntent>(approval.RequestJson, OpenMcpChainJson.Options)!;

    public static ApprovalResponse ToResponse(this ApprovalRequest a) => new(a.Id, a.Status)
    {
        Network = a.Network, ChainId = a.ChainId, Wallet = a.Wallet, From = a.From, Kind = KindOf(a.Kind),
        To = a.Recipient ?? a.To, Value = a.Value, ValueEther = a.ValueEther,
        Token = a.TokenJson is null ? null : JsonSerializer.Deserialize<ApprovalToken>(a.TokenJson, OpenMcpChainJson.Options),
        Method = a.MethodJson is null ? null : JsonSerializer.Deserialize<ApprovalMethod>(a.MethodJson, OpenMcpChainJson.Options),
        Simulation = a.SimulationGas is { } gas ? new ApprovalSimulation(gas, a.SimulationOutcome ?? "success") : null,
        Summary = a.Intent().Summary, Caller = a.Caller, RequestedBy = a.RequestedBy, TaskId = a.TaskId, Goal = a.Goal,
        CreatedAt = a.CreatedAt, ExpiresAt = a.ExpiresAt, DecidedBy = a.DecidedBy, DecidedAt = a.DecidedAt, Reason = a.Reason,
        DecisionLogIndex = a.DecisionLogIndex, TxHash = a.TxHash, ErrorCode = a.ErrorCode, ErrorMessage = a.ErrorMessage,
    };

    /// <summary>The tool that made the write, as the kinds the contract names.</summary>
    private static string KindOf(string tool) => tool switch
    {
        "transfer_native" => "native",
        "transfer_erc20" => "erc20",
        "write_contract" => "contract",
        "deploy_contract" => "deploy",
        _ => tool,
    };
}
