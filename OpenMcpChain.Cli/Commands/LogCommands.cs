using System.CommandLine;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Cli.Commands;

/// <summary><c>log tree-head</c>: the transparency log's current signed tree head, checked here as the bundle verifier checks one.</summary>
public static class LogCommands
{
    /// <summary>What <c>log tree-head --json</c> prints: the tree head as served, and whether its signature recovers to its signer.</summary>
    public sealed record TreeHeadReport(long TreeSize, string Root, long Timestamp, string Signer, string Signature, string Message, bool SignatureVerified);

    public static Command Create()
    {
        var treeHead = new Command("tree-head", "Show the log's current size and root, signed by the ProofService signer");
        treeHead.SetAction(Cli.Action(async (cli, _, ct) =>
        {
            var head = await (await cli.ConnectAsync(ct)).GetTreeHeadAsync(ct);
            var report = new TreeHeadReport(head.TreeSize, head.Root, head.Timestamp, head.Signer, head.Signature, head.Message,
                ProofBundleVerifier.TreeHeadProblems(head, head.Signer).Count == 0);
            cli.Print(report, o =>
            {
                TaskText.Field(o, "size", report.TreeSize.ToString());
                TaskText.Field(o, "root", report.Root);
                TaskText.Field(o, "time", TaskText.Time(report.Timestamp));
                TaskText.Field(o, "signer", report.Signer);
                TaskText.Field(o, "signature", report.SignatureVerified ? "verified" : "NOT VERIFIED");
            });
            return report.SignatureVerified ? ExitCodes.Ok : ExitCodes.NotVerified;
        }));
        return new Command("log", "The transparency log") { treeHead };
    }
}
