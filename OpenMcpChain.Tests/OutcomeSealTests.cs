using System.Net;
using System.Net.Http.Json;
using Nethereum.Hex.HexConvertors.Extensions;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>Sealing a task's outcome while write decisions for the same task are still being forwarded into the log.</summary>
[Collection(SystemCollection.Name)]
public sealed class OutcomeSealTests(SystemFixture system)
{
    private const int Rounds = 25;
    private const int Forwarded = 8;

    [Fact]
    public async Task AnOutcomeAttestedWhileItsTasksEntriesArriveCommitsToExactlyTheEntriesBeforeIt()
    {
        var proofs = system.CreateClient("proofservice");
        var signer = await system.ConfiguredProofSignerAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var taskId = $"seal-{Guid.NewGuid():N}";
            using (var step = await proofs.PostAsJsonAsync("/api/log/entries", new { type = "agent_step", task_id = taskId, n = -1 }))
                Assert.Equal(HttpStatusCode.Created, step.StatusCode);

            // Write decisions forwarded one by one and in batches, as ChainService does, racing the attestation.
            var forwards = Enumerable.Range(0, Forwarded).Select(i => ForwardAsync(proofs, taskId, i)).ToList();
            var attest = proofs.PostAsJsonAsync("/api/attestations",
                new { task_id = taskId, goal = "seal race", result = new { reply = $"round {round}" } }, OpenMcpChainJson.Options);
            await Task.WhenAll(forwards);
            using var attested = await attest;
            var provenance = await attested.Content.ReadFromJsonAsync<Provenance>(OpenMcpChainJson.Options);
            Assert.True(attested.IsSuccessStatusCode, $"round {round}: {attested.StatusCode}");

            var bundle = (await proofs.GetFromJsonAsync<ProofBundle>($"/api/bundles/{taskId}", OpenMcpChainJson.Options))!;
            Assert.Equal(1 + 2 * Forwarded + 1, bundle.Entries.Count);
            var verification = ProofBundleVerifier.Verify(bundle, signer);
            Assert.True(verification.Valid, $"round {round}: {string.Join("; ", verification.Problems)}");

            // The attestation commits to exactly the task's entries that precede its outcome entry in the log.
            var outcomeIndex = provenance!.Log!.Index;
            var before = bundle.Entries.Where(e => e.Index < outcomeIndex).ToList();
            var signed = provenance.TypedData!.Value.GetProperty("message");
            Assert.Equal(before.Count, signed.GetProperty("stepLogSize").GetInt64());
            Assert.Equal(MerkleProof.RootOf([.. before.Select(e => e.LeafHash.HexToByteArray())]).ToHex(true),
                signed.GetProperty("stepLogRoot").GetString(), ignoreCase: true);
        }
    }

    /// <summary>Forwards two write decisions: one alone, one in a batch beside an entry of no task.</summary>
    private static async Task ForwardAsync(HttpClient proofs, string taskId, int n)
    {
        using var single = await proofs.PostAsJsonAsync("/api/log/entries",
            new { type = "chain_write", task_id = taskId, n, policy_decision = "allowed" });
        Assert.Equal(HttpStatusCode.Created, single.StatusCode);
        using var batch = await proofs.PostAsJsonAsync("/api/log/entries/batch", new
        {
            entries = new object[]
            {
                new { type = "chain_write", task_id = taskId, n = Forwarded + n, policy_decision = "allowed" },
                new { type = "chain_write", n },
            },
        });
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
    }
}
