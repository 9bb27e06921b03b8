using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.ServiceDefaults;
using StackExchange.Redis;

namespace OpenMcpChain.ChainService.Audit;

/// <summary>
/// Records every tool call (MCP or REST) with its caller, arguments, outcome and the policy decision the write path set. A call cut short by
/// ChainService's own database or Redis going away answers <c>SERVICE_UNAVAILABLE</c>, so the caller knows to repeat it.
/// </summary>
public sealed class ToolAudit(AuditWriter writer, CallerContext caller, ILogger<ToolAudit> logger)
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
            var result = await CallAsync(tool, call);
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
            Telemetry.ChainTelemetry.Served(tool, record.PolicyDecision, record.ErrorCode);
            record.DurationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await writer.EnqueueAsync(record);
        }
    }

    private async Task<T> CallAsync<T>(string tool, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException or DbException or DbUpdateException || MySqlRetryStrategy.IsDatabaseAway(e))
        {
            // What a write did is its stored row's to say: repeating it under the same key returns that row, or does it now.
            logger.LogWarning(e, "{Tool} was cut short by an unavailable store", tool);
            throw new ChainToolException(ChainErrorCodes.ServiceUnavailable,
                "ChainService's database or Redis did not answer. Repeat the request; a write keeps its idempotency key, so it is never done twice.");
        }
    }
}
