using System.Diagnostics;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// An outcome attestation's signature (EIP-712 over a task's typed data), as ProofService makes one for every task:
/// Nethereum's key (the baseline) against <see cref="Secp256k1Signer"/>, the same bytes; in this process, no system started.
/// </summary>
public static class SignBenchmark
{
    public static void Run(int count)
    {
        var key = EthECKey.GenerateKey();
        var signer = new Secp256k1Signer(key.GetPrivateKey());
        var typed = new Eip712TypedDataSigner();
        var typedData = TaskOutcomeTypedData.Build("task-1", "What is the latest block number?", "{\"reply\":\"42\"}", new byte[32], 3,
            ["0x3333333333333333333333333333333333333333333333333333333333333333"], 1_795_602_858);
        string Nethereum() => typed.SignTypedDataV4(typedData, key);
        string Ours() => signer.SignHash(Sha3Keccack.Current.CalculateHash(typed.EncodeTypedData(typedData)));
        if (Nethereum() != Ours()) throw new InvalidOperationException("The two signers disagree.");

        Console.WriteLine($"{count} EIP-712 attestation signatures each, after {count / 10} to warm up:");
        var baseline = Time("Nethereum EthECKey", Nethereum, count);
        var ours = Time("Secp256k1Signer", Ours, count);
        Console.WriteLine($"ratio: {baseline / ours:0.0}x faster per signature");
    }

    private static double Time(string name, Func<string> sign, int count)
    {
        for (var i = 0; i < count / 10; i++) sign();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++) sign();
        var perSignature = Stopwatch.GetElapsedTime(started).TotalMilliseconds / count;
        Console.WriteLine($"{name,-20} {perSignature * 1000,8:0.0} µs per signature ({1000 / perSignature:0}/s on one core)");
        return perSignature;
    }
}
