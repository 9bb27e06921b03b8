using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>Outcome attestations checked with foundry's <c>cast</c>, an EIP-712 implementation the service does not use.</summary>
[Collection(SystemCollection.Name)]
public sealed class TypedDataTests(SystemFixture system)
{
    private const string DevnetKey = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"; // anvil #9, devnet only
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan CastTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OutcomeTypedDataIsSignedByteForByteAsFoundrySignsIt()
    {
        var typedData = TaskOutcomeTypedData.Build("task-1", "What is the latest block number?", "{\"reply\":\"42\"}",
            new byte[32], 3, ["0x3333333333333333333333333333333333333333333333333333333333333333"], 1_795_602_858);
        var path = await WriteTempAsync(typedData);
        try
        {
            var ours = new Eip712TypedDataSigner().SignTypedDataV4(typedData, new EthECKey(DevnetKey));
            var foundrys = await CastAsync("wallet", "sign", "--private-key", DevnetKey, "--data", "--from-file", path);

            Assert.Equal(foundrys, ours, ignoreCase: true);
            Assert.Equal(new EthECKey(DevnetKey).GetPublicAddress(), new Eip712TypedDataSigner().RecoverFromSignatureV4(typedData, ours), ignoreCase: true);
            // ProofService's signer (Secp256k1Signer over Nethereum's encoding) too.
            var proofService = new Secp256k1Signer(DevnetKey).SignHash(Nethereum.Util.Sha3Keccack.Current.CalculateHash(new Eip712TypedDataSigner().EncodeTypedData(typedData)));
            Assert.Equal(foundrys, proofService, ignoreCase: true);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task AReadOnlyTasksProvenanceVerifiesWithFoundryAgainstTheConfiguredSigner()
    {
        var provenance = (await RunAsync("What is the latest block number?")).Result!.Provenance!;
        Assert.Equal(0, provenance.TypedData!.Value.GetProperty("message").GetProperty("txHashes").GetArrayLength());
        await AssertFoundryVerifiesAsync(provenance);
    }

    [Fact]
    public async Task ATransferTasksProvenanceNamesItsTransactionAndVerifiesWithFoundry()
    {
        var recipient = EthECKey.GenerateKey().GetPublicAddress();
        var task = await RunAsync($"Send 0.001 ETH to {recipient}");
        var provenance = task.Result!.Provenance!;
        var sent = task.Result.ToolCalls.Single(o => o.Tool == "transfer_native");
        var txHash = JsonDocument.Parse(sent.Output).RootElement.GetProperty("tx_hash").GetString()!;
        Assert.Equal([txHash.ToLowerInvariant()],
            provenance.TypedData!.Value.GetProperty("message").GetProperty("txHashes").EnumerateArray().Select(h => h.GetString()));
        await AssertFoundryVerifiesAsync(provenance);
    }

    /// <summary>
    /// cast recovers the configured signer from the signature over the typed data (and refuses another address or edited
    /// data), signs the same typed data with the configured key to the identical signature, and its keccak reproduces the
    /// goal and result hashes that bind the readable outcome.
    /// </summary>
    private async Task AssertFoundryVerifiesAsync(Provenance provenance)
    {
        var key = await system.ParameterAsync("proof-signer-key");
        var signer = await CastAsync("wallet", "address", "--private-key", key);
        Assert.Equal(new EthECKey(key).GetPublicAddress(), signer, ignoreCase: true);
        Assert.Equal("eip712", provenance.Scheme);

        var typedData = provenance.TypedData!.Value.GetRawText();
        var edited = JsonNode.Parse(typedData)!;
        edited["message"]!["timestamp"] = edited["message"]!["timestamp"]!.GetValue<long>() + 1;
        var path = await WriteTempAsync(typedData);
        var editedPath = await WriteTempAsync(edited.ToJsonString());
        try
        {
            await CastAsync("wallet", "verify", "--address", signer, "--data", "--from-file", path, provenance.Signature);
            Assert.Equal(provenance.Signature, await CastAsync("wallet", "sign", "--private-key", key, "--data", "--from-file", path), ignoreCase: true);
            Assert.NotEqual(0, (await RunCastAsync("wallet", "verify", "--address", "0x000000000000000000000000000000000000dEaD",
                "--data", "--from-file", path, provenance.Signature)).ExitCode);
            Assert.NotEqual(0, (await RunCastAsync("wallet", "verify", "--address", signer, "--data", "--from-file", editedPath, provenance.Signature)).ExitCode);
        }
        finally
        {
            File.Delete(path);
            File.Delete(editedPath);
        }

        var signed = provenance.TypedData.Value.GetProperty("message");
        var readable = JsonNode.Parse(provenance.Message)!;
        Assert.Equal(readable["task_id"]!.GetValue<string>(), signed.GetProperty("taskId").GetString());
        Assert.Equal(await CastAsync("keccak", readable["goal"]!.GetValue<string>()), signed.GetProperty("goalHash").GetString(), ignoreCase: true);
        Assert.Equal(await CastAsync("keccak", CanonicalJson.Serialize(readable["result"])), signed.GetProperty("resultHash").GetString(), ignoreCase: true);
    }

    private async Task<TaskResponse> RunAsync(string goal)
    {
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest(goal));
        var task = await system.Client.WaitForTaskAsync(accepted.TaskId, TaskTimeout);
        Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");
        return task;
    }

    private static async Task<string> WriteTempAsync(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"typed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    /// <summary>Runs cast and returns its trimmed output, failing the test on a non-zero exit.</summary>
    private static async Task<string> CastAsync(params string[] args)
    {
        var (exitCode, output, error) = await RunCastAsync(args);
        Assert.True(exitCode == 0, $"cast {args[0]} {args[1]}: {error}");
        return output;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunCastAsync(params string[] args)
    {
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "tools", "node_modules")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("tools/node_modules not found: run scripts/prereqs.sh");
        var start = new ProcessStartInfo(Path.Combine(root, "tools", "node_modules", "@foundry-rs", "cast-linux-amd64", "bin", "cast"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(CastTimeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var error = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token);
            return (process.ExitCode, (await output).Trim(), (await error).Trim());
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cast {string.Join(' ', args.Take(2))} did not finish within {CastTimeout}.");
        }
    }
}
