using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The API reference's examples of the approval routes, shaped as a devnet run answers them.</summary>
internal static class ApprovalExamples
{
    public static readonly ApprovalResponse Pending = new("apr_0199a1c3", ApprovalStatuses.Pending)
    {
        Network = "devnet", ChainId = 31337, Wallet = "default", From = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", Kind = "native",
        To = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", Value = "6000000000000000000", ValueEther = "6",
        Simulation = new(21000, "success"), Summary = "Send 6 ETH from default to 0x7099…79C8 on devnet",
        Caller = "agentservice", RequestedBy = "operator", TaskId = "0199a1c2-7d3e-7b41-9c55-3f0e8d2a6b10",
        Goal = "send 6 ETH to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600), ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(1_767_229_200),
    };

    public static readonly ApprovalResponse Rejected = Pending with
    {
        Status = ApprovalStatuses.Rejected, DecidedBy = "alice", DecidedAt = Pending.CreatedAt.AddMinutes(3), Reason = "Not on the payee list.",
        DecisionLogIndex = 42,
    };

    public static readonly ApprovalListResponse List = new([Pending], 1, false, null);

    public static readonly ApprovalDecisionRequest Decision = new("Payee confirmed by phone.");
}
