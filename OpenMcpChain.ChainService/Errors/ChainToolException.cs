using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelContextProtocol;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Errors;

/// <summary>A failure the caller can act on: its <see cref="ChainToolError"/> is the MCP error result's structured content and the REST problem body.</summary>
public sealed class ChainToolException(ChainToolError error) : McpException($"{error.Code}: {error.Message}")
{
    public ChainToolException(string code, string message) : this(new ChainToolError(code, message))
    {
    }

    public ChainToolError Error { get; } = error;

    public string Code => Error.Code;

    public int HttpStatus => Code switch
    {
        _ when PolicyDecisions.IsRefusal(Error.PolicyDecision) => StatusCodes.Status403Forbidden,
        ChainErrorCodes.RpcUnavailable or ChainErrorCodes.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        ChainErrorCodes.NotFound or ChainErrorCodes.ApprovalNotFound => StatusCodes.Status404NotFound,
        ChainErrorCodes.NonceConflict or ChainErrorCodes.ApprovalRequired or ChainErrorCodes.ApprovalAlreadyDecided
            or ChainErrorCodes.IdempotencyKeyReused => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The same failure with the write path's policy decision on it.</summary>
    public ChainToolException WithDecision(string decision) =>
        Error.PolicyDecision is null ? new(Error with { PolicyDecision = decision }) : this;

    /// <summary>The REST answer: a problem whose members are the error's fields (code, message, policy_decision, …).</summary>
    public ProblemHttpResult ToProblem()
    {
        var problem = ApiErrors.Problem(HttpStatus, Error.Code, Error.Message);
        foreach (var field in JsonSerializer.SerializeToElement(Error, OpenMcpChainJson.Options).EnumerateObject())
            problem.ProblemDetails.Extensions[field.Name] = field.Value;
        return problem;
    }
}
