using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ProofService.Infrastructure.EntityConfigurations;

internal sealed class LogNodeConfiguration : IEntityTypeConfiguration<LogNode>
{
    public void Configure(EntityTypeBuilder<LogNode> b)
    {
        b.ToTable("log_nodes");
        b.HasKey(n => new { n.Level, n.Index });
        b.Property(n => n.Hash).HasColumnType("binary(32)");
    }
}
