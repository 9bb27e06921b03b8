using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Nethereum.Web3;

namespace OpenMcpChain.Tests;

/// <summary>
/// The web console at the Gateway's <c>/</c>, driven in a real browser (Chromium through Playwright) against the whole
/// system: sign in through the OAuth flow, submit and watch a task, verify its provenance in the browser, work the
/// approval inbox, read it in Chinese. Screenshots land in <c>.artifacts/screenshots/</c>.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ConsoleTests(SystemFixture system) : IAsyncLifetime
{
    /// <summary>How long any one thing a user waits for may take in the browser.</summary>
    private const float StepMs = 30_000;
    /// <summary>A task's end, and its anchor (the tests anchor every 2 s), seen in the page.</summary>
    private const float TaskMs = 120_000;

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _origin = "";

    public async Task InitializeAsync()
    {
        // The console lives at the public origin the authorization server names (its redirect URI is registered there).
        using var http = OAuthClient.Anonymous(system);
        var metadata = await http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        _origin = metadata.GetProperty("issuer").GetString()!.TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static Task ShotAsync(IPage page, string name) => page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath($"console-{name}"), FullPage = true });

    /// <summary>A fresh browser context (its own session storage and cookies) signed in as <paramref name="user"/> through the sign-in page.</summary>
    private async Task<IPage> SignedInAsync(string user, string password)
    {
        var context = await _browser.NewContextAsync(new() { Locale = "en-US", ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(StepMs);
        await TracedAsync(page, $"signin-{user}", $"Signing in as {user}", async () =>
        {
            await page.GotoAsync(_origin + "/");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await page.WaitForURLAsync("**/account/signin**");
            await page.GetByLabel("Username").FillAsync(user);
            await page.GetByLabel("Password").FillAsync(password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("user")).ToHaveTextAsync($"Signed in as {user}", new() { Timeout = StepMs });
            return true;
        });
        return page;
    }

    private Task<string> SubmitAsync(IPage page, string goal) => TracedAsync(page, "submit", $"Submitting \"{goal}\"", async () =>
    {
        await page.GotoAsync(_origin + "/#/tasks");
        await page.GetByLabel("Goal", new() { Exact = true }).FillAsync(goal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit task" }).ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("#/tasks/[^/?]+$"));
        return Uri.UnescapeDataString(new Uri(page.Url).Fragment.Split('/')[2]);
    });

    /// <summary>
    /// Runs a step of the console that has timed out in full runs (the sign-in page's load twice, a submitted task's page
    /// once) under a Playwright trace: when it fails, the trace (every request with its timing; read it with
    /// <c>npx playwright show-trace</c>) is kept and the failure names the requests still unanswered.
    /// </summary>
    private static async Task<T> TracedAsync<T>(IPage page, string name, string what, Func<Task<T>> step)
    {
        await page.Context.Tracing.StartAsync(new() { Snapshots = false }); // requests and actions only: light
        var pending = new System.Collections.Concurrent.ConcurrentDictionary<IRequest, DateTime>();
        void Sent(object? _, IRequest r) => pending[r] = DateTime.UtcNow;
        void Ended(object? _, IRequest r) => pending.TryRemove(r, out DateTime _);
        page.Context.Request += Sent;
        page.Context.RequestFinished += Ended;
        page.Context.RequestFailed += Ended;
        try
        {
            var result = await step();
            await page.Context.Tracing.StopAsync();
            return result;
        }
        catch (Exception e)
        {
            var trace = Path.ChangeExtension(Chromium.ScreenshotPath($"console-{name}-failed"), ".zip");
            try
            {
                await page.Context.Tracing.StopAsync(new() { Path = trace });
            }
            catch (PlaywrightException stop)
            {
                trace = $"none ({stop.Message})";
            }
            var unanswered = string.Join(", ", pending.Select(p => $"{p.Key.Method} {p.Key.Url} ({(DateTime.UtcNow - p.Value).TotalSeconds:0} s)"));
            throw new Xunit.Sdk.XunitException(
                $"{what} failed at {page.Url}: {e.Message}\nRequests still unanswered: {(unanswered.Length > 0 ? unanswered : "none")}\nTrace: {trace}", e);
        }
        finally
        {
            page.Context.Request -= Sent;
            page.Context.RequestFinished -= Ended;
            page.Context.RequestFailed -= Ended;
        }
    }

    private static async Task ExpectStatusAsync(IPage page, string status, float timeoutMs = TaskMs) =>
        await Assertions.Expect(page.GetByTestId("task-head").GetByTestId("status"))
            .ToHaveAttributeAsync("data-status", status, new() { Timeout = timeoutMs });

    /// <summary>Waits until the provenance panel shows one verdict with every check passed.</summary>
    private static async Task ExpectVerifiedAsync(IPage page)
    {
        var panel = page.GetByTestId("provenance");
        await Assertions.Expect(panel.GetByTestId("verdict")).ToHaveTextAsync("Verified", new() { Timeout = TaskMs });
        var checks = panel.GetByTestId("check");
        Assert.Equal(["signature", "binding", "leaf", "inclusion", "entrySignature", "anchor"],
            await checks.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.check)"));
        Assert.All(await checks.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.ok)"), ok => Assert.Equal("true", ok));
    }

    [Fact]
    public async Task AnOperatorSignsInSubmitsATaskWatchesItSucceedAndVerifiesItsProvenanceInTheBrowser()
    {
        // The console is the Gateway's own page, under a strict content security policy; unknown API paths stay coded 404s.
        using var http = OAuthClient.Anonymous(system);
        using var home = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("script-src 'self'", home.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", home.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", home.Headers.GetValues("X-Content-Type-Options").Single());
        using var unknown = await http.GetAsync("/api/v1/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("NOT_FOUND", await OAuthClient.CodeAsync(unknown));

        var page = await SignedInAsync("operator", await system.ParameterAsync("gateway-operator-password"));
        var taskId = await SubmitAsync(page, "What is the latest block number?");

        // Its steps arrive while it runs, then it succeeds with a timeline of tool calls and model turns.
        await ExpectStatusAsync(page, "succeeded");
        var steps = page.GetByTestId("step");
        await Assertions.Expect(steps.First).ToBeVisibleAsync();
        Assert.Contains("get_", await page.GetByTestId("steps").InnerTextAsync()); // a chain tool call
        Assert.All(await page.GetByTestId("duration").AllInnerTextsAsync(), d => Assert.Matches(@"^\d+ ms$", d));
        Assert.All(await page.GetByTestId("tokens").AllInnerTextsAsync(), d => Assert.Matches(@"^\d+ / \d+$", d));
        Assert.False(string.IsNullOrWhiteSpace(await page.GetByTestId("reply").InnerTextAsync()));

        // Its provenance verifies in the browser, anchor included; the page shows the anchor's block and transaction.
        await ExpectVerifiedAsync(page);
        var task = await system.Client.GetTaskAsync(taskId);
        var anchor = task.Result!.Provenance!.Anchor!;
        Assert.Equal(anchor.BlockNumber.ToString(), await page.GetByTestId("anchor-block").InnerTextAsync());
        Assert.Equal(anchor.TxHash, await page.GetByTestId("anchor-tx").InnerTextAsync());
        await ShotAsync(page, "task-verified");

        // A copy with one byte of its signature changed is not verified, and says which check failed.
        await page.GetByTestId("open-verifier").ClickAsync();
        var input = page.Locator("#verify-input");
        var original = await input.InputValueAsync();
        var provenance = JsonDocument.Parse(original).RootElement;
        var signature = provenance.GetProperty("signature").GetString()!;
        var tampered = signature[..10] + (signature[10] == 'a' ? 'b' : 'a') + signature[11..];
        await input.FillAsync(original.Replace(signature, tampered));
        await page.GetByTestId("verify").ClickAsync();
        await Assertions.Expect(page.GetByTestId("verdict")).ToHaveTextAsync("Not verified", new() { Timeout = StepMs });
        Assert.Equal("false", await page.Locator("[data-check=signature]").GetAttributeAsync("data-ok"));
        await ShotAsync(page, "tampered-signature");

        // So is one whose log entry lost a byte; the untouched copy verifies.
        var entry = provenance.GetProperty("log").GetProperty("entry").GetString()!;
        Assert.Contains(taskId, entry);
        var tamperedEntry = entry.Replace(taskId, taskId[..^1] + (taskId[^1] == '0' ? '1' : '0'));
        await input.FillAsync(await page.EvaluateAsync<string>(
            "([text, entry]) => { const p = JSON.parse(text); p.log.entry = entry; return JSON.stringify(p, null, 2); }", new[] { original, tamperedEntry }));
        await page.GetByTestId("verify").ClickAsync();
        await Assertions.Expect(page.GetByTestId("verdict")).ToHaveTextAsync("Not verified", new() { Timeout = StepMs });
        Assert.Equal("false", await page.Locator("[data-check=leaf]").GetAttributeAsync("data-ok"));
        Assert.Equal("true", await page.Locator("[data-check=signature]").GetAttributeAsync("data-ok"));
        await input.FillAsync(original);
        await page.GetByTestId("verify").ClickAsync();
        await Assertions.Expect(page.GetByTestId("verdict")).ToHaveTextAsync("Verified", new() { Timeout = StepMs });

        // The task's proof bundle, pasted as a file's text would be, verifies too: tree head signature and every entry.
        var bundle = await http.GetStringAsync($"/api/v1/bundles/{taskId}");
        await input.FillAsync(bundle);
        await page.GetByTestId("verify").ClickAsync();
        await Assertions.Expect(page.GetByTestId("verdict")).ToHaveTextAsync("Verified", new() { Timeout = StepMs });
        Assert.Equal(["signature", "binding", "treeHead", "entries", "entrySignature", "anchor"],
            await page.GetByTestId("check").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.check)"));

        // The history finds it by its goal and filters by status.
        await page.GotoAsync(_origin + "/#/tasks");
        await page.Locator("#filter-q").FillAsync("latest block number");
        await page.Locator("#filter-status").SelectOptionAsync("succeeded");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("task-list").GetByRole(AriaRole.Link, new() { Name = taskId[..12] })).ToBeVisibleAsync();
        Assert.All(await page.GetByTestId("task-list").GetByTestId("status").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.status)"),
            s => Assert.Equal("succeeded", s));

        // In Chinese, and remembered across a reload.
        await page.Locator("#lang").SelectOptionAsync("zh");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "审批" })).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "发起一次智能体任务" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "提交任务" })).ToBeVisibleAsync();
        await page.GotoAsync($"{_origin}/#/tasks/{taskId}");
        await Assertions.Expect(page.GetByTestId("provenance").GetByTestId("verdict")).ToHaveTextAsync("已验证", new() { Timeout = TaskMs });
        Assert.Contains("执行步骤", await page.Locator("main").InnerTextAsync());
        await ShotAsync(page, "task-verified-zh");

        // Signing out revokes the token the page held.
        var token = await page.EvaluateAsync<string>("() => JSON.parse(sessionStorage.getItem('openmcp.token')).access_token");
        using (var api = OAuthClient.Anonymous(system))
        {
            api.DefaultRequestHeaders.Authorization = new("Bearer", token);
            Assert.True((await api.GetAsync("/api/v1/tasks/stats")).IsSuccessStatusCode);
            await page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true })).ToBeVisibleAsync();
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/tasks/stats")).StatusCode);
        }
        // The next person at this browser is asked for a password: the earlier sign-in does not carry over.
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/account/signin**");
        await Assertions.Expect(page.GetByLabel("Password")).ToBeEmptyAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ASixEtherTransferParksAndAnApproverApprovesItFromTheInboxThenTheRecipientHoldsExactlySixEther()
    {
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        var approver = await SignedInAsync("approver", await system.ParameterAsync("gateway-approver-password"));
        await approver.GotoAsync(_origin + "/#/approvals");
        await Assertions.Expect(approver.GetByTestId("approvals-live")).ToContainTextAsync("Live");
        var operatorPage = await SignedInAsync("operator", await system.ParameterAsync("gateway-operator-password"));

        // The write parks: the task waits for a person, and links to the inbox.
        var goal = $"Send 6 ETH to {recipient}";
        var taskId = await SubmitAsync(operatorPage, goal);
        await ExpectStatusAsync(operatorPage, "awaiting_approval");
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);

        // It appears in the approver's open inbox by itself (live), with what a person must judge.
        var card = approver.GetByTestId("approval").Filter(new() { HasText = recipient });
        await Assertions.Expect(card).ToBeVisibleAsync(new() { Timeout = StepMs });
        var facts = await card.InnerTextAsync();
        Assert.Contains("6 ETH", await card.GetByTestId("value").InnerTextAsync());
        Assert.Contains("6000000000000000000 wei", await card.GetByTestId("value").InnerTextAsync());
        Assert.Equal(goal, await card.GetByTestId("approval-goal").InnerTextAsync());
        Assert.Equal("operator", await card.GetByTestId("requested-by").InnerTextAsync());
        Assert.Contains("devnet", facts);
        Assert.Contains(taskId, facts);
        Assert.Contains("success", facts); // the simulation's outcome
        await ShotAsync(approver, "approval-inbox");

        // The operator may not approve its own request: the inbox says so by its code.
        await operatorPage.GotoAsync(_origin + "/#/approvals");
        var own = operatorPage.GetByTestId("approval").Filter(new() { HasText = recipient });
        await own.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(own.GetByTestId("error")).ToHaveAttributeAsync("data-code", "SELF_APPROVAL_FORBIDDEN");
        await ShotAsync(operatorPage, "self-approval-refused");

        // The approver approves it with a reason; the task succeeds and the recipient holds exactly 6 ETH.
        await card.GetByTestId("reason").FillAsync("Expected payout, checked by the console test");
        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(approver.GetByTestId("decision")).ToContainTextAsync("approved");
        await operatorPage.GotoAsync($"{_origin}/#/tasks/{taskId}");
        await ExpectStatusAsync(operatorPage, "succeeded");
        Assert.Equal(Web3.Convert.ToWei(6), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        await ExpectVerifiedAsync(operatorPage);
        await ShotAsync(operatorPage, "approved-transfer-verified");

        // The decision is on the record: who approved it and why.
        await approver.GotoAsync(_origin + "/#/approvals?status=approved");
        var decided = approver.GetByTestId("approval").Filter(new() { HasText = recipient });
        await Assertions.Expect(decided).ToContainTextAsync("approver");
        await Assertions.Expect(decided).ToContainTextAsync("Expected payout, checked by the console test");
        await approver.Context.CloseAsync();
        await operatorPage.Context.CloseAsync();
    }

    /// <summary>
    /// The console's proof checks are the SDK's, run in the browser: for every leaf of trees of 1 to 17 leaves the
    /// inclusion check agrees with <see cref="Sdk.Proofs.MerkleProof"/> (and refuses a wrong root or index), the leaf
    /// hash is byte-identical, and canonical JSON (which the signed result hash covers) matches the SDK's for hard text, keys and numbers.
    /// </summary>
    [Fact]
    public async Task TheBrowsersProofChecksAgreeWithTheSdk()
    {
        var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(StepMs);
        await page.GotoAsync(_origin + "/");

        var leaves = Enumerable.Range(0, 17).Select(i => Sdk.Proofs.MerkleProof.LeafHash(System.Text.Encoding.UTF8.GetBytes($"{{\"entry\":{i}}}"))).ToList();
        byte[] Perfect(int level, long index) => level == 0 ? leaves[(int)index]
            : Sdk.Proofs.MerkleProof.NodeHash(Perfect(level - 1, 2 * index), Perfect(level - 1, 2 * index + 1));
        var tree = new Sdk.Proofs.MerkleTree(Perfect);
        static string Hex(byte[] b) => "0x" + Convert.ToHexStringLower(b);
        var cases = new List<object>();
        for (var size = 1; size <= leaves.Count; size++)
        {
            var root = tree.Root(size);
            for (var index = 0; index < size; index++)
            {
                var path = tree.InclusionPath(index, size);
                Assert.True(Sdk.Proofs.MerkleProof.VerifyInclusion(index, size, leaves[index], path, root));
                cases.Add(new { index, size, leaf = Hex(leaves[index]), path = path.Select(Hex), root = Hex(root), expected = true });
                var wrongRoot = (byte[])root.Clone();
                wrongRoot[31] ^= 1;
                cases.Add(new { index, size, leaf = Hex(leaves[index]), path = path.Select(Hex), root = Hex(wrongRoot), expected = false });
                if (size > 1)
                    cases.Add(new { index = (index + 1) % size, size, leaf = Hex(leaves[index]), path = path.Select(Hex), root = Hex(root), expected = false });
            }
        }
        var answers = await page.EvaluateAsync<bool[]>("""
            async cases => {
              const v = await import('/console/verify.js');
              const bytes = h => Uint8Array.from(h.slice(2).match(/../g).map(x => parseInt(x, 16)));
              const out = [];
              for (const c of cases) out.push(await v.verifyInclusion(c.index, c.size, bytes(c.leaf), c.path.map(bytes), bytes(c.root)));
              return out;
            }
            """, cases);
        Assert.Equal(cases.Select(c => (bool)c.GetType().GetProperty("expected")!.GetValue(c)!), answers);

        const string entry = "{\"goal\":\"最新区块是多少？ \\\"quoted\\\" 🚀\",\"n\":1}";
        var sdkLeaf = Hex(Sdk.Proofs.MerkleProof.LeafHash(System.Text.Encoding.UTF8.GetBytes(entry)));
        var value = new System.Text.Json.Nodes.JsonObject
        {
            ["reply"] = "余额 1.5 ETH — \"ok\" <b>&</b> 🚀\n\ttab", ["z"] = new System.Text.Json.Nodes.JsonArray(1, "two", null, true),
            ["a"] = new System.Text.Json.Nodes.JsonObject { ["y"] = 2, ["b"] = "é" }, ["chain_id"] = "0x7a69",
            // Integer-like keys (a JS object lists them first), what .NET escapes and JSON.stringify does not, numbers as written.
            ["10"] = "\u001f\u007f\u00a0\u00ad\u2028\ufeff\ue000\u0378", ["9"] = System.Text.Json.Nodes.JsonNode.Parse("[1.0, 1e-7, 1E+2, -0, 100000000000000000000001, 0.10]"),
        };
        var browser = await page.EvaluateAsync<string[]>("""
            async ([entry, value]) => {
              const v = await import('/console/verify.js');
              const leaf = await v.leafHash(new TextEncoder().encode(entry));
              return ['0x' + [...leaf].map(b => b.toString(16).padStart(2, '0')).join(''), v.canonicalJson(v.parseJson(value))];
            }
            """, new[] { entry, value.ToJsonString() });
        Assert.Equal(sdkLeaf, browser[0]);
        Assert.Equal(Sdk.Proofs.CanonicalJson.Serialize(value), browser[1]);
        await context.CloseAsync();
    }
}
