using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Imr.Bench.Chaos;

/// <summary>
/// A child process of the harness (Azurite or the local runtime), its output appended to a log file, stopped with a
/// real signal: SIGKILL for a crash, SIGTERM for a clean stop. Every child is also killed when the harness exits.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private static readonly HashSet<ChildProcess> Alive = [];
    private readonly Process _process;
    private bool _disposed;

    static ChildProcess()
    {
        // Last line of defence (Ctrl+C, an exception escaping Main): no child outlives the harness.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        lock (Alive) Alive.Add(this);
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>Starts <paramref name="command"/> through <c>sh -c 'exec …'</c> (so the pid is the command's own) with its output in <paramref name="logFile"/>.</summary>
    public static ChildProcess Start(string name, string command, IReadOnlyList<string> arguments, string workingDirectory, string logFile, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDirectory, UseShellExecute = false, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$IMR_CHAOS_LOG\" 2>&1");
        start.ArgumentList.Add(command);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["IMR_CHAOS_LOG"] = logFile;
        foreach (var (k, v) in environment) start.Environment[k] = v;
        File.AppendAllText(logFile, $"---- {DateTimeOffset.UtcNow:O} start {name}\n");
        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}."), name);
    }

    /// <summary>SIGKILL: the process dies at once, wherever it is (what a crash or an out-of-memory kill does).</summary>
    public async Task KillAsync()
    {
        if (_disposed) return;
        if (!_process.HasExited) Signal(9);
        await WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGTERM, then SIGKILL if the process has not exited within <paramref name="grace"/>; true if it stopped by itself.</summary>
    public async Task<bool> TerminateAsync(TimeSpan grace)
    {
        if (_disposed || _process.HasExited) return true;
        Signal(15);
        if (await WaitAsync(grace)) return true;
        await KillAsync();
        return false;
    }

    private async Task<bool> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        lock (Alive) Alive.Remove(this);
        return true;
    }

    private void Signal(int signal)
    {
        if (SysKill(_process.Id, signal) != 0 && !_process.HasExited) throw new InvalidOperationException($"kill -{signal} {Name} ({_process.Id}) failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>Waits until a loopback TCP port accepts connections (the process is serving), bounded in time.</summary>
    public static async Task<bool> WaitForPortAsync(int port, TimeSpan timeout, ChildProcess? process = null, CancellationToken ct = default)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until && process?.HasExited != true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port, ct);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100, ct);
            }
        }

        return false;
    }

    public static void KillAll()
    {
        ChildProcess[] alive;
        lock (Alive) alive = [.. Alive];
        foreach (var c in alive)
        {
            try
            {
                c.Dispose();
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    public void Dispose()
    {
        lock (Alive)
        {
            if (!Alive.Remove(this) && _disposed) return;
        }

        _disposed = true;
        if (!_process.HasExited) SysKill(_process.Id, 9);
        _process.WaitForExit(5000);
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
