extern alias chainservice;
using chainservice::OpenMcpChain.ChainService.Wallets;
using Microsoft.Extensions.Options;
using Nethereum.KeyStore;
using Nethereum.Signer;

namespace OpenMcpChain.Tests;

public sealed class WalletTests
{
    [Fact]
    public void KeystoreWalletIsUnlockedWithItsPasswordAndNeverShowsItsSecrets()
    {
        var key = EthECKey.GenerateKey();
        var path = Path.Combine(Path.GetTempPath(), $"keystore-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, new KeyStoreService().EncryptAndGenerateDefaultKeyStoreAsJson("correct horse", key.GetPrivateKeyAsBytes(), key.GetPublicAddress()));
        try
        {
            var options = new WalletOptions { KeystorePath = path, KeystorePassword = "correct horse" };
            var wallets = new WalletRegistry(Options.Create(new Dictionary<string, WalletOptions> { ["treasury"] = options }));

            Assert.Equal(key.GetPublicAddress(), wallets.AddressOf("treasury"));
            Assert.DoesNotContain("correct horse", options.ToString());

            var wrong = Assert.ThrowsAny<Exception>(() => new WalletRegistry(Options.Create(new Dictionary<string, WalletOptions>
            {
                ["treasury"] = new() { KeystorePath = path, KeystorePassword = "wrong" },
            })));
            Assert.DoesNotContain("wrong", wrong.Message);
            Assert.DoesNotContain(key.GetPrivateKey()[2..], wrong.ToString(), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void UnknownWalletIsACodedErrorThatNamesNoSecret()
    {
        var secret = EthECKey.GenerateKey().GetPrivateKey();
        var wallets = new WalletRegistry(Options.Create(new Dictionary<string, WalletOptions> { ["default"] = new() { PrivateKey = secret } }));

        var error = Assert.Throws<chainservice::OpenMcpChain.ChainService.Errors.ChainToolException>(() => wallets.AddressOf("cold"));

        Assert.Equal("UNKNOWN_WALLET", error.Code);
        Assert.DoesNotContain(secret[2..], error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AConfiguredKeyThatIsNotOneStopsStartNamingTheWalletNotTheKey()
    {
        // One character short of a key, and one that is not hex: neither may reach a log through the exception.
        var almost = EthECKey.GenerateKey().GetPrivateKey()[..^1];
        foreach (var key in new[] { almost, almost + "z" })
        {
            var refused = Assert.Throws<InvalidOperationException>(() => new WalletRegistry(Options.Create(new Dictionary<string, WalletOptions>
            {
                ["treasury"] = new() { PrivateKey = key },
            })));
            Assert.Contains("Wallet 'treasury'", refused.Message);
            Assert.DoesNotContain(almost[2..12], refused.ToString(), StringComparison.OrdinalIgnoreCase);
        }
        // A key from a file keeps its line break; it is still the key.
        var good = EthECKey.GenerateKey();
        var wallets = new WalletRegistry(Options.Create(new Dictionary<string, WalletOptions> { ["default"] = new() { PrivateKey = good.GetPrivateKey() + "\n" } }));
        Assert.Equal(good.GetPublicAddress(), wallets.AddressOf(null));
    }
}
