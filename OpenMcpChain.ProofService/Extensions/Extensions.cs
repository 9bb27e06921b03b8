using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenMcpChain.ProofService.Anchoring;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Log;
using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddMySqlDbContext<ProofDbContext>("proofdb");
        builder.Services.AddOptions<SignerOptions>()
            .BindConfiguration(SignerOptions.SectionName)
            .Validate(o => SignerOptions.IsValidKey(o.PrivateKey), "Signer:PrivateKey must be a 32-byte hex secp256k1 key.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OutcomeSigner>();
        builder.Services.AddSingleton<IAttestationProvider>(sp => sp.GetRequiredService<OutcomeSigner>());
        builder.Services.AddSingleton<LogSequencer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LogSequencer>());
        builder.Services.AddScoped<LogReader>();
        builder.Services.AddScoped<LogVerifier>();
        builder.Services.AddScoped<TreeHeads>();

        builder.Services.AddOptions<AnchoringOptions>().BindConfiguration(AnchoringOptions.SectionName)
            .Validate(o => !o.Enabled || (o.ApiKey.Length > 0 && o.EveryEntries > 0 && o.Interval > TimeSpan.Zero && o.WriteTimeout > TimeSpan.Zero),
                "Anchoring needs Anchoring:ApiKey, a positive EveryEntries, Interval and WriteTimeout.")
            .ValidateOnStart();
        // Anchors wait for their receipt at ChainService: the default 10 s attempt would cut them on any real network.
        builder.Services.AddHttpClient<ChainServiceClient>()
            .AddLongCallResilience(sp => sp.GetRequiredService<IOptions<AnchoringOptions>>().Value.WriteTimeout);
        if (builder.Configuration.GetValue<bool>("Anchoring:Enabled"))
            builder.Services.AddHostedService<AnchorWorker>();
        builder.Services.TryAddSingleton(TimeProvider.System);
    }
}
