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
        { "{\"goal\": \"\"}", "goal" },
        { "{\"goal\": \"   \"}", "goal" },
        { "{\"chain_action\": \"transfer\"}", "goal" },
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

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=abc")]
    [InlineData("status=done")]
    [InlineData("since=yesterday")]
    [InlineData("order=sideways")]
    public async Task InvalidListFiltersAreRejectedWithInvalidArgument(string query)
    {
        using var response = await system.Gateway.GetAsync($"/api/v1/tasks?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.InvalidArgument, (await ReadErrorAsync(response)).Code);
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
