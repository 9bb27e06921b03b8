using OpenMcpChain.ChainService.Audit;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Policy;
using OpenMcpChain.ChainService.Writes;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Contract creation for services (not an agent tool): <c>POST /api/contracts</c> with the init code. It takes the same
/// write path as every transaction (simulation, policy, nonce, stored before broadcast) and needs <c>CanDeploy</c>.
/// </summary>
public static class ContractsApi
{
    public sealed record DeployRequest(string? Data, string? Wallet, string? Network, string? IdempotencyKey, string? Summary);

    public static RouteGroupBuilder MapContractsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/contracts");
        api.MapPost("/", DeployAsync);
        return api;
    }

    private static async Task<IResult> DeployAsync(DeployRequest request, WriteService writes, ToolAudit audit, CallerContext caller)
    {
        var data = request.Data ?? "";
        if (data.Length <= 2 || !data.StartsWith("0x", StringComparison.Ordinal) || data.Length % 2 != 0 || !data[2..].All(char.IsAsciiHexDigit))
            return Arguments.Invalid("data", "data must be the contract's init code as 0x hex.").ToProblem();
        try
        {
            var result = await audit.RunAsync("deploy_contract", new { request.Wallet, request.Network, request.IdempotencyKey, request.Summary }, () =>
                writes.ExecuteAsync(new WriteIntent
                {
                    Kind = "deploy_contract", Network = request.Network, Wallet = request.Wallet, To = "", Value = "0", Data = data,
                    Caller = caller.Name, TaskId = caller.TaskId, IdempotencyKey = request.IdempotencyKey,
                    Summary = request.Summary ?? "deploy a contract",
                }, null, CancellationToken.None));
            return TypedResults.Ok(result);
        }
        catch (ChainToolException e)
        {
            return e.ToProblem();
        }
    }
}
