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

    /// <summary>Where the gRPC services call the Gateway's own REST API (the first hosting URL, on loopback).</summary>
    public sealed record RestTarget(Uri BaseAddress);

    public static void AddGrpcEndpoint(this WebApplicationBuilder builder)
    {
        var urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "http://localhost:5000")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(BindingAddress.Parse).ToList();
        builder.Services.AddSingleton(new RestTarget(new Uri($"http://127.0.0.1:{urls[0].Port}/")));
        if (builder.Configuration.GetValue<int?>(PortKey) is not { } port) return;
        if (urls.Any(u => u.Scheme != Uri.UriSchemeHttp))
            throw new InvalidOperationException("With Grpc:Port the Gateway listens on http URLs only; terminate TLS in front of it.");
        // The hosting URLs are listened on below; left set, Kestrel would warn that it overrides them.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in urls)
            {
                if (url.Host is "localhost") kestrel.ListenLocalhost(url.Port);
                else if (url.Host is "*" or "+" or "[::]" or "0.0.0.0") kestrel.ListenAnyIP(url.Port);
                else kestrel.Listen(IPAddress.Parse(url.Host.Trim('[', ']')), url.Port);
            }
            kestrel.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http2);
        });
    }
}
