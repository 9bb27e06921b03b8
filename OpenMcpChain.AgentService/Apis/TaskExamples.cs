using System.Text.Json;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Apis;

/// <summary>The API reference's examples of the task routes: the wire shapes, filled as a devnet run fills them.</summary>
internal static class TaskExamples
{
    private const string Id = "0199a1c2-7d3e-7b41-9c55-3f0e8d2a6b10";
    private const long Created = 1_767_225_600;

    public static readonly CreateTaskRequest Create = new("send 0.1 ETH to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        Metadata: new() { ["ticket"] = JsonSerializer.SerializeToElement("OPS-42") }, Network: "devnet");

    public static readonly TaskResponse Pending = new()
    {
        TaskId = Id, Status = TaskStatuses.Pending, MaxRetries = 3, Goal = Create.Goal!, Network = "devnet",
        Metadata = Create.Metadata!, Profile = "default", SubmittedBy = "operator", CreatedAt = Created, UpdatedAt = Created,
    };

    public static readonly TaskResponse Succeeded = Pending with
    {
        Status = TaskStatuses.Succeeded, Attempts = 1, UpdatedAt = Created + 3, Usage = new(812, 64),
        Result = new TaskResult
        {
            Thought = "Send 0.1 ETH with the transfer tool.", Reply = "Sent 0.1 ETH to 0x7099…79C8 in block 12.",
            ChainId = "0x7a69", BlockNumber = "0xc", Observations = "send_transaction: 0x5c50…e1f2 mined in block 12",
            ToolCalls = [new("send_transaction", JsonSerializer.SerializeToElement(new { to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value_ether = "0.1" }),
                "{\"tx_hash\":\"0x5c50…e1f2\",\"status\":\"confirmed\"}", false)],
        },
    };

    public static readonly TaskListResponse List = new([Succeeded], 1, false, null);

    public static readonly TaskStatsResponse Stats = new(5, 1, 0, 3, 1, Created, Created + 60) { AwaitingApproval = 0 };

    public static readonly TaskStepResponse[] Steps =
    [
        new(1, 1, "model", "planner", null, "call send_transaction", false, null, null, 41, 812, 64, 17, Created + 1),
        new(1, 2, "tool", "send_transaction", JsonSerializer.SerializeToElement(new { to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value_ether = "0.1" }),
            "{\"tx_hash\":\"0x5c50…e1f2\"}", false, null, "allowed", 220, 0, 0, 18, Created + 2),
    ];

    public static readonly TaskEventResponse[] Events =
    [
        new(TaskStatuses.Pending, "accepted", Created * 1000), new(TaskStatuses.Running, "attempt 1", Created * 1000 + 40),
        new(TaskStatuses.Succeeded, null, Created * 1000 + 3100),
    ];
}
