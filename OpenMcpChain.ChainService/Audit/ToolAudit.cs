using System.Diagnostics;
using System.Text.Json;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Tools;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.ChainService.Audit;

/// <summary>Records every tool call (MCP or REST) with its caller, arguments, outcome and policy decision.</summary>
public sealed class ToolAudit(AuditWriter writer, CallerContext caller)
{
    public async Task<T> RunAsync<T>(string tool, object arguments, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var record = new ToolCallRecord
        {
            Caller = caller.Name,
            Tool = tool,
            TaskId = caller.TaskId,
            ArgumentsJson = JsonSerializer.Serialize(arguments, OpenMcpChainJson.Options),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        try
        {
            var result = await call();
            record.ResultJson = JsonSerializer.Serialize(result, OpenMcpChainJson.Options);
            record.PolicyDecision = tool.StartsWith("get_", StringComparison.Ordinal) || tool is "call_contract" or "estimate_gas" ? null : "allowed";
            return result;
        }
        catch (ChainToolException e)
        {
            record.ErrorCode = e.Code;
            record.ResultJson = JsonSerializer.Serialize(new { code = e.Code, message = e.Detail, details = e.Details }, OpenMcpChainJson.Options);
            record.PolicyDecision = e.Code.StartsWith("POLICY_", StringComparison.Ordinal) || e.Code == ChainErrorCodes.ApprovalRequired ? e.Code : null;
            throw;
        }
        finally
        {
            record.DurationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await writer.EnqueueAsync(record);
        }
    }
}
