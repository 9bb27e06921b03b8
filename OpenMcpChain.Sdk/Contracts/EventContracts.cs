namespace OpenMcpChain.Sdk.Contracts;

/// <summary>One server-sent event: its <c>event:</c> name, its <c>id:</c> (to resume from with Last-Event-ID) and its data.</summary>
public sealed record ServerSentEvent<T>(string Type, string? Id, T Data);

/// <summary>
/// One event of a task's live progress (<c>GET /api/v1/tasks/{id}/events</c>): a status change (<c>type</c> =
/// <c>status</c>: <see cref="Status"/>, <see cref="Detail"/>) or a recorded step (<c>type</c> = <c>step</c>: the step's
/// fields as <see cref="TaskStepResponse"/> names them, without its arguments and output). <see cref="At"/> is UNIX milliseconds.
/// </summary>
public sealed record TaskProgressEvent(string Type)
{
    public const string StatusChanged = "status";
    public const string Step = "step";

    public string? Status { get; init; }
    public string? Detail { get; init; }
    public int? Attempt { get; init; }
    public int? Seq { get; init; }
    public string? Kind { get; init; }
    public string? Name { get; init; }
    public bool? IsError { get; init; }
    public string? ErrorCode { get; init; }
    public string? PolicyDecision { get; init; }
    public long? DurationMs { get; init; }
    public long? LogIndex { get; init; }
    public long? At { get; init; }
}
