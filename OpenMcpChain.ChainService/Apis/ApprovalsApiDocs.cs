using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using static Microsoft.Extensions.Hosting.ApiDocs;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The approval routes' stable error codes and examples for the API reference, by endpoint name: the routes declare
/// their statuses (ApprovalsApi.cs); this says which codes each status carries.
/// </summary>
public static class ApprovalsApiDocs
{
    private static readonly string[] NotPending =
        [ChainErrorCodes.ApprovalAlreadyDecided, ChainErrorCodes.ApprovalWithdrawn, ChainErrorCodes.ApprovalExpired];

    private static readonly Dictionary<string, ErrorCodesMetadata[]> Errors = new()
    {
        ["ListApprovals"] = [new(400, [ErrorCodes.InvalidLimit, ErrorCodes.InvalidOffset, ErrorCodes.InvalidStatus, ErrorCodes.InvalidArgument])],
        ["ApprovalEvents"] = [new(400, [ErrorCodes.InvalidArgument])],
        ["GetApproval"] = [new(404, [ChainErrorCodes.ApprovalNotFound])],
        ["ApproveApproval"] =
        [
            new(400, [ChainErrorCodes.InvalidArgument, ChainErrorCodes.InsufficientFunds, ChainErrorCodes.ExecutionReverted]),
            new(403, [ChainErrorCodes.ApproverRequired, ChainErrorCodes.PolicyBudgetExceeded]),
            new(404, [ChainErrorCodes.ApprovalNotFound]),
            new(409, [.. NotPending, ChainErrorCodes.SelfApprovalForbidden, ChainErrorCodes.NonceConflict]),
        ],
        ["RejectApproval"] =
        [
            new(400, [ChainErrorCodes.InvalidArgument]), new(403, [ChainErrorCodes.ApproverRequired]),
            new(404, [ChainErrorCodes.ApprovalNotFound]), new(409, NotPending),
        ],
    };

    private static readonly ApprovalResponse Example = new("apr_0199a1c3", ApprovalStatuses.Pending)
    {
        Network = "devnet", ChainId = 31337, Wallet = "default", From = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", Kind = "native",
        To = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", Value = "6000000000000000000", ValueEther = "6",
        Simulation = new(21000, "success"), Summary = "Send 6 ETH from default to 0x7099…79C8 on devnet",
        Caller = "agentservice", RequestedBy = "operator", TaskId = "0199a1c2-7d3e-7b41-9c55-3f0e8d2a6b10",
        Goal = "send 6 ETH to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600), ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(1_767_229_200),
    };

    /// <summary>Adds the codes and examples to the group's operations.</summary>
    public static RouteGroupBuilder WithApprovalDocs(this RouteGroupBuilder group) => group.AddOpenApiOperationTransformer((operation, context, _) =>
    {
        var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        foreach (var errors in name is null ? [] : Errors.GetValueOrDefault(name, []))
            DescribeErrors(operation, errors);
        var example = name switch
        {
            "ListApprovals" => ToNode(new ApprovalListResponse([Example], 1, false, null)),
            "GetApproval" or "RejectApproval" => ToNode(name == "GetApproval" ? Example : Example with
            {
                Status = ApprovalStatuses.Rejected, DecidedBy = "alice", DecidedAt = Example.CreatedAt.AddMinutes(3), Reason = "Not on the payee list.",
                DecisionLogIndex = 42,
            }),
            _ => null,
        };
        if (example is not null && operation.Responses?.TryGetValue("200", out var ok) == true)
            foreach (var media in ok.Content?.Values.OfType<OpenApiMediaType>() ?? []) media.Example = example.DeepClone();
        if (name is "ApproveApproval" or "RejectApproval")
            foreach (var media in operation.RequestBody?.Content?.Values.OfType<OpenApiMediaType>() ?? [])
                media.Example = ToNode(new ApprovalDecisionRequest("Payee confirmed by phone."));
        if (name == "ListApprovals") AddFilters(operation);
        return Task.CompletedTask;
    });

    /// <summary>The list's query parameters, which its handler reads itself.</summary>
    private static void AddFilters(OpenApiOperation operation)
    {
        operation.Parameters ??= [];
        foreach (var (parameter, type, description) in new[]
        {
            ("status", JsonSchemaType.String, $"Only these statuses, repeated or comma-separated: {string.Join(", ", ApprovalStatuses.All)}."),
            ("task_id", JsonSchemaType.String, "Only the requests of this task."),
            ("requested_by", JsonSchemaType.String, "Only the requests made for this person (the task's submitter)."),
            ("caller", JsonSchemaType.String, "Only the requests of this service caller (`agentservice`, `gateway:alice`, …)."),
            ("limit", JsonSchemaType.Integer, "How many, 1–100 (default 20; more is capped at 100)."),
            ("offset", JsonSchemaType.Integer, "How many to skip (default 0); `next_offset` gives the next page's."),
        })
        {
            if (operation.Parameters.All(p => p.Name != parameter))
                operation.Parameters.Add(new OpenApiParameter { Name = parameter, In = ParameterLocation.Query, Description = description, Schema = new OpenApiSchema { Type = type } });
        }
    }

    private static JsonNode? ToNode(object value) => JsonSerializer.SerializeToNode(value, OpenMcpChainJson.Options);
}
