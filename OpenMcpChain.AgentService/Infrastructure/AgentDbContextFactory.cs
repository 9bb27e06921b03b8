using OpenMcpChain.ServiceDefaults;

namespace OpenMcpChain.AgentService.Infrastructure;

/// <summary>Lets <c>dotnet ef</c> create the context at design time (migrations).</summary>
internal sealed class AgentDbContextFactory : DesignTimeFactory<AgentDbContext>;
