using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using MySqlConnector;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>Results stored before the v1 contract took the original's types are served in the new shape, provenance intact.</summary>
[Collection(SystemCollection.Name)]
public sealed class StoredResultTests(SystemFixture system)
{
    [Fact]
    public async Task AResultStoredInThePreviousShapeIsServedInTheOriginalsShapeWithItsProvenanceIntact()
    {
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest("What is the balance of 0x70997970C51812dc3A010C7d01b50e0d17dc79C8?"));
        var fresh = await system.Client.WaitForTaskAsync(accepted.TaskId, TimeSpan.FromSeconds(90));
        Assert.Equal(TaskStatuses.Succeeded, fresh.Status);

        // Rewrite the stored row as the previous version stored it: tool calls under observations, numeric chain id and block.
        await using var db = new MySqlConnection(await system.App.GetConnectionStringAsync("agentdb"));
        await db.OpenAsync();
        await using var read = new MySqlCommand("SELECT ResultJson FROM tasks WHERE Id = @id", db);
        read.Parameters.AddWithValue("@id", accepted.TaskId);
        var stored = JsonNode.Parse((string)(await read.ExecuteScalarAsync())!)!.AsObject();
        var calls = stored["tool_calls"]!;
        stored.Remove("tool_calls");
        stored["observations"] = calls;
        stored["chain_id"] = HexQuantity.Parse(stored["chain_id"]!.GetValue<string>());
        stored["block_number"] = HexQuantity.Parse(stored["block_number"]!.GetValue<string>());
        await using var write = new MySqlCommand("UPDATE tasks SET ResultJson = @json WHERE Id = @id", db);
        write.Parameters.AddWithValue("@id", accepted.TaskId);
        write.Parameters.AddWithValue("@json", stored.ToJsonString());
        Assert.Equal(1, await write.ExecuteNonQueryAsync());

        var served = (await system.Client.GetTaskAsync(accepted.TaskId)).Result!;
        Assert.Equal(fresh.Result!.ChainId, served.ChainId);
        Assert.Equal(fresh.Result.BlockNumber, served.BlockNumber);
        Assert.Equal(fresh.Result.Observations, served.Observations);
        Assert.Equal(fresh.Result.ToolCalls.Select(c => (c.Tool, c.Output, c.IsError)), served.ToolCalls.Select(c => (c.Tool, c.Output, c.IsError)));
        Assert.Equal(fresh.Result.Provenance!.Signature, served.Provenance!.Signature);
        var signer = (await system.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/signer")).GetProperty("address").GetString()!;
        Assert.True(ProvenanceVerifier.IsSignedBy(served.Provenance, signer));
        // And a list that holds it still reads.
        Assert.Contains((await system.Client.ListTasksAsync("limit=100")).Tasks, t => t.TaskId == accepted.TaskId && t.Result!.ChainId == "0x7a69");
    }
}
