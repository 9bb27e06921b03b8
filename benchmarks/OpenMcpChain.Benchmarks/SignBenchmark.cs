using System.Diagnostics;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// An outcome attestation's signature (EIP-712 over a task's typed data), as ProofService makes one for every task, and a
/// transfer's (an EIP-1559 transaction), as ChainService makes one for every write: Nethereum's signers (the baseline)
/// against <see cref="Secp256k1Signer"/>, the same bytes; in this process, no system started.
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

        Nethereum.Model.Transaction1559 Transfer() => new(31337, 7, 1_000_000_000, 30_000_000_000, 25_200,
            "0x000000000000000000000000000000000000dEaD", 1_000_000_000_000_000, null, null);
        string NethereumTransaction() => new Transaction1559Signer().SignTransaction(key, Transfer());
        string OurTransaction() => signer.SignTransaction(Transfer());
        if (NethereumTransaction() != OurTransaction()) throw new InvalidOperationException("The two transaction signers disagree.");
        Console.WriteLine();
        Console.WriteLine($"{count} EIP-1559 transfers signed each, after {count / 10} to warm up:");
        baseline = Time("Nethereum signer", NethereumTransaction, count);
        ours = Time("Secp256k1Signer", OurTransaction, count);
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
