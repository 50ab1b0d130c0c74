using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime;

namespace Imr.Functions.Tests;

/// <summary>
/// The built local runtime, started as its own process in serve mode with a case in flight, stops on a real SIGTERM or
/// SIGINT (as <c>kill</c> and Ctrl+C send them) within 10 s, quietly, with exit code 0.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CleanStopTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [Theory]
    [InlineData(SigTerm)]
    [InlineData(SigInt)]
    public async Task A_signal_stops_serve_mode_within_ten_seconds_without_stack_traces(int signal)
    {
        var port = DurableBackend.FreeLoopbackPort();
        var taskHub = "stop" + Guid.NewGuid().ToString("N")[..8];
        var output = new ConcurrentQueue<string>();
        using var process = StartRuntime(port, taskHub, output);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            http.DefaultRequestHeaders.Add(Imr.LocalRuntime.HttpRoutes.KeyHeader, TestEnvironment.FunctionKey);
            var api = $"http://127.0.0.1:{port}/api";
            await TestEnvironment.EventuallyAsync(async () => await Serves(http, $"{api}/cases/CM00-0000000") ? "" : null, TimeSpan.FromSeconds(90), "the runtime to serve HTTP");

            // Work in flight: a case uploaded and offered, its orchestration waiting on a durable timer and events.
            var caseNumber = TestEnvironment.NewCaseNumber("S");
            await TestEnvironment.UploadSampleCaseAsync(caseNumber);
            await TestEnvironment.EventuallyAsync(async () =>
            {
                using var status = await http.GetAsync($"{api}/cases/{caseNumber}"); // 404 until intake registers it
                return (await status.Content.ReadAsStringAsync()).Contains("AwaitingAcceptance") ? "" : null;
            }, TimeSpan.FromSeconds(60), "the case to be offered");
            // Let the orchestration reach its wait (timer + events) after the offer: a work item in flight at the instant of
            // the stop is abandoned and redone on the next start, which the sidecar logs as an error. That path (nothing
            // lost) is what ChaosHarnessTests and DurabilityTests cover; this test is about a clean stop of a waiting case.
            await Task.Delay(TimeSpan.FromSeconds(3));

            var sent = Stopwatch.StartNew();
            Assert.Equal(0, kill(process.Id, signal));
            using var within = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(within.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Still running {sent.Elapsed.TotalSeconds:F0} s after signal {signal}. Output:\n{string.Join('\n', output)}");
            }

            process.WaitForExit(); // drains the redirected output
            var lines = output.ToList();
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode} after signal {signal}:\n{string.Join('\n', lines)}");
            var failures = lines.Where(l => l.Contains("Exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal)).ToList();
            Assert.True(failures.Count == 0, $"after signal {signal}:\n{string.Join('\n', failures)}");
            Assert.Contains("Stopping…", lines); // stopped by its handler, not killed by the signal's default action
            Assert.False(await Serves(http, $"{api}/cases/{caseNumber}"));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// The runtime as <c>run.sh</c> starts it, from its own build output. Through <c>env --default-signal=INT</c>: a
    /// process started in the background of a script inherits SIGINT ignored, and .NET (rightly) keeps ignoring it; a
    /// terminal's foreground process, which Ctrl+C reaches, has it at default.
    /// </summary>
    private static Process StartRuntime(int port, string taskHub, ConcurrentQueue<string> output)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(TestEnvironment.RepoRoot, "localruntime", "Imr.LocalRuntime", "bin", configuration, "net10.0", "Imr.LocalRuntime.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var start = new ProcessStartInfo("/usr/bin/env")
        {
            WorkingDirectory = TestEnvironment.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--default-signal=INT", "dotnet", dll }) start.ArgumentList.Add(a);
        foreach (var (key, value) in TestEnvironment.AppSettings(taskHub, port))
        {
            start.Environment[key.Replace(":", "__")] = value;
        }

        start.Environment["LocalRuntime__WorkerId"] = taskHub;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> Serves(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
