using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

[Collection(SystemCollection.Name)]
public sealed class BadInputTests(SystemFixture system)
{
    public static TheoryData<string, string> InvalidBodies => new()
    {
        { "{\"goal\": \"balance\", \"address\": \"0x1234\"}", "address" },
        { "{\"goal\": \"x\", \"extra\": ", "JSON" },
        { "[1, 2, 3]", "JSON" },
        { "{\"goal\": 42}", "JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task InvalidTaskBodiesAreRejectedWithInvalidArgumentAndNothingIsStored(string body, string mentioned)
    {
        var before = await CountAsync();

        using var response = await system.Gateway.PostAsync("/api/v1/tasks", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ReadErrorAsync(response);
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains(mentioned, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task UnknownTaskIdIsNotFoundWithTaskNotFound()
    {
        using var response = await system.Gateway.GetAsync($"/api/v1/tasks/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await ReadErrorAsync(response);
        Assert.Equal(ErrorCodes.TaskNotFound, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public async Task UnknownApiRouteIsNotFoundWithACode()
    {
        using var response = await system.Gateway.GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ErrorCodes.NotFound, (await ReadErrorAsync(response)).Code);
    }

    private async Task<int> CountAsync() =>
        (await system.Gateway.GetFromJsonAsync<TaskStatsResponse>("/api/v1/tasks/stats", OpenMcpChainJson.Options))!.Total;

    private static async Task<ApiError> ReadErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var error = JsonSerializer.Deserialize<ApiError>(text, OpenMcpChainJson.Options);
        Assert.True(error is { Code.Length: > 0, Message.Length: > 0 }, $"not a coded error: {text}");
        return error!;
    }
}

/// <summary>The proofs anyone needs are public at the Gateway, read-only; appends and heavy internals are not.</summary>
[Collection(SystemCollection.Name)]
public sealed class PublicProofRoutesTests(SystemFixture system)
{
    [Fact]
    public async Task ProofsAreReadableAtTheGatewayAndNothingCanBeWrittenThere()
    {
        var signer = await system.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/signer");
        Assert.StartsWith("0x", signer.GetProperty("address").GetString());
        var head = await system.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/log/tree-head");
        Assert.True(head.GetProperty("tree_size").GetInt64() >= 0);
        if (head.GetProperty("tree_size").GetInt64() > 0)
        {
            var proof = await system.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/log/proofs/inclusion?index=0&tree_size=1");
            Assert.Equal(1, proof.GetProperty("tree_size").GetInt64());
            Assert.Equal(0, (await system.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/log/entries/0")).GetProperty("index").GetInt64());
        }
        Assert.Equal(System.Text.Json.JsonValueKind.Array, (await system.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/anchors")).ValueKind);

        using var missing = await system.Gateway.GetAsync($"/api/v1/bundles/{Guid.NewGuid()}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("ATTESTATION_NOT_FOUND", (await missing.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString());

        var forgedTask = $"forged-{Guid.NewGuid():N}";
        using var append = await system.Gateway.PostAsJsonAsync("/api/v1/log/entries", new { type = "forged", task_id = forgedTask });
        Assert.Equal(System.Net.HttpStatusCode.NotFound, append.StatusCode);
        Assert.Equal(0, (await system.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/log/entries?task_id={forgedTask}")).GetArrayLength());
        using var attest = await system.Gateway.PostAsJsonAsync("/api/v1/attestations/x", new { });
        Assert.Equal(System.Net.HttpStatusCode.NotFound, attest.StatusCode);
        using var verify = await system.Gateway.GetAsync("/api/v1/log/verify");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, verify.StatusCode);
    }
}
