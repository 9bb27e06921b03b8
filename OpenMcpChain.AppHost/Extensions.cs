using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpenMcpChain.AppHost;

/// <summary>The infrastructure resources, each runnable as a local executable, a container or an existing server.</summary>
internal static class Extensions
{
    internal static string RepoRoot(this IDistributedApplicationBuilder builder) =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));

    /// <summary>
    /// Where the executables keep their state across runs (MariaDB's data directory, Redis's append-only file, the
    /// devnet's state): <c>Data:Directory</c>, by default <c>.data/</c> in the repository (ignored by git). Deleting it
    /// (<c>scripts/run.sh --reset</c>) is the only way data goes away.
    /// </summary>
    public static string DataDirectory(this IDistributedApplicationBuilder builder, string component)
    {
        var configured = builder.Configuration["Data:Directory"];
        var root = string.IsNullOrWhiteSpace(configured) ? Path.Combine(builder.RepoRoot(), ".data") : Path.GetFullPath(configured);
        return Directory.CreateDirectory(Path.Combine(root, component)).FullName;
    }

    public static InfraMode GetInfraMode(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Infra:Mode"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Enum.Parse<InfraMode>(configured, ignoreCase: true);
        }
        return builder.ExecutionContext.IsPublishMode || ContainerEngineAvailable()
            ? InfraMode.Containers
            : InfraMode.Executables;
    }

    private static bool ContainerEngineAvailable()
    {
        var runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") ?? "/run/user/0";
        return !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST"))
            || File.Exists("/var/run/docker.sock")
            || File.Exists("/run/podman/podman.sock")
            || File.Exists(Path.Combine(runtimeDir, "podman", "podman.sock"));
    }

    public static IResourceBuilder<IResourceWithConnectionString> AddMySqlServer(
        this IDistributedApplicationBuilder builder, string name, InfraMode mode)
    {
        if (mode == InfraMode.Existing)
        {
            return builder.AddConnectionString(name);
        }
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        if (mode == InfraMode.Containers)
        {
            // MariaDB in both modes, so the EF provider sees one server dialect everywhere.
            var container = builder.AddResource(new MariaDbContainerResource(name, password))
                .WithImage("library/mariadb", "10.11")
                .WithEndpoint(targetPort: 3306, name: "tcp", scheme: "tcp")
                .WithEnvironment("MARIADB_ROOT_PASSWORD", password)
                // The password is a generated parameter Aspire persists (user secrets, or the azd environment), so it
                // stays valid for the volume it initialised.
                .WithVolume($"{name}-data", "/var/lib/mysql");
            return container.WithReadinessCheck(ct => ReadinessChecks.MySqlAsync(container.Resource, ct));
        }
        var root = builder.RepoRoot();
        var server = builder.AddResource(new MariaDbExecutableResource(name, Path.Combine(root, "scripts", "mariadb-server.sh"), root, password))
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "MARIADB_PORT")
            .WithEnvironment("MARIADB_ROOT_PASSWORD", password)
            .WithEnvironment("MARIADB_DATA_DIR", builder.DataDirectory("mariadb"))
            .WithDirectEndpoints()
            .ExcludeFromManifest();
        return server.WithReadinessCheck(ct => ReadinessChecks.MySqlAsync(server.Resource, ct));
    }

    /// <summary>A secret parameter whose value is generated when none is configured (Parameters:{name}).</summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddResource(ParameterResourceBuilderExtensions.CreateGeneratedParameter(
            builder, name, secret: true, new GenerateParameterDefault { MinLength = 32, Special = false }));

    /// <summary>
    /// A database on <paramref name="server"/> (the owning service's migrator creates it on first start), shown in the
    /// dashboard with the server's state once it is ready, and healthy once it exists with its owner's migrations applied.
    /// </summary>
    public static IResourceBuilder<MySqlDatabaseResource> AddDatabase(this IResourceBuilder<IResourceWithConnectionString> server, string name)
    {
        var database = server.ApplicationBuilder.AddResource(new MySqlDatabaseResource(name, server.Resource))
            .WithInitialState(new() { ResourceType = "MySqlDatabase", State = KnownResourceStates.Waiting, Properties = [] });
        server.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, (e, _) =>
            e.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database.Resource, s => s with
            {
                State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow,
            }));
        return database.WithReadinessCheck(ct => ReadinessChecks.MigratedDatabaseAsync(database.Resource, ct));
    }

    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(
        this IDistributedApplicationBuilder builder, string name, InfraMode mode)
    {
        switch (mode)
        {
            case InfraMode.Existing:
                return builder.AddConnectionString(name);
            case InfraMode.Containers:
                // The image runs `sh -c "redis-server …"`, so the append-only flags join that line (as further arguments of sh
                // they were ignored). The volume is named for the resource, so every deployment of the app finds the same data.
                return builder.AddRedis(name).WithDataVolume($"{name}-data").WithArgs(ctx =>
                {
                    var command = ctx.Args.ToList().FindIndex(a => a is string s && s.StartsWith("redis-server", StringComparison.Ordinal));
                    ctx.Args[command] = $"{ctx.Args[command]} --appendonly yes --appendfsync everysec";
                });
        }
        // Durable: every write is in the append-only file within a second (the task queue and budget counters live here).
        var redis = builder.AddResource(new RedisExecutableResource(name, "redis-server", builder.DataDirectory("redis")))
            .WithEndpoint(name: "tcp", scheme: "tcp")
            .WithArgs(ctx =>
            {
                var endpoint = ctx.Resource is RedisExecutableResource r ? r.Endpoint : throw new InvalidOperationException();
                ctx.Args.Add("--bind"); ctx.Args.Add("127.0.0.1");
                ctx.Args.Add("--port"); ctx.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                ctx.Args.Add("--dir"); ctx.Args.Add(".");
                ctx.Args.Add("--appendonly"); ctx.Args.Add("yes");
                ctx.Args.Add("--appendfsync"); ctx.Args.Add("everysec");
                ctx.Args.Add("--save"); ctx.Args.Add("");
            })
            .WithDirectEndpoints()
            .ExcludeFromManifest();
        return redis.WithReadinessCheck(ct => ReadinessChecks.RedisAsync(redis.Resource.Endpoint, ct));
    }

    /// <summary>
    /// Runs <c>Replicas:{name}</c> copies of the service (default 1). They share its database and Redis; callers keep
    /// one address (service discovery, the Gateway's routes), behind which the AppHost's proxy balances between them.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConfiguredReplicas(this IResourceBuilder<ProjectResource> service)
    {
        var replicas = service.ApplicationBuilder.Configuration.GetValue($"Replicas:{service.Resource.Name}", 1);
        return replicas switch
        {
            1 => service.WithDirectEndpoints(),
            > 1 => service.WithReplicas(replicas),
            _ => throw new InvalidOperationException($"Replicas:{service.Resource.Name} must be at least 1, not {replicas}."),
        };
    }

    /// <summary>
    /// Run locally, callers reach this single process straight at its own port (picked at start) instead of through the
    /// AppHost's proxy, which copies every byte of every call and cost about as much CPU as a service per task. Endpoints
    /// used from outside (external ones: the Gateway's public port, which stays what the README says) keep the proxy;
    /// so do services run as several copies (<see cref="WithConfiguredReplicas"/>), which it balances between.
    /// </summary>
    public static IResourceBuilder<T> WithDirectEndpoints<T>(this IResourceBuilder<T> resource) where T : IResourceWithEndpoints
    {
        if (!resource.ApplicationBuilder.ExecutionContext.IsRunMode) return resource;
        // At start, so endpoints added or made external after this call are seen as they end up.
        resource.ApplicationBuilder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            foreach (var endpoint in resource.Resource.Annotations.OfType<EndpointAnnotation>().Where(e => !e.IsExternal))
                (endpoint.IsProxied, endpoint.Port) = (false, null);
            return Task.CompletedTask;
        });
        return resource;
    }

    /// <summary>A signing wallet of ChainService (<c>Wallets:{name}:PrivateKey</c>), its key a secret parameter.</summary>
    public static IResourceBuilder<ProjectResource> WithWallet(
        this IResourceBuilder<ProjectResource> chainService, string name, IResourceBuilder<ParameterResource> privateKey) =>
        chainService.WithEnvironment($"Wallets__{name}__PrivateKey", privateKey);

    /// <summary>A caller of ChainService (<c>Callers:{name}</c>): its key, the wallets it may send from and what else it may do.</summary>
    public static IResourceBuilder<ProjectResource> WithCaller(
        this IResourceBuilder<ProjectResource> chainService, string name, IResourceBuilder<ParameterResource> apiKey,
        string[]? wallets = null, bool canApprove = false, bool canDeploy = false, bool relaysUsers = false)
    {
        var prefix = $"Callers__{name}__";
        chainService.WithEnvironment(prefix + "ApiKey", apiKey);
        foreach (var (wallet, i) in (wallets ?? []).Select((w, i) => (w, i)))
            chainService.WithEnvironment($"{prefix}Wallets__{i}", wallet);
        if (canApprove) chainService.WithEnvironment(prefix + "CanApprove", "true");
        if (canDeploy) chainService.WithEnvironment(prefix + "CanDeploy", "true");
        if (relaysUsers) chainService.WithEnvironment(prefix + "RelaysUsers", "true");
        return chainService;
    }

    /// <summary>A user of the Gateway (<c>Auth:Users:{name}</c>) with a secret password and its scopes.</summary>
    public static IResourceBuilder<ProjectResource> WithUser(
        this IResourceBuilder<ProjectResource> gateway, string name, IResourceBuilder<ParameterResource> password, params string[] scopes)
    {
        gateway.WithEnvironment($"Auth__Users__{name}__Password", password);
        foreach (var (scope, i) in scopes.Select((s, i) => (s, i)))
            gateway.WithEnvironment($"Auth__Users__{name}__Scopes__{i}", scope);
        return gateway;
    }

    /// <summary>
    /// The Gateway's public URL (<c>Auth:PublicBaseUrl</c>), which tokens name as their issuer: in a local run the AppHost's
    /// endpoint, so every replica names the same one; a deployment sets <c>Gateway:Auth:PublicBaseUrl</c> to its own.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicBaseUrl(this IResourceBuilder<ProjectResource> gateway) =>
        gateway.ApplicationBuilder.ExecutionContext.IsPublishMode || gateway.ApplicationBuilder.Configuration["Gateway:Auth:PublicBaseUrl"] is not null
            ? gateway
            : gateway.WithEnvironment("Auth__PublicBaseUrl", gateway.GetEndpoint("http"));

    /// <summary>A machine client of the Gateway (<c>Auth:Clients:{id}</c>, OAuth client credentials): its secret and scopes.</summary>
    public static IResourceBuilder<ProjectResource> WithClient(
        this IResourceBuilder<ProjectResource> gateway, string clientId, IResourceBuilder<ParameterResource> secret, params string[] scopes)
    {
        gateway.WithEnvironment($"Auth__Clients__{clientId}__Secret", secret);
        foreach (var (scope, i) in scopes.Select((s, i) => (s, i)))
            gateway.WithEnvironment($"Auth__Clients__{clientId}__Scopes__{i}", scope);
        return gateway;
    }

    /// <summary>
    /// Passes the AppHost's <c>Gateway:Auth</c> section (extra users and clients, limits, Lockout, Required) to the
    /// Gateway as <c>Auth__*</c>; its passwords, secrets and keys as secret parameters (<c>gateway-auth-users-{name}-password</c>, …).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGatewayAuthSettings(this IResourceBuilder<ProjectResource> gateway) =>
        gateway.WithSettings("Gateway:Auth", "Auth");

    /// <summary>
    /// Passes the AppHost's configuration section <paramref name="section"/> to a service as its <paramref name="target"/>
    /// section. A password, secret or key goes as a secret parameter, so no manifest or deployment holds it in plain text.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithSettings(this IResourceBuilder<ProjectResource> project, string section, string target)
    {
        foreach (var (key, value) in project.ApplicationBuilder.Configuration.GetSection(section).AsEnumerable(makePathsRelative: true).Where(kv => kv.Value is not null))
        {
            var variable = $"{target}__{key.Replace(":", "__")}";
            if (Deployment.IsSecretKey(key))
                project.WithEnvironment(variable, project.ApplicationBuilder.AddSecretSetting($"{section}:{key}", value!));
            else
                project.WithEnvironment(variable, value);
        }
        return project;
    }

    /// <summary>ChainService's approval settings (<c>Approvals:*</c>: expiry, self-approval) from the AppHost's configuration.</summary>
    public static IResourceBuilder<ProjectResource> WithApprovalSettings(this IResourceBuilder<ProjectResource> chainService) =>
        chainService.WithSettings("Approvals", "Approvals");

    /// <summary>llm-bridge: python3 locally, a container built from its own Dockerfile when published.</summary>
    public static IResourceBuilder<ExecutableResource> AddLlmBridge(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource> apiKey) =>
        builder.AddExecutable(name, "python3", Path.Combine(builder.RepoRoot(), "llm-bridge"), "app.py")
            .WithHttpEndpoint(env: "PORT", name: "http").WithDirectEndpoints()
            .WithEnvironment("PYTHONUNBUFFERED", "1")
            // Its spans go to the dashboard as OTLP/HTTP JSON, which the standard library can send (telemetry.py).
            .WithOtlpExporter(OtlpProtocol.HttpJson)
            .WithEnvironment("LLM_UPSTREAM_URL", builder.Configuration["LlmBridge:UpstreamUrl"] ?? "")
            .WithEnvironment("LLM_UPSTREAM_MODEL", builder.Configuration["LlmBridge:UpstreamModel"] ?? "")
            .WithEnvironment("LLM_API_KEY", apiKey)
            .WithHealthProbes(readinessPath: null, livenessPath: "/health") // it answers as soon as it listens
            .PublishAsDockerFile();

    /// <summary>
    /// The model the agent asks for when a profile names none: <c>LlmBridge:UpstreamModel</c> when llm-bridge forwards to a
    /// provider (which would refuse the offline planner's name), else the agent's default.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithUpstreamModel(this IResourceBuilder<ProjectResource> agent) =>
        agent.ApplicationBuilder.Configuration is var config
        && !string.IsNullOrWhiteSpace(config["LlmBridge:UpstreamUrl"]) && config["LlmBridge:UpstreamModel"] is { Length: > 0 } model
            ? agent.WithEnvironment("Agent__Model", model)
            : agent;
}
