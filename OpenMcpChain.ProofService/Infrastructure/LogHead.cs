namespace OpenMcpChain.ProofService.Infrastructure;

/// <summary>
/// The log's committed size, in one row. Appending replicas lock it in turn (<c>SELECT … FOR UPDATE</c>), so each batch
/// starts where the last one, from whichever process, ended.
/// </summary>
public sealed class LogHead
{
    public const int RowId = 1;

    public int Id { get; set; }
    public long Size { get; set; }
}
