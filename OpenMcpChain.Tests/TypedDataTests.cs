using System.Diagnostics;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

public sealed class TypedDataTests
{
    private const string DevnetKey = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"; // anvil #9, devnet only

    [Fact]
    public async Task OutcomeTypedDataIsSignedByteForByteAsFoundrySignsIt()
    {
        var typedData = TaskOutcomeTypedData.Build("task-1", "What is the latest block number?", "{\"reply\":\"42\"}",
            new byte[32], 3, ["0x3333333333333333333333333333333333333333333333333333333333333333"], 1_795_602_858);
        var path = Path.Combine(Path.GetTempPath(), $"typed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, typedData);
        try
        {
            var ours = new Eip712TypedDataSigner().SignTypedDataV4(typedData, new EthECKey(DevnetKey));
            var foundrys = await CastAsync("wallet", "sign", "--private-key", DevnetKey, "--data", "--from-file", path);

            Assert.Equal(foundrys, ours, ignoreCase: true);
            Assert.Equal(new EthECKey(DevnetKey).GetPublicAddress(), new Eip712TypedDataSigner().RecoverFromSignatureV4(typedData, ours), ignoreCase: true);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<string> CastAsync(params string[] args)
    {
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "tools", "node_modules"))) root = Path.GetDirectoryName(root)!;
        var start = new ProcessStartInfo(Path.Combine(root, "tools", "node_modules", "@foundry-rs", "cast-linux-amd64", "bin", "cast"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return output.Trim();
    }
}
