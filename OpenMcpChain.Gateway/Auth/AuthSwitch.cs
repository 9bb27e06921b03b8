using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// <c>Auth:Required=false</c> (the AppHost's <c>Gateway:Auth:Required</c>) opens the task API to anonymous callers, for
/// the original daemon's CLI on a developer's machine; the Gateway refuses to start that way on any non-loopback address.
/// </summary>
public sealed class AuthSwitch(IServer server, IOptions<AuthOptions> options, ILogger<AuthSwitch> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken ct)
    {
        if (options.Value.Required) return Task.CompletedTask;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
        if (addresses.Count == 0 || exposed.Count > 0)
        {
            throw new InvalidOperationException(
                $"Auth:Required=false (Gateway:Auth:Required in the AppHost) leaves the task API open to anyone, so it is only allowed " +
                $"when the Gateway listens on loopback addresses alone; it listens on {string.Join(", ", exposed.DefaultIfEmpty("unknown addresses"))}. " +
                "Remove the setting, or bind to localhost/127.0.0.1/[::1] only.");
        }
        logger.LogWarning("Auth:Required=false: the task API answers anonymous callers on {Addresses} (loopback only)", string.Join(", ", addresses));
        return Task.CompletedTask;
    }

    public static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"), UriKind.Absolute, out var uri)) return false;
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    public Task StartingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
}
