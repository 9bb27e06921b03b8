using System.Diagnostics;
using System.Text.Json;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Audit;

/// <summary>Records every tool call (MCP or REST) with its caller, arguments, outcome and the policy decision the write path set.</summary>
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
            record.PolicyDecision = (result as WriteResult)?.PolicyDecision;
            return result;
        }
        catch (ChainToolException e)
        {
            record.ErrorCode = e.Code;
            record.ResultJson = JsonSerializer.Serialize(e.Error, OpenMcpChainJson.Options);
            record.PolicyDecision = e.Error.PolicyDecision;
            throw;
        }
        finally
        {
            record.DurationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await writer.EnqueueAsync(record);
        }
    }
}
