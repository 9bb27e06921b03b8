using System.CommandLine;
using System.Text.Json;
using Nethereum.JsonRpc.Client;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Cli.Commands;

/// <summary>
/// <c>verify &lt;task-id | bundle.json&gt;</c>: checks a task's proof bundle on this machine with the SDK's verifier (the
/// server is asked only for the bundle, never for a verdict); <c>--rpc</c> also checks the anchor on chain.
/// </summary>
public static class VerifyCommand
{
    /// <summary>What <c>verify --json</c> prints.</summary>
    public sealed record Report(string TaskId, bool Verified, bool Anchored, bool AnchorCheckedOnChain, List<BundleCheck> Checks, List<string> Problems);

    public static Command Create()
    {
        var target = new Argument<string>("task-id-or-file") { Description = "A task id (its bundle is fetched) or a bundle saved as JSON" };
        var rpc = new Option<string?>("--rpc") { Description = "A JSON-RPC URL of the anchor's chain: also check the anchor transaction and contract there" };
        var signer = new Option<string?>("--signer") { Description = "The signer address you trust (else the bundle's own signer is checked for consistency)" };
        var save = new Option<string?>("--save", "-o") { Description = "Also write the fetched bundle to this file (to verify later, offline)" };
        var command = new Command("verify", "Verify a task's proof bundle offline: signature, tree head, inclusion proofs, anchor")
        {
            target, rpc, signer, save,
        };
        command.SetAction(Cli.Action(async (cli, parse, ct) =>
        {
            var bundle = await LoadAsync(cli, parse.GetValue(target)!, ct);
            if (parse.GetValue(save) is { Length: > 0 } path)
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(bundle, Cli.Indented), ct);
            BundleVerification result;
            try
            {
                result = parse.GetValue(rpc) is { Length: > 0 } url
                    ? await ProofBundleVerifier.VerifyAsync(bundle, url, parse.GetValue(signer))
                    : ProofBundleVerifier.Verify(bundle, parse.GetValue(signer));
            }
            catch (RpcClientUnknownException e)
            {
                throw new CliException("RPC_UNREACHABLE", $"Could not reach the chain at {parse.GetValue(rpc)}: {e.Message}");
            }
            var report = new Report(bundle.TaskId, result.Valid, result.Anchored, result.AnchorCheckedOnChain, result.Checks, result.Problems);
            cli.Print(report, o => Print(o, report));
            return result.Valid ? ExitCodes.Ok : ExitCodes.NotVerified;
        }));
        return command;
    }

    private static async Task<ProofBundle> LoadAsync(Cli cli, string target, CancellationToken ct)
    {
        if (!File.Exists(target)) return await (await cli.ConnectAsync(ct)).GetBundleAsync(target, ct);
        try
        {
            return JsonSerializer.Deserialize<ProofBundle>(await File.ReadAllTextAsync(target, ct), OpenMcpChainJson.Options)
                   ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new CliException("INVALID_BUNDLE", $"{target} is not a proof bundle (JSON as GET /api/v1/bundles/{{task_id}} answers): {e.Message}");
        }
    }

    private static void Print(TextWriter o, Report report)
    {
        o.WriteLine($"Proof bundle of task {report.TaskId}");
        foreach (var check in report.Checks)
        {
            o.WriteLine($"  {(check.Passed ? "verified    " : "NOT VERIFIED")}  {check.Title}");
            foreach (var problem in check.Problems) o.WriteLine($"                - {problem}");
        }
        if (!report.Anchored) o.WriteLine("  (not anchored yet: the proofs lead to a tree head the signer signed just now)");
        else if (!report.AnchorCheckedOnChain) o.WriteLine("  (the anchor transaction was not looked up on chain: give --rpc <url> to do so)");
        o.WriteLine(report.Verified ? "Result: verified" : "Result: not verified");
    }
}
