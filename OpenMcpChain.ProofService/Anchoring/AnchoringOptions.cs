namespace OpenMcpChain.ProofService.Anchoring;

/// <summary>Where and how often the log's signed tree heads are anchored (<c>Anchoring:*</c>).</summary>
public sealed class AnchoringOptions
{
    public const string SectionName = "Anchoring";

    public bool Enabled { get; set; }
    /// <summary>ChainService's base address; service discovery resolves the default.</summary>
    public string ChainServiceUrl { get; set; } = "https+http://chainservice";
    /// <summary>This service's caller key at ChainService (a secret parameter).</summary>
    public string ApiKey { get; set; } = "";
    public string Network { get; set; } = "devnet";
    /// <summary>The ChainService wallet holding the signer key; the contract accepts anchors from the signer only.</summary>
    public string Wallet { get; set; } = "proof";
    /// <summary>An already deployed anchor contract; when empty the service deploys one and remembers it.</summary>
    public string? Contract { get; set; }
    /// <summary>Anchor once this many entries arrived since the last anchor…</summary>
    public long EveryEntries { get; set; } = 1000;
    /// <summary>…or once this much time passed with any new entry.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// How long one call to ChainService may take: an anchor or the contract's deployment waits there for its receipt
    /// (<c>Networks:{name}:ReceiptTimeout</c>, 60 s by default), so the attempt must outlast that wait. Each carries an
    /// idempotency key, so a repeat after a cut attempt follows the same transaction.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(90);

    public override string ToString() => $"{nameof(AnchoringOptions)} {{ Network = {Network}, ApiKey = *** }}";
}
