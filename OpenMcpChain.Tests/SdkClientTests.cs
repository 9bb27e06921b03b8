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
    public async Task AnApproverSeesAParkedWriteArriveLiveAndRejectsIt()
    {
        using var test = new CancellationTokenSource(TestTimeout);
        using var http = system.CreateClient("gateway");
        var approver = new OpenMcpChainClient(http);
        await approver.AuthenticateAsync("approver", await system.ParameterAsync("gateway-approver-password"), ct: test.Token);
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

        // Resumed from a moment before the submission (the stream's ids are Redis stream ids, milliseconds first), so the
        // request cannot slip past between opening the stream and parking the write.
        var before = $"{DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds()}-0";
        await using var events = approver.StreamApprovalEventsAsync(before, test.Token).GetAsyncEnumerator(test.Token);
        var first = events.MoveNextAsync();
        var task = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 6 ETH to {recipient}"), ct: test.Token);
        async Task<ServerSentEvent<ApprovalEvent>> NextForTaskAsync(ValueTask<bool> next)
        {
            while (true)
            {
                Assert.True(await next, "the approval stream ended");
                if (events.Current.Data.Approval.TaskId == task.TaskId) return events.Current;
                next = events.MoveNextAsync();
            }
        }
        var created = await NextForTaskAsync(first);
        Assert.Equal(("approval", ApprovalEvent.Created, ApprovalStatuses.Pending), (created.Type, created.Data.Type, created.Data.Approval.Status));
        Assert.Equal(recipient, created.Data.Approval.To, ignoreCase: true);
        Assert.Equal("6", created.Data.Approval.ValueEther);

        var rejected = await approver.RejectAsync(created.Data.Approval.Id, "not this one", test.Token);
        Assert.Equal((ApprovalStatuses.Rejected, "approver", "not this one"), (rejected.Status, rejected.DecidedBy, rejected.Reason));
        var decided = await NextForTaskAsync(events.MoveNextAsync());
        Assert.Equal((ApprovalEvent.Decided, ApprovalStatuses.Rejected), (decided.Data.Type, decided.Data.Approval.Status));
        Assert.Equal(TaskStatuses.Rejected, (await system.Client.FinishedAsync(task.TaskId, TimeSpan.FromMinutes(2))).Status);
        var again = await Assert.ThrowsAsync<OpenMcpChainException>(() => approver.ApproveAsync(created.Data.Approval.Id, ct: test.Token));
        Assert.Equal((409, ChainErrorCodes.ApprovalAlreadyDecided), (again.StatusCode, again.Code));
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
