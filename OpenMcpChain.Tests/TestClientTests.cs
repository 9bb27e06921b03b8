using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenMcpChain.Tests;

/// <summary>The HTTP clients the tests use show every answer as it came: a server error is not retried away.</summary>
[Collection(SystemCollection.Name)]
public sealed class TestClientTests(SystemFixture system)
{
    [Fact]
    public async Task AServerErrorReachesTheTestAndTheServerSeesTheRequestOnce()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        // A real HTTP server that fails its first request, as a flaky service would, and counts what arrives.
        var seen = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var flaky = builder.Build();
        flaky.MapGet("/flaky", () => Interlocked.Increment(ref seen) == 1 ? Results.StatusCode(503) : Results.Ok());
        await flaky.StartAsync(deadline.Token);

        // The factory behind App.CreateHttpClient, which builds every client the fixture hands out.
        using var client = system.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        client.BaseAddress = new Uri(flaky.Urls.Single());

        using var first = await client.GetAsync("/flaky", deadline.Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(1, Volatile.Read(ref seen));
        using var second = await client.GetAsync("/flaky", deadline.Token);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, Volatile.Read(ref seen));
        await flaky.StopAsync(deadline.Token);
    }
}
