using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ChainService.Infrastructure.EntityConfigurations;

internal sealed class ChainTransactionConfiguration : IEntityTypeConfiguration<ChainTransaction>
{
    public void Configure(EntityTypeBuilder<ChainTransaction> b)
    {
        b.ToTable("transactions");
        b.Property(t => t.IdempotencyKey).HasMaxLength(128);
        b.HasIndex(t => t.IdempotencyKey).IsUnique();
        b.Property(t => t.Network).HasMaxLength(64);
        b.Property(t => t.Wallet).HasMaxLength(64);
        b.Property(t => t.From).HasMaxLength(42);
        b.Property(t => t.To).HasMaxLength(42);
        b.Property(t => t.Value).HasMaxLength(80);
        b.Property(t => t.Data).HasColumnType("longtext");
        b.Property(t => t.RawTransaction).HasColumnType("longtext");
        b.Property(t => t.TxHash).HasMaxLength(66);
        b.HasIndex(t => t.TxHash);
        b.Property(t => t.Status).HasMaxLength(16);
        b.HasIndex(t => new { t.Status, t.UpdatedAt });
        b.HasIndex(t => new { t.Network, t.From, t.Nonce });
        // Budget recounts: per task, per wallet per day, per caller per day.
        b.HasIndex(t => t.TaskId);
        b.HasIndex(t => new { t.Network, t.From, t.CreatedAt });
        b.HasIndex(t => new { t.Network, t.Caller, t.CreatedAt });
        b.Property(t => t.Caller).HasMaxLength(64);
        b.Property(t => t.TaskId).HasMaxLength(64);
        b.Property(t => t.RequestJson).HasColumnType("longtext");
    }
}

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
    }
}

internal sealed class ToolCallRecordConfiguration : IEntityTypeConfiguration<ToolCallRecord>
{
    public void Configure(EntityTypeBuilder<ToolCallRecord> b)
    {
        b.ToTable("tool_calls");
        b.Property(t => t.Caller).HasMaxLength(64);
        b.Property(t => t.Tool).HasMaxLength(64);
        b.Property(t => t.ArgumentsJson).HasColumnType("longtext");
        b.Property(t => t.ResultJson).HasColumnType("longtext");
        b.Property(t => t.ErrorCode).HasMaxLength(64);
        b.Property(t => t.PolicyDecision).HasMaxLength(64);
        b.Property(t => t.TaskId).HasMaxLength(64);
        b.HasIndex(t => t.CreatedAt);
        b.HasIndex(t => new { t.LogIndex, t.PolicyDecision });
    }
}

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> b)
    {
        b.ToTable("subscriptions");
        b.Property(s => s.Id).HasMaxLength(64);
        b.Property(s => s.Network).HasMaxLength(64);
        b.Property(s => s.Address).HasMaxLength(42);
        b.Property(s => s.EventSignature).HasMaxLength(512);
        b.Property(s => s.Topic0).HasMaxLength(66);
    }
}

internal sealed class ChainEventConfiguration : IEntityTypeConfiguration<ChainEvent>
{
    public void Configure(EntityTypeBuilder<ChainEvent> b)
    {
        b.ToTable("chain_events");
        b.Property(e => e.SubscriptionId).HasMaxLength(64);
        b.Property(e => e.TxHash).HasMaxLength(66);
        b.Property(e => e.ArgsJson).HasColumnType("longtext");
        b.HasIndex(e => new { e.SubscriptionId, e.BlockNumber, e.LogIndex }).IsUnique();
    }
}
