using System.Diagnostics;
using OpenTelemetry.Trace;

namespace OpenMcpChain.ServiceDefaults;

/// <summary>
/// Keeps background polling out of the traces: decides for spans that start a trace (wrap it in a
/// <see cref="ParentBasedSampler"/>, so spans with a parent follow their parent). A trace starts when something
/// arrived (a request or a message: server or consumer kind) or when our own code opened a span for work it found;
/// an outgoing call (client kind: HTTP, Redis, SQL) with nothing around it is a poller's tick and is not recorded.
/// Its context still travels, marked not sampled, so the service it calls drops its side too.
/// </summary>
public sealed class QuietWhenIdleSampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
        new(parameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
}
