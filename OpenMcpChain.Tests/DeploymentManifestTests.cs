using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace OpenMcpChain.Tests;

/// <summary>
/// What <c>azd up</c> builds in Azure Container Apps: the manifest the AppHost publishes (<c>--publisher manifest</c>,
/// as azd runs it), read as azd reads it. The manifest format has no place for health probes; the AppHost declares
/// them (<c>WithHealthProbes</c>) for the publishers that do.
/// </summary>
public sealed class DeploymentManifestTests(ITestOutputHelper log)
{
    private static readonly TimeSpan PublishDeadline = TimeSpan.FromMinutes(2);
    private static readonly string[] Services = ["agentservice", "chainservice", "proofservice", "gateway"];

    [Fact]
    public async Task ADeploymentTargetsTheConfiguredNetworkWithEveryKeyAndPasswordASecretParameter()
    {
        // A user and a machine client added through configuration, as a deployment's operator would add them.
        const string alicePassword = "alice-plain-text-password-4711";
        const string robotSecret = "robot-plain-text-secret-0815";
        var (manifest, text, manifestDirectory) = await PublishAsync(
            $"--Gateway:Auth:Users:alice:Password={alicePassword}", "--Gateway:Auth:Users:alice:Scopes:0=tasks:read",
            $"--Gateway:Auth:Clients:robot:Secret={robotSecret}", "--Gateway:Auth:Clients:robot:Scopes:0=tasks:read");
        var resources = manifest["resources"]!.AsObject();

        // The four services are projects azd builds into container apps.
        foreach (var service in Services)
        {
            Assert.Equal("project.v0", (string?)resources[service]?["type"]);
            Assert.EndsWith($".{service}.csproj", (string)resources[service]!["path"]!, StringComparison.OrdinalIgnoreCase);
        }
        // MariaDB and Redis are containers whose data lives in named volumes, the same in every deployment of the app.
        Assert.Equal("container.v0", (string?)resources["mysql"]?["type"]);
        Assert.StartsWith("library/mariadb:", (string)resources["mysql"]!["image"]!);
        Assert.Equal(new[] { "mysql-data:/var/lib/mysql" }, Volumes(resources["mysql"]!));
        Assert.Equal("container.v0", (string?)resources["redis"]?["type"]);
        Assert.Equal(new[] { "redis-data:/data" }, Volumes(resources["redis"]!));
        // Redis keeps the task queue and budget counters: every write reaches the append-only file within a second.
        Assert.Contains(resources["redis"]!["args"]!.AsArray(), a => ((string)a!).Contains("--appendonly yes --appendfsync everysec"));
        // llm-bridge is built from its own Dockerfile.
        var bridge = resources["llm-bridge"]!;
        Assert.Equal("container.v1", (string?)bridge["type"]);
        var dockerfile = Path.GetFullPath(Path.Combine(manifestDirectory, (string)bridge["build"]!["dockerfile"]!));
        Assert.Equal(Path.Combine(RepoRoot, "llm-bridge", "Dockerfile"), dockerfile);
        Assert.Equal(Path.Combine(RepoRoot, "llm-bridge"), Path.GetFullPath(Path.Combine(manifestDirectory, (string)bridge["build"]!["context"]!)));
        Assert.True(File.Exists(dockerfile));

        // No devnet: the chain is the configured network (sepolia by default), its RPC URL a secret parameter.
        Assert.DoesNotContain("devnet", resources.Select(r => r.Key));
        Assert.DoesNotContain("anvil", text);
        AssertSecretParameter(resources, "sepolia-rpc-url");
        foreach (var service in (string[])["chainservice", "proofservice"])
            Assert.Equal("{sepolia-rpc-url.value}", (string?)resources[service]!["env"]!["Networks__sepolia__RpcUrl"]);
        Assert.Equal("sepolia", (string?)resources["proofservice"]!["env"]!["Anchoring__Network"]);

        // Every key, password and secret a resource is given is a secret parameter, never a value.
        var secretVariables = resources.SelectMany(r => EnvironmentOf(r.Value!))
            .Where(e => e.Name.Contains("Password", StringComparison.OrdinalIgnoreCase) || e.Name.Contains("Secret", StringComparison.OrdinalIgnoreCase)
                || e.Name.EndsWith("Key", StringComparison.OrdinalIgnoreCase) || e.Name.EndsWith("_KEY", StringComparison.Ordinal))
            .ToList();
        Assert.True(secretVariables.Count >= 15, string.Join(", ", secretVariables.Select(v => v.Name)));
        foreach (var (name, value) in secretVariables)
        {
            Assert.Matches(@"^\{[a-z0-9-]+\.value\}$", value);
            AssertSecretParameter(resources, value[1..^".value}".Length]);
        }
        // The configured user's password and client's secret became parameters a deployment asks for.
        Assert.Equal("{gateway-auth-users-alice-password.value}", (string?)resources["gateway"]!["env"]!["Auth__Users__alice__Password"]);
        Assert.Equal("{gateway-auth-clients-robot-secret.value}", (string?)resources["gateway"]!["env"]!["Auth__Clients__robot__Secret"]);
        // No plain-text secret anywhere: neither those nor the appsettings' DEVNET ONLY keys and passwords.
        foreach (var secret in DevnetSettings().Append(alicePassword).Append(robotSecret))
            Assert.DoesNotContain(secret, text);

        // Only the Gateway is reachable from outside.
        var external = resources.Where(r => r.Value!["bindings"]?.AsObject().Any(b => (bool?)b.Value!["external"] == true) == true).Select(r => r.Key);
        Assert.Equal(new[] { "gateway" }, external.ToArray());
    }

    [Fact]
    public async Task AskedForTheDevnetADeploymentRunsAnvilPinnedWithItsStateInAVolume()
    {
        var (manifest, text, _) = await PublishAsync("--Devnet:Deploy=true");
        var resources = manifest["resources"]!.AsObject();

        var devnet = resources["devnet"]!;
        Assert.Equal("container.v0", (string?)devnet["type"]);
        // The same anvil as a local run: the image tag is the npm package's version (tools/package.json).
        var npmAnvil = (string)JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot, "tools", "package.json")))!
            ["dependencies"]!["@foundry-rs/anvil-linux-amd64"]!;
        Assert.Equal($"ghcr.io/foundry-rs/foundry:v{npmAnvil}", (string?)devnet["image"]);
        Assert.Equal(new[] { "devnet-data:/data" }, Volumes(devnet));
        foreach (var service in (string[])["chainservice", "proofservice"])
        {
            Assert.Equal("{devnet.bindings.http.url}", (string?)resources[service]!["env"]!["Networks__devnet__RpcUrl"]);
            Assert.Equal("31337", (string?)resources[service]!["env"]!["Networks__devnet__ChainId"]);
        }
        Assert.DoesNotContain("rpc-url", text);
        // Even then the keys are parameters the deployment asks for, not the appsettings' public anvil keys.
        foreach (var secret in DevnetSettings())
            Assert.DoesNotContain(secret, text);
    }

    private static string RepoRoot => Path.GetFullPath(Path.Combine(AppHostProcess.ProjectDirectory, ".."));

    /// <summary>
    /// Publishes the manifest as azd does (the built AppHost, from its project directory), within a deadline; the manifest's
    /// directory is what its relative paths start from (it is deleted by then).
    /// </summary>
    private async Task<(JsonNode Manifest, string Text, string Directory)> PublishAsync(params string[] settings)
    {
        var directory = Directory.CreateTempSubdirectory("manifest-").FullName;
        var manifestPath = Path.Combine(directory, "aspire-manifest.json");
        var dll = Path.Combine(AppHostProcess.ProjectDirectory, "bin", AgentProcess.Configuration, "net10.0", "OpenMcpChain.AppHost.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "--publisher", "manifest", "--output-path", manifestPath, .. settings])
        {
            WorkingDirectory = AppHostProcess.ProjectDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(PublishDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Publishing the manifest took longer than {PublishDeadline}.");
        }
        log.WriteLine(await output + await error);
        Assert.True(process.ExitCode == 0, $"The AppHost exited {process.ExitCode}: {await error}");
        var text = await File.ReadAllTextAsync(manifestPath);
        Directory.Delete(directory, recursive: true);
        return (JsonNode.Parse(text)!, text, directory);
    }

    private static void AssertSecretParameter(JsonObject resources, string name)
    {
        var parameter = resources[name];
        Assert.True(parameter is not null, $"No parameter {name}.");
        Assert.Equal("parameter.v0", (string?)parameter["type"]);
        var input = parameter["inputs"]!["value"]!;
        Assert.True((bool?)input["secret"] == true, $"{name} is not secret.");
        // A generated default is fine (a fresh random value per environment); a given value would be in plain text.
        Assert.Null(input["default"]?["value"]);
    }

    private static IEnumerable<(string Name, string Value)> EnvironmentOf(JsonNode resource) =>
        resource["env"]?.AsObject().Select(e => (e.Key, (string)e.Value!)) ?? [];

    private static string[] Volumes(JsonNode resource) =>
        [.. resource["volumes"]!.AsArray().Select(v => $"{v!["name"]}:{v["target"]}")];

    /// <summary>The DEVNET ONLY values of the AppHost's appsettings.json (anvil's public keys, the devnet passwords).</summary>
    private static IEnumerable<string> DevnetSettings()
    {
        var settings = File.ReadAllText(Path.Combine(AppHostProcess.ProjectDirectory, "appsettings.json"));
        using var json = JsonDocument.Parse(settings, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        // Long enough to be unmistakable in the manifest's text (llm-api-key's "offline" placeholder is not).
        var values = json.RootElement.GetProperty("Parameters").EnumerateObject().Select(p => p.Value.GetString()!).Where(v => v.Length >= 10).ToList();
        Assert.Contains("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", values);
        return values;
    }
}
