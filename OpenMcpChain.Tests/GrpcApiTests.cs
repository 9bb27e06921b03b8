using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Grpc;
using Status = Grpc.Core.Status;

namespace OpenMcpChain.Tests;

/// <summary>
/// The gRPC API on the Gateway's h2c endpoint, driven by the SDK's generated client: tasks and their streamed steps,
/// approvals, the audit trail, its auth and error codes, health and reflection.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class GrpcApiTests(SystemFixture system) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(system.App.GetEndpoint("gateway", "grpc"));

    public void Dispose() => _channel.Dispose();

    private async Task<Metadata> SignedInAsync(string user, string password)
    {
        using var http = new HttpClient { BaseAddress = system.App.GetEndpoint("gateway", "http") };
        var token = await new OpenMcpChainClient(http).AuthenticateAsync(user, password);
        return new Metadata { { "authorization", $"Bearer {token.AccessToken}" } };
    }

    private async Task<Metadata> OperatorAsync() => await SignedInAsync("operator", await system.ParameterAsync("gateway-operator-password"));

    private static DateTime Deadline => DateTime.UtcNow + CallTimeout;

    /// <summary>The events of a task's stream until it ends (the final status), each read within the call's deadline.</summary>
    private static async Task<List<TaskEvent>> ReadToEndAsync(AsyncServerStreamingCall<TaskEvent> call, CancellationToken ct)
    {
        var events = new List<TaskEvent>();
        while (await call.ResponseStream.MoveNext(ct)) events.Add(call.ResponseStream.Current);
        return events;
    }

    private static void AssertCode(RpcException e, StatusCode status, string code)
    {
        Assert.True(e.StatusCode == status, $"{e.StatusCode} ({e.Status.Detail}), expected {status}");
        Assert.Equal(code, e.Trailers.GetValue("error-code"));
        if (e.GetRpcStatus() is { } rich) Assert.Equal(code, rich.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task AGeneratedClientSubmitsATaskStreamsItsStepsToTheEndAndReadsTheSameResultAndProvenanceAsRest()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var auth = await OperatorAsync();
        var tasks = new TaskService.TaskServiceClient(_channel);
        var key = Guid.NewGuid().ToString();
        var submitted = await tasks.SubmitTaskAsync(new SubmitTaskRequest { Goal = "What is the latest block number?", IdempotencyKey = key },
            auth, Deadline, test.Token);
        Assert.Equal((TaskStatuses.Pending, "operator"), (submitted.Status, submitted.SubmittedBy));
        // A retry with the same key is the same task, not a second one.
        var retried = await tasks.SubmitTaskAsync(new SubmitTaskRequest { Goal = "What is the latest block number?", IdempotencyKey = key },
            auth, Deadline, test.Token);
        Assert.Equal(submitted.TaskId, retried.TaskId);

        using var watch = tasks.WatchTask(new WatchTaskRequest { TaskId = submitted.TaskId }, auth, DateTime.UtcNow + Timeout, test.Token);
        var events = await ReadToEndAsync(watch, test.Token);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (ulong)i), events.Select(e => e.Sequence));
        Assert.Contains(events, e => e.Type == "step" && e.Kind.Length > 0);
        Assert.Equal(("status", TaskStatuses.Succeeded), (events[^1].Type, events[^1].Status));

        var overGrpc = await tasks.GetTaskAsync(new GetTaskRequest { TaskId = submitted.TaskId }, auth, Deadline, test.Token);
        using var rest = await system.Gateway.GetAsync($"/api/v1/tasks/{submitted.TaskId}", test.Token);
        var overRest = JsonNode.Parse(await rest.Content.ReadAsStringAsync(test.Token))!;
        Assert.Equal(TaskStatuses.Succeeded, overGrpc.Status);
        // The inclusion proof of a task not yet anchored is fresh on each read (to the latest tree head, which other
        // tasks' entries move between the two reads); everything else of the result is the same value.
        static JsonNode WithoutLiveProof(JsonNode result)
        {
            var copy = result.DeepClone();
            copy["provenance"]!.AsObject().Remove("log");
            return copy;
        }
        Assert.True(JsonNode.DeepEquals(WithoutLiveProof(overRest["result"]!), WithoutLiveProof(JsonNode.Parse(overGrpc.ResultJson)!)), overGrpc.ResultJson);
        var provenance = overRest["result"]!["provenance"]!;
        Assert.Equal((provenance["signer"]!.GetValue<string>(), provenance["signature"]!.GetValue<string>(), provenance["message"]!.GetValue<string>()),
            (overGrpc.Provenance.Signer, overGrpc.Provenance.Signature, overGrpc.Provenance.Message));
        Assert.Equal(provenance["log"]!["index"]!.GetValue<long>(), overGrpc.Provenance.LogIndex);
        Assert.Equal(overRest["result"]!["reply"]!.GetValue<string>(), overGrpc.Reply);

        // The list's v1 filters, and the audit trail of the same task.
        var listed = await tasks.ListTasksAsync(new ListTasksRequest { Status = { TaskStatuses.Succeeded }, Q = submitted.TaskId, Limit = 5 },
            auth, Deadline, test.Token);
        Assert.Equal(submitted.TaskId, Assert.Single(listed.Tasks).TaskId);
        var audit = new AuditService.AuditServiceClient(_channel);
        var attestation = JsonNode.Parse((await audit.GetAttestationAsync(new GetAttestationRequest { TaskId = submitted.TaskId },
            deadline: Deadline, cancellationToken: test.Token)).Json)!;
        Assert.Equal(overGrpc.Provenance.Signature, attestation["signature"]!.GetValue<string>());
        var entries = await audit.ListTaskEntriesAsync(new ListTaskEntriesRequest { TaskId = submitted.TaskId }, deadline: Deadline, cancellationToken: test.Token);
        Assert.Contains(entries.Entries, e => e.Index == overGrpc.Provenance.LogIndex);
        var head = await audit.GetTreeHeadAsync(new GetTreeHeadRequest(), deadline: Deadline, cancellationToken: test.Token);
        Assert.True(head.TreeSize > overGrpc.Provenance.LogIndex, $"tree size {head.TreeSize}");
        Assert.Equal(provenance["signer"]!.GetValue<string>(), head.Signer, ignoreCase: true);
        var inclusion = await audit.GetInclusionProofAsync(new GetInclusionProofRequest { Index = overGrpc.Provenance.LogIndex, TreeSize = head.TreeSize },
            deadline: Deadline, cancellationToken: test.Token);
        Assert.Equal(head.Root, inclusion.Root);
        var bundle = JsonSerializer.Deserialize<OpenMcpChain.Sdk.Proofs.ProofBundle>((await audit.GetProofBundleAsync(
            new GetProofBundleRequest { TaskId = submitted.TaskId }, deadline: Deadline, cancellationToken: test.Token)).Json, OpenMcpChainJson.Options)!;
        Assert.Contains(bundle.Entries, e => e.Index == overGrpc.Provenance.LogIndex);
    }

    [Fact]
    public async Task AParkedTransferIsApprovedOverGrpcByASecondPersonOnceAndAStreamAttachedMidTaskMissesNothing()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var submitter = await OperatorAsync();
        var approver = await SignedInAsync("approver", "devnet-approver");
        var viewer = await SignedInAsync("viewer", "devnet-viewer");
        var tasks = new TaskService.TaskServiceClient(_channel);
        var approvals = new ApprovalService.ApprovalServiceClient(_channel);
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

        // The approver's inbox feed, open before the write exists: it must announce it.
        using var inbox = approvals.WatchPendingApprovals(new WatchPendingApprovalsRequest(), approver, DateTime.UtcNow + Timeout, test.Token);
        var submitted = await tasks.SubmitTaskAsync(new SubmitTaskRequest { Goal = $"Send 6 ETH to {recipient}" }, submitter, Deadline, test.Token);

        // A first stream follows the task until it parks, then goes away.
        var first = new List<TaskEvent>();
        using (var watch = tasks.WatchTask(new WatchTaskRequest { TaskId = submitted.TaskId }, submitter, DateTime.UtcNow + Timeout, test.Token))
        {
            while (first.LastOrDefault()?.Status != TaskStatuses.AwaitingApproval)
            {
                Assert.True(await watch.ResponseStream.MoveNext(test.Token), "the stream ended before the task parked");
                first.Add(watch.ResponseStream.Current);
                Assert.False(TaskStatuses.IsFinal(first[^1].Status), $"the task ended without parking: {first[^1]}");
            }
        }
        Approval pending;
        do
        {
            Assert.True(await inbox.ResponseStream.MoveNext(test.Token), "the inbox feed ended");
            pending = inbox.ResponseStream.Current.Approval;
        } while (pending.TaskId != submitted.TaskId);
        Assert.Equal((ApprovalStatuses.Pending, "6", "operator"), (pending.Status, pending.ValueEther, pending.RequestedBy));
        Assert.Equal(recipient, pending.To, ignoreCase: true);
        var listed = await approvals.ListApprovalsAsync(new ListApprovalsRequest { TaskId = submitted.TaskId }, viewer, Deadline, test.Token);
        Assert.Equal(pending.Id, Assert.Single(listed.Approvals).Id);

        // Nobody approves their own request; a reader may not decide.
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => approvals.ApproveAsync(new DecideApprovalRequest { ApprovalId = pending.Id },
            submitter, Deadline, test.Token).ResponseAsync), StatusCode.FailedPrecondition, ChainErrorCodes.SelfApprovalForbidden);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => approvals.ApproveAsync(new DecideApprovalRequest { ApprovalId = pending.Id },
            viewer, Deadline, test.Token).ResponseAsync), StatusCode.PermissionDenied, ErrorCodes.Forbidden);

        // A second stream attached while the task waits resumes after the last event the first one saw.
        using var resumed = tasks.WatchTask(new WatchTaskRequest { TaskId = submitted.TaskId, AfterSequence = first[^1].Sequence },
            submitter, DateTime.UtcNow + Timeout, test.Token);
        var sent = await approvals.ApproveAsync(new DecideApprovalRequest { ApprovalId = pending.Id, Reason = "over gRPC" }, approver, Deadline, test.Token);
        Assert.StartsWith("0x", sent.TxHash);
        var rest = await ReadToEndAsync(resumed, test.Token);
        Assert.Equal(TaskStatuses.Succeeded, rest[^1].Status);
        using var replay = tasks.WatchTask(new WatchTaskRequest { TaskId = submitted.TaskId }, submitter, DateTime.UtcNow + Timeout, test.Token);
        var all = await ReadToEndAsync(replay, test.Token);
        Assert.Equal(all.Select(e => e.ToString()), first.Concat(rest).Select(e => e.ToString()));

        Assert.Equal(Web3.Convert.ToWei(6), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => approvals.ApproveAsync(new DecideApprovalRequest { ApprovalId = pending.Id },
            approver, Deadline, test.Token).ResponseAsync), StatusCode.FailedPrecondition, ChainErrorCodes.ApprovalAlreadyDecided);
        var decided = await approvals.GetApprovalAsync(new GetApprovalRequest { ApprovalId = pending.Id }, approver, Deadline, test.Token);
        Assert.Equal((ApprovalStatuses.Approved, "approver", "over gRPC", sent.TxHash), (decided.Status, decided.DecidedBy, decided.Reason, decided.TxHash));
        Assert.Equal(Web3.Convert.ToWei(6), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
    }

    [Fact]
    public async Task MissingOrWrongTokensAreUnauthenticatedAndMissingScopesPermissionDenied()
    {
        var tasks = new TaskService.TaskServiceClient(_channel);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => tasks.ListTasksAsync(new ListTasksRequest(), deadline: Deadline).ResponseAsync),
            StatusCode.Unauthenticated, ErrorCodes.Unauthenticated);
        var forged = new Metadata { { "authorization", "Bearer not-a-token-we-issued" } };
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => tasks.GetTaskAsync(new GetTaskRequest { TaskId = "any" }, forged, Deadline).ResponseAsync),
            StatusCode.Unauthenticated, ErrorCodes.Unauthenticated);
        using var noStream = tasks.WatchTask(new WatchTaskRequest { TaskId = "any" }, forged, Deadline);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => noStream.ResponseStream.MoveNext()), StatusCode.Unauthenticated, ErrorCodes.Unauthenticated);
        // The SDK's way: the token on every call of a client, read at each call.
        using var http = new HttpClient { BaseAddress = system.App.GetEndpoint("gateway", "http") };
        var token = (await new OpenMcpChainClient(http).AuthenticateAsync("viewer", "devnet-viewer")).AccessToken;
        var viewer = new TaskService.TaskServiceClient(_channel.WithBearer(() => token));
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => viewer.SubmitTaskAsync(new SubmitTaskRequest { Goal = "What chain is this?" },
            deadline: Deadline).ResponseAsync), StatusCode.PermissionDenied, ErrorCodes.Forbidden);
        Assert.NotNull(await viewer.ListTasksAsync(new ListTasksRequest { Limit = 1 }, deadline: Deadline));
    }

    [Fact]
    public async Task ACallersRateLimitHoldsOverGrpcAsOverRestAndIsResourceExhausted()
    {
        // Three requests a minute (the sign-in, made before there is a caller, counts against the address): three calls
        // pass and the fourth is refused with REST's code, as GatewayAuthTests sees over REST.
        var limited = await SignedInAsync("grpclimited", SystemFixture.LimitedPassword);
        var tasks = new TaskService.TaskServiceClient(_channel);
        for (var i = 0; i < 3; i++) await tasks.ListTasksAsync(new ListTasksRequest { Limit = 1 }, limited, Deadline);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => tasks.ListTasksAsync(new ListTasksRequest { Limit = 1 }, limited, Deadline).ResponseAsync),
            StatusCode.ResourceExhausted, ErrorCodes.RateLimited);
    }

    [Fact]
    public async Task MalformedAndInvalidMessagesAreInvalidArgumentNeverInternal()
    {
        var auth = await OperatorAsync();
        // Bytes that are no protobuf message: field 1 as a length-delimited string running past the end.
        var raw = new Method<byte[], byte[]>(MethodType.Unary, "openmcpchain.v1.TaskService", "GetTask",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var malformed = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.CreateCallInvoker().AsyncUnaryCall(raw, null, new CallOptions(auth, Deadline), [0x0a, 0x7f, 0x41]).ResponseAsync);
        AssertCode(malformed, StatusCode.InvalidArgument, ErrorCodes.InvalidArgument);

        var tasks = new TaskService.TaskServiceClient(_channel);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => tasks.GetTaskAsync(new GetTaskRequest(), auth, Deadline).ResponseAsync),
            StatusCode.InvalidArgument, ErrorCodes.InvalidArgument);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => tasks.ListTasksAsync(new ListTasksRequest { Limit = 0 }, auth, Deadline).ResponseAsync),
            StatusCode.InvalidArgument, ErrorCodes.InvalidLimit);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => tasks.SubmitTaskAsync(new SubmitTaskRequest { Goal = "x", MetadataJson = "[1" },
            auth, Deadline).ResponseAsync), StatusCode.InvalidArgument, ErrorCodes.InvalidArgument);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => tasks.SubmitTaskAsync(new SubmitTaskRequest(), auth, Deadline).ResponseAsync),
            StatusCode.InvalidArgument, ErrorCodes.TaskValidationFailed);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => tasks.GetTaskAsync(new GetTaskRequest { TaskId = "no-such-task" }, auth, Deadline).ResponseAsync),
            StatusCode.NotFound, ErrorCodes.TaskNotFound);
        var audit = new AuditService.AuditServiceClient(_channel);
        AssertCode(await Assert.ThrowsAsync<RpcException>(() => audit.GetEntryAsync(new GetEntryRequest { Index = -1 }, deadline: Deadline).ResponseAsync),
            StatusCode.InvalidArgument, ErrorCodes.InvalidArgument);
    }

    [Fact]
    public async Task ReflectionListsTheServicesAndHealthCheckingAnswersServing()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_channel);
        using var call = reflection.ServerReflectionInfo(deadline: Deadline);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Superset(new HashSet<string> { "openmcpchain.v1.TaskService", "openmcpchain.v1.ApprovalService", "openmcpchain.v1.AuditService",
            "grpc.health.v1.Health" }, services.ToHashSet());

        var health = await new Health.HealthClient(_channel).CheckAsync(new HealthCheckRequest(), deadline: Deadline);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }
}
