using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;

namespace OpenMcpChain.ProofService.Log;

/// <summary>
/// What one sequencer batch knows about the tasks it seals: their attestations and their log entries so far, in log
/// order, kept current as the batch appends. Task ids compare without case, as the database's collation does.
/// </summary>
internal sealed class SealedTasks
{
    private readonly Dictionary<string, Attestation> _attestations;
    private readonly Dictionary<string, List<LogEntry>> _steps;

    private SealedTasks(Dictionary<string, Attestation> attestations, Dictionary<string, List<LogEntry>> steps) =>
        (_attestations, _steps) = (attestations, steps);

    /// <summary>A batch that seals nothing.</summary>
    public static SealedTasks None => new(new(StringComparer.OrdinalIgnoreCase), new(StringComparer.OrdinalIgnoreCase));

    /// <summary>Reads the attestations and entries of <paramref name="taskIds"/> inside the batch's transaction.</summary>
    public static async Task<SealedTasks> LoadAsync(ProofDbContext db, IEnumerable<string> taskIds, CancellationToken ct)
    {
        var ids = taskIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var steps = ids.ToDictionary(id => id, _ => new List<LogEntry>(), StringComparer.OrdinalIgnoreCase);
        if (ids.Count == 0) return new(new(StringComparer.OrdinalIgnoreCase), steps);
        // Tracked: a legacy attestation whose outcome entry is missing gets its log index in this batch.
        var attestations = await db.Attestations.Where(a => ids.Contains(a.TaskId)).ToListAsync(ct);
        var entries = await db.LogEntries.AsNoTracking().Where(e => e.TaskId != null && ids.Contains(e.TaskId))
            .OrderBy(e => e.Index).ToListAsync(ct);
        foreach (var entry in entries) steps[entry.TaskId!].Add(entry);
        return new(attestations.ToDictionary(a => a.TaskId, StringComparer.OrdinalIgnoreCase), steps);
    }

    /// <summary>Counts an entry this batch appends as a step of its task.</summary>
    public void Appended(LogEntry row)
    {
        if (row.TaskId is { } id && _steps.TryGetValue(id, out var steps)) steps.Add(row);
    }

    public Attestation? AttestationOf(string taskId) => _attestations.GetValueOrDefault(taskId);

    /// <summary>The task's entries as of this point of the batch.</summary>
    public IReadOnlyList<LogEntry> StepsOf(string taskId) => _steps[taskId];

    public void Attested(Attestation attestation) => _attestations[attestation.TaskId] = attestation;
}
