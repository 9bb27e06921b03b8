using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ProofService.Infrastructure.EntityConfigurations;

internal sealed class AttestationConfiguration : IEntityTypeConfiguration<Attestation>
{
    public void Configure(EntityTypeBuilder<Attestation> builder)
    {
        builder.ToTable("attestations");
        builder.Property(a => a.TaskId).HasMaxLength(64);
        builder.HasIndex(a => a.TaskId).IsUnique();
        builder.Property(a => a.Signer).HasMaxLength(42);
        builder.Property(a => a.Scheme).HasMaxLength(16);
        builder.Property(a => a.Message).HasColumnType("longtext");
        builder.Property(a => a.Signature).HasMaxLength(132);
        builder.Property(a => a.TypedData).HasColumnType("longtext");
    }
}
