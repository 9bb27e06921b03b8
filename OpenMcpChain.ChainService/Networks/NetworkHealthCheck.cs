using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpenMcpChain.ChainService.Networks;

/// <summary>Ready when the default network answers <c>eth_chainId</c>.</summary>
internal sealed class NetworkHealthCheck(NetworkRegistry networks) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var chainId = await networks.Get(null).Eth.ChainId.SendRequestAsync();
            return HealthCheckResult.Healthy($"chain id {chainId.Value}");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("The default network does not answer.", e);
        }
    }
}
