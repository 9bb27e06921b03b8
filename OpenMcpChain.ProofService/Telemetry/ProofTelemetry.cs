using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpenMcpChain.ProofService.Telemetry;

/// <summary>ProofService's spans (log batches, attestations, anchors) and metrics, under <c>OpenMcpChain.ProofService</c>.</summary>
public static class ProofTelemetry
{
    public const string Name = "OpenMcpChain.ProofService";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static long _treeSize = -1;
    private static long _lastAnchorTicks;

    public static readonly Counter<long> Appends = Meter.CreateCounter<long>("openmcpchain.log.appends", "{entry}", "Entries appended to the transparency log.");
    public static readonly Histogram<long> BatchSize = Meter.CreateHistogram<long>("openmcpchain.log.batch_size", "{entry}", "Entries committed per sequencer batch.");
    public static readonly Counter<long> Anchors = Meter.CreateCounter<long>("openmcpchain.anchors", "{anchor}", "Tree heads sent to the anchor contract, by status.");

    static ProofTelemetry()
    {
        Meter.CreateObservableGauge("openmcpchain.log.tree_size", () => Volatile.Read(ref _treeSize) is var size and >= 0 ? [new Measurement<long>(size)] : Array.Empty<Measurement<long>>(),
            "{entry}", "The log's size as of this process's last commit.");
        Meter.CreateObservableGauge("openmcpchain.anchor.age", () => Volatile.Read(ref _lastAnchorTicks) is var ticks and > 0
                ? [new Measurement<double>((DateTimeOffset.UtcNow - new DateTimeOffset(ticks, TimeSpan.Zero)).TotalSeconds)] : Array.Empty<Measurement<double>>(),
            "s", "Time since this process last anchored a tree head on chain.");
    }

    public static void Committed(long treeSize, int entries)
    {
        // Batches in flight may report out of order; the log only grows.
        for (var seen = Volatile.Read(ref _treeSize); treeSize > seen; seen = Volatile.Read(ref _treeSize))
            if (Interlocked.CompareExchange(ref _treeSize, treeSize, seen) == seen) break;
        if (entries > 0) Appends.Add(entries);
    }

    public static void Anchored(string status, DateTimeOffset at)
    {
        Anchors.Add(1, new KeyValuePair<string, object?>("status", status));
        if (status == "confirmed") Volatile.Write(ref _lastAnchorTicks, at.UtcTicks);
    }
}
