using System.Globalization;
using System.Diagnostics;
using Azure.Storage.Blobs;
using Imr.LocalRuntime;

namespace Imr.Bench.Chaos;

public sealed record ChaosOptions
{
    public int Cases { get; init; } = 200;
    public int Kills { get; init; } = 30;
    public required string RepoRoot { get; init; }
    /// <summary>How long Azurite stays stopped (once, half-way through the kills); zero: no outage.</summary>
    public TimeSpan Outage { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Time between a restart and the next kill: uniform in [min, max].</summary>
    public TimeSpan KillGapMin { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan KillGapMax { get; init; } = TimeSpan.FromSeconds(8);
    /// <summary>Concurrent reviewer POSTs a burst kill lands in (every other kill).</summary>
    public int BurstSize { get; init; } = 12;
    /// <summary>
    /// When a burst kill lands after the burst starts. A POST is answered in well under 150 ms on a quiet machine, so
    /// kills 150–700 ms in found nothing in flight; 10–250 ms lands inside the requests (the report counts how many).
    /// </summary>
    public int BurstKillMinMs { get; init; } = 10;
    public int BurstKillMaxMs { get; init; } = 250;
    /// <summary>Longest wait for a burst's worth of answers to queue up; a smaller burst is fired after it.</summary>
    public TimeSpan BurstWait { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>After the last kill: how long the system gets to converge before the check is final.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public int Seed { get; init; } = Environment.TickCount;
    /// <summary>The durable provider's lease times: how soon work a killed process held is picked up again.</summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan WorkItemQueueVisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The sweep (reconciliation of stopped cases) runs on this schedule and re-checks each case this often.</summary>
    public string SweepSchedule { get; init; } = "*/5 * * * * *";
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Extra runtime settings, as configuration keys (Imr:ReconcileRestart=true …).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    public int ReviewerConcurrency { get; init; } = 8;
    public TimeSpan ReviewerAnswerBudget { get; init; } = TimeSpan.FromMinutes(4);
}

public sealed record ChaosResult
{
    public required int Cases { get; init; }
    public required int KillsPlanned { get; init; }
    public required int Kills { get; init; }
    public required int BurstKills { get; init; }
    public required string BurstKillWindow { get; init; }
    /// <summary>Reviewer POSTs fired in the bursts, and those still in flight at the moment of the burst kills, summed.</summary>
    public required int BurstPosts { get; init; }
    public required int PostsInFlightAtKills { get; init; }
    public required double OutageSeconds { get; init; }
    /// <summary>Whether Azurite stopped by itself after SIGTERM (else it was killed after a grace period).</summary>
    public required bool AzuriteStoppedCleanly { get; init; }
    public required double RestartSecondsMax { get; init; }
    public required int AnswersAcknowledged { get; init; }
    public required int AnswersAcknowledgedAsRepeat { get; init; }
    public required int AnswersNotAcknowledged { get; init; }
    public required int ReviewerPosts { get; init; }
    public required ChaosCounts Counts { get; init; }
    public required IReadOnlyList<string> Problems { get; init; }
    public required double ChaosSeconds { get; init; }
    public required double SettleSeconds { get; init; }
    public required double WallSeconds { get; init; }
    public required int Seed { get; init; }
    public required IReadOnlyDictionary<string, string> Settings { get; init; }
    public bool Clean => Counts.Clean;
}

/// <summary>
/// The fault-injection harness: N cases end to end through the local runtime run as a child process on the Azure Storage
/// backend against a throw-away Azurite (on disk, so a stop keeps its data), simulated reviewers answering over HTTP;
/// the runtime SIGKILLed K times at random moments (every other kill inside a burst of concurrent reviewer POSTs) and
/// restarted with the same worker id; Azurite stopped once (SIGTERM) and restarted on the same ports and folder.
/// Then every case is checked (<see cref="ChaosCheck"/>). Loopback only; every wait bounded; children always stopped.
/// </summary>
public static class ChaosHarness
{
    public static async Task<ChaosResult> RunAsync(ChaosOptions options, TextWriter? log = null, CancellationToken ct = default)
    {
        log ??= TextWriter.Null;
        var wall = Stopwatch.StartNew();
        var random = new Random(options.Seed);
        var runId = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var work = Directory.CreateTempSubdirectory("imr-chaos-").FullName;
        var ports = (Blob: DurableBackend.FreeLoopbackPort(), Queue: DurableBackend.FreeLoopbackPort(), Table: DurableBackend.FreeLoopbackPort(), Http: DurableBackend.FreeLoopbackPort());
        var connection = AzuriteConnection(ports.Blob, ports.Queue, ports.Table);
        var taskHub = "chaos" + runId.ToLowerInvariant();
        var runtimeEnvironment = RuntimeEnvironment(options, connection, taskHub, ports.Http);
        var caseNumbers = Enumerable.Range(1, options.Cases).Select(i => $"C{runId}-{i:D5}").ToArray();
        var runPrefix = $"C{runId}-";
        log.WriteLine($"[chaos] run {runId}, seed {options.Seed}, {options.Cases} cases, {options.Kills} kills, outage {options.Outage.TotalSeconds} s; logs in {work}");

        ChildProcess? azurite = null;
        ChildProcess? runtime = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var background = new List<Task>();
        try
        {
            azurite = await StartAzuriteAsync(options.RepoRoot, work, ports, stop.Token);
            runtime = await StartRuntimeAsync(options.RepoRoot, work, runtimeEnvironment, ports.Http, stop.Token);

            var samples = new SampleCases(options.RepoRoot);
            var blobs = new BlobServiceClient(connection);
            var intake = SampleCases.Intake(blobs);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromSeconds(30) };
            var reviewers = new ChaosReviewers(blobs, http, runPrefix, samples.DeterminationAnswers, options.ReviewerConcurrency, log) { AnswerBudget = options.ReviewerAnswerBudget };
            var check = new ChaosCheck(connection, taskHub, runPrefix, caseNumbers, samples.Outcomes);
            var failedSeen = new HashSet<string>(StringComparer.Ordinal);
            background.Add(reviewers.RunAsync(stop.Token));
            background.Add(WatchFailedAsync(check, failedSeen, stop.Token));

            // The cases arrive in K+1 waves, one after each restart, so every kill finds intake and reviews in flight.
            var waves = caseNumbers.Select((c, i) => (c, i)).GroupBy(x => x.i * (options.Kills + 1) / Math.Max(1, options.Cases)).Select(g => g.Select(x => x.c).ToArray()).ToList();
            var nextWave = 0;
            async Task UploadWaveAsync()
            {
                if (nextWave >= waves.Count) return;
                var wave = waves[nextWave++];
                await Parallel.ForEachAsync(wave, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stop.Token }, async (c, t) => await RetryAsync(() => samples.UploadAsync(intake, c, null, t), t));
            }

            var chaos = Stopwatch.StartNew();
            await UploadWaveAsync();
            int kills = 0, burstKills = 0, burstPosts = 0, inFlightAtKills = 0;
            double outageSeconds = 0, restartMax = 0;
            var azuriteClean = true;
            var outageAfter = options.Outage > TimeSpan.Zero ? options.Kills / 2 : -1;
            for (var i = 0; i <= options.Kills; i++)
            {
                if (i == outageAfter)
                {
                    // Storage goes away while cases are in flight: SIGTERM (Azurite saves its data), a pause, the same ports and folder again.
                    await Task.Delay(Between(random, options.KillGapMin, options.KillGapMax), stop.Token);
                    var down = Stopwatch.StartNew();
                    azuriteClean = await azurite.TerminateAsync(TimeSpan.FromSeconds(20));
                    log.WriteLine($"[chaos] Azurite stopped ({(azuriteClean ? "SIGTERM" : "SIGKILL after 20 s")}, {down.Elapsed.TotalSeconds:F1} s to exit); restarting it in {options.Outage.TotalSeconds} s");
                    azurite.Dispose();
                    azurite = null;
                    await Task.Delay(options.Outage, stop.Token);
                    azurite = await StartAzuriteAsync(options.RepoRoot, work, ports, stop.Token);
                    outageSeconds = down.Elapsed.TotalSeconds; // from the SIGTERM: Azurite refuses requests from then on
                    log.WriteLine($"[chaos] Azurite back after {outageSeconds:F1} s");
                }

                if (i == options.Kills) break;
                var burst = i % 2 == 1;
                // Before a burst kill the reviewers hold their answers from the gap's start until a burst's worth is waiting
                // (bounded), then fire them together; the kill lands BurstKillMinMs–BurstKillMaxMs later.
                if (burst) reviewers.Hold();
                await Task.Delay(Between(random, options.KillGapMin, options.KillGapMax), stop.Token);
                if (burst)
                {
                    var gather = Stopwatch.StartNew();
                    while (gather.Elapsed < options.BurstWait && reviewers.Pending < options.BurstSize) await Task.Delay(100, stop.Token);
                    var posts = reviewers.Burst(options.BurstSize, stop.Token);
                    await Task.Delay(random.Next(options.BurstKillMinMs, options.BurstKillMaxMs + 1), stop.Token);
                    inFlightAtKills += posts.Count(p => !p.IsCompleted);
                    burstPosts += posts.Count;
                    if (posts.Count > 0) burstKills++;
                    await runtime.KillAsync();
                    reviewers.Release();
                    log.WriteLine($"[chaos] kill {i + 1}/{options.Kills}: SIGKILL into a burst of {posts.Count} reviewer POSTs ({posts.Count(p => !p.IsCompleted)} in flight)");
                }
                else
                {
                    await runtime.KillAsync();
                    log.WriteLine($"[chaos] kill {i + 1}/{options.Kills}: SIGKILL ({reviewers.InFlight} reviewer POSTs in flight)");
                }

                kills++;
                runtime.Dispose();
                runtime = null;
                await Task.Delay(random.Next(200, 2001), stop.Token);
                var restart = Stopwatch.StartNew();
                runtime = await StartRuntimeAsync(options.RepoRoot, work, runtimeEnvironment, ports.Http, stop.Token);
                restartMax = Math.Max(restartMax, restart.Elapsed.TotalSeconds);
                await UploadWaveAsync();
            }

            while (nextWave < waves.Count) await UploadWaveAsync();
            var chaosSeconds = chaos.Elapsed.TotalSeconds;
            log.WriteLine($"[chaos] faults done after {chaosSeconds:F0} s; waiting up to {options.SettleTimeout.TotalSeconds:F0} s for every case to close");

            // Convergence: the check is repeated until clean or the settle time is up; the last result is the report.
            var settle = Stopwatch.StartNew();
            (ChaosCounts Counts, List<string> Problems) result = default;
            while (true)
            {
                var closed = await Try(() => check.ClosedCountAsync(stop.Token), -1);
                var quiet = reviewers.Pending == 0 && reviewers.InFlight == 0;
                if (closed == caseNumbers.Length && quiet || settle.Elapsed >= options.SettleTimeout)
                {
                    result = await RetryAsync(() => check.RunAsync(reviewers.Acknowledged.ToList(), Snapshot(failedSeen), stop.Token), stop.Token);
                    if (result.Counts.Clean || settle.Elapsed >= options.SettleTimeout) break;
                }

                log.WriteLine($"[chaos] {closed}/{caseNumbers.Length} closed after {settle.Elapsed.TotalSeconds:F0} s of settling");
                await Task.Delay(TimeSpan.FromSeconds(caseNumbers.Length <= 20 ? 2 : 5), stop.Token); // a large run's listing costs more
            }

            var c = result.Counts;
            log.WriteLine($"[chaos] {c.Closed}/{options.Cases} closed; lost {c.Lost}, stuck {c.Stuck}, lost answers {c.LostAnswers}, duplicate letters {c.DuplicateLetters}, duplicate notices {c.DuplicateNotices}, missing notices {c.MissingNotices}, left in intake {c.IntakeLeftovers}, failed orchestrations {c.FailedOrchestrations}");
            return new ChaosResult
            {
                Cases = options.Cases,
                KillsPlanned = options.Kills,
                Kills = kills,
                BurstKills = burstKills,
                BurstKillWindow = $"{options.BurstKillMinMs}–{options.BurstKillMaxMs} ms",
                BurstPosts = burstPosts,
                PostsInFlightAtKills = inFlightAtKills,
                OutageSeconds = Math.Round(outageSeconds, 1),
                AzuriteStoppedCleanly = azuriteClean,
                RestartSecondsMax = Math.Round(restartMax, 1),
                AnswersAcknowledged = reviewers.Acknowledged.Count,
                AnswersAcknowledgedAsRepeat = reviewers.Acknowledged.Count(a => a.Repeat),
                AnswersNotAcknowledged = reviewers.NotAcknowledged.Count,
                ReviewerPosts = reviewers.Posts,
                Counts = c,
                Problems = result.Problems.Concat(reviewers.NotAcknowledged.Select(n => "reviewer: " + n)).ToList(),
                ChaosSeconds = Math.Round(chaosSeconds, 1),
                SettleSeconds = Math.Round(settle.Elapsed.TotalSeconds, 1),
                WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1),
                Seed = options.Seed,
                Settings = runtimeEnvironment.Where(e => e.Key.StartsWith("LocalRuntime__", StringComparison.Ordinal) || e.Key.StartsWith("Imr__", StringComparison.Ordinal) || e.Key.EndsWith("SweepSchedule", StringComparison.Ordinal))
                    .Where(e => e.Key is not ("LocalRuntime__HttpUrl" or "LocalRuntime__RosterSeedFile" or "LocalRuntime__TaskHub"))
                    .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => e.Value),
            };
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(Task.WhenAll(background), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)); // the grace period runs even when the run was cancelled
            // The run is over and its data is thrown away: a short grace for a clean stop, then SIGKILL; whatever
            // happened above, every child the harness started is stopped here.
            try
            {
                if (runtime is not null) await runtime.TerminateAsync(TimeSpan.FromSeconds(3));
            }
            finally
            {
                runtime?.Dispose();
                azurite?.Dispose();
                ChildProcess.KillAll();
            }

            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Dictionary<string, string> RuntimeEnvironment(ChaosOptions options, string connection, string taskHub, int httpPort)
    {
        var env = new Dictionary<string, string>
        {
            ["ImrStorage"] = connection,
            ["DeadlineSweepSchedule"] = options.SweepSchedule,
            // A crash between a document's copy and its delete leaves it in intake; the intake sweep re-delivers it once
            // it is older than OrphanAfter (6 h in production, short here so the run can settle).
            ["IntakeSweepSchedule"] = options.SweepSchedule,
            ["Imr__Intake__OrphanAfter"] = "00:00:30",
            ["Imr__ReconcileInterval"] = options.ReconcileInterval.ToString("c"),
            ["Callback__PublicBaseUrl"] = $"http://127.0.0.1:{httpPort}/api",
            ["Callback__CurrentKeyId"] = "chaos",
            ["Callback__Keys__chaos"] = Convert.ToBase64String(Enumerable.Range(11, 32).Select(i => (byte)i).ToArray()),
            ["LocalRuntime__HttpUrl"] = $"http://127.0.0.1:{httpPort}",
            ["LocalRuntime__Backend"] = nameof(DurableBackendKind.AzureStorage),
            ["LocalRuntime__TaskHub"] = taskHub,
            ["LocalRuntime__WorkerId"] = "chaos", // the same on every restart: the partition leases are retaken at once
            ["LocalRuntime__RosterSeedFile"] = Path.Combine(options.RepoRoot, "samples", "bench-roster.json"),
            ["LocalRuntime__ControlQueueVisibilityTimeout"] = options.ControlQueueVisibilityTimeout.ToString("c"),
            ["LocalRuntime__WorkItemQueueVisibilityTimeout"] = options.WorkItemQueueVisibilityTimeout.ToString("c"),
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (k, v) in options.Settings) env[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        return env;
    }

    private static async Task<ChildProcess> StartAzuriteAsync(string repoRoot, string work, (int Blob, int Queue, int Table, int Http) ports, CancellationToken ct)
    {
        var data = Path.Combine(work, "azurite");
        Directory.CreateDirectory(data);
        var azurite = Path.Combine(repoRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite)) throw new InvalidOperationException($"Azurite is not installed ({azurite}): run npm ci.");
        // On disk (not in memory): a stop must keep the data, as a storage outage does. No telemetry: loopback only.
        var process = ChildProcess.Start("azurite", azurite,
            ["--silent", "--location", data, "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
             "--blobPort", ports.Blob.ToString(CultureInfo.InvariantCulture), "--queuePort", ports.Queue.ToString(CultureInfo.InvariantCulture), "--tablePort", ports.Table.ToString(CultureInfo.InvariantCulture), "--skipApiVersionCheck", "--loose", "--disableTelemetry"],
            repoRoot, Path.Combine(work, "azurite.log"), new Dictionary<string, string>());
        foreach (var port in new[] { ports.Blob, ports.Queue, ports.Table })
        {
            if (!await ChildProcess.WaitForPortAsync(port, TimeSpan.FromSeconds(30), process, ct)) throw new InvalidOperationException($"Azurite did not start; see {work}/azurite.log.");
        }

        return process;
    }

    private static async Task<ChildProcess> StartRuntimeAsync(string repoRoot, string work, IReadOnlyDictionary<string, string> environment, int httpPort, CancellationToken ct)
    {
        // Bounded: a start that fails (e.g. storage not answering yet) is tried again a few times.
        for (var attempt = 1; ; attempt++)
        {
            var process = ChildProcess.Start("runtime", "dotnet", [RuntimeAssembly(repoRoot)], repoRoot, Path.Combine(work, "runtime.log"), environment);
            if (await ChildProcess.WaitForPortAsync(httpPort, TimeSpan.FromSeconds(90), process, ct)) return process;
            await process.KillAsync();
            process.Dispose();
            if (attempt == 3) throw new InvalidOperationException($"The local runtime did not start three times; see {work}/runtime.log.");
        }
    }

    /// <summary>The local runtime built beside the harness (the bench project references it), else in its own output folder.</summary>
    public static string RuntimeAssembly(string repoRoot)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "Imr.LocalRuntime.dll");
        if (File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json"))) return beside;
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var own = Path.Combine(repoRoot, "localruntime", "Imr.LocalRuntime", "bin", configuration, "net10.0", "Imr.LocalRuntime.dll");
        return File.Exists(own) ? own : throw new InvalidOperationException($"Build the local runtime first ({own} not found).");
    }

    private static string AzuriteConnection(int blob, int queue, int table) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    /// <summary>Orchestrations seen Failed at any poll: the sweep's restart purges the status, the failure still counts.</summary>
    private static async Task WatchFailedAsync(ChaosCheck check, HashSet<string> failedSeen, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                foreach (var f in await check.FailedInstancesAsync(ct)) lock (failedSeen) failedSeen.Add(f);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception)
            {
                // Storage is down (the outage): look again at the next poll.
            }
        }
    }

    private static HashSet<string> Snapshot(HashSet<string> set)
    {
        lock (set) return new HashSet<string>(set, StringComparer.Ordinal);
    }

    private static TimeSpan Between(Random random, TimeSpan min, TimeSpan max) => min + (max - min) * random.NextDouble();

    private static async Task<T> Try<T>(Func<Task<T>> action, T fallback)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return fallback;
        }
    }

    /// <summary>The harness's own storage calls outlive the outage: retried for up to a minute.</summary>
    private static async Task RetryAsync(Func<Task> action, CancellationToken ct) => await RetryAsync(async () => { await action(); return true; }, ct);

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
    }
}
