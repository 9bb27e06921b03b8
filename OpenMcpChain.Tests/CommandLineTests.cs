using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using OpenMcpChain.Sdk.Contracts;
using Xunit.Abstractions;

namespace OpenMcpChain.Tests;

/// <summary><c>openmcp</c>, the command-line client, run as a separate process against the whole system, as its users run it.</summary>
[Collection(SystemCollection.Name)]
public sealed partial class CommandLineTests(SystemFixture system, ITestOutputHelper log)
{
    private static readonly TimeSpan FollowDeadline = TimeSpan.FromMinutes(3);

    [GeneratedRegex(@"Task ([0-9a-f-]{36}) accepted")]
    private static partial Regex AcceptedTask();

    /// <summary>The id of the task a <c>submit</c> run accepted, as it printed it; fails the test when it printed none.</summary>
    private static string AcceptedTaskId(OpenMcpCli.Outcome submit)
    {
        var accepted = AcceptedTask().Match(submit.Output);
        Assert.True(accepted.Success, $"submit printed no accepted task: {submit.Output}{submit.Error}");
        return accepted.Groups[1].Value;
    }

    private async Task<OpenMcpCli> SignedInAsync(string user, string password)
    {
        var cli = new OpenMcpCli(system.Gateway.BaseAddress!, log);
        var login = (await cli.LoginAsync(user, password)).Succeeded();
        Assert.Contains($"Signed in to {system.Gateway.BaseAddress!.ToString().TrimEnd('/')} as {user}", login.Output);
        // The tokens it keeps, and the password it was given, are never printed.
        var session = JsonDocument.Parse(File.ReadAllText(cli.SessionFile)).RootElement;
        foreach (var secret in (string[])[password, session.GetProperty("access_token").GetString()!, session.GetProperty("refresh_token").GetString()!])
            Assert.DoesNotContain(secret, login.Output + login.Error);
        return cli;
    }

    [Fact]
    public async Task LogoutForgetsTheSessionAndRevokesItsRefreshToken()
    {
        using var cli = await SignedInAsync("operator", await system.ParameterAsync("gateway-operator-password"));
        var refresh = JsonDocument.Parse(File.ReadAllText(cli.SessionFile)).RootElement.GetProperty("refresh_token").GetString()!;

        // Signing out of another server leaves this server's session (and its tokens) as they are.
        Assert.Contains("There was no stored session.", (await cli.RunAsync("logout", "--server", "http://127.0.0.1:9")).Succeeded().Output);
        Assert.Equal(refresh, JsonDocument.Parse(File.ReadAllText(cli.SessionFile)).RootElement.GetProperty("refresh_token").GetString());

        var logout = (await cli.RunAsync("logout")).Succeeded();

        Assert.Contains($"Signed out of {system.Gateway.BaseAddress!.ToString().TrimEnd('/')}", logout.Output);
        Assert.False(File.Exists(cli.SessionFile));
        using var http = system.CreateClient("gateway");
        var revoked = await Assert.ThrowsAsync<OpenMcpChain.Sdk.OpenMcpChainException>(() => new OpenMcpChain.Sdk.OpenMcpChainClient(http).RefreshAsync(refresh));
        Assert.Equal(ErrorCodes.InvalidGrant, revoked.Code);
        Assert.Equal(ErrorCodes.Unauthenticated, (await cli.RunAsync("tasks", "list", "--json")).Json(1).GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("There was no stored session.", (await cli.RunAsync("logout")).Succeeded().Output);
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AnOperatorSubmitsFollowsListsAndVerifiesATaskFromTheCommandLine()
    {
        var password = await system.ParameterAsync("gateway-operator-password");
        using var cli = await SignedInAsync("operator", password);
        // The session is the user's alone, and holds a token that nothing printed.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.SessionFile));
        var token = JsonDocument.Parse(File.ReadAllText(cli.SessionFile)).RootElement.GetProperty("access_token").GetString()!;
        var address = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

        var followed = await cli.RunAsync([$"submit", $"What is the balance of {address}?", "--follow"], null, FollowDeadline);

        Assert.True(followed.ExitCode == 0, $"submit --follow exited {followed.ExitCode}: {followed.Output}{followed.Error}");
        var id = AcceptedTaskId(followed);
        var task = await system.Client.GetTaskAsync(id);
        Assert.Equal(TaskStatuses.Succeeded, task.Status);
        // The steps arrived live, before the end, and the reply was printed.
        var lines = followed.Output.Split('\n');
        var toolStep = Array.FindIndex(lines, l => l.Contains("step") && l.Contains("get_balance"));
        var end = Array.FindIndex(lines, l => l.StartsWith($"Task {id} succeeded"));
        Assert.True(toolStep > 0 && end > toolStep, followed.Output);
        Assert.Contains(task.Result!.Reply, followed.Output);
        Assert.Contains(address, task.Result.Reply, StringComparison.OrdinalIgnoreCase);
        foreach (var secret in (string[])[password, token]) Assert.DoesNotContain(secret, followed.Output + followed.Error);

        var listed = (await cli.RunAsync("tasks", "list", "--json", "--limit", "100")).Json();
        var row = listed.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("task_id").GetString() == id);
        Assert.Equal("succeeded", row.GetProperty("status").GetString());
        Assert.True(listed.GetProperty("total").GetInt32() >= 1);

        // An expired token is renewed with the refresh token before the next command, and the session stays the user's alone.
        var session = JsonNode.Parse(File.ReadAllText(cli.SessionFile))!;
        session["expires_at"] = 0;
        File.WriteAllText(cli.SessionFile, session.ToJsonString());
        Assert.Equal(id, (await cli.RunAsync("tasks", "show", id, "--json")).Json().GetProperty("task_id").GetString());
        var renewed = JsonDocument.Parse(File.ReadAllText(cli.SessionFile)).RootElement;
        Assert.NotEqual(token, renewed.GetProperty("access_token").GetString());
        Assert.True(renewed.GetProperty("expires_at").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.SessionFile));

        var steps = (await cli.RunAsync("tasks", "steps", id, "--json")).Json();
        var expected = await system.Client.GetStepsAsync(id);
        Assert.Equal(expected.Count, steps.GetArrayLength());
        Assert.Contains(steps.EnumerateArray(), s => s.GetProperty("name").GetString() == "get_balance" && !s.GetProperty("is_error").GetBoolean());
        Assert.Contains("get_balance", (await cli.RunAsync("tasks", "steps", id)).Succeeded().Output);
        Assert.Contains(task.Result.Reply, (await cli.RunAsync("tasks", "show", id)).Succeeded().Output);

        // Once anchored, every check holds, on chain too; the bundle saved then is checked again offline, and a copy
        // with one character of the result changed is not verified.
        await WaitUntilAnchoredAsync(id);
        var bundleFile = Path.Combine(cli.ConfigHome, "bundle.json");
        var verified = (await cli.RunAsync("verify", id, "--rpc", system.App.GetEndpoint("devnet", "http").ToString(), "--save", bundleFile)).Succeeded();
        var checks = verified.Output.Split('\n').Where(l => l.StartsWith("  verified") || l.Contains("NOT VERIFIED")).ToList();
        Assert.All(checks, c => Assert.StartsWith("  verified", c));
        foreach (var title in (string[])["signature", "tree head", "included", "log records", "anchor", "on chain"])
            Assert.Contains(checks, c => c.Contains(title));
        Assert.Contains("Result: verified", verified.Output);

        // The SDK reads the same attestation, and the server's own verdict on the saved bundle agrees, check by check.
        var saved = JsonSerializer.Deserialize<OpenMcpChain.Sdk.Proofs.ProofBundle>(File.ReadAllText(bundleFile), OpenMcpChain.Sdk.OpenMcpChainJson.Options)!;
        Assert.Equal(saved.Attestation.Signature, (await system.Client.GetAttestationAsync(id)).Signature);
        var server = await system.Client.VerifyBundleAsync(saved);
        Assert.True(server.Valid, string.Join(" ", server.Problems));
        Assert.Contains(server.Checks, c => c.Name == "anchor" && c.Passed);

        var report = (await cli.RunAsync("verify", bundleFile, "--json")).Json();
        Assert.True(report.GetProperty("verified").GetBoolean());
        Assert.All(report.GetProperty("checks").EnumerateArray(), c => Assert.True(c.GetProperty("passed").GetBoolean(), c.GetRawText()));

        var bundle = JsonNode.Parse(File.ReadAllText(bundleFile))!;
        var message = bundle["attestation"]!["message"]!.GetValue<string>();
        var reply = task.Result.Reply;
        var tampered = message.Replace(reply, reply[..^1] + (reply[^1] == '0' ? '1' : '0'));
        Assert.NotEqual(message, tampered);
        bundle["attestation"]!["message"] = tampered;
        File.WriteAllText(bundleFile, bundle.ToJsonString());
        var refused = await cli.RunAsync("verify", bundleFile);
        Assert.Equal(6, refused.ExitCode);
        Assert.Contains("Result: not verified", refused.Output);
        Assert.Contains(refused.Output.Split('\n'), l => l.Contains("NOT VERIFIED") && l.Contains("signature"));

        var head = (await cli.RunAsync("log", "tree-head", "--json")).Json();
        Assert.True(head.GetProperty("tree_size").GetInt64() > expected.Max(s => s.LogIndex ?? 0));
        Assert.Matches("^0x[0-9a-f]{64}$", head.GetProperty("root").GetString());
        Assert.True(head.GetProperty("signature_verified").GetBoolean());
        Assert.Equal((await system.Client.GetSignerAsync()).Address, head.GetProperty("signer").GetString(), ignoreCase: true);
    }

    /// <summary>Waits (at most a minute; the tests anchor every 2 s) until the task's bundle leads to an anchored tree head.</summary>
    private async Task WaitUntilAnchoredAsync(string taskId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((await system.Client.GetBundleAsync(taskId)).Anchor is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} was not anchored within a minute");
            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task AWrongPasswordOrNoSessionEndsWithTheApisCodeAndNoStackTrace()
    {
        using var cli = new OpenMcpCli(system.Gateway.BaseAddress!, log);

        var refused = await cli.LoginAsync("nobody-" + Guid.NewGuid().ToString("N")[..8], "not-the-password");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains(ErrorCodes.InvalidCredentials, refused.Error);
        Assert.DoesNotContain("not-the-password", refused.Output + refused.Error);
        Assert.False(File.Exists(cli.SessionFile));

        var anonymous = await cli.RunAsync("tasks", "list", "--json");
        Assert.Equal(1, anonymous.ExitCode);
        Assert.Equal(ErrorCodes.Unauthenticated, anonymous.Json(1).GetProperty("error").GetProperty("code").GetString());
        var missing = await cli.RunAsync("verify", "no-such-task");
        Assert.Equal(1, missing.ExitCode);
        // Proofs are public: an unknown task is the API's not-found code on standard error, with no hint to sign in.
        Assert.Contains($"error: {ErrorCodes.AttestationNotFound}:", missing.Error);
        Assert.DoesNotContain("openmcp login", missing.Error);
        foreach (var outcome in (OpenMcpCli.Outcome[])[refused, anonymous, missing])
            Assert.DoesNotContain("   at ", outcome.Output + outcome.Error);
    }

    [Fact]
    public async Task AParkedTransferIsApprovedFromTheCommandLineAndTheRecipientGetsExactlySixEth()
    {
        using var submitter = await SignedInAsync("operator", await system.ParameterAsync("gateway-operator-password"));
        using var approver = await SignedInAsync("approver", await system.ParameterAsync("gateway-approver-password"));
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

        var parked = await submitter.RunAsync([$"submit", $"Send 6 ETH to {recipient}", "--follow", "--no-wait"], null, FollowDeadline);
        Assert.True(parked.ExitCode == 5, $"submit --follow --no-wait exited {parked.ExitCode}: {parked.Output}{parked.Error}");
        var id = AcceptedTaskId(parked);

        var inbox = (await approver.RunAsync("approvals", "list", "--status", "pending", "--json", "--limit", "100")).Json();
        var request = inbox.GetProperty("approvals").EnumerateArray().Single(a => a.GetProperty("task_id").GetString() == id);
        Assert.Equal(recipient, request.GetProperty("to").GetString(), ignoreCase: true);
        Assert.Equal("6", request.GetProperty("value_ether").GetString());
        Assert.Equal("operator", request.GetProperty("requested_by").GetString());
        var approvalId = request.GetProperty("id").GetString()!;
        Assert.Contains(approvalId, parked.Output);

        var approved = (await approver.RunAsync("approvals", "approve", approvalId, "--reason", "ok", "--json")).Json();
        Assert.Equal(ApprovalStatuses.Approved, approved.GetProperty("status").GetString());
        Assert.Equal("approver", approved.GetProperty("decided_by").GetString());

        var finished = await system.Client.FinishedAsync(id, TimeSpan.FromMinutes(2));
        Assert.Equal(TaskStatuses.Succeeded, finished.Status);
        Assert.Equal(BigInteger.Parse("6000000000000000000"), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        var shown = (await submitter.RunAsync("tasks", "show", id, "--json")).Json();
        Assert.Equal("succeeded", shown.GetProperty("status").GetString());
    }
}
