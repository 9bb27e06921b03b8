using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>The public edge: bearer tokens from /api/v1/auth/token, scopes, who submitted a task, and rate limits.</summary>
[Collection(SystemCollection.Name)]
public sealed class GatewayAuthTests(SystemFixture system)
{
    // A plain client: no retries (a 429 must reach the test, not be retried after Retry-After).
    private HttpClient Anonymous() => new() { BaseAddress = system.App.GetEndpoint("gateway", "http") };

    private static async Task<string> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;

    [Fact]
    public async Task WithoutATokenTasksAreClosedAndProofsStayOpen()
    {
        using var http = Anonymous();
        using var list = await http.GetAsync("/api/v1/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal("UNAUTHENTICATED", await CodeAsync(list));
        var before = (await system.Gateway.GetFromJsonAsync<TaskStatsResponse>("/api/v1/tasks/stats", OpenMcpChainJson.Options))!.Total;
        using var create = await http.PostAsJsonAsync("/api/v1/tasks", new { goal = "What is the latest block number?" });
        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
        Assert.Equal(before, (await system.Gateway.GetFromJsonAsync<TaskStatsResponse>("/api/v1/tasks/stats", OpenMcpChainJson.Options))!.Total);

        Assert.True((await http.GetAsync("/api/v1/signer")).IsSuccessStatusCode);
        Assert.True((await http.GetAsync("/api/v1/log/tree-head")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task TheTokenEndpointChecksCredentialsAndAnswersWithCodes()
    {
        using var http = Anonymous();
        async Task<HttpResponseMessage> Token(object body) => await http.PostAsJsonAsync("/api/v1/auth/token", body);

        using var wrong = await Token(new { grant_type = "password", username = "operator", password = "nope" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("INVALID_CREDENTIALS", await CodeAsync(wrong));
        using var unknown = await Token(new { grant_type = "password", username = "nobody", password = "nope" });
        Assert.Equal("INVALID_CREDENTIALS", await CodeAsync(unknown));
        using var missing = await Token(new { grant_type = "password", username = "operator" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        using var grant = await Token(new { grant_type = "magic", username = "operator", password = "x" });
        Assert.Equal("UNSUPPORTED_GRANT", await CodeAsync(grant)); // the original daemon's code
        using var malformed = await http.PostAsync("/api/v1/auth/token", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        // The original daemon's clients may post a form.
        using var form = await http.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "reader", ["password"] = SystemFixture.ReaderPassword,
        }));
        var token = await form.Content.ReadFromJsonAsync<TokenResponse>(OpenMcpChainJson.Options);
        Assert.Equal("Bearer", token!.TokenType);
        Assert.Equal("tasks:read", token.Scope);
        Assert.True(token.ExpiresIn > 0);

        // A user configured with only a PBKDF2 hash signs in with its password, and not with the hash itself.
        using var hashed = await Token(new { grant_type = "password", username = "hashed", password = SystemFixture.HashedPassword });
        Assert.True(hashed.IsSuccessStatusCode);
        using var wrongHashed = await Token(new { grant_type = "password", username = "hashed", password = "hashed-test-passwore" });
        Assert.Equal("INVALID_CREDENTIALS", await CodeAsync(wrongHashed));
    }

    [Fact]
    public async Task AReaderReadsButCannotSubmitAndForgedTokensAreRefused()
    {
        using var http = Anonymous();
        var reader = new OpenMcpChainClient(http);
        var token = await reader.AuthenticateAsync("reader", SystemFixture.ReaderPassword, scope: "tasks:read tasks:write");
        Assert.Equal("tasks:read", token.Scope); // it cannot ask for more than it has
        Assert.True((await http.GetAsync("/api/v1/tasks")).IsSuccessStatusCode);
        using var create = await http.PostAsJsonAsync("/api/v1/tasks", new { goal = "Send 1 ETH to 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" });
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal("FORBIDDEN", await CodeAsync(create));

        // A token whose payload was edited (more scope) or that is not a token at all.
        var parts = token.AccessToken.Split('.');
        var payload = JsonDocument.Parse(Base64Url(parts[1])).RootElement.GetRawText().Replace("tasks:read", "tasks:read tasks:write");
        var edited = $"{parts[0]}.{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.{parts[2]}";
        foreach (var forged in new[] { edited, "not-a-token" })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);
            using var refused = await http.GetAsync("/api/v1/tasks");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
    }

    [Fact]
    public async Task ATaskRecordsWhoSubmittedItAndACallerCannotClaimToBeSomeoneElse()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tasks")
        {
            Content = JsonContent.Create(new { goal = "What chain is this?" }),
        };
        request.Headers.Add("X-Caller", "mallory");
        using var response = await system.Gateway.SendAsync(request);
        var task = await response.Content.ReadFromJsonAsync<TaskResponse>(OpenMcpChainJson.Options);
        Assert.Equal("operator", task!.SubmittedBy);
        Assert.Equal("operator", (await system.Client.GetTaskAsync(task.TaskId)).SubmittedBy);
    }

    [Fact]
    public async Task ACallerOverItsRateIsToldToWait()
    {
        using var http = Anonymous();
        await new OpenMcpChainClient(http).AuthenticateAsync("limited", SystemFixture.LimitedPassword);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await http.GetAsync("/api/v1/tasks/stats");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("RATE_LIMITED", await CodeAsync(response));
                Assert.True(response.Headers.RetryAfter is not null);
            }
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        // Others are not affected.
        Assert.True((await system.Gateway.GetAsync("/api/v1/tasks/stats")).IsSuccessStatusCode);
    }

    private static string Base64Url(string s) =>
        System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + (4 - s.Length % 4) % 4, '=')));
}

/// <summary>External MCP clients use the chain tools through the Gateway, signed in, each recorded as themselves.</summary>
[Collection(SystemCollection.Name)]
public sealed class GatewayMcpTests(SystemFixture system)
{
    private async Task<ModelContextProtocol.Client.McpClient> ConnectAsync(string token, CancellationToken ct) =>
        await ModelContextProtocol.Client.McpClient.CreateAsync(new ModelContextProtocol.Client.HttpClientTransport(
            new ModelContextProtocol.Client.HttpClientTransportOptions
            {
                Endpoint = new Uri(system.App.GetEndpoint("gateway", "http"), "/mcp"),
                TransportMode = ModelContextProtocol.Client.HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
            }), cancellationToken: ct);

    [Fact]
    public async Task ASignedInUserWithTheToolsScopeUsesTheChainToolsAndIsRecordedAsThemselves()
    {
        // MCP answers may stream; a deadline on every call keeps a silent server from holding the run.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var http = new HttpClient { BaseAddress = system.App.GetEndpoint("gateway", "http") };
        var operatorToken = await new OpenMcpChainClient(http).AuthenticateAsync("operator", await system.ParameterAsync("gateway-operator-password"));
        Assert.Contains("chain:tools", operatorToken.Scope);

        await using (var mcp = await ConnectAsync(operatorToken.AccessToken, deadline.Token))
        {
            var tools = await mcp.ListToolsAsync(cancellationToken: deadline.Token);
            Assert.Contains(tools, t => t.Name == "get_chain_info");
            var info = await mcp.CallToolAsync("get_chain_info", new Dictionary<string, object?>(), cancellationToken: deadline.Token);
            Assert.NotEqual(true, info.IsError);
            Assert.Equal(31337, info.StructuredContent!.Value.GetProperty("chain_id").GetInt64());

            // A write above the threshold is parked, and the approval names the user behind the Gateway.
            var parked = await mcp.CallToolAsync("transfer_native", new Dictionary<string, object?>
            {
                ["to"] = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress(), ["amount"] = "6",
            }, cancellationToken: deadline.Token);
            Assert.True(parked.IsError);
            var text = string.Join(" ", parked.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(t => t.Text));
            Assert.Contains("APPROVAL_REQUIRED", text);
            var approvalId = OpenMcpChain.Sdk.Contracts.ChainToolError.From(parked.StructuredContent)!.ApprovalId;
            var approval = await (await system.ChainOperatorAsync()).GetFromJsonAsync<JsonElement>($"/api/approvals/{approvalId}");
            Assert.Equal("gateway:operator", approval.GetProperty("caller").GetString());
            using var reject = await (await system.ChainOperatorAsync()).PostAsJsonAsync($"/api/approvals/{approvalId}/reject", new { reason = "test" });
            Assert.True(reject.IsSuccessStatusCode);
        }

        // Without the scope, or without a token, /mcp is closed.
        var readerToken = await new OpenMcpChainClient(new HttpClient { BaseAddress = system.App.GetEndpoint("gateway", "http") })
            .AuthenticateAsync("reader", SystemFixture.ReaderPassword);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = JsonContent.Create(new { jsonrpc = "2.0", id = 1, method = "tools/list" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", readerToken.AccessToken);
        using var forbidden = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        http.DefaultRequestHeaders.Authorization = null;
        using var anonymous = await http.PostAsJsonAsync("/mcp", new { jsonrpc = "2.0", id = 1, method = "tools/list" });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
