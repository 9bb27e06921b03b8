using System.Text.Json;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.Cli;

/// <summary>
/// What <c>openmcp login</c> keeps: the server and its tokens (and a machine client's secret, to ask again when its token
/// expires, since client credentials get no refresh token). Tokens are secrets: the file is the user's alone (0600).
/// </summary>
public sealed record Session
{
    public required string Server { get; init; }
    public required string AccessToken { get; init; }
    public string? RefreshToken { get; init; }
    /// <summary>UNIX seconds after which the access token is no longer accepted.</summary>
    public long ExpiresAt { get; init; }
    public string Scope { get; init; } = "";
    public string? Username { get; init; }
    public string? ClientId { get; init; }
    public string? ClientSecret { get; init; }

    public string Subject => Username ?? ClientId ?? "";

    /// <summary>True when the token is expired or about to be (a request in flight must not outlive it).</summary>
    public bool Expired => DateTimeOffset.UtcNow.ToUnixTimeSeconds() >= ExpiresAt - 30;
}

/// <summary>Reads and writes the session file in <c>$XDG_CONFIG_HOME/openmcp/</c> (default <c>~/.config/openmcp/</c>).</summary>
public static class SessionStore
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string Directory
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(config, "openmcp");
        }
    }

    public static string FilePath => Path.Combine(Directory, "session.json");

    public static Session? Load()
    {
        if (!File.Exists(FilePath)) return null;
        try
        {
            return JsonSerializer.Deserialize<Session>(File.ReadAllText(FilePath), OpenMcpChainJson.Options);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null; // a damaged or unreadable file is as good as none: the user logs in again
        }
    }

    /// <summary>Writes the session to a new 0600 file and moves it into place, so no reader ever sees half of it.</summary>
    public static void Save(Session session)
    {
        var windows = OperatingSystem.IsWindows();
        var directory = windows ? System.IO.Directory.CreateDirectory(Directory) : System.IO.Directory.CreateDirectory(Directory, OwnerOnly | UnixFileMode.UserExecute);
        var temporary = Path.Combine(directory.FullName, $".session.{Environment.ProcessId}.tmp");
        File.Delete(temporary); // a leftover keeps its mode when reopened; a new file gets 0600
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!windows) options.UnixCreateMode = OwnerOnly;
        using (var file = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(file, session, OpenMcpChainJson.Options);
        }
        File.Move(temporary, FilePath, overwrite: true);
    }

    public static bool Delete()
    {
        if (!File.Exists(FilePath)) return false;
        File.Delete(FilePath);
        return true;
    }
}
