using System.Text.Json;
using Grpc.Core;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Grpc;
using static OpenMcpChain.Gateway.Grpc.RestBridge;
using Task = System.Threading.Tasks.Task;
using ApprovalEvent = OpenMcpChain.Sdk.Grpc.ApprovalEvent;

namespace OpenMcpChain.Gateway.Grpc;

/// <summary>The approval inbox over gRPC, each call the same call on <c>/api/v1/approvals</c> (<see cref="RestBridge"/>).</summary>
public sealed class ApprovalGrpcService(RestBridge rest) : ApprovalService.ApprovalServiceBase
{
    public override async Task<ListApprovalsResponse> ListApprovals(ListApprovalsRequest request, ServerCallContext context)
    {
        var filter = new ApprovalFilter(Empty(request.Status), Empty(request.TaskId), Empty(request.RequestedBy), Empty(request.Caller),
            request.HasLimit ? request.Limit : null, request.HasOffset ? request.Offset : null);
        var page = await rest.GetAsync(context, $"api/v1/approvals?{filter.ToQueryString()}");
        var response = new ListApprovalsResponse { Total = page.Int("total"), HasMore = page.Bool("has_more") };
        if (page.LongOrNull("next_offset") is { } next) response.NextOffset = (int)next;
        response.Approvals.AddRange(page.Items("approvals").Select(ToApproval));
        return response;
    }

    public override async Task<Approval> GetApproval(GetApprovalRequest request, ServerCallContext context) =>
        ToApproval(await rest.GetAsync(context, $"api/v1/approvals/{Id(request.ApprovalId, "approval_id")}"));

    public override async Task<ApproveResponse> Approve(DecideApprovalRequest request, ServerCallContext context)
    {
        var w = await rest.SendAsync(context, HttpMethod.Post, $"api/v1/approvals/{Id(request.ApprovalId, "approval_id")}/approve",
            new ApprovalDecisionRequest(Empty(request.Reason)));
        var response = new ApproveResponse
        {
            Network = w.Str("network"), TxHash = w.Str("tx_hash"), Status = w.Str("status"), From = w.Str("from"), To = w.Str("to"),
            ValueWei = w.Str("value_wei"), Nonce = w.Long("nonce"), PolicyDecision = w.Str("policy_decision"),
        };
        if (w.LongOrNull("block_number") is { } block) response.BlockNumber = block;
        return response;
    }

    public override async Task<Approval> Reject(DecideApprovalRequest request, ServerCallContext context) =>
        ToApproval(await rest.SendAsync(context, HttpMethod.Post, $"api/v1/approvals/{Id(request.ApprovalId, "approval_id")}/reject",
            new ApprovalDecisionRequest(Empty(request.Reason))));

    /// <summary>The REST approval event stream, keeping the <c>created</c> events: requests newly parked, pending.</summary>
    public override async Task WatchPendingApprovals(WatchPendingApprovalsRequest request, IServerStreamWriter<ApprovalEvent> responseStream,
        ServerCallContext context)
    {
        await foreach (var (eventId, e) in rest.StreamAsync(context, "api/v1/approvals/events", Empty(request.AfterEventId), context.CancellationToken))
        {
            if (e.Str("type") != Sdk.Contracts.ApprovalEvent.Created || e.Obj("approval") is not { } approval) continue;
            await responseStream.WriteAsync(new ApprovalEvent { EventId = eventId ?? "", Approval = ToApproval(approval) }, context.CancellationToken);
        }
    }

    public static Approval ToApproval(JsonElement a) => new()
    {
        Id = a.Str("id"), Status = a.Str("status"), Network = a.Str("network"), ChainId = a.Long("chain_id"), Wallet = a.Str("wallet"),
        From = a.Str("from"), Kind = a.Str("kind"), To = a.Str("to"), Value = a.Str("value"), ValueEther = a.Str("value_ether"),
        Summary = a.Str("summary"), Caller = a.Str("caller"), RequestedBy = a.Str("requested_by"), TaskId = a.Str("task_id"), Goal = a.Str("goal"),
        CreatedAt = a.Millis("created_at"), ExpiresAt = a.Millis("expires_at"), DecidedBy = a.Str("decided_by"), DecidedAt = a.Millis("decided_at"),
        Reason = a.Str("reason"), TxHash = a.Str("tx_hash"), ErrorCode = a.Str("error_code"), ErrorMessage = a.Str("error_message"),
        Json = a.GetRawText(),
    };
}
