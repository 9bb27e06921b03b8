using OpenMcpChain.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var infra = builder.GetInfraMode();

// Resources: databases, cache/queue, chain, model.
var mysql = builder.AddMySqlServer("mysql", infra);
var agentDb = mysql.AddDatabase("agentdb");
var chainDb = mysql.AddDatabase("chaindb");
var proofDb = mysql.AddDatabase("proofdb");
var gatewayDb = mysql.AddDatabase("gatewaydb");
var redis = builder.AddRedisServer("redis", infra);
// The chain (Infra:Chain): the devnet locally, a fork or a network; a deployment targets Chain:Default (sepolia) and
// deploys the devnet only when asked (Chains.cs).
var chains = builder.AddChains("devnet", infra);
chains.Local?.WithMineBlockCommand(chains.LocalRpcUrl!); // a dashboard button for the local chain
var llmApiKey = builder.AddParameter("llm-api-key", secret: true);
var llmBridge = builder.AddLlmBridge("llm-bridge", llmApiKey);

// Keys are secret parameters; appsettings.json holds public anvil keys for the devnet only.
var chainWalletKey = builder.AddParameter("chain-wallet-key", secret: true);
var proofSignerKey = builder.AddParameter("proof-signer-key", secret: true);
// Callers of ChainService: the agent, and an operator who may approve parked writes. Generated per environment.
var agentChainKey = builder.AddGeneratedSecret("chain-agent-key");
var operatorChainKey = builder.AddGeneratedSecret("chain-operator-key");
var proofChainKey = builder.AddGeneratedSecret("chain-proof-key");
var gatewayChainKey = builder.AddGeneratedSecret("chain-gateway-key");
// The secret the public API's token keys derive from, and the passwords of its users (appsettings: DEVNET ONLY values).
var gatewaySigningKey = builder.AddGeneratedSecret("gateway-signing-key");
var operatorPassword = builder.AddParameter("gateway-operator-password", secret: true);
var viewerPassword = builder.AddParameter("gateway-viewer-password", secret: true);
var approverPassword = builder.AddParameter("gateway-approver-password", secret: true);
// A machine client of the API (OAuth client credentials), its secret generated per environment.
var automationSecret = builder.AddGeneratedSecret("gateway-automation-secret");

// Services. Each runs Replicas:{name} copies (default 1): several behind one address that balances between them, one at its own port.
var chainService = builder.AddProject<Projects.OpenMcpChain_ChainService>("chainservice")
    .WithReference(chainDb).WaitFor(mysql)
    .WithReference(redis).WaitFor(redis)
    .WithChains(chains)
    .WithWallet("default", chainWalletKey)
    .WithCaller("agentservice", agentChainKey)
    .WithCaller("operator", operatorChainKey, canApprove: true)
    // ProofService anchors the log from the signer's own wallet (the anchor contract accepts only the signer) through
    // ChainService, so that wallet's nonces are managed in one place; it may deploy the contract and use no other wallet.
    .WithWallet("proof", proofSignerKey)
    .WithCaller("proofservice", proofChainKey, wallets: ["proof"], canDeploy: true)
    // The Gateway: external MCP clients at /mcp, each recorded as gateway:{user}, and the approval inbox at
    // /api/v1/approvals, where the Gateway's scope check (approvals:decide) guards who decides.
    .WithCaller("gateway", gatewayChainKey, canApprove: true, relaysUsers: true)
    .WithApprovalSettings() // Approvals:ExpireAfter, Approvals:AllowSelfApproval from the AppHost's configuration
    .WithConfiguredReplicas()
    .WithHealthProbes();

var proofService = builder.AddProject<Projects.OpenMcpChain_ProofService>("proofservice")
    .WithReference(proofDb).WaitFor(mysql)
    .WithEnvironment("Signer__PrivateKey", proofSignerKey)
    .WithReference(chainService).WaitFor(chainService)
    .WithChains(chains) // to check anchors on chain when verifying bundles
    .WithEnvironment("Anchoring__Enabled", "true")
    .WithEnvironment("Anchoring__Network", chains.DefaultNetwork)
    .WithEnvironment("Anchoring__ApiKey", proofChainKey)
    // An anchor pays gas on a public network: there once an hour or per 10,000 entries by default, locally every 30 s or 100.
    .WithEnvironment("Anchoring__EveryEntries", builder.Configuration["Anchoring:EveryEntries"] ?? (chains.Local is null ? "10000" : "100"))
    .WithEnvironment("Anchoring__Interval", builder.Configuration["Anchoring:Interval"] ?? (chains.Local is null ? "01:00:00" : "00:00:30"))
    .WithVerifyLogCommand()
    .WithConfiguredReplicas()
    .WithHealthProbes();

// ChainService files every write decision in ProofService's log (no WaitFor: the forwarder catches up).
chainService.WithReference(proofService);

var agentService = builder.AddProject<Projects.OpenMcpChain_AgentService>("agentservice")
    .WithReference(agentDb).WaitFor(mysql)
    .WithReference(redis).WaitFor(redis)
    .WithReference(llmBridge.GetEndpoint("http")).WaitFor(llmBridge).WithUpstreamModel()
    .WithReference(chainService).WaitFor(chainService)
    .WithEnvironment("Agent__ChainApiKey", agentChainKey)
    .WithNetworkNames(chains) // a task naming another network is refused at submission
    .WithReference(proofService).WaitFor(proofService)
    .WithConfiguredReplicas()
    .WithHealthProbes();

// The edge: the public API on the original daemon's port (launchSettings: http://localhost:8080).
builder.AddProject<Projects.OpenMcpChain_Gateway>("gateway")
    .WithReference(gatewayDb).WaitFor(mysql) // the authorization server's clients, tokens and keys
    .WithReference(redis).WaitFor(redis) // sign-in lockouts, shared by the replicas
    .WithReference(agentService).WaitFor(agentService)
    .WithReference(proofService)
    .WithReference(chainService)
    .WithEnvironment("Auth__SigningKey", gatewaySigningKey)
    .WithUser("operator", operatorPassword, "tasks:read", "tasks:write", "chain:tools", "approvals:decide")
    .WithUser("viewer", viewerPassword, "tasks:read")
    // Decides approval requests (a second person: nobody approves their own request unless Approvals:AllowSelfApproval).
    .WithUser("approver", approverPassword, "tasks:read", "approvals:decide")
    .WithClient("automation", automationSecret, "tasks:read", "tasks:write")
    .WithEnvironment("ChainService__ApiKey", gatewayChainKey)
    .WithGatewayAuthSettings() // further users and settings from the AppHost's Gateway:Auth section
    .WithPublicBaseUrl()
    // The gRPC API on its own h2c endpoint (OpenMcpChain.Sdk/Protos); the Gateway listens on the port Grpc__Port names.
    .WithHttpEndpoint(port: 8081, name: "grpc", env: "Grpc__Port").WithEndpointsInEnvironment(e => e.Name != "grpc")
    .WithUrlForEndpoint("grpc", url => url.DisplayText = "gRPC (h2c)")
    .WithExternalHttpEndpoints()
    // The dashboard links what an operator opens: the console, the API reference and the MCP endpoint.
    .WithUrlForEndpoint("http", url => url.DisplayText = "Console")
    .WithUrlForEndpoint("http", _ => new() { Url = "/scalar", DisplayText = "API reference" })
    .WithUrlForEndpoint("http", _ => new() { Url = "/mcp", DisplayText = "MCP endpoint" })
    .WithCorsOrigins() // the browser origins it answers CORS for (the original console's dev server by default)
    .WithConfiguredReplicas()
    .WithHealthProbes();

builder.Build().Run();
