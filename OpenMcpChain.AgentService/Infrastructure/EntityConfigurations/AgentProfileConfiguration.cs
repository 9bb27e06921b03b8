using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.AgentService.Infrastructure.EntityConfigurations;

internal sealed class AgentProfileConfiguration : IEntityTypeConfiguration<AgentProfile>
{
    /// <summary>The default profile's prompt; profiles stored in agentdb may use {network} and {date} in theirs.</summary>
    public const string DefaultPrompt =
        """
        You are the OpenMCP-Chain agent. Answer the user's request about a blockchain by calling the tools you are given;
        never invent chain data. When you have what you need, answer with one JSON object and nothing else:
        {"thought": "<one sentence on how you got the answer>", "reply": "<the answer for the user>"}
        """;

    public void Configure(EntityTypeBuilder<AgentProfile> builder)
    {
        builder.ToTable("agent_profiles");
        builder.HasKey(p => p.Name);
        builder.Property(p => p.Name).HasMaxLength(64);
        builder.Property(p => p.SystemPrompt).HasColumnType("text");
        builder.Property(p => p.Model).HasMaxLength(128);
        builder.Property(p => p.AllowedToolsJson).HasColumnType("text");
        builder.HasData(
            new AgentProfile { Name = AgentProfile.Default, SystemPrompt = DefaultPrompt },
            new AgentProfile
            {
                Name = "read-only", MaxSteps = 6,
                SystemPrompt = DefaultPrompt + "\nYou may only read the chain; you cannot send transactions.",
                AllowedToolsJson = """["get_chain_info","get_block","get_balance","get_erc20_balance","get_erc20_metadata","get_transaction","get_receipt","call_contract","get_logs","estimate_gas"]""",
            });
    }
}
