using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ChainService.Infrastructure.EntityConfigurations;

internal sealed class ApprovalRequestConfiguration : IEntityTypeConfiguration<ApprovalRequest>
{
    public void Configure(EntityTypeBuilder<ApprovalRequest> b)
    {
        b.ToTable("approval_requests");
        b.Property(a => a.Id).HasMaxLength(64);
        b.Property(a => a.Network).HasMaxLength(64);
        b.Property(a => a.Wallet).HasMaxLength(64);
        b.Property(a => a.Kind).HasMaxLength(32);
        b.Property(a => a.RequestJson).HasColumnType("longtext");
        b.Property(a => a.Value).HasMaxLength(80);
        b.Property(a => a.To).HasMaxLength(42);
        b.Property(a => a.Caller).HasMaxLength(64);
        b.Property(a => a.TaskId).HasMaxLength(64);
        b.Property(a => a.Status).HasMaxLength(16);
        b.HasIndex(a => new { a.Status, a.CreatedAt });
        b.Property(a => a.DecidedBy).HasMaxLength(64);
        b.Property(a => a.Reason).HasColumnType("text");
        b.Property(a => a.TxHash).HasMaxLength(66);
        b.Property(a => a.ErrorCode).HasMaxLength(64);
        b.Property(a => a.ErrorMessage).HasColumnType("text");
        b.Property(a => a.From).HasMaxLength(42);
        b.Property(a => a.ValueEther).HasMaxLength(100);
        b.Property(a => a.Recipient).HasMaxLength(42);
        b.Property(a => a.TokenJson).HasColumnType("text");
        b.Property(a => a.MethodJson).HasColumnType("longtext");
        b.Property(a => a.SimulationOutcome).HasMaxLength(32);
        b.Property(a => a.RequestedBy).HasMaxLength(64);
        b.Property(a => a.Goal).HasColumnType("text");
        b.HasIndex(a => a.TaskId);
        // The expiry worker looks for overdue pending requests; the forwarder for decisions not yet in the log.
        b.HasIndex(a => new { a.Status, a.ExpiresAt });
        b.HasIndex(a => new { a.DecisionLogIndex, a.Status });
    }
}
