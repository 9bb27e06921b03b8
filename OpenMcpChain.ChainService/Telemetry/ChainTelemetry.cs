using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpenMcpChain.ChainService.Telemetry;

/// <summary>ChainService's spans (the steps of a write) and metrics, under <c>OpenMcpChain.ChainService</c>.</summary>
public static class ChainTelemetry
{
    public const string Name = "OpenMcpChain.ChainService";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> ToolCalls = Meter.CreateCounter<long>("openmcpchain.chain.tool_calls", "{call}", "Tool calls served, by tool and policy decision.");
    public static readonly Counter<long> PolicyDenials = Meter.CreateCounter<long>("openmcpchain.policy.denials", "{write}", "Writes the policy gate refused, by code.");
    public static readonly Counter<long> ApprovalsRequested = Meter.CreateCounter<long>("openmcpchain.approvals.requested", "{request}", "Writes parked for approval, by network.");
    public static readonly Counter<long> ApprovalsDecided = Meter.CreateCounter<long>("openmcpchain.approvals.decided", "{request}", "Approval requests decided, by decision.");
    public static readonly Histogram<double> TimeToDecision = Meter.CreateHistogram<double>("openmcpchain.approvals.time_to_decision", "s", "From parking a write to its decision, by decision.");
    public static readonly Counter<long> TransactionsReplaced = Meter.CreateCounter<long>("openmcpchain.transactions.replaced", "{transaction}", "Writes re-signed at their nonce with higher fees, by network and reason (stuck, underpriced).");
    public static readonly Counter<double> ValueSent = Meter.CreateCounter<double>("openmcpchain.value.sent", "{token}", "Native value sent by confirmed writes, by network and token (the network's symbol), counted once per write.");

    /// <summary>A step of the write path (simulation, policy, nonce, broadcast, receipt), a child of the tool call's span.</summary>
    public static Activity? Step(string name) => Source.StartActivity($"write {name}");

    /// <summary>Tags the tool call's span with its tool and decision, and counts it (a refusal by code).</summary>
    public static void Served(string tool, string? decision, string? errorCode)
    {
        Activity.Current?.SetTag(OpenMcpChain.ServiceDefaults.TaskTelemetry.ToolTag, tool);
        Activity.Current?.SetTag(OpenMcpChain.ServiceDefaults.TaskTelemetry.DecisionTag, decision);
        ToolCalls.Add(1, new("tool", tool), new("decision", decision ?? "none"));
        if (OpenMcpChain.Sdk.Contracts.PolicyDecisions.IsRefusal(decision))
            PolicyDenials.Add(1, new KeyValuePair<string, object?>("code", errorCode ?? decision));
    }

    /// <summary>Counts a confirmed write's native value (wei, as stored) in whole units of the network's currency.</summary>
    public static void Sent(string network, string symbol, string valueWei)
    {
        if (System.Numerics.BigInteger.TryParse(valueWei, out var wei) && wei > 0)
            ValueSent.Add((double)wei / 1e18, new("network", network), new("token", symbol));
    }

    /// <summary>Counts a decided approval request and how long it waited.</summary>
    public static void Decided(string decision, DateTimeOffset createdAt, DateTimeOffset decidedAt)
    {
        ApprovalsDecided.Add(1, new KeyValuePair<string, object?>("decision", decision));
        TimeToDecision.Record((decidedAt - createdAt).TotalSeconds, new KeyValuePair<string, object?>("decision", decision));
    }
}
