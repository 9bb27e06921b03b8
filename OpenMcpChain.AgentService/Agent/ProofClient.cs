using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>Asks ProofService to sign a finished task's outcome.</summary>
public sealed class ProofClient(HttpClient http)
{
    /// <summary>
    /// Signs <paramref name="result"/> as the task's outcome and returns it with its provenance. A signed outcome is final:
    /// when an earlier attempt's was sealed already (its worker died before recording it, and the check at the start of
    /// this attempt could not see it), that one is the task's result, not this attempt's.
    /// </summary>
    public async Task<TaskResult> SealAsync(string taskId, string goal, TaskResult result, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["task_id"] = taskId,
            ["goal"] = goal,
            ["result"] = System.Text.Json.JsonSerializer.SerializeToNode(result with { Provenance = null }, OpenMcpChainJson.Options),
            ["tx_hashes"] = new JsonArray([.. result.ToolCalls.Select(SentTxHash).OfType<string>().Distinct().Select(h => (JsonNode)h)]),
        };
        using var response = await http.PostAsJsonAsync("/api/attestations", body, OpenMcpChainJson.Options, ct);
        if (response.IsSuccessStatusCode)
            return result with { Provenance = (await response.Content.ReadFromJsonAsync<Provenance>(OpenMcpChainJson.Options, ct))! };
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict && await GetProvenanceAsync(taskId, ct) is { Log: not null } sealedOutcome)
            return SealedResult(sealedOutcome);
        var detail = await response.Content.ReadAsStringAsync(ct);
        throw new AgentFailure(ErrorCodes.AttestationFailed,
            $"ProofService answered {(int)response.StatusCode}: {detail}", transient: (int)response.StatusCode >= 500);
    }

    /// <summary>The result an attestation signed (its message is the canonical task id, goal and result), with that provenance.</summary>
    public static TaskResult SealedResult(Provenance provenance)
    {
        var result = JsonNode.Parse(provenance.Message)?["result"].Deserialize<TaskResult>(OpenMcpChainJson.Options)
                     ?? throw new AgentFailure(ErrorCodes.AttestationFailed, "The task's attestation holds no result.", transient: false);
        return result with { Provenance = provenance };
    }

    /// <summary>The task's provenance as ProofService has it now (with the anchor once anchored); null if it cannot say.</summary>
    public async Task<Provenance?> GetProvenanceAsync(string taskId, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var response = await http.GetAsync($"/api/attestations/{Uri.EscapeDataString(taskId)}", timeout.Token);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<Provenance>(OpenMcpChainJson.Options, timeout.Token) : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Appends one entry (filed under its <c>task_id</c>) to the transparency log; the index once it is durable.</summary>
    public async Task<long> AppendAsync(JsonObject entry, CancellationToken ct)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("/api/log/entries", entry, OpenMcpChainJson.Options, ct);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("index").GetInt64();
        }
        catch (HttpRequestException e)
        {
            throw new AgentFailure(ErrorCodes.AttestationFailed, $"ProofService did not log the step: {e.Message}", transient: true, e);
        }
    }

    /// <summary>The transaction a successful write tool call sent (its structured result's <c>tx_hash</c>).</summary>
    private static string? SentTxHash(ToolCall call)
    {
        if (call.IsError || !call.Output.StartsWith('{')) return null;
        try
        {
            return JsonNode.Parse(call.Output)?["tx_hash"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
