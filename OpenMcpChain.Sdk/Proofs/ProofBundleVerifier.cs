using System.Numerics;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Nethereum.Signer;
using Nethereum.Util;
using Nethereum.Web3;

namespace OpenMcpChain.Sdk.Proofs;

/// <summary>
/// Checks a <see cref="ProofBundle"/>: signatures, leaf hashes and inclusion proofs offline, and — given a JSON-RPC URL
/// of the chain — that the tree head was anchored by the signer in the stated transaction.
/// </summary>
public static class ProofBundleVerifier
{
    /// <summary>keccak256("Anchored(bytes32,uint256,uint256)"), the anchor contract's event.</summary>
    public static readonly string AnchoredTopic = "0x" + Sha3Keccack.Current.CalculateHash("Anchored(bytes32,uint256,uint256)");

    /// <summary>
    /// The checks that need no network. <paramref name="expectedSigner"/> pins the signer the caller trusts. Never throws:
    /// a bundle missing a member (<see cref="ProofBundleShape"/>) or holding malformed hex is invalid, with each problem named.
    /// </summary>
    public static BundleVerification Verify(ProofBundle bundle, string? expectedSigner = null)
    {
        if (ProofBundleShape.Problems(bundle) is { Count: > 0 } missing)
            return Result([new(BundleChecks.Shape, "The bundle has every member a check needs", missing)], bundle?.Anchor is not null, false);
        var checks = new List<BundleCheck>();
        var signer = bundle.Attestation.Signer;
        if (expectedSigner is not null)
            checks.Add(new(BundleChecks.Signer, $"The attestation names the expected signer {expectedSigner}", SameHex(signer, expectedSigner)
                ? [] : [$"The attestation names signer {signer}, not the expected {expectedSigner}."]));
        checks.Add(new(BundleChecks.AttestationSignature, $"The attestation's signature recovers to {signer} and binds the outcome",
            ProvenanceVerifier.SignatureProblems(bundle.Attestation, signer) is { Count: > 0 } signature
                ? ["The attestation's signature does not recover to its signer, or its typed data does not bind the outcome: "
                   + string.Join(" ", signature.Select(p => "attestation." + p))]
                : []));

        var head = bundle.TreeHead;
        var root = Bytes(head.Root);
        checks.Add(new(BundleChecks.TreeHead, $"The tree head (size {head.TreeSize}) is signed by the signer", TreeHeadProblems(head, signer)));

        var inclusion = new List<string>();
        if (bundle.Entries.Count == 0) inclusion.Add("The bundle has no log entries.");
        var entries = bundle.Entries.Select(e => (Entry: e, Json: StrictJson.Object(e.Entry))).ToList();
        for (var i = 0; i < entries.Count; i++)
        {
            var (entry, json) = entries[i];
            var leaf = MerkleProof.LeafHash(System.Text.Encoding.UTF8.GetBytes(entry.Entry));
            var path = entry.InclusionPath.Select(Bytes).ToList();
            if (!SameHex(leaf.ToHex(true), entry.LeafHash))
                inclusion.Add($"Entry {entry.Index}: its text does not hash to its leaf hash.");
            else if (path.IndexOf(null) is >= 0 and var bad)
                inclusion.Add($"entries[{i}].inclusion_path[{bad}] is not 0x and 64 hex digits.");
            else if (root is null || !MerkleProof.VerifyInclusion(entry.Index, head.TreeSize, leaf, path!, root))
                inclusion.Add($"Entry {entry.Index}: the inclusion proof does not lead to the tree head's root.");
            if (json?.StringMember("task_id") != bundle.TaskId)
                inclusion.Add($"Entry {entry.Index} is not about task {bundle.TaskId}.");
        }
        checks.Add(new(BundleChecks.Inclusion, $"The task's {entries.Count} log entries are included in the tree head", inclusion));

        var outcome = entries.FirstOrDefault(e => e.Json is { } n && n.StringMember("type") == "task_outcome"
                                                  && n.StringMember("signature") == bundle.Attestation.Signature).Entry;
        checks.Add(new(BundleChecks.Outcome, "The log records the attestation and the step log it commits to", outcome is null
            ? ["No log entry records this attestation (type task_outcome with its signature)."]
            : StepLogMismatch(bundle, outcome) is { } mismatch ? [mismatch] : []));

        if (bundle.Anchor is { } anchor)
        {
            var anchorProblems = MalformedAnchor(anchor);
            if (anchor.TreeSize != head.TreeSize || !SameHex(anchor.Root, head.Root))
                anchorProblems.Add("The anchor is for a different tree head than the proofs lead to.");
            checks.Add(new(BundleChecks.Anchor, $"The anchor (transaction {anchor.TxHash}, block {anchor.BlockNumber}) is for this tree head", anchorProblems));
        }
        return Result(checks, bundle.Anchor is not null, false);
    }

    /// <summary>
    /// <see cref="Verify"/>, then on chain: the anchor transaction succeeded, called the anchor contract, and emitted
    /// <c>Anchored(root, size)</c> from it in the stated block; the contract records the root at that size and names
    /// the attestation's signer as its only anchorer.
    /// </summary>
    public static async Task<BundleVerification> VerifyAsync(ProofBundle bundle, string rpcUrl, string? expectedSigner = null)
    {
        var offline = Verify(bundle, expectedSigner);
        const string title = "The anchor is on chain: its transaction emitted the root, the contract records it, signed by the signer";
        if (bundle.Anchor is not { } anchor)
            return Result([.. offline.Checks, new(BundleChecks.AnchorOnChain, title, ["The bundle has no anchor to check on chain."])], offline.Anchored, false);
        // A bundle without an attestation is already invalid offline; its anchor is still looked at, against no signer.
        var onChain = (await CheckAnchorAsync(anchor, bundle.Attestation?.Signer ?? "", rpcUrl)).Except(offline.Problems).ToList();
        return Result([.. offline.Checks, new(BundleChecks.AnchorOnChain, title, onChain)], true, true);
    }

    /// <summary>
    /// What is wrong with a signed tree head, offline (none when it holds): its root is 0x and 64 hex digits, its message is
    /// the canonical text of its size, root and time, and it names and is signed (EIP-191) by <paramref name="signer"/>.
    /// </summary>
    public static List<string> TreeHeadProblems(SignedTreeHead head, string signer)
    {
        var problems = new List<string>();
        if (Bytes(head.Root) is null) problems.Add("tree_head.root is not 0x and 64 hex digits.");
        if (head.Message != SignedTreeHead.MessageFor(head.TreeSize, head.Root, head.Timestamp))
            problems.Add("The tree head's message is not the canonical text of its size, root and time.");
        if (!SameHex(head.Signer, signer) || !SameHex(ProvenanceVerifier.RecoverPersonalSigner(head.Message, head.Signature), signer))
            problems.Add("The tree head is not signed by the attestation's signer.");
        return problems;
    }

    private static BundleVerification Result(List<BundleCheck> checks, bool anchored, bool onChain) =>
        new(checks.All(c => c.Passed), anchored, onChain, [.. checks.SelectMany(c => c.Problems)]) { Checks = checks };

    /// <summary>
    /// On chain: the anchor transaction succeeded, called the anchor contract and emitted <c>Anchored(root, size)</c>
    /// from it in the stated block; the contract stores that root at that size and names <paramref name="signer"/> as
    /// its only anchorer. Returns the problems found (none when all holds); a malformed anchor is reported without asking the chain.
    /// </summary>
    /// <exception cref="RpcClientUnknownException">The RPC endpoint could not be reached (not a verdict on the anchor).</exception>
    public static async Task<List<string>> CheckAnchorAsync(AnchorRecord anchor, string signer, string rpcUrl)
    {
        var problems = MalformedAnchor(anchor);
        if (!Hashes.IsAddress(signer)) problems.Add("The attestation's signer is not an address (0x and 40 hex digits).");
        if (problems.Count > 0) return problems;
        var web3 = new Web3(rpcUrl);
        var chainId = (long)(await web3.Eth.ChainId.SendRequestAsync()).Value;
        if (chainId != anchor.ChainId) problems.Add($"The RPC serves chain {chainId}, the anchor is on chain {anchor.ChainId}.");

        var receipt = await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(anchor.TxHash);
        if (receipt is null)
        {
            problems.Add($"Transaction {anchor.TxHash} is not on this chain.");
        }
        else
        {
            if (receipt.Status?.Value != 1) problems.Add($"Transaction {anchor.TxHash} did not succeed.");
            if (!SameHex(receipt.To, anchor.Contract)) problems.Add($"Transaction {anchor.TxHash} did not call {anchor.Contract}.");
            if ((long)receipt.BlockNumber.Value != anchor.BlockNumber) problems.Add($"Transaction {anchor.TxHash} is in block {receipt.BlockNumber.Value}, not {anchor.BlockNumber}.");
            var sizeTopic = "0x" + new BigInteger(anchor.TreeSize).ToString("x").PadLeft(64, '0');
            if (receipt.Logs?.Any(log => SameHex(log.Address, anchor.Contract)
                    && log.Topics is { Length: 3 } topics
                    && SameHex(topics[0]?.ToString(), AnchoredTopic) && SameHex(topics[1]?.ToString(), anchor.Root)
                    && SameHex(topics[2]?.ToString(), sizeTopic)) != true)
                problems.Add($"Transaction {anchor.TxHash} emitted no Anchored({anchor.Root}, {anchor.TreeSize}) from the contract.");
        }

        var recorded = await CallAsync(web3, anchor.Contract, "rootAt(uint256)", new BigInteger(anchor.TreeSize));
        if (!SameHex(recorded, anchor.Root)) problems.Add($"The contract records root {recorded ?? "(none: the call failed)"} at size {anchor.TreeSize}, not {anchor.Root}.");
        var contractSigner = await CallAsync(web3, anchor.Contract, "signer()");
        if (contractSigner is not { Length: >= 42 } || !SameHex("0x" + contractSigner[^40..], signer))
            problems.Add($"The contract's signer is not the attestation's signer {signer}.");
        return problems;
    }

    /// <summary>What makes an anchor record unfit to look up on chain (fields named as the API spells them).</summary>
    private static List<string> MalformedAnchor(AnchorRecord anchor)
    {
        var problems = new List<string>();
        if (!Hashes.IsAddress(anchor.Contract)) problems.Add("anchor.contract is not an address (0x and 40 hex digits).");
        if (!Hashes.IsHash(anchor.TxHash)) problems.Add("anchor.tx_hash is not 0x and 64 hex digits.");
        if (!Hashes.IsHash(anchor.Root)) problems.Add("anchor.root is not 0x and 64 hex digits.");
        if (anchor.TreeSize < 1) problems.Add("anchor.tree_size must be at least 1.");
        if (anchor.BlockNumber < 0 || anchor.ChainId < 0) problems.Add("anchor.block_number and anchor.chain_id must not be negative.");
        return problems;
    }

    /// <summary>An <c>eth_call</c>; null when the node answers with an error (say, a revert: the address holds another contract).</summary>
    private static async Task<string?> CallAsync(Web3 web3, string contract, string signature, BigInteger? argument = null)
    {
        var data = "0x" + Sha3Keccack.Current.CalculateHash(signature)[..8]
                   + (argument is { } a ? a.ToString("x").PadLeft(64, '0') : "");
        try
        {
            return await web3.Eth.Transactions.Call.SendRequestAsync(new Nethereum.RPC.Eth.DTOs.CallInput(data, contract));
        }
        catch (RpcResponseException)
        {
            return null;
        }
    }

    /// <summary>
    /// The attestation commits to the task's step log: the root and count of the task's entries that precede its
    /// outcome entry. The bundle's entries must reproduce both.
    /// </summary>
    private static string? StepLogMismatch(ProofBundle bundle, BundleEntry outcome)
    {
        if (bundle.Attestation.Scheme != "eip712") return null;
        if (TaskOutcomeTypedData.Read(bundle.Attestation.TypedData, out _) is not { } signed) return null; // reported with the signature
        var steps = bundle.Entries.Where(e => e.Index < outcome.Index).Select(e => Bytes(e.LeafHash)).ToList();
        if (steps.Any(s => s is null) || steps.Count != signed.StepLogSize || !SameHex(MerkleProof.RootOf(steps!).ToHex(true), signed.StepLogRoot))
            return "The attestation's step log (root and size) does not match the task's log entries before its outcome.";
        return null;
    }

    private static bool SameHex(string? a, string? b) => a is not null && b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static byte[]? Bytes(string? hex) => Hashes.IsHash(hex) ? hex.HexToByteArray() : null;
}
