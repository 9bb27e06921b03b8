using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ServiceDefaults;

namespace OpenMcpChain.Gateway.Infrastructure;

/// <summary>gatewaydb: the authorization server's clients, scopes, authorizations and tokens, and the cookie key ring.</summary>
public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Data Protection keys (sign-in cookies, antiforgery), shared by every replica and kept across restarts.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder) => builder.UseOpenIddict();
}

internal sealed class GatewayDbContextFactory : DesignTimeFactory<GatewayDbContext>;
