using Microsoft.Extensions.Logging;
using System.Net.Http.Json;
using System.Text.Json;

namespace OpenMcpChain.AppHost;

/// <summary>Resource commands an operator runs from the dashboard: mine a devnet block, verify the transparency log.</summary>
internal static class Commands
{
    /// <summary>"Mine a block" on the devnet (anvil's <c>evm_mine</c>), e.g. to move a confirmation depth along.</summary>
    public static IResourceBuilder<T> WithMineBlockCommand<T>(this IResourceBuilder<T> devnet, ReferenceExpression rpcUrl) where T : IResource =>
        devnet.WithCommand("mine-block", "Mine a block", async context =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var url = await rpcUrl.GetValueAsync(context.CancellationToken);
            using var response = await http.PostAsJsonAsync(url, new { jsonrpc = "2.0", id = 1, method = "evm_mine", @params = Array.Empty<object>() },
                context.CancellationToken);
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>(context.CancellationToken);
            return answer.TryGetProperty("error", out var error)
                ? CommandResults.Failure(error.GetRawText())
                : CommandResults.Success();
        }, new CommandOptions { IconName = "Cube", Description = "Mines one block on the dev chain." });

    /// <summary>"Verify log" on ProofService: recomputes the whole Merkle log against its stored tree (GET /api/log/verify).</summary>
    public static IResourceBuilder<ProjectResource> WithVerifyLogCommand(this IResourceBuilder<ProjectResource> proofService) =>
        proofService.WithCommand("verify-log", "Verify log", async context =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            var endpoint = proofService.GetEndpoint("http");
            using var response = await http.GetAsync(new Uri(new Uri(endpoint.Url), "/api/log/verify"), context.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(context.CancellationToken);
            context.Logger.LogInformation("Log verification answered {Status}: {Body}", (int)response.StatusCode, body);
            if (!response.IsSuccessStatusCode) return CommandResults.Failure(body);
            using var document = JsonDocument.Parse(body);
            var report = document.RootElement;
            return report.GetProperty("ok").GetBoolean()
                ? new ExecuteCommandResult { Success = true, Message = $"All {report.GetProperty("size").GetInt64()} entries verified." }
                : CommandResults.Failure(body);
        }, new CommandOptions { IconName = "ShieldCheckmark", Description = "Recomputes every leaf and node of the transparency log." });
}
