using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ServiceDefaults;

namespace OpenMcpChain.ProofService.Infrastructure;

/// <summary>proofdb: attestations, the transparency log (entries, subtree nodes and its head) and its anchors.</summary>
public sealed class ProofDbContext(DbContextOptions<ProofDbContext> options) : DbContext(options)
{
    public DbSet<Attestation> Attestations => Set<Attestation>();
    public DbSet<LogEntry> LogEntries => Set<LogEntry>();
    public DbSet<LogNode> LogNodes => Set<LogNode>();
    public DbSet<LogHead> LogHeads => Set<LogHead>();
    public DbSet<AnchorContract> AnchorContracts => Set<AnchorContract>();
    public DbSet<Anchor> Anchors => Set<Anchor>();

    protected override void OnModelCreating(ModelBuilder builder) =>
        builder.ApplyConfigurationsFromAssembly(typeof(ProofDbContext).Assembly);
}

internal sealed class ProofDbContextFactory : DesignTimeFactory<ProofDbContext>;
