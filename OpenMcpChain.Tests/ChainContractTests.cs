using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>ChainService's answers over MCP are typed: results and errors carry the SDK's fields in their structured content.</summary>
[Collection(SystemCollection.Name)]
public sealed class ChainContractTests(SystemFixture system)
{
    private const string ValidAddress = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    private static string NewRecipient() => Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

    [Fact]
    public async Task AnAmountGivenAsAJsonNumberIsSent()
    {
        var chain = await system.GetChainServiceAsync();
        await using var mcp = await chain.ConnectMcpAsync();
        var to = NewRecipient();

        // What the MCP Inspector sends for --tool-arg amount=0.001.
        var result = await mcp.CallAsync("transfer_native", new() { ["to"] = to, ["amount"] = JsonDocument.Parse("0.001").RootElement });

        Assert.True(result.IsError != true, result.Text());
        var sent = result.StructuredContent!.Value.Deserialize<WriteResult>(OpenMcpChainJson.Options)!;
        Assert.Equal(("confirmed", PolicyDecisions.Allowed), (sent.Status, sent.PolicyDecision));
        Assert.Equal(Web3.Convert.ToWei(0.001m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
        // The REST face is as forgiving.
        await chain.CreateClient().ToolAsync("transfer_native", new { to, amount = 0.002m });
        Assert.Equal(Web3.Convert.ToWei(0.003m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
    }

    public static TheoryData<string, string, string, string> BadArguments => new()
    {
        { "transfer_native", $$"""{"to":"{{ValidAddress}}"}""", "INVALID_ARGUMENT", "amount" },
        { "transfer_native", $$$"""{"to":"{{{ValidAddress}}}","amount":{"ether":1}}""", "INVALID_ARGUMENT", "amount" },
        { "transfer_native", $$"""{"to":"{{ValidAddress}}","amount":"-1"}""", "INVALID_ARGUMENT", "amount" },
        { "transfer_native", """{"to":"0x1234","amount":"0.1"}""", "INVALID_ADDRESS", "to" },
        { "get_transaction", """{"hash":"0xabc"}""", "INVALID_ARGUMENT", "hash" },
        { "get_logs", $$"""{"address":"{{ValidAddress}}","eventSignature":"Transfer(address,address,uint256)","fromBlock":"soon"}""", "INVALID_ARGUMENT", "fromBlock" },
        { "get_logs", $$"""{"address":"{{ValidAddress}}","eventSignature":"not an event"}""", "INVALID_ARGUMENT", "eventSignature" },
        { "call_contract", $$"""{"address":"{{ValidAddress}}","signature":"answer(uint256) returns (uint256)","args":["many"]}""", "INVALID_ARGUMENT", "args" },
        { "get_balance", $$"""{"address":"{{ValidAddress}}","network":"nowhere"}""", "UNKNOWN_NETWORK", "network" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task ABadArgumentOverMcpIsCodedAndNamesItsFieldAsTheSchemaDoes(string tool, string json, string code, string field)
    {
        var chain = await system.GetChainServiceAsync();
        await using var mcp = await chain.ConnectMcpAsync();
        var schema = (await mcp.ListToolsAsync()).Single(t => t.Name == tool).JsonSchema;
        var args = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!.ToDictionary(a => a.Key, a => (object?)a.Value);

        var error = (await mcp.CallAsync(tool, args)).Error();

        Assert.Equal((code, field), (error.Code, error.Field));
        Assert.True(schema.GetProperty("properties").TryGetProperty(field, out _), $"{field} is not how {tool}'s schema names it: {schema}");
        Assert.Null(error.PolicyDecision);
    }

    [Fact]
    public async Task ARefusedAndAParkedWriteCarryTheirDecisionAndApprovalIdInStructuredContent()
    {
        var chain = await system.GetChainServiceAsync();
        var taskId = $"typed-{Guid.NewGuid():N}";
        await using var mcp = await chain.ConnectMcpAsync(taskId: taskId);
        var nonce = await chain.WalletNonceAsync();

        var refused = (await mcp.CallAsync("transfer_native", new() { ["to"] = NewRecipient(), ["amount"] = "5" })).Error();
        Assert.Equal(("POLICY_VALUE_CAP", "POLICY_VALUE_CAP", null), (refused.Code, refused.PolicyDecision, refused.ApprovalId));

        var parkedResult = await mcp.CallAsync("transfer_native", new() { ["to"] = NewRecipient(), ["amount"] = "0.8" });
        var parked = parkedResult.Error();
        Assert.Equal(("APPROVAL_REQUIRED", "APPROVAL_REQUIRED"), (parked.Code, parked.PolicyDecision));
        Assert.Equal(PolicyDecisions.From(parkedResult.StructuredContent), parked.PolicyDecision);
        Assert.Equal(nonce, await chain.WalletNonceAsync());

        var operatorClient = chain.CreateClient(ChainServiceFixture.OperatorKey);
        var approval = (await operatorClient.GetFromJsonAsync<ApprovalResponse>($"/api/approvals/{parked.ApprovalId}", OpenMcpChainJson.Options))!;
        Assert.Equal((ApprovalStatuses.Pending, taskId, "agent"), (approval.Status, approval.TaskId, approval.Caller));
        using var withdrawn = await chain.CreateClient(taskId: taskId).PostAsync($"/api/approvals/{parked.ApprovalId}/withdraw", null);
        Assert.Equal(ApprovalStatuses.Withdrawn, (await withdrawn.Content.ReadFromJsonAsync<ApprovalResponse>(OpenMcpChainJson.Options))!.Status);
    }

    [Fact]
    public async Task RewordingEveryMessageChangesNothingAConsumerReads()
    {
        const string reworded = "Something went sideways.";
        var chain = await system.GetChainServiceAsync();
        // The same service, except that every error result's text is replaced on the wire.
        await using var variant = chain.Variant(services => services.Configure<McpServerOptions>(o => o.Filters.Message.OutgoingFilters.Add(next => async (context, ct) =>
        {
            if (context.JsonRpcMessage is JsonRpcResponse { Result: JsonObject result } && result["isError"]?.GetValue<bool>() == true)
                result["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = reworded });
            await next(context, ct);
        })));
        var http = variant.CreateClient();
        http.DefaultRequestHeaders.Add("X-Task-Id", $"reworded-{Guid.NewGuid():N}"[..40]);
        await using var mcp = await ChainTestHelpers.ConnectMcpAsync(http, ChainServiceFixture.AgentKey);

        var parked = await mcp.CallAsync("transfer_native", new() { ["to"] = NewRecipient(), ["amount"] = "0.8" });
        var refused = await mcp.CallAsync("transfer_native", new() { ["to"] = NewRecipient(), ["amount"] = "5" });

        // No text left to parse: a consumer reading "approval request … is waiting" would find nothing.
        Assert.Equal((reworded, reworded), (parked.Text(), refused.Text()));
        // What the agent reads (ChainToolError.From, PolicyDecisions.From) is unchanged.
        Assert.Equal(("APPROVAL_REQUIRED", "APPROVAL_REQUIRED"), (parked.Error().Code, PolicyDecisions.From(parked.StructuredContent)));
        Assert.True(PolicyDecisions.IsRefusal(PolicyDecisions.From(refused.StructuredContent)));
        var approval = (await chain.CreateClient(ChainServiceFixture.OperatorKey)
            .GetFromJsonAsync<ApprovalResponse>($"/api/approvals/{parked.Error().ApprovalId}", OpenMcpChainJson.Options))!;
        Assert.Equal(ApprovalStatuses.Pending, approval.Status);
        using var rejected = await chain.CreateClient(ChainServiceFixture.OperatorKey).PostAsJsonAsync($"/api/approvals/{approval.Id}/reject", new { reason = "test" });
        Assert.True(rejected.IsSuccessStatusCode);
    }

    [Fact]
    public async Task NoConsumerOfChainServiceParsesItsMessageText()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OpenMcpChain.sln"))) root = root.Parent;
        Assert.NotNull(root);
        string[] consumers = ["OpenMcpChain.AgentService", "OpenMcpChain.ProofService", "OpenMcpChain.Gateway", "OpenMcpChain.Sdk"];
        var sources = consumers.SelectMany(c => Directory.EnumerateFiles(Path.Combine(root.FullName, c), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.NotEmpty(sources);

        foreach (var file in sources)
        {
            var text = await File.ReadAllTextAsync(file);
            Assert.False(text.Contains("RegularExpressions", StringComparison.Ordinal), $"{file} uses a regular expression");
            Assert.False(text.Contains("StartsWith(\"approved", StringComparison.Ordinal), $"{file} matches a reason prefix");
        }
    }
}
