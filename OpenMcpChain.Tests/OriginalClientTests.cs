using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>The original daemon's clients, unchanged, against the Gateway with authentication off: its CLI and its React console.</summary>
[Collection(OpenGatewayCollection.Name)]
public sealed class OriginalClientTests(OpenGatewayFixture open)
{
    private const string Holder = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // anvil #1, funded on the devnet
    private const string ConsoleOrigin = "http://localhost:5173"; // where `npm run dev` serves the console

    [Fact]
    public async Task TheOriginalCliSubmitsATaskAndItsHistoryShowsTheFinishedResult()
    {
        var cli = new OriginalCli(open.Gateway);
        var wei = (await open.Run.Devnet.Eth.GetBalance.SendRequestAsync(Holder)).Value;

        // The original README's example, word for word.
        var accepted = (await cli.RunAsync("invoke", "--goal", "查询账户余额", "--chain-action", "eth_getBalance", "--address", Holder)).Json();
        var id = accepted.GetProperty("task_id").GetString()!;
        Assert.Equal("pending", accepted.GetProperty("status").GetString());
        Assert.Equal("查询账户余额", accepted.GetProperty("goal").GetString());
        Assert.Equal("eth_getBalance", accepted.GetProperty("chain_action").GetString());
        Assert.Equal(Holder, accepted.GetProperty("address").GetString());

        // Its user waits by asking for the history again until the task has finished.
        var printed = "";
        JsonElement task = default;
        await open.Run.WaitUntilAsync(async () =>
        {
            var history = await cli.RunAsync("history");
            printed = history.Output;
            task = history.Json().GetProperty("tasks").EnumerateArray().FirstOrDefault(t => t.GetProperty("id").GetString() == id);
            return task.ValueKind == JsonValueKind.Object && task.GetProperty("status").GetString() is "succeeded" or "failed";
        }, $"task {id} to show as finished in task_client.py history");

        Assert.Equal("succeeded", task.GetProperty("status").GetString());
        var result = task.GetProperty("result");
        Assert.Contains(wei.ToString(), result.GetProperty("reply").GetString());
        Assert.Equal("0x7a69", result.GetProperty("chain_id").GetString());
        Assert.StartsWith("0x", result.GetProperty("block_number").GetString());
        Assert.StartsWith("get_balance(", result.GetProperty("observations").GetString());
        Assert.Contains("查询账户余额", printed); // printed as is, as the original printed its own answers
    }

    [Fact]
    public async Task AnEmptyGoalIsRefusedWithTheOriginalsCodeAndTheCliSaysSo()
    {
        var refused = await new OriginalCli(open.Gateway).RunAsync("invoke", "--goal", "");

        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("HTTP 400: ", refused.Error);
        var error = JsonDocument.Parse(refused.Error["HTTP 400: ".Length..]).RootElement;
        Assert.Equal(ErrorCodes.TaskValidationFailed, error.GetProperty("code").GetString());
        Assert.Contains("goal", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AHistoryOfMoreThanAHundredIsCappedAtAHundredAsTheOriginalDid()
    {
        using var http = new HttpClient { BaseAddress = open.Gateway };
        for (var i = 0; i < 101; i++)
        {
            using var created = await http.PostAsJsonAsync("/api/v1/tasks", new { goal = $"hello {i}" });
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        }
        // Until all have run, so this class's other tests meet a quiet system.
        await open.Run.WaitUntilAsync(async () =>
            (await http.GetFromJsonAsync<JsonElement>("/api/v1/tasks/stats?status=pending,running")).GetProperty("total").GetInt32() == 0,
            "the 101 tasks to finish");

        var history = (await new OriginalCli(open.Gateway).RunAsync("history", "--limit", "150")).Json();

        Assert.Equal(100, history.GetProperty("tasks").GetArrayLength());
        Assert.True(history.GetProperty("total").GetInt32() >= 101);
        Assert.True(history.GetProperty("has_more").GetBoolean());
        Assert.Equal(100, history.GetProperty("next_offset").GetInt32());
    }

    /// <summary>
    /// What the console does from its Vite dev origin: createTask (a JSON POST, so the browser sends a preflight first),
    /// fetchTask (<c>?id=</c>) until the task ends, listTasks; then what TaskDetails and TaskList put on the page. React
    /// renders strings and numbers; an object or an array as a child blanks the page.
    /// </summary>
    [Fact]
    public async Task TheOriginalConsoleOnItsDevOriginSubmitsPollsAndRendersFinishedTasks()
    {
        using var http = new HttpClient { BaseAddress = open.Gateway };
        http.DefaultRequestHeaders.Add("Origin", ConsoleOrigin);
        var wei = (await open.Run.Devnet.Eth.GetBalance.SendRequestAsync(Holder)).Value;
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

        var succeeded = await SubmitAndPollAsync(http, new { goal = $"What is the balance of {Holder}?", chain_action = "eth_getBalance",
            address = Holder, metadata = new { source = "console" } });
        var failed = await SubmitAndPollAsync(http, new { goal = $"Send 20 ETH to {recipient}" });

        Assert.Equal("succeeded", succeeded.GetProperty("status").GetString());
        AssertRendersAsText(succeeded, "id", "goal", "status", "chain_action", "address");
        AssertRendersAsNumbers(succeeded, "attempts", "max_retries", "created_at", "updated_at");
        var result = succeeded.GetProperty("result");
        AssertRendersAsText(result, "thought", "reply", "observations", "chain_id", "block_number");
        Assert.Contains(wei.ToString(), result.GetProperty("reply").GetString());
        Assert.Contains(Holder, result.GetProperty("observations").GetString());
        Assert.Equal("0x7a69", result.GetProperty("chain_id").GetString());
        Assert.Equal("console", succeeded.GetProperty("metadata").GetProperty("source").GetString());

        // A failed task shows its last error and code.
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        AssertRendersAsText(failed, "last_error", "error_code");
        Assert.Equal("POLICY_VALUE_CAP", failed.GetProperty("error_code").GetString());

        // The list (TaskList) and the summary (StatusSummary) read the same types.
        using var listed = await http.GetAsync("/api/v1/tasks?limit=20");
        AssertAllowedForTheConsole(listed);
        var tasks = (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tasks").EnumerateArray().ToList();
        var shown = tasks.Single(t => t.GetProperty("id").GetString() == succeeded.GetProperty("id").GetString());
        AssertRendersAsText(shown.GetProperty("result"), "chain_id", "block_number", "reply");
        AssertRendersAsText(tasks.Single(t => t.GetProperty("id").GetString() == failed.GetProperty("id").GetString()), "last_error");
        using var stats = await http.GetAsync("/api/v1/tasks/stats");
        AssertAllowedForTheConsole(stats);
        AssertRendersAsNumbers(await stats.Content.ReadFromJsonAsync<JsonElement>(),
            "total", "pending", "running", "succeeded", "failed", "oldest_updated_at", "newest_updated_at");
    }

    private async Task<JsonElement> SubmitAndPollAsync(HttpClient http, object body)
    {
        using (var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/tasks"))
        {
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
            using var answer = await http.SendAsync(preflight);
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
            AssertAllowedForTheConsole(answer);
        }
        using var created = await http.PostAsJsonAsync("/api/v1/tasks", body);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        AssertAllowedForTheConsole(created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("task_id").GetString()!;

        JsonElement task = default;
        await open.Run.WaitUntilAsync(async () =>
        {
            using var polled = await http.GetAsync($"/api/v1/tasks?id={Uri.EscapeDataString(id)}");
            AssertAllowedForTheConsole(polled);
            task = await polled.Content.ReadFromJsonAsync<JsonElement>();
            return task.GetProperty("status").GetString() is "succeeded" or "failed";
        }, $"the console's task {id} to end");
        return task;
    }

    /// <summary>Without this header the browser keeps the answer from the console's script.</summary>
    private static void AssertAllowedForTheConsole(HttpResponseMessage response) =>
        Assert.Equal(ConsoleOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));

    private static void AssertRendersAsText(JsonElement value, params string[] names)
    {
        foreach (var name in names)
        {
            Assert.True(value.TryGetProperty(name, out var field) && field.ValueKind == JsonValueKind.String && field.GetString()!.Length > 0,
                $"{name} should be a non-empty string, is {(field.ValueKind == JsonValueKind.Undefined ? "missing" : field.GetRawText())}");
        }
    }

    private static void AssertRendersAsNumbers(JsonElement value, params string[] names)
    {
        foreach (var name in names)
        {
            Assert.True(value.TryGetProperty(name, out var field) && field.ValueKind == JsonValueKind.Number,
                $"{name} should be a number, is {(field.ValueKind == JsonValueKind.Undefined ? "missing" : field.GetRawText())}");
        }
    }
}
