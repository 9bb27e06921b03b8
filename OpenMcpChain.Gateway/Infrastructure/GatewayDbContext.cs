using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ServiceDefaults;

namespace OpenMcpChain.Gateway.Infrastructure;

/// <summary>gatewaydb: the authorization server's clients, scopes, authorizations and tokens, and the cookie key ring.</summary>
public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Data Protection keys (sign-in cookies, antiforgery), shared by every replica and kept across restarts.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    // Guid keys (char(36)): with string keys OpenIddict's token index exceeds MariaDB's 3072-byte key limit.
    protected override void OnModelCreating(ModelBuilder builder) => builder.UseOpenIddict<Guid>();
}

internal sealed class GatewayDbContextFactory : DesignTimeFactory<GatewayDbContext>;
