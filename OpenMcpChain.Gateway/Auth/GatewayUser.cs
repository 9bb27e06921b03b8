using System.Security.Cryptography;
using System.Text;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>A user: a password (a secret parameter) or its PBKDF2 hash, the scopes it may ask for, and its request rate.</summary>
public sealed class GatewayUser
{
    public string? Password { get; set; }
    /// <summary><c>pbkdf2-sha256$iterations$salt-base64$hash-base64</c>.</summary>
    public string? PasswordHash { get; set; }
    /// <summary>The scopes it may ask for; none listed means read and write. (Empty by default: configuration binding appends to a list.)</summary>
    public List<string> Scopes { get; set; } = [];
    public IReadOnlyList<string> Granted => Scopes.Count == 0 ? [ScopeNames.TasksRead, ScopeNames.TasksWrite] : Scopes;
    public int? RequestsPerMinute { get; set; }

    public bool Verify(string password)
    {
        if (!string.IsNullOrEmpty(PasswordHash))
        {
            var parts = PasswordHash.Split('$');
            if (parts is not ["pbkdf2-sha256", var iterations, var salt, var hash] || !int.TryParse(iterations, out var rounds)) return false;
            try
            {
                var expected = Convert.FromBase64String(hash);
                var actual = Rfc2898DeriveBytes.Pbkdf2(password, Convert.FromBase64String(salt), rounds, HashAlgorithmName.SHA256, expected.Length);
                return CryptographicOperations.FixedTimeEquals(expected, actual);
            }
            catch (FormatException)
            {
                return false; // a malformed hash in configuration lets nobody in
            }
        }
        return !string.IsNullOrEmpty(Password)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Password), Encoding.UTF8.GetBytes(password));
    }

    public override string ToString() => $"{nameof(GatewayUser)} {{ Scopes = {string.Join(" ", Granted)}, secrets = *** }}";
}

/// <summary>A machine client (<c>Auth:Clients:{id}</c>): its secret (a secret parameter), scopes and optional redirect URIs.</summary>
public sealed class GatewayClient
{
    public string? Secret { get; set; }
    public string? DisplayName { get; set; }
    public List<string> Scopes { get; set; } = [];
    /// <summary>With redirect URIs the client may also use the authorization code flow (PKCE) on behalf of a user.</summary>
    public List<string> RedirectUris { get; set; } = [];

    public override string ToString() => $"{nameof(GatewayClient)} {{ Scopes = {string.Join(" ", Scopes)}, Secret = *** }}";
}
