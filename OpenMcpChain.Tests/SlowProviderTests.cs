using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>
/// The system pointed at a provider that behaves like a real one: each answer takes 15 s, the first request is refused
/// with a 429 and <c>Retry-After</c>. A model call must outlast the default 10 s attempt timeout without being asked again
/// (it may be billed), the 429 must be retried after the wait it names, and the provider must be asked for the
/// configured model, not the offline planner's name.
/// </summary>
public sealed class SlowProviderTests
{
    private const string UpstreamModel = "slow-provider-model-1";
    private const int RetryAfterSeconds = 3;
    private static readonly TimeSpan AnswerDelay = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ATaskOnASlowRateLimitingProviderSucceedsWithOneRequestPerModelTurnAndTheConfiguredModel()
    {
        using var provider = SlowProvider.Start(AnswerDelay, rateLimited: 1, RetryAfterSeconds);
        await provider.WaitHealthyAsync(TimeSpan.FromSeconds(20));
        var data = Directory.CreateTempSubdirectory("openmcp-slow-provider-").FullName;
        try
        {
            await using var run = await SystemRun.StartAsync(data,
                $"--LlmBridge:UpstreamUrl={provider.Url}v1", $"--LlmBridge:UpstreamModel={UpstreamModel}");

            var accepted = await run.Client.CreateTaskAsync(new CreateTaskRequest("What is the latest block number?"));
            // Two model turns of 15 s each, the 429's wait, the tool call: well within two minutes.
            var task = await run.Client.FinishedAsync(accepted.TaskId, TimeSpan.FromMinutes(2));

            Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");
            Assert.Equal("get_chain_info", Assert.Single(task.Result!.ToolCalls).Tool);
            var turns = (await run.Client.GetStepsAsync(task.TaskId)).Count(s => s.Kind == "model_turn");
            Assert.Equal(2, turns);

            var received = await provider.ReceivedAsync();
            Assert.All(received, r => Assert.Equal(UpstreamModel, r.Model));
            // The refused request, then exactly one per model turn: none cut by a timeout and asked again.
            Assert.Equal([429, .. Enumerable.Repeat(200, turns)], received.Select(r => r.Status));
            Assert.True(received[1].At - received[0].At >= RetryAfterSeconds - 0.1,
                $"the 429 was retried after {received[1].At - received[0].At:0.0} s, not after its Retry-After of {RetryAfterSeconds} s");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
