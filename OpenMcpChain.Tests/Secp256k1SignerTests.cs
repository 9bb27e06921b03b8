using System.Security.Cryptography;
using System.Text;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>
/// ProofService's and ChainService's signatures are the very bytes Nethereum's key and transaction signers would make, and
/// recover to its address.
/// </summary>
public sealed class Secp256k1SignerTests
{
    [Fact]
    public void AttestationsAndTreeHeadsAreSignedByteForByteAsNethereumSignsThem()
    {
        var typed = new Eip712TypedDataSigner();
        var messages = new EthereumMessageSigner();
        var recoveryIds = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var key = EthECKey.GenerateKey();
            var signer = new Secp256k1Signer(key.GetPrivateKey());
            Assert.Equal(key.GetPublicAddress(), signer.Address);

            var typedData = TaskOutcomeTypedData.Build($"task-{i}", $"goal {i}", $"{{\"reply\":\"{i}\"}}", RandomNumberGenerator.GetBytes(32), i,
                [RandomNumberGenerator.GetBytes(32).ToHex(true)], 1_795_602_858 + i);
            var attestation = signer.SignHash(Sha3Keccack.Current.CalculateHash(typed.EncodeTypedData(typedData)));
            Assert.Equal(typed.SignTypedDataV4(typedData, key), attestation);
            Assert.Equal(key.GetPublicAddress(), typed.RecoverFromSignatureV4(typedData, attestation), ignoreCase: true);

            var head = $"openmcp-chain tree head {i} {Convert.ToHexString(RandomNumberGenerator.GetBytes(32))}";
            var headSignature = signer.SignHash(messages.HashPrefixedMessage(Encoding.UTF8.GetBytes(head)));
            Assert.Equal(messages.EncodeUTF8AndSign(head, key), headSignature);
            recoveryIds.Add(attestation[^2..]);
        }
        Assert.Equal(["1b", "1c"], recoveryIds.Order()); // both recovery ids met, so v is read, not assumed
    }

    [Fact]
    public void TransactionsAreSignedByteForByteAsNethereumsTransactionSignersSignThem()
    {
        // Chain ids whose EIP-155 v takes one, two, four and six bytes; transfers, calls with data and creations.
        long[] chainIds = [1, 31337, 11155111, 1L << 40];
        var parities = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var key = EthECKey.GenerateKey();
            var signer = new Secp256k1Signer(key.GetPrivateKeyAsBytes());
            var chainId = chainIds[i % chainIds.Length];
            var to = i % 5 == 0 ? null : EthECKey.GenerateKey().GetPublicAddress();
            var data = i % 3 == 0 ? null : RandomNumberGenerator.GetBytes(i % 40 + 1).ToHex(true);
            var value = new System.Numerics.BigInteger(RandomNumberGenerator.GetBytes(12), isUnsigned: true);
            var (nonce, gas, fee, tip) = (i * 7919 % 100_000, 21_000 + i * 100, 1_000_000_000L + i, i % 4 * 1_000_000_000L);
            Nethereum.Model.Transaction1559 Dynamic() => new(chainId, nonce, tip, fee, gas, to, value, data, null);

            var dynamicFee = signer.SignTransaction(Dynamic());
            Assert.Equal(new Transaction1559Signer().SignTransaction(key, Dynamic()), dynamicFee);
            var decoded = (Nethereum.Model.Transaction1559)Nethereum.Model.TransactionFactory.CreateTransaction(dynamicFee);
            Assert.Equal(key.GetPublicAddress(), TransactionVerificationAndRecovery.GetSenderAddress(decoded), ignoreCase: true);
            parities.Add(decoded.Signature.V.ToHex());

            var legacy = signer.SignTransaction(new Nethereum.Model.LegacyTransactionChainId(to, value, nonce, fee, gas, data, chainId));
            Assert.Equal(new LegacyTransactionSigner().SignTransaction(key.GetPrivateKeyAsBytes(), chainId, to, value, nonce, fee, gas, data), legacy);
            Assert.Equal(key.GetPublicAddress(), TransactionVerificationAndRecovery.GetSenderAddress(legacy), ignoreCase: true);
        }
        Assert.Equal(2, parities.Count); // both y parities met, so the recovery id is read, not assumed
    }

    [Fact]
    public void SignaturesMadeAtOnceFromManyThreadsAreEachNethereumsBytes()
    {
        var key = EthECKey.GenerateKey();
        var signer = new Secp256k1Signer(key.GetPrivateKey()); // one instance, as ProofService's singleton
        var hashes = Enumerable.Range(0, 64).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        var signed = new string[hashes.Length];
        Parallel.For(0, hashes.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => signed[i] = signer.SignHash(hashes[i]));
        for (var i = 0; i < hashes.Length; i++) Assert.Equal(EthECDSASignature.CreateStringSignature(key.SignAndCalculateV(hashes[i])), signed[i]);
    }

    [Fact]
    public void AKeyThatIsNotOneIsRefusedWithoutBeingEchoed()
    {
        const string almost = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409cz";
        var refused = Assert.Throws<ArgumentException>(() => new Secp256k1Signer(almost));
        Assert.DoesNotContain("2a871d07", refused.ToString());
        refused = Assert.Throws<ArgumentException>(() => new Secp256k1Signer(almost[..^1] + "0d")); // 33 bytes
        Assert.DoesNotContain("2a871d07", refused.ToString());
        Assert.Throws<ArgumentException>(() => new Secp256k1Signer(new byte[32])); // zero
        Assert.Throws<ArgumentException>(() => new Secp256k1Signer("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")); // the curve's order
        var key = EthECKey.GenerateKey();
        Assert.Equal(key.GetPublicAddress(), new Secp256k1Signer("0X" + key.GetPrivateKey()[2..]).Address);
    }

    [Fact]
    public void AKeyWrittenWithoutItsLeadingZerosIsTheKeyNethereumReads()
    {
        // A key below 2^248 written by a tool that drops leading zeros: 31 bytes, or an odd number of hex digits.
        foreach (var hex in new[] { "0x00a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c"[4..], "0x0a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c"[3..], "0x2a871d07" })
        {
            var signer = new Secp256k1Signer(hex);
            var nethereum = new EthECKey(hex);
            Assert.Equal(nethereum.GetPublicAddress(), signer.Address);
            var hash = RandomNumberGenerator.GetBytes(32);
            Assert.Equal(EthECDSASignature.CreateStringSignature(nethereum.SignAndCalculateV(hash)), signer.SignHash(hash));
        }
    }

    [Fact]
    public void OnlyA32ByteHashIsSigned() =>
        Assert.Throws<ArgumentException>(() => new Secp256k1Signer(EthECKey.GenerateKey().GetPrivateKey()).SignHash(new byte[31]));
}
