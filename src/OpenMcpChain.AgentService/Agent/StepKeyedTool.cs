using Microsoft.Extensions.AI;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// A chain write tool that carries an idempotency key per step: the n-th write of a task is always
/// <c>{task}:w{n}</c>, so a task that is run again after a crash or a retry gets the first result back from
/// ChainService instead of sending a second transaction.
/// </summary>
public sealed class StepKeyedTool(AIFunction inner, string taskId, Func<int> nextWrite) : DelegatingAIFunction(inner)
{
    public static readonly IReadOnlySet<string> WriteTools = new HashSet<string> { "transfer_native", "transfer_erc20", "write_contract" };

    /// <summary>The task's tools, its writes keyed per step (one counter for the whole run).</summary>
    public static List<AITool> ForTask(IEnumerable<AIFunction> tools, string taskId)
    {
        var writes = 0;
        return [.. tools.Select(t => WriteTools.Contains(t.Name) ? new StepKeyedTool(t, taskId, () => Interlocked.Increment(ref writes)) : (AITool)t)];
    }

    // The parameter's name as the tool's schema spells it.
    private readonly string _keyName = inner.JsonSchema.TryGetProperty("properties", out var properties)
                                       && properties.TryGetProperty("idempotency_key", out _) ? "idempotency_key" : "idempotencyKey";

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        arguments[_keyName] = $"{taskId}:w{nextWrite()}";
        return base.InvokeCoreAsync(arguments, cancellationToken);
    }
}
