using System.Net;
using System.Text.Json;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>A task's live progress (server-sent events through the Gateway) reaches the caller while the task runs.</summary>
[Collection(SystemCollection.Name)]
public sealed class TaskEventStreamTests(SystemFixture system)
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);

    private static string? StatusOf(EventStreamReader.ServerSentEvent e) =>
        e.Event == "status" ? JsonDocument.Parse(e.Data).RootElement.GetProperty("status").GetString() : null;

    [Fact]
    public async Task EventsArriveWhileATaskWaitsForApprovalAndTheStreamEndsWithItsFinalStatus()
    {
        using var test = new CancellationTokenSource(TestTimeout);
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        // Above the approval threshold: the task parks and cannot end until someone decides, so anything read before
        // that decision arrived before the task ended (a server or proxy that buffers the response would send nothing).
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 6 ETH to {recipient}"), ct: test.Token);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tasks/{accepted.TaskId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await system.Gateway.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, test.Token)
            .WaitAsync(ReadTimeout, test.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(test.Token), ReadTimeout);

        var first = await events.NextAsync(test.Token);
        Assert.NotNull(first);
        Assert.False(TaskStatuses.IsFinal((await system.Client.GetTaskAsync(accepted.TaskId, test.Token)).Status));

        // The stream goes on to tell the caller that the task waits for approval, while it still does.
        var seen = new List<EventStreamReader.ServerSentEvent> { first };
        while (StatusOf(seen[^1]) != TaskStatuses.AwaitingApproval)
        {
            var next = await events.NextAsync(test.Token);
            Assert.True(next is not null, $"the stream ended before the task parked: {string.Join(", ", seen.Select(e => e.Event))}");
            Assert.False(StatusOf(next) is { } status && TaskStatuses.IsFinal(status), $"the task ended without parking: {next.Data}");
            seen.Add(next);
        }
        Assert.Equal(TaskStatuses.AwaitingApproval, (await system.Client.GetTaskAsync(accepted.TaskId, test.Token)).Status);

        // Ending the task ends the stream, with the final status as its last event.
        using var cancel = await system.Gateway.PostAsync($"/api/v1/tasks/{accepted.TaskId}/cancel", null, test.Token);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var rest = new List<EventStreamReader.ServerSentEvent>();
        while (await events.NextAsync(test.Token) is { } next) rest.Add(next);
        Assert.NotEmpty(rest);
        Assert.Equal(TaskStatuses.Cancelled, StatusOf(rest[^1]));
        Assert.Equal(TaskStatuses.Cancelled, (await system.Client.GetTaskAsync(accepted.TaskId, test.Token)).Status);
    }
}
