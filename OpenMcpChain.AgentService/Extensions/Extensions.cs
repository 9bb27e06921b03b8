using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenMcpChain.AgentService.Agent;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.AgentService.Progress;
using OpenMcpChain.AgentService.Queue;
using OpenMcpChain.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddMySqlDbContext<AgentDbContext>("agentdb");
        builder.AddRedisClient("redis", configureOptions: o => o.AbortOnConnectFail = false);

        builder.Services.AddOptions<AgentOptions>()
            .BindConfiguration(AgentOptions.SectionName)
            .Validate(o => o.Concurrency > 0 && o.MaxRetries >= 0 && o.ReclaimAfter > TimeSpan.Zero, "Agent:Concurrency and Agent:ReclaimAfter must be positive.")
            .Validate(o => o.ModelAttemptTimeout > TimeSpan.Zero && o.ModelRetries >= 0 && o.ToolWriteTimeout > TimeSpan.Zero,
                "Agent:ModelAttemptTimeout and Agent:ToolWriteTimeout must be positive, Agent:ModelRetries at least 0.")
            .ValidateOnStart();

        builder.Services.AddOptions<ChainNetworks>().BindConfiguration(ChainNetworks.SectionName);

        builder.Services.AddSingleton<TaskQueue>();
        builder.Services.AddScoped<TaskProcessor>();
        builder.Services.AddScoped<TaskServices>();
        builder.Services.AddHostedService<TaskWorker>();
        builder.Services.AddHostedService<PendingTaskSweeper>();
        // Identical model requests are answered from Redis (the IChatClient pipeline's distributed cache).
        builder.Services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache, ResilientCache>();
        builder.Services.AddOptions<Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions>()
            .Configure<StackExchange.Redis.IConnectionMultiplexer>((o, redis) =>
            {
                o.ConnectionMultiplexerFactory = () => Task.FromResult(redis);
                o.InstanceName = "agent:llm-cache:";
            });
        builder.Services.AddScoped<TaskTransitions>();
        builder.Services.AddSingleton<TaskProgress>();
        builder.Services.AddHostedService<ApprovalWatcher>();
        builder.Services.AddHttpClient(ApprovalWatcher.HttpClientName, (sp, c) =>
        {
            c.BaseAddress = new Uri("http://chainservice");
            c.DefaultRequestHeaders.Authorization = new("Bearer", sp.GetRequiredService<IOptions<AgentOptions>>().Value.ChainApiKey);
        });

        builder.Services.AddScoped<AgentRunner>();
        builder.Services.AddSingleton<ChainToolsClient>();
        // Reads keep the short defaults; writes wait for their receipt and carry an idempotency key, so they may be asked again.
        builder.Services.AddHttpClient(ChainToolsClient.HttpClientName);
        builder.Services.AddHttpClient(ChainToolsClient.WriteHttpClientName)
            .AddLongCallResilience(sp => sp.GetRequiredService<IOptions<AgentOptions>>().Value.ToolWriteTimeout);
        builder.Services.AddHttpClient<ProofClient>(c => c.BaseAddress = new Uri("http://proofservice"));
        builder.Services.AddHttpClient("llm").AddModelCallResilience(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            return (o.ModelAttemptTimeout, o.ModelRetries);
        });
        builder.Services.AddChatClient(sp =>
            {
                var options = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
                var openAi = new OpenAIClient(new ApiKeyCredential(options.ApiKey), new OpenAIClientOptions
                {
                    Endpoint = new Uri(options.LlmEndpoint),
                    Transport = new HttpClientPipelineTransport(sp.GetRequiredService<IHttpClientFactory>().CreateClient("llm")),
                    // The "llm" client's resilience handler decides what is asked again and how long a call may take: the
                    // SDK's own retries would repeat a timed-out (maybe billed) call, and its 100 s timeout would cut a slow one.
                    RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                    NetworkTimeout = Timeout.InfiniteTimeSpan,
                });
                return openAi.GetChatClient(options.Model).AsIChatClient();
            })
            // The part every run shares, outermost first: each model turn is traced, logged, and answered from the cache
            // when an identical request was seen. AgentRunner adds the run's own layers (tool loop, recording) on top.
            .UseOpenTelemetry(configure: o => o.EnableSensitiveData = false)
            .UseLogging()
            .UseDistributedCache();
    }
}
