using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>One authorization policy per scope, named after it; a route names the policy it needs.</summary>
public static class ScopePolicies
{
    public static void AddScopePolicies(this IServiceCollection services)
    {
        var policies = services.AddAuthorizationBuilder();
        foreach (var scope in ScopeNames.All)
        {
            // The tools act on the chain: they need a signed-in caller even where the task API is open (Auth:Required=false).
            policies.AddPolicy(scope, p => (scope == ScopeNames.ChainTools ? p.RequireAuthenticatedUser() : p).AddRequirements(new ScopeRequirement(scope)));
        }
        services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
    }

    public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

    /// <summary>The token must hold the scope; with <c>Auth:Required=false</c> anyone passes.</summary>
    private sealed class ScopeHandler(IOptionsMonitor<AuthOptions> options) : AuthorizationHandler<ScopeRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
        {
            if (!options.CurrentValue.Required || context.User.HasScope(requirement.Scope)) context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }
}
