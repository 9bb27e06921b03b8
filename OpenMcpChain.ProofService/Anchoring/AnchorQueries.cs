using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Anchoring;

/// <summary>What the anchor tables answer: which confirmed anchor first covers an entry, the contracts, the anchors.</summary>
public static class AnchorQueries
{
    /// <summary>The first confirmed anchor whose tree holds entry <paramref name="index"/>.</summary>
    public static Task<Anchor?> FirstAnchorCoveringAsync(this ProofDbContext db, long index, CancellationToken ct) =>
        db.Anchors.AsNoTracking().Where(a => a.Status == AnchorStatuses.Confirmed && a.TreeSize > index)
            .OrderBy(a => a.TreeSize).FirstOrDefaultAsync(ct);

    /// <summary>Anchors newest first, optionally only those of trees smaller than <paramref name="beforeSize"/>.</summary>
    public static Task<List<Anchor>> NewestAnchorsAsync(this ProofDbContext db, long? beforeSize, int limit, CancellationToken ct) =>
        db.Anchors.AsNoTracking().Where(a => beforeSize == null || a.TreeSize < beforeSize)
            .OrderByDescending(a => a.TreeSize).Take(limit).ToListAsync(ct);

    /// <summary>The most recently remembered anchor contract, if any.</summary>
    public static Task<AnchorContract?> LatestAnchorContractAsync(this ProofDbContext db, CancellationToken ct) =>
        db.AnchorContracts.AsNoTracking().OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct);

    /// <summary>The anchored tree head as its signer signed it (the signer is the one the anchor contract names).</summary>
    public static async Task<SignedTreeHead> SignedTreeHeadAsync(this ProofDbContext db, Anchor anchor, CancellationToken ct)
    {
        var signer = await db.AnchorContracts.AsNoTracking().Where(c => c.Address == anchor.Contract).Select(c => c.Signer).FirstAsync(ct);
        return new SignedTreeHead(anchor.TreeSize, anchor.Root, anchor.TreeHeadTimestamp, signer, anchor.TreeHeadSignature,
            SignedTreeHead.MessageFor(anchor.TreeSize, anchor.Root, anchor.TreeHeadTimestamp));
    }

    public static AnchorRecord ToRecord(this Anchor a) =>
        new(a.Network, a.ChainId, a.Contract, a.TxHash, a.BlockNumber ?? 0, a.TreeSize, a.Root);
}
