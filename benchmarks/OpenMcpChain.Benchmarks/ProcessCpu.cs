namespace OpenMcpChain.Benchmarks;

/// <summary>
/// CPU time (user + system, from <c>/proc</c>) of this process, of Aspire's orchestrator (DCP, which runs detached) and of
/// every process under them — the services and the servers — by program: what a piece of work cost each part of the
/// system, in milliseconds.
/// </summary>
public static class ProcessCpu
{
    private const double MsPerTick = 10; // USER_HZ is 100 on Linux

    /// <summary>Runs <paramref name="work"/> and returns the CPU each program used meanwhile (processes that ended are not counted).</summary>
    public static async Task<Dictionary<string, double>> CountAsync(Func<Task> work)
    {
        var before = Snapshot();
        await work();
        var after = Snapshot();
        return after.GroupBy(p => p.Value.Name)
            .ToDictionary(g => g.Key, g => g.Sum(p => (p.Value.Ticks - (before.TryGetValue(p.Key, out var b) ? b.Ticks : 0)) * MsPerTick));
    }

    /// <summary>
    /// CPU the system's processes spent in .NET's tiered compilation (its background threads, which compile a method again,
    /// optimised, once it has been called often) over <paramref name="window"/>, in milliseconds: while it is high, the
    /// services are still warming up and what they cost per call is not what they cost once warm.
    /// </summary>
    public static async Task<double> JitAsync(TimeSpan window)
    {
        var before = JitThreads();
        await Task.Delay(window);
        // A thread that ended in between took its count with it: it had stopped compiling.
        return JitThreads().Sum(t => t.Value - before.GetValueOrDefault(t.Key)) * MsPerTick;
    }

    private static Dictionary<(int Pid, int Tid), long> JitThreads()
    {
        var threads = new Dictionary<(int, int), long>();
        foreach (var pid in Snapshot().Keys)
        {
            try
            {
                foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    if (File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd() != ".NET Tiered Com") continue; // names are cut at 15 characters
                    threads[(pid, int.Parse(Path.GetFileName(dir)))] = Ticks(File.ReadAllText(Path.Combine(dir, "stat")));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // ended while being read
            }
        }
        return threads;
    }

    /// <summary>utime + stime of a <c>stat</c> line.</summary>
    private static long Ticks(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // from field 3 (state) on
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }

    private static Dictionary<int, (string Name, long Ticks)> Snapshot()
    {
        var processes = new Dictionary<int, (int Parent, string Name, long Ticks, long Started)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' '); // from field 3 (state) on
                processes[pid] = (int.Parse(fields[1]), NameOf(dir, stat[(stat.IndexOf('(') + 1)..close]), Ticks(stat), long.Parse(fields[19]));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // ended while being read
            }
        }
        var self = Environment.ProcessId;
        // This run's orchestrator: the DCP processes started since this process was.
        var roots = processes.Where(p => p.Key == self || p.Value.Name.StartsWith("dcp", StringComparison.Ordinal)
                                         && p.Value.Started >= processes[self].Started).Select(p => p.Key).ToHashSet();
        bool Under(int pid)
        {
            for (var hops = 0; hops < 64 && processes.TryGetValue(pid, out var p); hops++, pid = p.Parent)
                if (roots.Contains(pid)) return true;
            return false;
        }
        return processes.Where(p => Under(p.Key)).ToDictionary(p => p.Key, p => (p.Key == self ? "benchmark client" : p.Value.Name, p.Value.Ticks));
    }

    /// <summary>A .NET service by its assembly, a script by its file, anything else by its command name.</summary>
    private static string NameOf(string dir, string command)
    {
        var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var service = args.Take(2).Select(Path.GetFileName).FirstOrDefault(a => a!.StartsWith("OpenMcpChain.", StringComparison.Ordinal));
        if (service is not null) return service["OpenMcpChain.".Length..].Replace(".dll", "", StringComparison.Ordinal);
        if (command.StartsWith("python", StringComparison.Ordinal) && args.Length > 1) return $"python {Path.GetFileName(args[1])}";
        return command.StartsWith("mariadb", StringComparison.Ordinal) || command == "mysqld" ? "mariadbd" : command;
    }
}
