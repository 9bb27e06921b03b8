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
    public void AConfiguredKeyThatIsNotOneIsRefusedNamingTheWalletNotTheKey()
    {
        // Not hex, and one byte too long: neither may reach a log through the exception.
        var key = EthECKey.GenerateKey().GetPrivateKey();
        foreach (var bad in new[] { key[..^1] + "z", key + "00" })
        {
            var refused = Assert.Throws<InvalidOperationException>(() => new WalletRegistry(Options.Create(new Dictionary<string, WalletOptions>
            {
                ["treasury"] = new() { PrivateKey = bad },
            })));
            Assert.StartsWith("Wallet 'treasury': ", refused.Message);
            Assert.DoesNotContain(key[2..12], refused.ToString(), StringComparison.OrdinalIgnoreCase);
        }
        // A key from a file keeps its line break; it is still the key.
        var good = EthECKey.GenerateKey();
        var wallets = new WalletRegistry(Options.Create(new Dictionary<string, WalletOptions> { ["default"] = new() { PrivateKey = good.GetPrivateKey() + "\n" } }));
        Assert.Equal(good.GetPublicAddress(), wallets.AddressOf(null));
    }
}

[Collection(SystemCollection.Name)]
public sealed class WalletStartTests(SystemFixture system)
{
    [Fact]
    public async Task ChainServiceWithAWalletKeyThatIsNotOneDoesNotStartAndSaysWhichWallet()
    {
        var key = EthECKey.GenerateKey().GetPrivateKey();
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => PrivateChainService.StartAsync(system, "walletnet", "http://127.0.0.1:9",
            new Dictionary<string, string?> { ["Wallets:default:PrivateKey"] = key[..^1] + "z" }));
        Assert.Contains("Wallet 'default'", failed.ToString());
        Assert.DoesNotContain(key[2..12], failed.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
