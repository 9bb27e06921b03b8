using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Sdk;

/// <summary>Approval requests: writes the policy gate parked for a person to judge. Reading needs <c>tasks:read</c>, deciding <c>approvals:decide</c>.</summary>
public sealed partial class OpenMcpChainClient
{
    /// <summary>A page of approval requests, newest first (<c>GET /api/v1/approvals</c>).</summary>
    public Task<ApprovalListResponse> ListApprovalsAsync(ApprovalFilter? query = null, CancellationToken ct = default) =>
        GetAsync<ApprovalListResponse>($"api/v1/approvals?{(query ?? new()).ToQueryString()}", ct);

    public Task<ApprovalResponse> GetApprovalAsync(string approvalId, CancellationToken ct = default) =>
        GetAsync<ApprovalResponse>($"api/v1/approvals/{Escape(approvalId)}", ct);

    /// <summary>
    /// Approves a pending request as the signed-in user: the parked write is sent (the answer is that write) and its task
    /// resumes. A request already decided, withdrawn or expired, or one's own when self-approval is off, is a 409 with its
    /// code (<see cref="ChainErrorCodes"/>); an approved write that cannot be sent answers the chain's error code.
    /// </summary>
    public Task<WriteResult> ApproveAsync(string approvalId, string? reason = null, CancellationToken ct = default) =>
        PostAsync<WriteResult>($"api/v1/approvals/{Escape(approvalId)}/approve", new ApprovalDecisionRequest(reason), ct);

    /// <summary>Rejects a pending request, saying why; its task ends <c>rejected</c>.</summary>
    public Task<ApprovalResponse> RejectAsync(string approvalId, string reason, CancellationToken ct = default) =>
        PostAsync<ApprovalResponse>($"api/v1/approvals/{Escape(approvalId)}/reject", new ApprovalDecisionRequest(reason), ct);

    /// <summary>
    /// New and decided approval requests as they happen (<c>GET /api/v1/approvals/events</c>); it runs until
    /// <paramref name="ct"/> is cancelled or the server ends it. Resume with the last event's id as <paramref name="lastEventId"/>.
    /// </summary>
    public IAsyncEnumerable<ServerSentEvent<ApprovalEvent>> StreamApprovalEventsAsync(string? lastEventId = null, CancellationToken ct = default) =>
        StreamAsync<ApprovalEvent>("api/v1/approvals/events", lastEventId, ct);
}
