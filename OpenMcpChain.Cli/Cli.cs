using System.CommandLine;
using System.Text.Json;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Cli;

/// <summary>One run of a command: the server it talks to, how it prints, and a client signed in from the stored session.</summary>
public sealed class Cli
{
    public const string DefaultServer = "http://localhost:8080";

    public static readonly Option<string?> ServerOption = new("--server")
    {
        Description = $"The Gateway's URL (else OPENMCP_SERVER, else the server of the last login, else {DefaultServer})",
        Recursive = true,
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print one JSON document (snake_case) for scripts instead of text",
        Recursive = true,
    };

    /// <summary>How everything the command line writes as JSON reads: the API's snake_case, indented for people.</summary>
    internal static readonly JsonSerializerOptions Indented = new(OpenMcpChainJson.Options) { WriteIndented = true };

    private Cli(ParseResult parse)
    {
        Session = SessionStore.Load();
        Server = Normalize(parse.GetValue(ServerOption)) ?? Normalize(Environment.GetEnvironmentVariable("OPENMCP_SERVER"))
                 ?? Session?.Server ?? DefaultServer;
        if (Session is not null && Session.Server != Server) Session = null; // tokens of another server are no use here
        Json = parse.GetValue(JsonOption);
    }

    public string Server { get; }
    public bool Json { get; }
    public Session? Session { get; private set; }
    public TextWriter Out => Console.Out;

    /// <summary>Runs <paramref name="action"/>, turning API errors into their code and message and a non-zero exit, never a stack trace.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(Func<Cli, ParseResult, CancellationToken, Task<int>> action) =>
        async (parse, ct) =>
        {
            Console.OutputEncoding = System.Text.Encoding.UTF8;
            var cli = new Cli(parse);
            try
            {
                return await action(cli, parse, ct);
            }
            catch (OpenMcpChainException e)
            {
                return cli.Fail(e.Code, e.Message, e.Code == ErrorCodes.Unauthenticated ? "Sign in with: openmcp login" : null);
            }
            catch (HttpRequestException e)
            {
                return cli.Fail("SERVER_UNREACHABLE", $"Could not reach {cli.Server}: {e.Message}");
            }
            catch (CliException e)
            {
                return cli.Fail(e.Code, e.Message);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return cli.Fail("INTERRUPTED", "Stopped before the command finished.");
            }
        };

    /// <summary>A command that takes one id, reads (or acts on) one thing through the API and prints it.</summary>
    public static Command ById<T>(string name, string description, string idDescription,
        Func<OpenMcpChainClient, string, CancellationToken, Task<T>> call, Action<TextWriter, T> human)
    {
        var id = new Argument<string>("id") { Description = idDescription };
        var command = new Command(name, description) { id };
        command.SetAction(Action(async (cli, parse, ct) =>
        {
            var result = await call(await cli.ConnectAsync(ct), parse.GetValue(id)!, ct);
            cli.Print(result, o => human(o, result));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>A client for <see cref="Server"/>, signed in with the stored session, renewed first when its token expired.</summary>
    public async Task<OpenMcpChainClient> ConnectAsync(CancellationToken ct)
    {
        var client = new OpenMcpChainClient(CreateHttp());
        if (Session is not { } session) return client;
        if (!session.Expired)
        {
            client.UseToken(session.AccessToken);
            return client;
        }
        TokenResponse token;
        if (session.RefreshToken is { } refresh) token = await client.RefreshAsync(refresh, ct);
        else if (session.ClientId is { } id && session.ClientSecret is { } secret) token = await client.AuthenticateClientAsync(id, secret, session.Scope, ct);
        else throw new CliException(ErrorCodes.Unauthenticated, "The stored session has expired; sign in again with: openmcp login");
        Remember(session with { AccessToken = token.AccessToken, RefreshToken = token.RefreshToken ?? session.RefreshToken,
            ExpiresAt = ExpiresAt(token), Scope = token.Scope });
        return client;
    }

    /// <summary>A client that sends no token (to sign in).</summary>
    public OpenMcpChainClient AnonymousClient() => new(CreateHttp());

    private HttpClient CreateHttp() => new() { BaseAddress = new Uri(Server + "/"), Timeout = TimeSpan.FromSeconds(100) };

    public void Remember(Session session)
    {
        SessionStore.Save(session);
        Session = session;
    }

    public static long ExpiresAt(TokenResponse token) => DateTimeOffset.UtcNow.ToUnixTimeSeconds() + token.ExpiresIn;

    /// <summary>Prints <paramref name="document"/> as JSON when <c>--json</c> was given, else runs <paramref name="human"/>.</summary>
    public void Print<T>(T document, Action<TextWriter> human)
    {
        if (Json) Out.WriteLine(JsonSerializer.Serialize(document, Indented));
        else human(Out);
    }

    /// <summary>Reports an error (to standard output as JSON with <c>--json</c>, else to standard error) and returns the error exit code.</summary>
    public int Fail(string code, string message, string? hint = null)
    {
        if (Json) Out.WriteLine(JsonSerializer.Serialize(new { error = new ApiError(code, message) }, Indented));
        else Console.Error.WriteLine($"error: {code}: {message}{(hint is null ? "" : Environment.NewLine + hint)}");
        return ExitCodes.Error;
    }

    private static string? Normalize(string? server) => server?.Trim().TrimEnd('/') is { Length: > 0 } s ? s : null;
}

/// <summary>An error the command line itself finds (a file that is not a bundle, an unreachable RPC), with a stable code.</summary>
public sealed class CliException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
