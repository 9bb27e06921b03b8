using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// The keys tokens are signed (ES256) and encrypted (A256KW) with, derived from <c>Auth:SigningKey</c> with HKDF: every
/// replica and every restart on the same secret holds the same keys, so tokens outlive a restart and cross replicas.
/// </summary>
public static class TokenKeys
{
    public static ECDsaSecurityKey Signing(string secret)
    {
        // A P-256 private scalar from the secret; a value outside [1, n-1] (odds about 2^-32) takes the next counter.
        for (byte counter = 0; ; counter++)
        {
            var d = Derive(secret, $"openmcp-chain/gateway/token-signing/{counter}");
            try
            {
                var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
                return new ECDsaSecurityKey(ecdsa) { KeyId = KeyId(ecdsa.ExportSubjectPublicKeyInfo()) };
            }
            catch (CryptographicException) when (counter < 8)
            {
            }
        }
    }

    public static SymmetricSecurityKey Encryption(string secret)
    {
        var key = Derive(secret, "openmcp-chain/gateway/token-encryption");
        return new SymmetricSecurityKey(key) { KeyId = KeyId(SHA256.HashData(key)) };
    }

    private static byte[] Derive(string secret, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: Encoding.UTF8.GetBytes(purpose));

    private static string KeyId(byte[] material) => Convert.ToHexStringLower(SHA256.HashData(material))[..16];
}
