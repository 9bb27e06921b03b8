using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>The original daemon's validation of the task list and of a new task: its codes, its limit cap, Go's booleans.</summary>
[Collection(SystemCollection.Name)]
public sealed class TaskQueryCodeTests(SystemFixture system)
{
    [Theory]
    [InlineData("limit=0", ErrorCodes.InvalidLimit)]
    [InlineData("limit=-3", ErrorCodes.InvalidLimit)]
    [InlineData("limit=abc", ErrorCodes.InvalidLimit)]
    [InlineData("limit=1.5", ErrorCodes.InvalidLimit)]
    [InlineData("limit=99999999999", ErrorCodes.InvalidLimit)]
    [InlineData("offset=-1", ErrorCodes.InvalidOffset)]
    [InlineData("offset=two", ErrorCodes.InvalidOffset)]
    [InlineData("status=done", ErrorCodes.InvalidStatus)]
    [InlineData("status=pending,bogus", ErrorCodes.InvalidStatus)]
    [InlineData("since=yesterday", ErrorCodes.InvalidSince)]
    [InlineData("since=2026-01-31", ErrorCodes.InvalidSince)]
    [InlineData("until=2026-13-01T00:00:00Z", ErrorCodes.InvalidUntil)]
    [InlineData("until=2026-01-31T12:00:00", ErrorCodes.InvalidUntil)]
    [InlineData("since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", ErrorCodes.InvalidUntil)]
    [InlineData("has_result=yes", ErrorCodes.InvalidHasResult)]
    [InlineData("has_result=TrUe", ErrorCodes.InvalidHasResult)]
    [InlineData("has_result=2", ErrorCodes.InvalidHasResult)]
    [InlineData("order=sideways", ErrorCodes.InvalidOrder)]
    public async Task ABadFilterIsRefusedWithTheOriginalsCodeOnTheListAndTheStats(string query, string code)
    {
        foreach (var path in (string[])["/api/v1/tasks", "/api/v1/tasks/stats"])
        {
            if (path.EndsWith("stats") && query.StartsWith("limit")) continue; // the stats take no limit
            using var response = await system.Gateway.GetAsync($"{path}?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await ReadErrorAsync(response);
            Assert.Equal(code, error.Code);
        }
    }

    [Fact]
    public async Task HasResultReadsGoBooleansAndSelectsByResult()
    {
        var finished = await system.Client.CreateTaskAsync(new CreateTaskRequest("What is the latest block number?"));
        Assert.Equal(TaskStatuses.Succeeded, (await system.Client.WaitForTaskAsync(finished.TaskId, TimeSpan.FromSeconds(90))).Status);

        foreach (var yes in (string[])["1", "t", "T", "TRUE", "true", "True"])
        {
            var list = await system.Client.ListTasksAsync($"has_result={yes}&limit=100&status=succeeded&order=desc");
            Assert.Contains(list.Tasks, t => t.TaskId == finished.TaskId);
            Assert.All(list.Tasks, t => Assert.NotNull(t.Result));
        }
        foreach (var no in (string[])["0", "f", "F", "FALSE", "false", "False"])
        {
            var list = await system.Client.ListTasksAsync($"has_result={no}&limit=100");
            Assert.DoesNotContain(list.Tasks, t => t.TaskId == finished.TaskId);
            Assert.All(list.Tasks, t => Assert.Null(t.Result));
        }
    }

    [Theory]
    [InlineData("limit=&offset=&since=&until=&has_result=&order=")] // an empty value is no value, as the original read it
    [InlineData("limit=500")]
    [InlineData("limit=%2B7&order=ASC")]
    [InlineData("since=2020-01-01T00:00:00%2B08:00&until=2999-01-01T00:00:00.5Z")]
    [InlineData("limit=3&limit=abc")] // the first value counts
    public async Task TheOriginalsAcceptedFiltersAreAcceptedAndTheLimitIsCappedAtAHundred(string query)
    {
        using var response = await system.Gateway.GetAsync($"/api/v1/tasks?{query}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = (await response.Content.ReadFromJsonAsync<TaskListResponse>(OpenMcpChainJson.Options))!;
        Assert.InRange(page.Tasks.Count, 0, 100);
        if (page.Total > 100 && query == "limit=500") Assert.Equal(100, page.Tasks.Count);
    }

    [Theory]
    [InlineData("{\"goal\": \"\"}")]
    [InlineData("{\"goal\": \"   \"}")]
    [InlineData("{\"chain_action\": \"eth_getBalance\"}")]
    public async Task ATaskWithoutAGoalIsRefusedWithTaskValidationFailedAndNothingIsStored(string body)
    {
        var before = (await system.Gateway.GetFromJsonAsync<TaskStatsResponse>("/api/v1/tasks/stats", OpenMcpChainJson.Options))!.Total;

        using var response = await system.Gateway.PostAsync("/api/v1/tasks", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ReadErrorAsync(response);
        Assert.Equal(ErrorCodes.TaskValidationFailed, error.Code);
        Assert.Contains("goal", error.Message);
        Assert.Equal(before, (await system.Gateway.GetFromJsonAsync<TaskStatsResponse>("/api/v1/tasks/stats", OpenMcpChainJson.Options))!.Total);
    }

    private static async Task<ApiError> ReadErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var error = JsonSerializer.Deserialize<ApiError>(text, OpenMcpChainJson.Options);
        Assert.True(error is { Code.Length: > 0, Message.Length: > 0 }, $"not a coded error: {text}");
        return error!;
    }
}
