using System.Runtime.InteropServices;

namespace OpenMcpChain.Tests;

/// <summary>
/// Processes as /proc shows them: a process and everything it started, their command lines and environments, and a
/// way to take them all down at once, as a power cut or the kernel's OOM killer would.
/// </summary>
internal static class ProcessTree
{
    private const int SigKill = 9;
    private const int SigStop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    /// <summary>
    /// <paramref name="root"/> and its descendants. DCP's API server counts as the AppHost's child although the AppHost
    /// starts it detached (its parent is then 1): it is the process that watches the AppHost (<c>--monitor {pid}</c>).
    /// </summary>
    public static HashSet<int> Of(int root)
    {
        var all = Snapshot();
        var tree = new HashSet<int> { root };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, (parent, args)) in all)
            {
                if (tree.Contains(pid)) continue;
                if (tree.Contains(parent) || MonitorsOneOf(args, tree))
                {
                    tree.Add(pid);
                    grew = true;
                }
            }
        }
        return tree;
    }

    /// <summary>The processes of <paramref name="tree"/> whose program is <paramref name="fileName"/> (e.g. <c>OpenMcpChain.Gateway</c>).</summary>
    public static IEnumerable<int> Named(IEnumerable<int> tree, string fileName) =>
        tree.Where(pid => CommandLine(pid) is [var program, ..] && Path.GetFileName(program) == fileName);

    public static string[] CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>One variable of the environment a process was started with; null when it has none or is gone.</summary>
    public static string? Environment(int pid, string name)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0')
                .FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>SIGSTOP to every process first, so none can react to another's death (a supervisor shutting its children down gracefully), then SIGKILL to all.</summary>
    public static void KillAtOnce(IReadOnlyCollection<int> pids)
    {
        foreach (var pid in pids) Signal(pid, SigStop);
        foreach (var pid in pids) Signal(pid, SigKill);
    }

    /// <summary>Waits until none of <paramref name="pids"/> runs any more (a zombie no longer runs).</summary>
    public static async Task WaitGoneAsync(IReadOnlyCollection<int> pids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (pids.Where(IsRunning).ToList() is { Count: > 0 } left)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Processes {string.Join(", ", left)} still run {timeout.TotalSeconds:0} s after SIGKILL.");
            await Task.Delay(100);
        }
    }

    public static bool IsRunning(int pid) => Stat(pid) is { } stat && stat.State != 'Z';

    private static bool MonitorsOneOf(string[] args, HashSet<int> tree)
    {
        var at = Array.IndexOf(args, "--monitor");
        return at >= 0 && at + 1 < args.Length && args.Contains("start-apiserver")
               && int.TryParse(args[at + 1], out var watched) && tree.Contains(watched);
    }

    private static Dictionary<int, (int Parent, string[] Args)> Snapshot()
    {
        var all = new Dictionary<int, (int, string[])>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || Stat(pid) is not { } stat) continue;
            all[pid] = (stat.Parent, CommandLine(pid));
        }
        return all;
    }

    private static (char State, int Parent)? Stat(int pid)
    {
        try
        {
            // "pid (comm) state ppid …": comm may contain spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1]));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
