using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>An approval nobody decides in time expires: its task ends rejected with APPROVAL_EXPIRED and it can no longer be approved.</summary>
[Collection(ApprovalExpiryCollection.Name)]
public sealed class ApprovalExpiryTests(ApprovalExpiryFixture fixture)
{
    [Fact]
    public async Task AnUndecidedRequestExpiresItsTaskEndsRejectedAndItCanNoLongerBeApproved()
    {
        var run = fixture.Run;
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        var accepted = await run.Client.CreateTaskAsync(new CreateTaskRequest($"Send 6 ETH to {recipient}"));
        var parked = await run.WaitForStatusAsync(accepted.TaskId, TaskStatuses.AwaitingApproval);
        var approval = (await run.Gateway.GetFromJsonAsync<ApprovalResponse>($"/api/v1/approvals/{parked.ApprovalId}", OpenMcpChainJson.Options))!;
        Assert.Equal(ApprovalStatuses.Pending, approval.Status);
        Assert.Equal(ApprovalExpiryFixture.ExpireAfter, approval.ExpiresAt - approval.CreatedAt);

        var task = await run.WaitForStatusAsync(accepted.TaskId, TaskStatuses.Rejected);
        Assert.Equal(ChainErrorCodes.ApprovalExpired, task.Error?.Code);
        var expired = (await run.Gateway.GetFromJsonAsync<ApprovalResponse>($"/api/v1/approvals/{parked.ApprovalId}", OpenMcpChainJson.Options))!;
        Assert.Equal((ApprovalStatuses.Expired, "system"), (expired.Status, expired.DecidedBy));
        Assert.True(expired.DecidedAt >= expired.ExpiresAt, $"expired at {expired.DecidedAt:o}, due {expired.ExpiresAt:o}");
        Assert.NotNull(expired.DecisionLogIndex);

        using var approver = new HttpClient { BaseAddress = run.App.GetEndpoint("gateway", "http") };
        await new OpenMcpChainClient(approver).AuthenticateAsync("approver", await run.ParameterAsync("gateway-approver-password"));
        using var late = await approver.PostAsJsonAsync($"/api/v1/approvals/{parked.ApprovalId}/approve", new { reason = "sorry, late" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(ChainErrorCodes.ApprovalExpired, await OAuthClient.CodeAsync(late));
        Assert.Equal(0, (long)(await run.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
    }
}

/// <summary>The whole system with approvals that expire after a few seconds (<c>Approvals:ExpireAfter</c> from the AppHost).</summary>
public sealed class ApprovalExpiryFixture : IAsyncLifetime
{
    public static readonly TimeSpan ExpireAfter = TimeSpan.FromSeconds(5);
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("openmcp-approval-expiry-").FullName;
    public SystemRun Run { get; private set; } = null!;

    public async Task InitializeAsync() => Run = await SystemRun.StartAsync(DataDirectory, $"--Approvals:ExpireAfter={ExpireAfter}");

    public async Task DisposeAsync()
    {
        if (Run is not null) await Run.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}

/// <summary>Runs alone: a second whole system beside the shared one would halve what each gets of this machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ApprovalExpiryCollection : ICollectionFixture<ApprovalExpiryFixture>
{
    public const string Name = "approval-expiry";
}
