using System.CommandLine;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Cli.Commands;

/// <summary><c>login</c> (a user's password, or a machine client's id and secret) and <c>logout</c>.</summary>
public static class LoginCommands
{
    public static Command Login()
    {
        var username = new Option<string?>("--username", "-u") { Description = "The user to sign in as" };
        var password = new Option<string?>("--password", "-p") { Description = "The password (else OPENMCP_PASSWORD, else read from standard input)" };
        var clientId = new Option<string?>("--client-id") { Description = "Sign in as a machine client (OAuth client credentials)" };
        var clientSecret = new Option<string?>("--client-secret") { Description = "The client's secret (else OPENMCP_CLIENT_SECRET, else read from standard input)" };
        var scope = new Option<string?>("--scope") { Description = "The scopes to ask for, space-separated (default: all the account holds)" };
        var command = new Command("login", "Sign in and keep the token for later commands (in $XDG_CONFIG_HOME/openmcp, mode 0600)")
        {
            username, password, clientId, clientSecret, scope,
        };
        command.SetAction(Cli.Action(async (cli, parse, ct) =>
        {
            var client = cli.AnonymousClient();
            TokenResponse token;
            Session session;
            if (parse.GetValue(clientId) is { Length: > 0 } id)
            {
                var secret = parse.GetValue(clientSecret) ?? Secret("OPENMCP_CLIENT_SECRET", "Client secret");
                token = await client.AuthenticateClientAsync(id, secret, parse.GetValue(scope), ct);
                session = new Session { Server = cli.Server, AccessToken = token.AccessToken, ClientId = id, ClientSecret = secret };
            }
            else if (parse.GetValue(username) is { Length: > 0 } user)
            {
                token = await client.AuthenticateAsync(user, parse.GetValue(password) ?? Secret("OPENMCP_PASSWORD", "Password"), parse.GetValue(scope), ct);
                session = new Session { Server = cli.Server, AccessToken = token.AccessToken, Username = user };
            }
            else
            {
                throw new CliException(ErrorCodes.InvalidArgument, "Give --username (and a password) or --client-id (and a secret).");
            }
            session = session with { RefreshToken = token.RefreshToken, ExpiresAt = Cli.ExpiresAt(token), Scope = token.Scope };
            cli.Remember(session);
            cli.Print(new { server = cli.Server, subject = session.Subject, scope = session.Scope, expires_at = session.ExpiresAt },
                o => o.WriteLine($"Signed in to {cli.Server} as {session.Subject} (scopes: {session.Scope}); the token is valid for {token.ExpiresIn} s"
                                 + (token.RefreshToken is null ? "." : " and renews itself.")));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Logout()
    {
        var command = new Command("logout", "Forget the stored session (and revoke its refresh token)");
        command.SetAction(Cli.Action(async (cli, _, ct) =>
        {
            if (cli.Session?.RefreshToken is { } refresh)
            {
                try
                {
                    await cli.AnonymousClient().RevokeAsync(refresh, ct);
                }
                catch (Exception e) when (e is HttpRequestException or Sdk.OpenMcpChainException)
                {
                    // The server is gone or refuses: forgetting the tokens here still signs this machine out.
                }
            }
            // Only this server's session (or a damaged file) is forgotten: another server's tokens stay, unrevoked tokens never dropped.
            var had = SessionStore.Load() is not { } stored || stored.Server == cli.Server ? SessionStore.Delete() : false;
            cli.Print(new { server = cli.Server, signed_out = had },
                o => o.WriteLine(had ? $"Signed out of {cli.Server}." : "There was no stored session."));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>A secret from the environment, else one line of standard input (not echoed when it is a terminal).</summary>
    private static string Secret(string variable, string prompt)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value) return value;
        if (Console.IsInputRedirected) return Console.In.ReadLine()?.TrimEnd('\r', '\n') ?? "";
        Console.Error.Write(prompt + ": ");
        var typed = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key != ConsoleKey.Backspace) typed.Append(key.KeyChar);
            else if (typed.Length > 0) typed.Length--;
        }
        Console.Error.WriteLine();
        return typed.ToString();
    }
}
