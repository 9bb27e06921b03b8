using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>The SDK's client against the whole system: live events, resuming them, cancelling, and the token grants.</summary>
[Collection(SystemCollection.Name)]
public sealed class SdkClientTests(SystemFixture system)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task TheEventStreamShowsATaskParkThenCancelledAndResumesWithoutRepeats()
    {
        using var test = new CancellationTokenSource(TestTimeout);
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        var task = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 6 ETH to {recipient}"), ct: test.Token);

        var seen = new List<ServerSentEvent<TaskProgressEvent>>();
        await foreach (var e in system.Client.StreamTaskEventsAsync(task.TaskId, ct: test.Token))
        {
            seen.Add(e);
            Assert.False(e.Data.Status is { } s && TaskStatuses.IsFinal(s), $"the task ended without parking: {e.Data}");
            if (e.Data.Status == TaskStatuses.AwaitingApproval) break;
        }
        Assert.Equal(TaskStatuses.AwaitingApproval, seen[^1].Data.Status);
        Assert.Contains(seen, e => e.Data is { Type: TaskProgressEvent.Step, Kind: not null, Seq: > 0 });
        Assert.All(seen, e => Assert.False(string.IsNullOrEmpty(e.Id)));

        var cancelled = await system.Client.CancelTaskAsync(task.TaskId, test.Token);
        Assert.Equal(TaskStatuses.Cancelled, cancelled.Status);

        // Resumed after the first event: the rest, none of it again, ending with the final status.
        var rest = new List<ServerSentEvent<TaskProgressEvent>>();
        await foreach (var e in system.Client.StreamTaskEventsAsync(task.TaskId, seen[0].Id, test.Token)) rest.Add(e);
        Assert.Equal(seen.Skip(1).Select(e => e.Id), rest.Take(seen.Count - 1).Select(e => e.Id));
        Assert.Equal(TaskStatuses.Cancelled, rest[^1].Data.Status);

        var again = await Assert.ThrowsAsync<OpenMcpChainException>(() => system.Client.CancelTaskAsync(task.TaskId, test.Token));
        Assert.Equal((409, ErrorCodes.TaskAlreadyFinished), (again.StatusCode, again.Code));
        var unknown = await Assert.ThrowsAsync<OpenMcpChainException>(() => system.Client.GetStepsAsync("no-such-task", test.Token));
        Assert.Equal((404, ErrorCodes.TaskNotFound), (unknown.StatusCode, unknown.Code));
    }

    [Fact]
    public async Task AMachineClientSignsInWithItsSecretAndAUserRenewsWithARefreshToken()
    {
        using var machineHttp = system.CreateClient("gateway");
        var machine = new OpenMcpChainClient(machineHttp);
        var token = await machine.AuthenticateClientAsync("automation", await system.ParameterAsync("gateway-automation-secret"), "tasks:read");
        Assert.Equal("tasks:read", token.Scope);
        Assert.NotNull(await machine.ListTasksAsync("limit=1"));
        var wrong = await Assert.ThrowsAsync<OpenMcpChainException>(() => machine.AuthenticateClientAsync("automation", "not-the-secret"));
        Assert.Equal(ErrorCodes.InvalidClient, wrong.Code);

        using var userHttp = system.CreateClient("gateway");
        var user = new OpenMcpChainClient(userHttp);
        var first = await user.AuthenticateAsync("operator", await system.ParameterAsync("gateway-operator-password"));
        var renewed = await user.RefreshAsync(first.RefreshToken!);
        Assert.NotEqual(first.AccessToken, renewed.AccessToken);
        Assert.NotNull((await user.GetSignerAsync()).Address);
        await user.RevokeAsync(renewed.RefreshToken!);
        var revoked = await Assert.ThrowsAsync<OpenMcpChainException>(() => user.RefreshAsync(renewed.RefreshToken!));
        Assert.Equal(ErrorCodes.InvalidGrant, revoked.Code);
    }
}
