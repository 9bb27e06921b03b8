using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nethereum.Contracts.Extensions;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Log;
using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.ServiceDefaults;

namespace OpenMcpChain.ProofService.Anchoring;

/// <summary>
/// Anchors the log on chain through ChainService (so the signer wallet's nonces are managed in one place): deploys the
/// <c>LogAnchor</c> contract if none is known, then sends the latest signed tree head every N entries or T seconds.
/// Each anchor has an idempotency key per (contract, size), so a repeat after a crash follows the same transaction.
/// Replicas take turns: a pass runs only under the database lock <c>anchoring</c>, so two never deploy or anchor at once.
/// </summary>
public sealed class AnchorWorker(
    IServiceScopeFactory scopes, LogSequencer log, OutcomeSigner signer, IOptions<AnchoringOptions> options, TimeProvider clock,
    ILogger<AnchorWorker> logger)
    : PeriodicWorker(options.Value.Interval < TimeSpan.FromSeconds(1) ? options.Value.Interval : TimeSpan.FromSeconds(1), logger)
{
    private const string AnchorFunction = "anchor(bytes32 root, uint256 size)";
    private readonly AnchoringOptions _options = options.Value;
    private AnchorContract? _contract;

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await log.WaitReadyAsync(ct);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProofDbContext>();
        await db.RunExclusiveAsync("anchoring", () => AnchorOnceAsync(scope.ServiceProvider, db, ct), ct);
    }

    private async Task AnchorOnceAsync(IServiceProvider services, ProofDbContext db, CancellationToken ct)
    {
        var chain = services.GetRequiredService<ChainServiceClient>();
        _contract ??= await EnsureContractAsync(db, chain, ct);

        var last = await db.Anchors.AsNoTracking().Where(a => a.Contract == _contract.Address)
            .OrderByDescending(a => a.TreeSize).FirstOrDefaultAsync(ct);
        if (last is { Status: AnchorStatuses.Pending })
        {
            await SendAsync(db, chain, last, ct); // follow the same transaction through its idempotency key
            return;
        }
        var size = await services.GetRequiredService<LogReader>().SizeAsync(ct);
        if (size == 0 || last?.TreeSize >= size) return;
        if (last is not null && size - last.TreeSize < _options.EveryEntries && clock.GetUtcNow() - last.CreatedAt < _options.Interval) return;

        var head = await services.GetRequiredService<TreeHeads>().SignAsync(size, ct);
        var anchor = new Anchor
        {
            Network = _contract.Network, ChainId = _contract.ChainId, Contract = _contract.Address, TreeSize = head.TreeSize,
            Root = head.Root, TreeHeadTimestamp = head.Timestamp, TreeHeadSignature = head.Signature, TxHash = "",
            CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow(),
        };
        db.Anchors.Add(anchor);
        await db.SaveChangesAsync(ct);
        await SendAsync(db, chain, anchor, ct);
    }

    private async Task SendAsync(ProofDbContext db, ChainServiceClient chain, Anchor anchor, CancellationToken ct)
    {
        // Anchoring is work worth a trace of its own; idle passes (nothing new to anchor) open none.
        using var span = Telemetry.ProofTelemetry.Source.StartActivity("anchor");
        span?.SetTag("openmcpchain.tree_size", anchor.TreeSize);
        JsonElement result;
        try
        {
            result = await chain.ToolAsync("write_contract", new
            {
                address = anchor.Contract, signature = AnchorFunction, args = new object[] { anchor.Root, anchor.TreeSize.ToString() },
                idempotency_key = $"anchor:{anchor.Contract}:{anchor.TreeSize}", wallet = _options.Wallet, network = _options.Network,
            }, ct);
        }
        catch (ChainServiceException e) when (e.Code is ChainErrorCodes.ExecutionReverted or ChainErrorCodes.IdempotencyKeyReused
                                              || PolicyDecisions.IsRefusal(e.Error.PolicyDecision))
        {
            // Definitive: this head will not be anchored; the next one (a larger size) will be tried.
            await db.Anchors.Where(a => a.Id == anchor.Id).ExecuteUpdateAsync(a => a
                .SetProperty(x => x.Status, AnchorStatuses.Failed).SetProperty(x => x.UpdatedAt, clock.GetUtcNow()), ct);
            logger.LogError("Anchoring tree size {Size} was refused: {Reason}", anchor.TreeSize, e.Message);
            return;
        }
        var status = result.GetProperty("status").GetString() switch
        {
            "confirmed" => AnchorStatuses.Confirmed,
            "reverted" or "dropped" => AnchorStatuses.Failed,
            _ => AnchorStatuses.Pending,
        };
        long? block = result.TryGetProperty("block_number", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt64() : null;
        await db.Anchors.Where(a => a.Id == anchor.Id).ExecuteUpdateAsync(a => a
            .SetProperty(x => x.TxHash, result.GetProperty("tx_hash").GetString()!)
            .SetProperty(x => x.BlockNumber, block)
            .SetProperty(x => x.Status, status)
            .SetProperty(x => x.UpdatedAt, clock.GetUtcNow()), ct);
        logger.LogInformation("Anchored tree size {Size} in {TxHash} ({Status})", anchor.TreeSize, result.GetProperty("tx_hash").GetString(), status);
        Telemetry.ProofTelemetry.Anchored(status, clock.GetUtcNow());
    }

    /// <summary>The configured or remembered contract, checked on chain (it answers and names our signer); otherwise a new deployment.</summary>
    private async Task<AnchorContract> EnsureContractAsync(ProofDbContext db, ChainServiceClient chain, CancellationToken ct)
    {
        var known = await db.AnchorContracts.AsNoTracking().Where(c => c.Network == _options.Network)
            .OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct);
        var candidate = !string.IsNullOrWhiteSpace(_options.Contract) ? _options.Contract : known?.Address;
        if (candidate is not null && await SignerOfAsync(chain, candidate, ct) is { } named)
        {
            if (!string.Equals(named, signer.Address, StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Anchor contract {candidate} names signer {named}, not this service's {signer.Address}.");
            if (known is not null && string.Equals(known.Address, candidate, StringComparison.OrdinalIgnoreCase)) return known;
            return await RememberAsync(db, new AnchorContract
            {
                Network = _options.Network, ChainId = await ChainIdAsync(chain, ct), Address = candidate, Signer = signer.Address,
                DeployTxHash = "", CreatedAt = clock.GetUtcNow(),
            }, ct);
        }
        if (!string.IsNullOrWhiteSpace(_options.Contract))
            throw new InvalidOperationException($"Anchoring:Contract {_options.Contract} is not a LogAnchor contract on {_options.Network}.");

        var artifact = LogAnchorArtifact.Value;
        var data = new Nethereum.Contracts.DeployContractTransactionBuilder()
            .GetData(artifact["bytecode"]!.GetValue<string>(), artifact["abi"]!.ToJsonString(), signer.Address);
        var attempt = await db.AnchorContracts.CountAsync(c => c.Network == _options.Network, ct);
        var deployed = await chain.DeployAsync(new
        {
            data, wallet = _options.Wallet, network = _options.Network,
            idempotency_key = $"anchor-contract:{_options.Network}:{signer.Address}:{attempt}",
            summary = "deploy the LogAnchor contract of the transparency log",
        }, ct);
        if (deployed.GetProperty("status").GetString() != "confirmed")
            throw new InvalidOperationException($"The LogAnchor deployment {deployed.GetProperty("tx_hash").GetString()} is {deployed.GetProperty("status").GetString()}.");
        var contract = await RememberAsync(db, new AnchorContract
        {
            Network = _options.Network, ChainId = await ChainIdAsync(chain, ct),
            Address = deployed.GetProperty("contract_address").GetString()!, Signer = signer.Address,
            DeployTxHash = deployed.GetProperty("tx_hash").GetString()!, DeployBlock = deployed.GetProperty("block_number").GetInt64(),
            CreatedAt = clock.GetUtcNow(),
        }, ct);
        logger.LogInformation("Deployed the LogAnchor contract at {Address} on {Network}", contract.Address, contract.Network);
        return contract;
    }

    private static async Task<AnchorContract> RememberAsync(ProofDbContext db, AnchorContract contract, CancellationToken ct)
    {
        db.AnchorContracts.Add(contract);
        await db.SaveChangesAsync(ct);
        return contract;
    }

    private async Task<long> ChainIdAsync(ChainServiceClient chain, CancellationToken ct) =>
        (await chain.ToolAsync("get_chain_info", new { network = _options.Network }, ct)).GetProperty("chain_id").GetInt64();

    private async Task<string?> SignerOfAsync(ChainServiceClient chain, string contract, CancellationToken ct)
    {
        try
        {
            var result = await chain.ToolAsync("call_contract", new { address = contract, signature = "signer() returns (address)", network = _options.Network }, ct);
            return result.GetProperty("values").GetProperty("out0").GetString();
        }
        catch (ChainServiceException e) when (e.Code is ChainErrorCodes.CallReturnedNothing or ChainErrorCodes.ExecutionReverted)
        {
            return null; // nothing there (a fresh chain) or not our contract
        }
    }

    /// <summary>The compiled contract (<c>contracts/build/LogAnchor.json</c>, checked against its source by the test script).</summary>
    private static readonly Lazy<JsonNode> LogAnchorArtifact = new(() =>
    {
        using var stream = typeof(AnchorWorker).Assembly.GetManifestResourceStream("LogAnchor.json")
                           ?? throw new InvalidOperationException("The LogAnchor artifact is not embedded.");
        return JsonNode.Parse(stream)!;
    });
}
