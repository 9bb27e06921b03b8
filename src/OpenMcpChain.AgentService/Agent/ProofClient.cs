using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>Asks ProofService to sign a finished task's outcome.</summary>
public sealed class ProofClient(HttpClient http)
{
    public async Task<Provenance> AttestAsync(string taskId, string goal, TaskResult result, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["task_id"] = taskId,
            ["goal"] = goal,
            ["result"] = System.Text.Json.JsonSerializer.SerializeToNode(result with { Provenance = null }, OpenMcpChainJson.Options),
        };
        using var response = await http.PostAsJsonAsync("/api/attestations", body, OpenMcpChainJson.Options, ct);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(ct);
            throw new AgentFailure(ErrorCodes.AttestationFailed,
                $"ProofService answered {(int)response.StatusCode}: {detail}", transient: (int)response.StatusCode >= 500);
        }
        return (await response.Content.ReadFromJsonAsync<Provenance>(OpenMcpChainJson.Options, ct))!;
    }
}
