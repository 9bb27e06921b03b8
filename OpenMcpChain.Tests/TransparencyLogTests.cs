using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

[Collection(SystemCollection.Name)]
public sealed class TransparencyLogTests(SystemFixture system)
{
    private HttpClient Proofs => system.CreateClient("proofservice");

    private async Task<JsonElement> GetAsync(string url)
    {
        using var response = await Proofs.GetAsync(url);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {body}");
        return body;
    }

    /// <summary>
    /// The tree head's signature recovers to the signer the AppHost configures (not merely to the address the same
    /// response names), over exactly the canonical text of its size, root and time.
    /// </summary>
    private async Task AssertSignedByTheConfiguredSignerAsync(JsonElement head)
    {
        var message = head.GetProperty("message").GetString()!;
        Assert.Equal(SignedTreeHead.MessageFor(head.GetProperty("tree_size").GetInt64(), head.GetProperty("root").GetString()!,
            head.GetProperty("timestamp").GetInt64()), message);
        var configured = await system.ConfiguredProofSignerAsync();
        Assert.Equal(configured, new EthereumMessageSigner().EncodeUTF8AndEcRecover(message, head.GetProperty("signature").GetString()), ignoreCase: true);
        Assert.Equal(configured, head.GetProperty("signer").GetString(), ignoreCase: true);
    }

    [Fact]
    public async Task ConcurrentAppendsEachLandWhereTheirAnswerSaysAndEveryEntryIsProvablyInTheSignedTree()
    {
        var before = (await GetAsync("/api/log/tree-head")).GetProperty("tree_size").GetInt64();
        var marker = Guid.NewGuid().ToString("N");

        var appended = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            using var response = await Proofs.PostAsJsonAsync("/api/log/entries", new { kind = "test", marker, n = i, b = "z", a = 1, task_id = $"t-{marker}" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (N: i, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
        }));

        // Every append landed exactly where its answer says, once. (Not necessarily side by side: ChainService
        // forwards write decisions into the same log at any time; a batch's consecutive indexes are tested below.)
        var indexes = appended.Select(a => a.Body.GetProperty("index").GetInt64()).Order().ToList();
        Assert.Equal(100, indexes.Distinct().Count());
        Assert.True(indexes[0] >= before);
        var stored = await GetAsync($"/api/log/entries?task_id=t-{marker}&limit=1000");
        Assert.Equal(appended.OrderBy(a => a.Body.GetProperty("index").GetInt64()).Select(a => (a.Body.GetProperty("index").GetInt64(), a.N)),
            stored.EnumerateArray().Select(e => (e.GetProperty("index").GetInt64(),
                JsonDocument.Parse(e.GetProperty("entry").GetString()!).RootElement.GetProperty("n").GetInt32())));

        var head = await GetAsync("/api/log/tree-head");
        var size = head.GetProperty("tree_size").GetInt64();
        var root = head.GetProperty("root").GetString()!.HexToByteArray();
        Assert.True(size >= before + 100);
        await AssertSignedByTheConfiguredSignerAsync(head);

        foreach (var (n, body) in appended.Where(a => a.N % 17 == 0))
        {
            var index = body.GetProperty("index").GetInt64();
            var entry = await GetAsync($"/api/log/entries/{index}");
            // Stored as canonical JSON: keys sorted, no whitespace.
            Assert.Equal($"{{\"a\":1,\"b\":\"z\",\"kind\":\"test\",\"marker\":\"{marker}\",\"n\":{n},\"task_id\":\"t-{marker}\"}}", entry.GetProperty("entry").GetString());
            var leaf = MerkleProof.LeafHash(Encoding.UTF8.GetBytes(entry.GetProperty("entry").GetString()!));
            Assert.Equal(body.GetProperty("leaf_hash").GetString(), leaf.ToHex(true));

            var proof = await GetAsync($"/api/log/proofs/inclusion?index={index}&tree_size={size}");
            var path = proof.GetProperty("path").EnumerateArray().Select(p => p.GetString()!.HexToByteArray()).ToList();
            Assert.True(MerkleProof.VerifyInclusion(index, size, leaf, path, root));
            Assert.False(MerkleProof.VerifyInclusion(index, size, MerkleProof.LeafHash("{}"u8), path, root));

            // A proof to an older tree head (the log has grown since) leads to that head's root.
            var older = await GetAsync($"/api/log/proofs/inclusion?index={index}&tree_size={index + 1}");
            Assert.Equal(index + 1, older.GetProperty("tree_size").GetInt64());
            var olderPath = older.GetProperty("path").EnumerateArray().Select(p => p.GetString()!.HexToByteArray()).ToList();
            Assert.True(MerkleProof.VerifyInclusion(index, index + 1, leaf, olderPath, older.GetProperty("root").GetString()!.HexToByteArray()));
        }
    }

    [Fact]
    public async Task ABatchIsAppendedInOrderAtConsecutiveIndexesAndABadBatchStoresNothing()
    {
        var marker = Guid.NewGuid().ToString("N");
        var entries = Enumerable.Range(0, 25).Select(i => new { kind = "batch", marker, n = i, task_id = $"task-{marker}" }).ToArray();
        // Concurrent single appends must not land between the batch's entries.
        var noise = Enumerable.Range(0, 20).Select(i => Proofs.PostAsJsonAsync("/api/log/entries", new { kind = "noise", marker, n = i })).ToList();
        using var response = await Proofs.PostAsJsonAsync("/api/log/entries/batch", new { entries });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        foreach (var r in await Task.WhenAll(noise)) r.EnsureSuccessStatusCode();

        var indexes = body.EnumerateArray().Select(e => e.GetProperty("index").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, 25).Select(i => indexes[0] + i), indexes);
        for (var i = 0; i < 25; i += 8)
        {
            var stored = await GetAsync($"/api/log/entries/{indexes[i]}");
            Assert.Equal(i, JsonDocument.Parse(stored.GetProperty("entry").GetString()!).RootElement.GetProperty("n").GetInt32());
            Assert.Equal(body[i].GetProperty("leaf_hash").GetString(), stored.GetProperty("leaf_hash").GetString());
        }

        // Each bad batch holds valid entries filed under one task: none of them may be stored. (The log's size is no
        // measure here: ChainService forwards earlier write decisions into the same log at any time.)
        var badTask = $"bad-{marker}";
        foreach (var bad in new object[]
                 {
                     new { entries = Array.Empty<object>() },
                     new { entries = new object[] { new { a = 1, task_id = badTask }, new { } } },
                     new { entries = new object[] { new { a = 1, task_id = badTask }, new { task_id = 7 } } },
                     new { entries = Enumerable.Range(0, 1001).Select(i => new { i, task_id = badTask }).ToArray() },
                 })
        {
            using var refused = await Proofs.PostAsJsonAsync("/api/log/entries/batch", bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("INVALID_ARGUMENT", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
        Assert.Equal(0, (await GetAsync($"/api/log/entries?task_id={badTask}")).GetArrayLength());
    }

    [Fact]
    public async Task VerifyingTheLogWhileEntriesAreAppendedFindsNothingWrong()
    {
        using var appending = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var appender = Task.Run(async () =>
        {
            for (var n = 0; !appending.IsCancellationRequested; n++)
            {
                using var response = await Proofs.PostAsJsonAsync("/api/log/entries", new { kind = "busy-log", n }, CancellationToken.None);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        });
        try
        {
            // A verifier that reads the log in pieces while it grows must not mistake a fresh append for tampering.
            for (var i = 0; i < 25; i++)
            {
                var report = await GetAsync("/api/log/verify");
                Assert.True(report.GetProperty("ok").GetBoolean(), $"verify #{i} during appends: {report}");
            }
        }
        finally
        {
            await appending.CancelAsync();
            await appender;
        }
    }

    [Fact]
    public async Task LaterTreeHeadsAreProvablyExtensionsOfEarlierOnes()
    {
        using (var r = await Proofs.PostAsJsonAsync("/api/log/entries", new { kind = "test", step = "first" })) Assert.True(r.IsSuccessStatusCode);
        var earlier = await GetAsync("/api/log/tree-head");
        for (var i = 0; i < 7; i++)
            using (var r = await Proofs.PostAsJsonAsync("/api/log/entries", new { kind = "test", step = i })) Assert.True(r.IsSuccessStatusCode);
        var later = await GetAsync("/api/log/tree-head");

        await AssertSignedByTheConfiguredSignerAsync(earlier);
        await AssertSignedByTheConfiguredSignerAsync(later);
        var (m, n) = (earlier.GetProperty("tree_size").GetInt64(), later.GetProperty("tree_size").GetInt64());
        var consistency = await GetAsync($"/api/log/proofs/consistency?first={m}&second={n}");
        var proof = consistency.GetProperty("proof").EnumerateArray().Select(p => p.GetString()!.HexToByteArray()).ToList();

        Assert.True(MerkleProof.VerifyConsistency(m, n, earlier.GetProperty("root").GetString()!.HexToByteArray(),
            later.GetProperty("root").GetString()!.HexToByteArray(), proof));
    }

    [Theory]
    [InlineData("/api/log/proofs/inclusion?index=-1")]
    [InlineData("/api/log/proofs/inclusion?index=999999999")]
    [InlineData("/api/log/proofs/consistency?first=0")]
    [InlineData("/api/log/proofs/consistency?first=5&second=999999999")]
    public async Task ProofRequestsOutsideTheTreeAreCodedErrors(string url)
    {
        using var response = await Proofs.GetAsync(url);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("LOG_INDEX_OUT_OF_RANGE", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnEmptyOrNonObjectEntryIsRejected()
    {
        using var empty = await Proofs.PostAsync("/api/log/entries", new StringContent("{}", Encoding.UTF8, "application/json"));
        using var array = await Proofs.PostAsync("/api/log/entries", new StringContent("[1]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, array.StatusCode);
        Assert.Equal("INVALID_ARGUMENT", (await array.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }
}
