using Microsoft.Extensions.Options;
using Nethereum.KeyStore;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ChainService.Wallets;

/// <summary>A named wallet: a private key (secret parameter) or an encrypted keystore file with its password.</summary>
public sealed class WalletOptions
{
    public string? PrivateKey { get; set; }
    public string? KeystorePath { get; set; }
    public string? KeystorePassword { get; set; }

    public override string ToString() => $"{nameof(WalletOptions)} {{ Keystore = {KeystorePath}, secrets = *** }}";
}

/// <summary>The configured wallets (<c>Wallets:{name}</c>). Keys stay inside this class: callers get addresses and signatures.</summary>
public sealed class WalletRegistry
{
    public const string SectionName = "Wallets";
    public const string DefaultWallet = "default";

    private readonly Dictionary<string, Secp256k1Signer> _keys = new(StringComparer.OrdinalIgnoreCase);

    public WalletRegistry(IOptions<Dictionary<string, WalletOptions>> options)
    {
        foreach (var (name, wallet) in options.Value)
        {
            _keys[name] = Load(name, wallet);
        }
    }

    public IEnumerable<(string Name, string Address)> All => _keys.Select(k => (k.Key, k.Value.Address));

    public string AddressOf(string? wallet) => Key(wallet).Address;

    internal Secp256k1Signer Key(string? wallet)
    {
        var name = string.IsNullOrWhiteSpace(wallet) ? DefaultWallet : wallet;
        return _keys.TryGetValue(name, out var key)
            ? key
            : throw Arguments.Invalid("wallet", $"Unknown wallet '{name}'. Known wallets: {string.Join(", ", _keys.Keys)}.", ChainErrorCodes.UnknownWallet);
    }

    private static Secp256k1Signer Load(string name, WalletOptions wallet)
    {
        try
        {
            if (!string.IsNullOrWhiteSpace(wallet.PrivateKey))
            {
                return new Secp256k1Signer(wallet.PrivateKey.Trim());
            }
            if (!string.IsNullOrWhiteSpace(wallet.KeystorePath))
            {
                var json = File.ReadAllText(wallet.KeystorePath);
                return new Secp256k1Signer(new KeyStoreService().DecryptKeyStoreFromJson(wallet.KeystorePassword ?? "", json));
            }
        }
        catch (ArgumentException e)
        {
            // The signer's message says what is wrong with the key without echoing it; this one names the wallet.
            throw new InvalidOperationException($"Wallet '{name}': {e.Message}", e);
        }
        // The message names the wallet, never a secret.
        throw new InvalidOperationException($"Wallet '{name}' needs Wallets:{name}:PrivateKey or Wallets:{name}:KeystorePath.");
    }
}
