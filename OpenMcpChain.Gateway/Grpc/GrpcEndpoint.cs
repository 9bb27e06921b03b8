using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OpenMcpChain.Gateway.Grpc;

/// <summary>
/// The gRPC API's own cleartext HTTP/2 (h2c) endpoint on <c>Grpc:Port</c> (8081 under the AppHost). Kestrel answers
/// only HTTP/1.1 on a cleartext endpoint that offers both, so gRPC cannot share the REST port without TLS and ALPN.
/// Listening in code makes Kestrel ignore the hosting URLs, so the REST URLs are listened on here too, as before.
/// </summary>
public static class GrpcEndpoint
{
    public const string PortKey = "Grpc:Port";

    /// <summary>Where the gRPC services call the Gateway's own REST API (its first http URL, on loopback).</summary>
    public sealed record RestTarget(Uri BaseAddress);

    public static void AddGrpcEndpoint(this WebApplicationBuilder builder)
    {
        var urls = HostingUrls(builder.Configuration);
        var rest = urls.FirstOrDefault(u => u.Scheme == Uri.UriSchemeHttp) ?? urls[0];
        var host = IPAddress.TryParse(rest.Host.Trim('[', ']'), out var ip) && !IsAny(ip) ? ip : IPAddress.Loopback;
        builder.Services.AddSingleton(new RestTarget(new UriBuilder(rest.Scheme, host.ToString(), rest.Port).Uri));
        if (builder.Configuration.GetValue<int?>(PortKey) is not { } port) return;
        if (urls.Any(u => u.Scheme != Uri.UriSchemeHttp))
            throw new InvalidOperationException("With Grpc:Port the Gateway listens on http URLs only; terminate TLS in front of it.");
        // The hosting URLs are listened on below; left set, Kestrel would warn that it overrides them.
        foreach (var key in new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey })
            builder.WebHost.UseSetting(key, "");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in urls) Listen(kestrel, url.Host, url.Port, null);
            // Reachable where the REST API is: loopback locally, every interface in a container.
            Listen(kestrel, urls[0].Host, port, listen => listen.Protocols = HttpProtocols.Http2);
        });
    }

    /// <summary>
    /// The URLs Kestrel would listen on: <c>urls</c> (ASPNETCORE_URLS), else <c>http_ports</c>/<c>https_ports</c>
    /// (HTTP_PORTS, as containers and Aspire's deployments set), else its default.
    /// </summary>
    private static List<BindingAddress> HostingUrls(IConfiguration configuration)
    {
        IEnumerable<string> Ports(string key, string scheme) => (configuration[key] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"{scheme}://*:{p}");
        var urls = configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } set
            ? set.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [.. Ports(WebHostDefaults.HttpPortsKey, "http"), .. Ports(WebHostDefaults.HttpsPortsKey, "https")];
        return [.. (urls.Length > 0 ? urls : ["http://localhost:5000"]).Select(BindingAddress.Parse)];
    }

    /// <summary>As Kestrel binds a URL's host: localhost on loopback, an IP address on itself, anything else on every interface.</summary>
    private static void Listen(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions>? configure)
    {
        configure ??= _ => { };
        if (host is "localhost") kestrel.ListenLocalhost(port, configure);
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && !IsAny(ip)) kestrel.Listen(ip, port, configure);
        else kestrel.ListenAnyIP(port, configure);
    }

    private static bool IsAny(IPAddress ip) => ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any);
}
