using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.AgentService.Infrastructure.EntityConfigurations;

internal sealed class AgentTaskConfiguration : IEntityTypeConfiguration<AgentTask>
{
    public void Configure(EntityTypeBuilder<AgentTask> builder)
    {
        builder.ToTable("tasks");
        builder.Property(t => t.Id).HasMaxLength(64);
        builder.Property(t => t.Goal).HasColumnType("text");
        builder.Property(t => t.ChainAction).HasMaxLength(64);
        builder.Property(t => t.Address).HasMaxLength(64);
        builder.Property(t => t.MetadataJson).HasColumnType("longtext");
        builder.Property(t => t.Network).HasMaxLength(64);
        builder.Property(t => t.SessionId).HasMaxLength(64);
        builder.Property(t => t.IdempotencyKey).HasMaxLength(128);
        builder.Property(t => t.Status).HasMaxLength(32);
        builder.Property(t => t.ResultJson).HasColumnType("longtext");
        builder.Property(t => t.ErrorCode).HasMaxLength(64);
        builder.Property(t => t.ErrorMessage).HasColumnType("text");
        builder.HasIndex(t => t.IdempotencyKey).IsUnique();
        builder.HasIndex(t => new { t.Status, t.UpdatedAt });
        builder.HasIndex(t => t.UpdatedAt);
        builder.Property(t => t.ApprovalId).HasMaxLength(64);
        builder.Property(t => t.Profile).HasMaxLength(64);
        builder.Property(t => t.SubmittedBy).HasMaxLength(64);
        builder.HasIndex(t => new { t.SessionId, t.CreatedAt });
    }
}

internal sealed class TaskEventConfiguration : IEntityTypeConfiguration<TaskEvent>
{
    public void Configure(EntityTypeBuilder<TaskEvent> builder)
    {
        builder.ToTable("task_events");
        builder.Property(e => e.TaskId).HasMaxLength(64);
        builder.Property(e => e.Status).HasMaxLength(32);
        builder.Property(e => e.Detail).HasColumnType("text");
        builder.HasIndex(e => new { e.TaskId, e.Id });
    }
}

internal sealed class TaskStepConfiguration : IEntityTypeConfiguration<TaskStep>
{
    public void Configure(EntityTypeBuilder<TaskStep> builder)
    {
        builder.ToTable("task_steps");
        builder.Property(s => s.TaskId).HasMaxLength(64);
        builder.Property(s => s.Kind).HasMaxLength(16);
        builder.Property(s => s.Name).HasMaxLength(64);
        builder.Property(s => s.ArgumentsJson).HasColumnType("longtext");
        builder.Property(s => s.Output).HasColumnType("longtext");
        builder.Property(s => s.ErrorCode).HasMaxLength(64);
        builder.Property(s => s.PolicyDecision).HasMaxLength(64);
        builder.HasIndex(s => new { s.TaskId, s.Attempt, s.Seq }).IsUnique();
    }
}

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
