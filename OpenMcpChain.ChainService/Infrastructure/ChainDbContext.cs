using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ServiceDefaults;

namespace OpenMcpChain.ChainService.Infrastructure;

public sealed class ChainDbContext(DbContextOptions<ChainDbContext> options) : DbContext(options)
{
    public DbSet<ChainTransaction> Transactions => Set<ChainTransaction>();
    public DbSet<TransactionReplacement> Replacements => Set<TransactionReplacement>();
    public DbSet<ApprovalRequest> Approvals => Set<ApprovalRequest>();
    public DbSet<ToolCallRecord> ToolCalls => Set<ToolCallRecord>();
    public DbSet<Subscription> Subscriptions => Set<Subscription>();
    public DbSet<ChainEvent> Events => Set<ChainEvent>();

    protected override void OnModelCreating(ModelBuilder builder) =>
        builder.ApplyConfigurationsFromAssembly(typeof(ChainDbContext).Assembly);
}

internal sealed class ChainDbContextFactory : DesignTimeFactory<ChainDbContext>;
