using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ProofService.Infrastructure.EntityConfigurations;

internal sealed class LogHeadConfiguration : IEntityTypeConfiguration<LogHead>
{
    public void Configure(EntityTypeBuilder<LogHead> b)
    {
        b.ToTable("log_head");
        b.HasKey(h => h.Id);
        b.Property(h => h.Id).ValueGeneratedNever();
    }
}
