using System.Net;
using System.Numerics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using MySqlConnector;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>
/// Every service at two replicas under the AppHost. Each replica is called at its own address, so the work provably
/// spreads over both processes, and what they share (nonces, budgets, the log, anchoring, the task queue) stays whole.
/// </summary>
[Collection(RestartCollection.Name)]
public sealed class ReplicaTests(ReplicatedSystem system) : IClassFixture<ReplicatedSystem>
{
    private const int Transfers = 20;
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(90);
    private SystemRun Run => system.Run;

    [Fact]
    public async Task TwentyParallelTransfersOverBothChainServiceReplicasTakeTwentyConsecutiveNoncesAndAreAllMined()
    {
        var (replicas, clients) = await ChainReplicasAsync();
        var wallet = new EthECKey(await Run.ParameterAsync("chain-wallet-key")).GetPublicAddress();
        var start = await NonceAsync(wallet, BlockParameter.CreatePending());
        // The AppHost's one address for both (what service discovery and the testing builder hand out) answers too.
        var viaProxy = Run.CreateClient("chainservice");
        viaProxy.DefaultRequestHeaders.Authorization = clients[0].DefaultRequestHeaders.Authorization;
        Assert.Equal(31337, (await viaProxy.ToolAsync("get_chain_info", new { })).GetProperty("chain_id").GetInt64());

        var sends = Enumerable.Range(0, Transfers).Select(i => (Replica: i % replicas.Count, To: NewRecipient())).ToList();
        var results = await Task.WhenAll(sends.Select(s => clients[s.Replica].ToolAsync("transfer_native", new { to = s.To, amount = "0.001" })));

        Assert.All(results, r => Assert.Equal("confirmed", r.GetProperty("status").GetString()));
        Assert.Equal(Enumerable.Range(0, Transfers).Select(i => start + i), results.Select(r => r.GetProperty("nonce").GetInt64()).Order());
        Assert.Equal(start + Transfers, await NonceAsync(wallet, BlockParameter.CreateLatest()));
        foreach (var (_, to) in sends)
            Assert.Equal(Web3.Convert.ToWei(0.001m), (await Run.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
        // Each process signed the transfers sent to it, and none had to re-sign after a nonce collision.
        for (var i = 0; i < replicas.Count; i++)
        {
            var signed = results.Where((_, n) => sends[n].Replica == i)
                .Select(r => $"Transaction {r.GetProperty("tx_hash").GetString()} (nonce {r.GetProperty("nonce").GetInt64()}) signed").ToList();
            var logs = await WaitForLogsAsync(replicas[i], signed);
            Assert.DoesNotContain(logs, l => l.Contains("re-signed", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ATaskBudgetThatFitsTenTransfersAdmitsExactlyTenOfTwentySentToBothReplicas()
    {
        var (_, clients) = await ChainReplicasAsync();
        var task = $"replica-budget-{Guid.NewGuid():N}";
        foreach (var client in clients) client.DefaultRequestHeaders.Add("X-Task-Id", task);
        var wallet = new EthECKey(await Run.ParameterAsync("chain-wallet-key")).GetPublicAddress();
        var start = await NonceAsync(wallet, BlockParameter.CreatePending());

        // The devnet's task budget is 20 ETH (ChainService's appsettings): ten sends of 2 ETH fit, the eleventh does not.
        var sends = Enumerable.Range(0, Transfers).Select(i => (Client: clients[i % clients.Length], To: NewRecipient())).ToList();
        var outcomes = await Task.WhenAll(sends.Select(async s =>
        {
            using var response = await s.Client.PostAsJsonAsync("/api/tools/transfer_native", new { to = s.To, amount = "2" }, OpenMcpChainJson.Options);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (response.IsSuccessStatusCode, Code: response.IsSuccessStatusCode ? body.GetProperty("status").GetString() : body.GetProperty("code").GetString());
        }));

        Assert.Equal(10, outcomes.Count(o => o.IsSuccessStatusCode && o.Code == "confirmed"));
        Assert.Equal(10, outcomes.Count(o => !o.IsSuccessStatusCode && o.Code == "POLICY_BUDGET_EXCEEDED"));
        Assert.Equal(start + 10, await NonceAsync(wallet, BlockParameter.CreateLatest()));
        var received = BigInteger.Zero;
        foreach (var (_, to) in sends) received += (await Run.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value;
        Assert.Equal(Web3.Convert.ToWei(20m), received);
    }

    [Fact]
    public async Task AppendsAtBothProofServiceReplicasFormOneLogWithConsecutiveIndexesAndNoGaps()
    {
        var replicas = await Run.ReplicasAsync("proofservice", ReplicatedSystem.Replicas);
        var proofs = replicas.Select(r => r.CreateClient()).ToArray();
        var marker = $"replica-log-{Guid.NewGuid():N}";

        // Single appends and batches at both replicas at once.
        var singles = Enumerable.Range(0, 40).Select(async n =>
        {
            using var response = await proofs[n % proofs.Length].PostAsJsonAsync("/api/log/entries", new { kind = "replica-test", task_id = marker, n });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return new[] { (n, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("index").GetInt64()) };
        });
        var batches = Enumerable.Range(0, 10).Select(async b =>
        {
            var entries = Enumerable.Range(100 + b * 10, 10).Select(n => new { kind = "replica-test", task_id = marker, n }).ToArray();
            using var response = await proofs[b % proofs.Length].PostAsJsonAsync("/api/log/entries/batch", new { entries });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var indexes = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(a => a.GetProperty("index").GetInt64()).ToArray();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => indexes[0] + i), indexes); // a batch stays together
            return entries.Select((e, i) => (e.n, indexes[i])).ToArray();
        });
        var appended = (await Task.WhenAll(singles.Concat(batches))).SelectMany(a => a).ToDictionary(a => a.Item2, a => a.n);
        Assert.Equal(140, appended.Count); // no index given twice

        // Both replicas read the same log: every entry where it was acknowledged, proved against either's tree head.
        var head = await SameTreeHeadAsync(proofs);
        var stored = await proofs[1].GetFromJsonAsync<JsonElement>($"/api/log/entries?task_id={marker}&limit=1000");
        Assert.Equal(appended.Keys.Order(), stored.EnumerateArray().Select(e => e.GetProperty("index").GetInt64()));
        foreach (var entry in stored.EnumerateArray())
        {
            var index = entry.GetProperty("index").GetInt64();
            Assert.Equal(appended[index], JsonDocument.Parse(entry.GetProperty("entry").GetString()!).RootElement.GetProperty("n").GetInt32());
            var proof = await proofs[(int)(index % proofs.Length)].GetFromJsonAsync<JsonElement>(
                $"/api/log/proofs/inclusion?index={index}&tree_size={head.TreeSize}");
            Assert.True(MerkleProof.VerifyInclusion(index, head.TreeSize, entry.GetProperty("leaf_hash").GetString()!.HexToByteArray(),
                [.. proof.GetProperty("path").EnumerateArray().Select(p => p.GetString()!.HexToByteArray())], head.Root.HexToByteArray()));
        }
        // No gap and nothing out of place anywhere in the log, as each replica recomputes it.
        foreach (var proof in proofs)
        {
            var verified = await proof.GetFromJsonAsync<JsonElement>("/api/log/verify");
            Assert.True(verified.GetProperty("ok").GetBoolean(), verified.GetRawText());
            Assert.True(verified.GetProperty("size").GetInt64() >= head.TreeSize);
        }
    }

    [Fact]
    public async Task AnOutcomeSealedAtOneReplicaCommitsToTheEntriesTheOtherAppendedBeforeIt()
    {
        var proofs = (await Run.ReplicasAsync("proofservice", ReplicatedSystem.Replicas)).Select(r => r.CreateClient()).ToArray();
        var signer = new EthECKey(await Run.ParameterAsync("proof-signer-key")).GetPublicAddress();
        for (var round = 0; round < 6; round++)
        {
            var (writer, sealer) = (proofs[round % 2], proofs[(round + 1) % 2]);
            var task = $"replica-seal-{Guid.NewGuid():N}";
            using (var step = await writer.PostAsJsonAsync("/api/log/entries", new { type = "agent_step", task_id = task, n = -1 }))
                Assert.Equal(HttpStatusCode.Created, step.StatusCode);
            // Write decisions arrive at both replicas while the other one seals the outcome.
            var forwards = Enumerable.Range(0, 8).Select(async n =>
            {
                using var response = await proofs[n % 2].PostAsJsonAsync("/api/log/entries", new { type = "chain_write", task_id = task, n });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }).ToList();
            using var attested = await sealer.PostAsJsonAsync("/api/attestations",
                new { task_id = task, goal = "seal across replicas", result = new { reply = $"round {round}" } }, OpenMcpChainJson.Options);
            await Task.WhenAll(forwards);
            Assert.True(attested.IsSuccessStatusCode, $"round {round}: {attested.StatusCode}");
            var provenance = (await attested.Content.ReadFromJsonAsync<Provenance>(OpenMcpChainJson.Options))!;

            var bundle = (await writer.GetFromJsonAsync<ProofBundle>($"/api/bundles/{task}", OpenMcpChainJson.Options))!;
            var verification = ProofBundleVerifier.Verify(bundle, signer);
            Assert.True(verification.Valid, $"round {round}: {string.Join("; ", verification.Problems)}");
            var before = bundle.Entries.Where(e => e.Index < provenance.Log!.Index).ToList();
            var signed = provenance.TypedData!.Value.GetProperty("message");
            Assert.Equal(before.Count, signed.GetProperty("stepLogSize").GetInt64());
            Assert.Equal(MerkleProof.RootOf([.. before.Select(e => e.LeafHash.HexToByteArray())]).ToHex(true),
                signed.GetProperty("stepLogRoot").GetString(), ignoreCase: true);
        }
    }

    [Fact]
    public async Task NeitherProofServiceReplicaAnchorsWhileTheAnchoringLockIsHeldAndEachSizeIsAnchoredOnce()
    {
        var replicas = await Run.ReplicasAsync("proofservice", ReplicatedSystem.Replicas);
        var proofs = replicas.Select(r => r.CreateClient()).ToArray();
        await AppendAsync(proofs);
        await Run.WaitUntilAsync(async () => (await AnchorsAsync(proofs[0])).Any(a => a.Status == "confirmed"), "a first anchor");

        // Whoever holds the lock anchors; while this test holds it, neither replica may, though new entries are due.
        await using var connection = new MySqlConnection(await Run.App.GetConnectionStringAsync("proofdb"));
        await connection.OpenAsync();
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT GET_LOCK('proofdb:anchoring', 30)"));
        var held = await AnchorsAsync(proofs[0]);
        await AppendAsync(proofs);
        var size = (await SameTreeHeadAsync(proofs)).TreeSize;
        await Task.Delay(TimeSpan.FromSeconds(8)); // four anchoring intervals (2 s), eight passes of each worker
        Assert.Equal(held, await AnchorsAsync(proofs[1]));

        Assert.Equal(1L, await ScalarAsync(connection, "SELECT RELEASE_LOCK('proofdb:anchoring')"));
        await Run.WaitUntilAsync(async () => (await AnchorsAsync(proofs[0])).Any(a => a.Status == "confirmed" && a.TreeSize >= size),
            "an anchor of the new entries once the lock is free");

        var anchors = await AnchorsAsync(proofs[1]);
        Assert.All(anchors, a => Assert.Equal("confirmed", a.Status));
        Assert.Equal(anchors.Select(a => a.TreeSize).Distinct().Order(), anchors.Select(a => a.TreeSize).Order());
        // Across both processes: one deployment, and no size anchored twice.
        var logs = new List<string>();
        foreach (var replica in replicas) logs.AddRange(await Run.LogsAsync(replica));
        Assert.Single(logs, l => l.Contains("Deployed the LogAnchor contract", StringComparison.Ordinal));
        var anchored = logs.Where(l => l.Contains("Anchored tree size ", StringComparison.Ordinal)).ToList();
        Assert.Equal(anchored.Count, anchored.Select(l => l.Split(" in ")[0]).Distinct().Count());
    }

    [Fact]
    public async Task TasksSubmittedThroughBothGatewaysRunOnceEachOnBothAgentServiceReplicas()
    {
        var gateways = await Run.ReplicasAsync("gateway", ReplicatedSystem.Replicas);
        var agents = await Run.ReplicasAsync("agentservice", ReplicatedSystem.Replicas);
        // A token one Gateway issued is good at the other.
        var first = new OpenMcpChainClient(gateways[0].CreateClient());
        var token = await first.AuthenticateAsync("operator", await Run.ParameterAsync("gateway-operator-password"));
        var second = gateways[1].CreateClient();
        second.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
        var clients = new[] { first, new OpenMcpChainClient(second) };

        var recipients = Enumerable.Range(0, 2).Select(_ => NewRecipient()).ToList();
        string[] goals = [.. Enumerable.Repeat("What is the latest block number?", 8), .. recipients.Select(r => $"Send 0.01 ETH to {r}")];
        var accepted = await Task.WhenAll(goals.Select((g, i) => clients[i % 2].CreateTaskAsync(new CreateTaskRequest(g))));
        var done = await Task.WhenAll(accepted.Select((t, i) => clients[(i + 1) % 2].WaitForTaskAsync(t.TaskId, TaskTimeout)));

        Assert.All(done, t => Assert.True(t.Status == TaskStatuses.Succeeded && t.Attempts == 1, $"{t.TaskId}: {t.Status} {t.Error} ({t.Attempts} attempts)"));
        foreach (var to in recipients)
            Assert.Equal(Web3.Convert.ToWei(0.01m), (await Run.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
        // Each task ran in exactly one process, and both processes ran some.
        var ranBy = new Dictionary<string, int>();
        for (var i = 0; i < agents.Count; i++)
        {
            var logs = await Run.LogsAsync(agents[i]);
            foreach (var task in accepted.Where(t => logs.Any(l => l.Contains($"Task {t.TaskId} moved to running", StringComparison.Ordinal))))
                Assert.True(ranBy.TryAdd(task.TaskId, i), $"task {task.TaskId} ran in both replicas");
        }
        Assert.Equal(accepted.Length, ranBy.Count);
        Assert.Equal(agents.Count, ranBy.Values.Distinct().Count());
    }

    [Fact]
    public async Task AnAccessTokenRevokedAtOneGatewayStopsWorkingAtTheOtherAtOnce()
    {
        var gateways = await Run.ReplicasAsync("gateway", ReplicatedSystem.Replicas);
        using var issuer = gateways[0].CreateClient();
        var token = await new OpenMcpChainClient(issuer).AuthenticateAsync("operator", await Run.ParameterAsync("gateway-operator-password"));
        var callers = gateways.Select(g => g.CreateClient()).ToArray();
        foreach (var caller in callers) caller.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
        // Used again and again at both, as a client does: each Gateway has checked it (and may remember so) before the revocation.
        for (var i = 0; i < 3; i++)
            foreach (var caller in callers)
            {
                using var answered = await caller.GetAsync("/api/v1/tasks/stats");
                Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            }

        using var anonymous = gateways[0].CreateClient();
        Assert.True((await anonymous.PostFormAsync("/connect/revoke", ("token", token.AccessToken))).IsSuccessStatusCode);
        foreach (var caller in callers.Reverse())
        {
            using var refused = await caller.GetAsync("/api/v1/tasks/stats");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("invalid_token", OAuthClient.ChallengeParameter(refused, "error"));
            caller.Dispose();
        }
    }

    private async Task<(IReadOnlyList<Replica> Replicas, HttpClient[] Clients)> ChainReplicasAsync()
    {
        var replicas = await Run.ReplicasAsync("chainservice", ReplicatedSystem.Replicas);
        Assert.Equal(replicas.Count, replicas.Select(r => r.ProcessId).Distinct().Count());
        var key = await Run.ParameterAsync("chain-agent-key");
        return (replicas, [.. replicas.Select(r => r.CreateClient(key))]);
    }

    private async Task<long> NonceAsync(string address, BlockParameter block) =>
        (long)(await Run.Devnet.Eth.Transactions.GetTransactionCount.SendRequestAsync(address, block)).Value;

    /// <summary>Waits until the replica's logs hold every one of <paramref name="expected"/>; returns them.</summary>
    private async Task<List<string>> WaitForLogsAsync(Replica replica, IReadOnlyList<string> expected)
    {
        List<string> logs = [];
        await Run.WaitUntilAsync(async () =>
        {
            logs = await Run.LogsAsync(replica);
            return expected.All(e => logs.Any(l => l.Contains(e, StringComparison.Ordinal)));
        }, $"{replica.Id} to log {expected.Count} lines");
        return logs;
    }

    private static async Task AppendAsync(HttpClient[] proofs)
    {
        foreach (var (proof, n) in proofs.Select((p, n) => (p, n)))
        {
            using var response = await proof.PostAsJsonAsync("/api/log/entries", new { kind = "replica-anchor-test", n });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    private sealed record Head(long TreeSize, string Root);

    /// <summary>The tree head both replicas report alike (other writers may append meanwhile: asked again until they agree).</summary>
    private async Task<Head> SameTreeHeadAsync(HttpClient[] proofs)
    {
        Head head = null!;
        await Run.WaitUntilAsync(async () =>
        {
            var heads = new List<Head>();
            foreach (var proof in proofs.Append(proofs[0]))
            {
                var h = await proof.GetFromJsonAsync<JsonElement>("/api/log/tree-head");
                heads.Add(new Head(h.GetProperty("tree_size").GetInt64(), h.GetProperty("root").GetString()!));
            }
            head = heads[0];
            return heads.Distinct().Count() == 1;
        }, "both replicas to report the same tree head");
        return head;
    }

    private sealed record AnchorRow(long TreeSize, string Status);

    private static async Task<List<AnchorRow>> AnchorsAsync(HttpClient proofs) =>
        [.. (await proofs.GetFromJsonAsync<JsonElement>("/api/anchors?limit=500")).EnumerateArray()
            .Select(a => new AnchorRow(a.GetProperty("anchor").GetProperty("tree_size").GetInt64(), a.GetProperty("status").GetString()!))];

    private static async Task<long> ScalarAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static string NewRecipient() => EthECKey.GenerateKey().GetPublicAddress();
}
