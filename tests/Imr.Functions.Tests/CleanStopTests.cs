using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime;
using Imr.LocalRuntime.Demo;

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
                try
                {
                    using var status = await http.GetAsync($"{api}/cases/{caseNumber}"); // 404 until intake registers it
                    return (await status.Content.ReadAsStringAsync()).Contains("AwaitingAcceptance") ? "" : null;
                }
                catch (TaskCanceledException)
                {
                    return null; // one answer slower than the client's 5 s (a loaded machine): ask again, within the 60 s
                }
            }, TimeSpan.FromSeconds(60), "the case to be offered");
            // No pause for the orchestration to reach its wait: a step still in flight at the stop is let finish first
            // (the next test holds one in flight on purpose).

            await SignalAndAssertCleanStopAsync(process, signal, output);
            Assert.False(await Serves(http, $"{api}/cases/{caseNumber}"));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// SIGTERM while a step is in flight (an activity waiting on Communication Services): the stop lets it finish before
    /// the worker stops, so the stop is clean (exit 0, no error line), and after a restart the case goes on to its letter.
    /// </summary>
    [Fact]
    public async Task SIGTERM_while_a_step_is_in_flight_lets_it_finish_stops_cleanly_and_the_case_completes_after_a_restart()
    {
        var port = DurableBackend.FreeLoopbackPort();
        var taskHub = "stop" + Guid.NewGuid().ToString("N")[..8];
        await using var acs = await FakeCommunicationServices.StartAsync();
        // Notices go out through Communication Services e-mail (after their outbox copy), with the managed identity's token.
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:Delivery"] = Imr.Functions.Storage.NotificationDelivery.AzureCommunicationEmail,
            ["Notifications:AcsEndpoint"] = acs.Endpoint.ToString(),
            ["Notifications:FromAddress"] = "DoNotReply@imr-test.azurecomm.net",
            ["ImrStorage:clientId"] = "test-client-id",
            ["IDENTITY_ENDPOINT"] = acs.IdentityEndpoint.ToString(),
            ["IDENTITY_HEADER"] = FakeCommunicationServices.IdentityHeader,
            ["Logging:LogLevel:Imr.LocalRuntime"] = "Information",
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Add(Imr.LocalRuntime.HttpRoutes.KeyHeader, TestEnvironment.FunctionKey);
        var api = $"http://127.0.0.1:{port}/api";
        var caseNumber = TestEnvironment.NewCaseNumber("S");

        var output = new ConcurrentQueue<string>();
        using (var process = StartRuntime(port, taskHub, output, settings))
        {
            try
            {
                await TestEnvironment.EventuallyAsync(async () => await Serves(http, $"{api}/cases/CM00-0000000") ? "" : null, TimeSpan.FromSeconds(90), "the runtime to serve HTTP");
                var release = new TaskCompletionSource();
                var held = acs.HoldNext(release.Task); // the case's first notice: its activity waits on the service
                await TestEnvironment.UploadSampleCaseAsync(caseNumber);
                await held.WaitAsync(TimeSpan.FromSeconds(60));

                Assert.Equal(0, kill(process.Id, SigTerm));
                await Task.Delay(TimeSpan.FromSeconds(1)); // the stop has begun while the send is still unanswered
                Assert.False(process.HasExited, $"stopped (exit code {(process.HasExited ? process.ExitCode : 0)}) before the step in flight finished:\n{string.Join('\n', output)}");
                release.SetResult();
                await SignalAndAssertCleanStopAsync(process, signal: null, output);
                var log = string.Join('\n', output);
                Assert.Matches(@"Stopping: [1-9]\d* durable work item\(s\) in flight", log); // the held step among them
                Assert.Contains("Stopping: the work in flight finished", log);
            }
            finally
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
        }

        // Restarted on the same task hub: the case goes on from where it was, to the reviewer's offer and on to its letter.
        var restartOutput = new ConcurrentQueue<string>();
        using var restarted = StartRuntime(port, taskHub, restartOutput, settings);
        try
        {
            await TestEnvironment.EventuallyAsync(async () => await Serves(http, $"{api}/cases/CM00-0000000") ? "" : null, TimeSpan.FromSeconds(90), "the restarted runtime to serve HTTP");
            var driver = new SampleCaseDriver(TestEnvironment.Blobs, http);
            await driver.FollowAndSubmitAsync(await driver.WaitForLinkAsync(caseNumber, $"{caseNumber}-A1-offer", TimeSpan.FromSeconds(60)), new Dictionary<string, string>());
            var determination = SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination));
            await driver.FollowAndSubmitAsync(await driver.WaitForLinkAsync(caseNumber, $"{caseNumber}-A1-determination", TimeSpan.FromSeconds(60)), determination);
            await driver.WaitForStatusAsync(new Uri($"http://127.0.0.1:{port}"), caseNumber, "Closed", TimeSpan.FromSeconds(90));
            Assert.Equal(0, kill(restarted.Id, SigTerm));
            await SignalAndAssertCleanStopAsync(restarted, signal: null, restartOutput);
        }
        finally
        {
            if (!restarted.HasExited) restarted.Kill(entireProcessTree: true);
        }

        // Every notice the service accepted went once (a repeated send would carry the same Operation-Id).
        var accepted = acs.Requests.Where(r => r.Status == 202).Select(r => r.OperationId).ToList();
        Assert.NotEmpty(accepted);
        Assert.Equal(accepted.Distinct().Count(), accepted.Count);
    }

    /// <summary>Sends <paramref name="signal"/> (null: already sent) and asserts the process stops within 10 s, quietly, with exit code 0.</summary>
    private static async Task SignalAndAssertCleanStopAsync(Process process, int? signal, ConcurrentQueue<string> output)
    {
        var sent = Stopwatch.StartNew();
        if (signal is { } s) Assert.Equal(0, kill(process.Id, s));
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
    }

    /// <summary>
    /// The runtime as <c>run.sh</c> starts it, from its own build output. Through <c>env --default-signal=INT</c>: a
    /// process started in the background of a script inherits SIGINT ignored, and .NET (rightly) keeps ignoring it; a
    /// terminal's foreground process, which Ctrl+C reaches, has it at default.
    /// </summary>
    private static Process StartRuntime(int port, string taskHub, ConcurrentQueue<string> output, Dictionary<string, string?>? extraSettings = null)
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
        foreach (var (key, value) in TestEnvironment.AppSettings(taskHub, port).Concat(extraSettings ?? []))
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
