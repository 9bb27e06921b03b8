using Microsoft.Extensions.Configuration.Memory;
using OpenMcpChain.ChainService.Approvals;
using OpenMcpChain.ChainService.Audit;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.ChainService.Policy;
using OpenMcpChain.ChainService.Subscriptions;
using OpenMcpChain.ChainService.Tools;
using OpenMcpChain.ChainService.Wallets;
using OpenMcpChain.ChainService.Writes;
using OpenMcpChain.Sdk;
using OpenMcpChain.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddMySqlDbContext<ChainDbContext>("chaindb");
        builder.AddRedisClient("redis", configureOptions: o => o.AbortOnConnectFail = false);

        // Named public networks as defaults under every configuration source; one without an RPC URL is not in use.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = NetworkPresets.AsConfiguration() });
        builder.Services.AddOptions<NetworksOptions>()
            .Bind(builder.Configuration.GetSection(NetworksOptions.SectionName))
            .PostConfigure(o =>
            {
                foreach (var unused in o.Where(n => string.IsNullOrWhiteSpace(n.Value.RpcUrl)).Select(n => n.Key).ToList()) o.Remove(unused);
            })
            .Validate(o => o.Count > 0 && o.Values.All(n => Uri.IsWellFormedUriString(n.RpcUrl, UriKind.Absolute) && n.ConfirmationDepth >= 1
                                                             && n.Fees is FeeTypes.Eip1559 or FeeTypes.Legacy),
                "Each network needs an absolute RpcUrl, a ConfirmationDepth of at least 1 and Fees eip1559 or legacy (Networks:{name}:*).")
            .Validate(o => o.Values.All(n => WriteService.IsGweiSetting(n.PriorityFee) && WriteService.IsGweiSetting(n.Policy.MaxFeePerGas)),
                "Networks:{name}:PriorityFee and Networks:{name}:Policy:MaxFeePerGas are amounts in gwei, such as 1.5 (or left empty).")
            .ValidateOnStart();
        builder.Services.AddSingleton<NetworkRegistry>();
        builder.Services.AddHealthChecks().AddCheck<NetworkHealthCheck>("networks");

        builder.Services.AddOptions<Dictionary<string, WalletOptions>>().Bind(builder.Configuration.GetSection(WalletRegistry.SectionName));
        builder.Services.AddSingleton<WalletRegistry>();
        builder.Services.AddOptions<Dictionary<string, CallerOptions>>().Bind(builder.Configuration.GetSection("Callers"));
        builder.Services.AddScoped<CallerContext>();

        builder.Services.AddSingleton<BudgetLedger>();
        builder.Services.AddSingleton<PolicyGate>();
        builder.Services.AddScoped<BudgetRecount>();
        builder.Services.AddSingleton<NonceManager>();
        builder.Services.AddScoped<WriteService>();
        builder.Services.AddOptions<ApprovalOptions>().BindConfiguration(ApprovalOptions.SectionName)
            .Validate(o => o.ExpireAfter > TimeSpan.Zero, "Approvals:ExpireAfter must be a positive time span.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ApprovalEvents>();
        builder.Services.AddHostedService<ApprovalExpiry>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        builder.Services.AddScoped<ToolAudit>();
        // Write decisions also go to ProofService's transparency log when it is referenced (services:proofservice).
        if (builder.Configuration.GetSection("services:proofservice").Exists())
        {
            builder.Services.AddHttpClient(AuditLogForwarder.HttpClientName, c => c.BaseAddress = new Uri("http://proofservice"));
            builder.Services.AddHostedService<AuditLogForwarder>();
        }
        builder.Services.AddScoped<ChainTools>();
        builder.Services.AddHostedService<TransactionRecovery>();
        builder.Services.AddHostedService<SubscriptionPoller>();

        builder.Services.AddMcpServer()
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<ChainTools>(OpenMcpChainJson.Options)
            .WithRequestFilters(filters =>
            {
                filters.AddCallToolFilter(CallerAuthentication.TaskFromMeta);
                filters.AddCallToolFilter(ToolCallFilter.Apply);
            });
    }
}
