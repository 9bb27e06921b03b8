using System.Security.Cryptography;
using System.Text;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>ProofService's signatures are the very bytes Nethereum's key would sign, and recover to its address.</summary>
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
    public void OnlyA32ByteHashIsSigned() =>
        Assert.Throws<ArgumentException>(() => new Secp256k1Signer(EthECKey.GenerateKey().GetPrivateKey()).SignHash(new byte[31]));
}
