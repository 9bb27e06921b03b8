using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.ChainService.Tools;
using OpenMcpChain.Sdk;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NetworksOptions>()
            .Bind(builder.Configuration.GetSection(NetworksOptions.SectionName))
            .Validate(o => o.Count > 0 && o.Values.All(n => Uri.IsWellFormedUriString(n.RpcUrl, UriKind.Absolute)),
                "At least one network with an absolute RpcUrl is required (Networks:{name}:RpcUrl).")
            .ValidateOnStart();
        builder.Services.AddSingleton<NetworkRegistry>();
        builder.Services.AddHttpClient(NetworkRegistry.HttpClientName);
        builder.Services.AddHealthChecks().AddCheck<NetworkHealthCheck>("networks");

        builder.Services.AddMcpServer()
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<ChainTools>(OpenMcpChainJson.Options);
    }
}
