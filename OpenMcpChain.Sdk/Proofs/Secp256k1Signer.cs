using Nethereum.Model;
using Nethereum.RLP;
using Nethereum.Signer;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;

namespace OpenMcpChain.Sdk.Proofs;

/// <summary>
/// Ethereum signatures (low s, RFC 6979 nonces) byte for byte as Nethereum's <c>EthECKey</c> makes them — of a hash
/// (r ‖ s ‖ v) and of a transaction (its signed encoding, as Nethereum's transaction signers give it) — on BouncyCastle's
/// optimised secp256k1 (Nethereum uses its generic prime-field curve) and with the recovery id read from the signed point
/// instead of recovering public keys until one matches: several times cheaper per signature. Nethereum still encodes.
/// </summary>
public sealed class Secp256k1Signer
{
    private static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    private static readonly BigInteger HalfN = Curve.N.ShiftRight(1);

    private readonly ECPrivateKeyParameters _key;
    private readonly ECPoint _public;

    /// <param name="privateKeyHex">
    /// At most 32 bytes in hex, 0x-prefixed or not, leading zeros optional (as Nethereum's <c>EthECKey</c> reads a key);
    /// a key that is not one is refused without being echoed.
    /// </param>
    public Secp256k1Signer(string privateKeyHex) : this(FromHex(privateKeyHex))
    {
    }

    /// <param name="privateKey">At most 32 bytes, big-endian; a key that is not one is refused without being echoed.</param>
    public Secp256k1Signer(byte[] privateKey)
    {
        if (privateKey.Length > 32) throw new ArgumentException($"A private key is 32 bytes, not {privateKey.Length}.", nameof(privateKey));
        var d = new BigInteger(1, privateKey);
        if (d.SignValue == 0 || d.CompareTo(Curve.N) >= 0) throw new ArgumentException("The private key is not in secp256k1's range.", nameof(privateKey));
        _key = new ECPrivateKeyParameters(d, Domain);
        _public = Domain.G.Multiply(d).Normalize();
        Address = new EthECKey(_public.GetEncoded(compressed: false), isPrivate: false).GetPublicAddress(); // from the point just made
    }

    /// <summary>The signer's checksummed address.</summary>
    public string Address { get; }

    /// <summary>The 0x-hex signature of a 32-byte <paramref name="hash"/>, v being 27 + the recovery id.</summary>
    public string SignHash(byte[] hash)
    {
        var (r, s, recoveryId) = Sign(hash);
        return EthECDSASignature.CreateStringSignature(new EthECDSASignature(r, s, [(byte)(27 + recoveryId)]));
    }

    /// <summary>
    /// Signs an EIP-1559 transaction (v is the recovery id, the y parity) and gives its signed encoding in hex without 0x,
    /// as Nethereum's <c>Transaction1559Signer</c> does.
    /// </summary>
    public string SignTransaction(Transaction1559 transaction) => Signed(transaction, recoveryId => [(byte)recoveryId]);

    /// <summary>
    /// Signs a legacy transaction with EIP-155 replay protection (v = chain id · 2 + 35 + the recovery id) and gives its
    /// signed encoding in hex without 0x, as Nethereum's <c>LegacyTransactionSigner</c> does.
    /// </summary>
    public string SignTransaction(LegacyTransactionChainId transaction) =>
        Signed(transaction, recoveryId => (transaction.GetChainIdAsBigInteger() * 2 + 35 + recoveryId).ToBytesForRLPEncoding());

    private string Signed(SignedTransaction transaction, Func<int, byte[]> v)
    {
        var (r, s, recoveryId) = Sign(transaction.RawHash);
        var signature = new EthECDSASignature(r, s, v(recoveryId));
        transaction.SetSignature(new Signature(signature.R, signature.S, signature.V));
        return Convert.ToHexStringLower(transaction.GetRLPEncoded());
    }

    private (BigInteger R, BigInteger S, int RecoveryId) Sign(byte[] hash)
    {
        if (hash.Length != 32) throw new ArgumentException("A 32-byte hash is signed.", nameof(hash));
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, _key);
        var rs = signer.GenerateSignature(hash);
        var (r, s) = (rs[0], rs[1]);
        if (s.CompareTo(HalfN) > 0) s = Curve.N.Subtract(s);
        // The point the final (r, s) verifies to — s⁻¹(e·G + r·Q) — is the one a verifier recovers: its y parity is the
        // recovery id, plus 2 in the (never met) case where its x is not r itself but r + n.
        var w = s.ModInverse(Curve.N);
        var e = new BigInteger(1, hash);
        var point = ECAlgorithms.SumOfTwoMultiplies(Domain.G, e.Multiply(w).Mod(Curve.N), _public, r.Multiply(w).Mod(Curve.N)).Normalize();
        var x = point.AffineXCoord.ToBigInteger();
        if (!x.Mod(Curve.N).Equals(r)) throw new InvalidOperationException("The signature made does not verify."); // a check, as recovering did
        return (r, s, (point.AffineYCoord.TestBitZero() ? 1 : 0) + (x.Equals(r) ? 0 : 2));
    }

    private static byte[] FromHex(string privateKeyHex)
    {
        var hex = privateKeyHex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? privateKeyHex[2..] : privateKeyHex;
        try
        {
            return Convert.FromHexString(hex.Length % 2 == 0 ? hex : "0" + hex);
        }
        catch (FormatException)
        {
            throw new ArgumentException("The private key is not hex.", nameof(privateKeyHex));
        }
    }
}
