using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Functions.Storage;
using Imr.LocalRuntime;
using Imr.LocalRuntime.Demo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Imr.Bench;

/// <summary>Burst: every case uploaded at once (capacity). Steady: cases arrive at a fixed rate, open loop (what a user waits).</summary>
public enum LoadMode
{
    Burst,
    Steady,
}

public sealed record MacroOptions
{
    /// <summary>Cases of a burst run; a steady run's count is its rate × duration.</summary>
    public int Cases { get; init; } = 500;
    public LoadMode Mode { get; init; } = LoadMode.Burst;
    /// <summary>Steady mode: arrivals per minute, on a fixed schedule whatever the system completes.</summary>
    public double RatePerMinute { get; init; } = 60;
    /// <summary>Steady mode: how long cases arrive.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(5);
    public DurableBackendKind Backend { get; init; } = DurableBackendKind.AzureStorage;
    public required string StorageConnectionString { get; init; }
    public required string RepoRoot { get; init; }
    /// <summary>Simulated reviewers answering at once.</summary>
    public int ReviewerConcurrency { get; init; } = 32;
    public int UploadConcurrency { get; init; } = 16;
    /// <summary>The emulator's processes (one, or one per service); empty when the harness did not start it.</summary>
    public IReadOnlyList<int> AzuritePids { get; init; } = [];
    /// <summary>Burst: the whole run's limit. Steady: the limit after the last arrival (the arrivals always run their duration).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>How often the simulated reviewers list their mail; null: 1 s in a burst, 250 ms in steady mode.</summary>
    public TimeSpan? OutboxPollInterval { get; init; }
    /// <summary>The real case mix (<c>--mix</c>): each case's category and kind drawn from it, the roster <see cref="CaseMix.DefaultRoster"/>; null: the sample case alone, the bench roster.</summary>
    public CaseMix? Mix { get; init; }
    /// <summary>Extra runtime settings (e.g. LocalRuntime:PartitionCount) for tuning runs.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}

public sealed record MacroResult
{
    public required string Backend { get; init; }
    public string Mode { get; init; } = nameof(LoadMode.Burst);
    public required int Cases { get; init; }
    /// <summary>Steady mode: the arrival rate asked for (cases/min).</summary>
    public double? OfferedRatePerMinute { get; init; }
    /// <summary>Steady mode: the arrival rate achieved (manifest uploads started per minute, first to last).</summary>
    public double? ArrivalRatePerMinute { get; init; }
    /// <summary>Steady mode: how late uploads started behind their schedule (the driver's own lag, not the system's).</summary>
    public Percentiles? ArrivalLagMs { get; init; }
    public required int Completed { get; init; }
    public required double WallSeconds { get; init; }
    public required double CasesPerMinute { get; init; }
    public required Percentiles UploadToOfferMs { get; init; }
    public required Percentiles SubmitToClosedMs { get; init; }
    /// <summary>Storage requests of the app and the durable provider, by "service kind".</summary>
    public required SortedDictionary<string, long> Requests { get; init; }
    /// <summary>
    /// The same requests by "service kind target" (table, container or queue name; never a blob name or key). The durable
    /// provider's stores are named after its task hub, written "{hub}" here, so its share reads apart from the app's.
    /// </summary>
    public SortedDictionary<string, long> RequestsByTarget { get; init; } = new(StringComparer.Ordinal);
    public required double RequestsPerCase { get; init; }
    public required SortedDictionary<string, double> RequestsPerCaseByService { get; init; }
    public long? RuntimePeakRssBytes { get; init; }
    public long? AzuritePeakRssBytes { get; init; }
    public required IReadOnlyDictionary<string, string?> Settings { get; init; }
    /// <summary>
    /// What went wrong in the harness itself while the run went on: a storage query of the watcher or the reviewers that
    /// failed (e.g. timed out under load) and was tried again at the next poll, or an upload that failed. The run's figures
    /// stand; these say how far they can be trusted.
    /// </summary>
    public IReadOnlyList<string> HarnessErrors { get; init; } = [];
    /// <summary>
    /// Where upload→offer time goes, stage by stage (ms, in path order): from the upload to each step's audit row as the
    /// table stamped it (intake received, eligibility screened, notice of assignment sent, offered), and from the offer to
    /// when the reviewers' poll saw it. Read after the run with the harness's own, uncounted client.
    /// </summary>
    public IReadOnlyList<StageTiming> OfferStages { get; init; } = [];
    /// <summary>With <c>--mix</c>: the mix file's name; null for the sample case alone.</summary>
    public string? Mix { get; init; }
    /// <summary>With <c>--mix</c>: the run's cases by treatment category.</summary>
    public SortedDictionary<string, int>? CasesByCategory { get; init; }
}

/// <summary>One stage of a case's way to its offer and how long it took (ms).</summary>
public sealed record StageTiming(string Stage, Percentiles Ms);

/// <summary>
/// Drives N cases end to end through the local runtime: uploads with the Azure SDK, simulated reviewers answering
/// through the callback routes over HTTP, letters issued. Measures what a case costs and how long its steps take.
/// </summary>
public static partial class MacroBenchmark
{
    public static async Task<MacroResult> RunAsync(MacroOptions options, TextWriter? log = null, CancellationToken ct = default)
    {
        log ??= TextWriter.Null;
        var runId = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var port = DurableBackend.FreeLoopbackPort();
        var settings = new Dictionary<string, string?>
        {
            [StorageNames.Connection] = options.StorageConnectionString,
            ["DeadlineSweepSchedule"] = "0 0 0 1 1 *",
            ["IntakeSweepSchedule"] = "0 */10 * * * *",
            ["Callback:PublicBaseUrl"] = $"http://127.0.0.1:{port}/api",
            ["Callback:CurrentKeyId"] = "bench",
            ["Callback:Keys:bench"] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray()),
            ["LocalRuntime:HttpUrl"] = $"http://127.0.0.1:{port}",
            ["LocalRuntime:Backend"] = options.Backend.ToString(),
            ["LocalRuntime:TaskHub"] = "bench" + runId.ToLowerInvariant(),
            ["LocalRuntime:WorkerId"] = "bench",
            ["LocalRuntime:RosterSeedFile"] = Path.Combine(options.RepoRoot, options.Mix is null ? "samples/bench-roster.json" : CaseMix.DefaultRoster),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in options.Settings) settings[k] = v;

        var counter = new StorageRequestCounter();
        await using var runtime = await LocalFunctionsRuntime.StartAsync(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), logging: l => l.AddFilter(_ => false), counter: counter, ct: ct);
        var blobs = new BlobServiceClient(options.StorageConnectionString); // the outside world's clients are not counted
        var casesTable = new TableClient(options.StorageConnectionString, StorageNames.CasesTable);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.ReviewerConcurrency * 2 }) { Timeout = TimeSpan.FromMinutes(2) };
        var samples = new SampleCases(options.RepoRoot, options.Mix);
        var answers = samples.DeterminationAnswers;
        var steady = options.Mode == LoadMode.Steady;
        var caseCount = steady ? Math.Max(1, (int)Math.Round(options.RatePerMinute * options.Duration.TotalMinutes)) : options.Cases;
        var caseNumbers = Enumerable.Range(1, caseCount).Select(i => $"B{runId}-{i:D5}").ToArray();

        var uploadedAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var offeredAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var submittedAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var closedAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var arrivalLagMs = new ConcurrentBag<double>();
        var failures = new ConcurrentBag<string>();
        var harnessErrors = new ConcurrentQueue<string>();
        void HarnessError(string what, Exception e)
        {
            harnessErrors.Enqueue($"{what}: {e.GetType().Name}");
            log.WriteLine($"[{options.Backend}] {what} failed ({e.GetType().Name}: {e.Message.Split('\n')[0]}); tried again at the next poll");
        }

        counter.Reset();
        ProcessMemory.ResetPeak(Environment.ProcessId);
        foreach (var azurite in options.AzuritePids) ProcessMemory.ResetPeak(azurite);
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(steady ? options.Duration + options.Timeout : options.Timeout);

        var poll = options.OutboxPollInterval ?? (steady ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1));
        var reviewers = RunReviewersAsync(blobs, http, answers, caseNumbers, offeredAt, submittedAt, failures, options.ReviewerConcurrency, poll, e => HarnessError("reviewers' outbox listing", e), stop.Token);
        var watcher = WatchClosedAsync(casesTable, caseNumbers, closedAt, e => HarnessError("closed-case query", e), stop.Token);

        var intake = SampleCases.Intake(blobs);
        try
        {
            if (steady)
            {
                // Open loop: case i starts at i / rate on the stopwatch, whether or not earlier cases have completed (or even
                // finished uploading): each upload runs on its own. Waiting for the next due time on the stopwatch, not by
                // adding delays, keeps the schedule from drifting.
                var interval = TimeSpan.FromMinutes(1 / options.RatePerMinute);
                var uploads = new List<Task>(caseCount);
                for (var i = 0; i < caseCount; i++)
                {
                    var due = interval * i;
                    if (due - clock.Elapsed is { Ticks: > 0 } wait) await Task.Delay(wait, stop.Token);
                    arrivalLagMs.Add(Math.Max(0, (clock.Elapsed - due).TotalMilliseconds));
                    var caseNumber = caseNumbers[i];
                    uploads.Add(Task.Run(() => samples.UploadAsync(intake, caseNumber, () => uploadedAt[caseNumber] = DateTimeOffset.UtcNow, stop.Token), stop.Token));
                }

                await Task.WhenAll(uploads);
                log.WriteLine($"[{options.Backend}] steady: {caseCount} cases arrived over {clock.Elapsed.TotalSeconds:F1} s ({options.RatePerMinute:0.#}/min asked)");
            }
            else
            {
                await Parallel.ForEachAsync(caseNumbers, new ParallelOptions { MaxDegreeOfParallelism = options.UploadConcurrency, CancellationToken = stop.Token }, async (caseNumber, token) =>
                    await samples.UploadAsync(intake, caseNumber, () => uploadedAt[caseNumber] = DateTimeOffset.UtcNow, token));
                log.WriteLine($"[{options.Backend}] {caseCount} cases uploaded in {clock.Elapsed.TotalSeconds:F1} s");
            }

            await watcher;
        }
        catch (OperationCanceledException)
        {
            log.WriteLine($"[{options.Backend}] timed out: {closedAt.Count}/{caseCount} closed");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // An upload that failed for good (or anything else the driver could not get past): the run ends here, and
            // its report says what completed instead of the whole invocation ending without one.
            HarnessError("the run", e);
            log.WriteLine($"[{options.Backend}] stopped early: {closedAt.Count}/{caseCount} closed");
        }

        var wall = clock.Elapsed;
        await stop.CancelAsync();
        try
        {
            await reviewers;
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            HarnessError("the reviewers", e);
        }

        var requests = counter.Snapshot();
        var hub = settings["LocalRuntime:TaskHub"]!;
        var byTarget = counter.SnapshotByTarget();
        // After both snapshots: the runtime keeps polling while the stage timings are read.
        IReadOnlyList<StageTiming> stages = [];
        try
        {
            using var stagesDone = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            stages = await OfferStagesAsync(new TableClient(options.StorageConnectionString, StorageNames.AuditTable), uploadedAt, offeredAt, stagesDone.Token);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            HarnessError("the stage timings' audit query", e);
        }

        var completed = closedAt.Count;
        var first = uploadedAt.Values.DefaultIfEmpty(DateTimeOffset.UtcNow).Min();
        var last = closedAt.Values.DefaultIfEmpty(first).Max();
        var span = (last - first).TotalMinutes;
        var arrivals = uploadedAt.Values.Order().ToArray();
        var arrivalSpan = arrivals.Length > 1 ? (arrivals[^1] - arrivals[0]).TotalMinutes : 0;
        var result = new MacroResult
        {
            Backend = options.Backend.ToString(),
            Mode = options.Mode.ToString(),
            Cases = caseCount,
            Completed = completed,
            OfferedRatePerMinute = steady ? options.RatePerMinute : null,
            // n arrivals span n - 1 intervals.
            ArrivalRatePerMinute = steady && arrivalSpan > 0 ? Math.Round((arrivals.Length - 1) / arrivalSpan, 1) : null,
            ArrivalLagMs = steady ? Percentiles.Of(arrivalLagMs) : null,
            WallSeconds = Math.Round(wall.TotalSeconds, 2),
            CasesPerMinute = span > 0 ? Math.Round(completed / span, 1) : 0,
            UploadToOfferMs = Percentiles.Of(offeredAt.Where(o => uploadedAt.ContainsKey(o.Key)).Select(o => Math.Max(0, (o.Value - uploadedAt[o.Key]).TotalMilliseconds))),
            SubmitToClosedMs = Percentiles.Of(closedAt.Where(c => submittedAt.ContainsKey(c.Key)).Select(c => Math.Max(0, (c.Value - submittedAt[c.Key]).TotalMilliseconds))),
            Requests = new SortedDictionary<string, long>(requests.ToDictionary(r => $"{r.Key.Service} {r.Key.Kind}", r => r.Value), StringComparer.Ordinal),
            RequestsByTarget = new SortedDictionary<string, long>(byTarget.ToDictionary(r => $"{r.Key.Service} {r.Key.Kind} {HubNamed(r.Key.Target, hub)}", r => r.Value), StringComparer.Ordinal),
            RequestsPerCase = completed == 0 ? 0 : Math.Round(requests.Values.Sum() / (double)completed, 1),
            RequestsPerCaseByService = new SortedDictionary<string, double>(requests.GroupBy(r => r.Key.Service).ToDictionary(g => g.Key, g => completed == 0 ? 0 : Math.Round(g.Sum(r => r.Value) / (double)completed, 1)), StringComparer.Ordinal),
            RuntimePeakRssBytes = ProcessMemory.PeakRssBytes(Environment.ProcessId),
            AzuritePeakRssBytes = options.AzuritePids.Count == 0 ? null : options.AzuritePids.Sum(pid => ProcessMemory.PeakRssBytes(pid) ?? 0), // summed over its processes
            Settings = settings.Where(s => s.Key.StartsWith("LocalRuntime:", StringComparison.Ordinal) && s.Key is not ("LocalRuntime:HttpUrl" or "LocalRuntime:RosterSeedFile" or "LocalRuntime:TaskHub")).ToDictionary(),
            HarnessErrors = [.. harnessErrors.GroupBy(e => e).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} (×{g.Count()})")],
            OfferStages = stages,
            Mix = options.Mix?.Source,
            CasesByCategory = options.Mix?.CategoriesOf(caseCount),
        };
        foreach (var f in failures.Take(5)) log.WriteLine($"[{options.Backend}] reviewer failure: {f}");
        return result;
    }

    /// <summary>The audit rows that mark the steps to an offer, in path order (What column).</summary>
    public static readonly string[] OfferMarks = ["Received", "Eligible", "NoticeOfAssignmentSent", "Offered"];

    /// <summary>
    /// Per case, the time from the upload to the first marking row, between consecutive marks, and from the offer's row to
    /// the reviewers' sight of the offer: a structural delay (a poll interval, a backoff, a sequential wait) shows as a
    /// stage whose p50 sits near a constant, load as one that grows with the queue.
    /// </summary>
    public static async Task<IReadOnlyList<StageTiming>> OfferStagesAsync(TableClient audit, IReadOnlyDictionary<string, DateTimeOffset> uploadedAt, IReadOnlyDictionary<string, DateTimeOffset> offeredAt, CancellationToken ct)
    {
        var names = new List<string>();
        var values = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        void Add(string stage, TimeSpan d)
        {
            if (!values.TryGetValue(stage, out var list)) { values[stage] = list = []; names.Add(stage); }
            list.Add(Math.Max(0, d.TotalMilliseconds));
        }

        foreach (var (caseNumber, uploaded) in uploadedAt.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            var at = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            await foreach (var e in audit.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {caseNumber}"), select: ["What", "Timestamp"], cancellationToken: ct))
            {
                if (e.GetString("What") is { } what && e.Timestamp is { } stamped && OfferMarks.Contains(what) && (!at.TryGetValue(what, out var first) || stamped < first)) at[what] = stamped;
            }

            var (previous, from) = (uploaded, "upload");
            foreach (var mark in OfferMarks)
            {
                if (!at.TryGetValue(mark, out var t)) break;
                Add($"{from} → {mark}", t - previous);
                (previous, from) = (t, mark);
            }

            if (from == OfferMarks[^1] && offeredAt.TryGetValue(caseNumber, out var seen)) Add("Offered → seen by the reviewer's poll", seen - previous);
        }

        return names.Select(n => new StageTiming(n, Percentiles.Of(values[n]))).ToList();
    }

    /// <summary>The task hub's name in a table, container or queue name written as "{hub}": the durable provider's stores read alike across runs.</summary>
    public static string HubNamed(string target, string hub) =>
        target.StartsWith(hub, StringComparison.OrdinalIgnoreCase) ? "{hub}" + target[hub.Length..] : target.Length == 0 ? "(account)" : target;

    /// <summary>Whether a "service kind target" key of <see cref="MacroResult.RequestsByTarget"/> is the durable provider's.</summary>
    public static bool IsProviders(string serviceKindTarget) => serviceKindTarget.Split(' ')[^1].StartsWith("{hub}", StringComparison.Ordinal);

    /// <summary>
    /// The reviewers: read offers and determination requests from the outbox, answer each once over HTTP.
    /// Timing, as a user sees it: an offer is there when its blob was created. Blob creation times come in whole seconds
    /// (Azure and Azurite alike), so the offer time is the earlier of creation + 1 s and when this poll first saw it: at
    /// most one poll interval (plus a listing) late, never early. A determination is submitted when the POST is sent, after
    /// the reviewer has opened the form (its GET) — the wait measured is from the click to the case row's ClosedAt.
    /// </summary>
    private static async Task RunReviewersAsync(BlobServiceClient blobs, HttpClient http, Dictionary<string, string> answers, string[] caseNumbers,
        ConcurrentDictionary<string, DateTimeOffset> offeredAt, ConcurrentDictionary<string, DateTimeOffset> submittedAt, ConcurrentBag<string> failures, int concurrency, TimeSpan poll, Action<Exception> pollFailed, CancellationToken ct)
    {
        var outbox = blobs.GetBlobContainerClient(StorageNames.OutboxContainer);
        var ours = caseNumbers.ToHashSet();
        var runPrefix = caseNumbers[0][..(caseNumbers[0].IndexOf('-', StringComparison.Ordinal) + 1)];
        var seen = new HashSet<string>();
        var answered = new HashSet<string>(); // cases whose determination request was seen: nothing more to read for them
        var gate = new SemaphoreSlim(concurrency);
        var work = new List<Task>();
        var lowest = 0; // case numbers sort in arrival order; those below this one have all their mail read
        while (!ct.IsCancellationRequested)
        {
            try
            {
                while (lowest < caseNumbers.Length && answered.Contains(caseNumbers[lowest])) lowest++;
                if (lowest == caseNumbers.Length) break;

                // Only this run's mail (an earlier run's thousands of notices in the same Azurite would slow every listing),
                // from the first case still waiting for mail on: a poll costs the emulator the open cases, not all of them.
                var listing = outbox.GetBlobsAsync(new GetBlobsOptions { Prefix = runPrefix, StartFrom = caseNumbers[lowest] }, ct);
                await foreach (var item in listing)
                {
                    var caseNumber = item.Name.Split('/')[0];
                    if (!ours.Contains(caseNumber) || !seen.Add(item.Name)) continue;
                    var isOffer = item.Name.Contains("-A1-offer", StringComparison.Ordinal);
                    var isDetermination = item.Name.Contains("-A1-determination", StringComparison.Ordinal);
                    if (!isOffer && !isDetermination) continue;
                    if (isOffer)
                    {
                        var now = DateTimeOffset.UtcNow;
                        offeredAt[caseNumber] = item.Properties.CreatedOn is { } created && created.AddSeconds(1) < now ? created.AddSeconds(1) : now;
                    }

                    if (isDetermination) answered.Add(caseNumber);
                    var name = item.Name;
                    work.Add(Task.Run(async () =>
                    {
                        await gate.WaitAsync(ct);
                        try
                        {
                            var content = Outbox.TextBody((await outbox.GetBlobClient(name).DownloadContentAsync(ct)).Value.Content); // .eml: read the decoded body
                            var result = await FollowAndSubmitAsync(http, LinkIn(content), isOffer ? new Dictionary<string, string>() : answers, () =>
                            {
                                if (isDetermination) submittedAt[caseNumber] = DateTimeOffset.UtcNow;
                            }, ct);
                            if (result.StatusCode != HttpStatusCode.OK) failures.Add($"{name}: HTTP {(int)result.StatusCode}");
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            failures.Add($"{name}: {e.GetType().Name}");
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }, ct));
                }

                await Task.Delay(poll, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A listing that failed (a storage timeout under load) is tried again; what it listed before is kept in `seen`.
                pollFailed(e);
                try { await Task.Delay(poll, ct); } catch (OperationCanceledException) { break; }
            }
        }

        await Task.WhenAll(work.Where(t => !t.IsCanceled));
    }

    /// <summary>
    /// Opens a callback link (the reviewer's page), then posts the form with the link's token; <paramref name="submitting"/>
    /// runs just before the first POST. The case may still be starting: the route then answers 503 and records nothing,
    /// so retrying is safe (as <see cref="SampleCaseDriver.FollowAndSubmitAsync"/> does).
    /// </summary>
    private static async Task<HttpResponseMessage> FollowAndSubmitAsync(HttpClient http, Uri link, IDictionary<string, string> fields, Action submitting, CancellationToken ct)
    {
        (await http.GetAsync(link, ct)).Dispose();
        var token = Uri.UnescapeDataString(TokenInQuery().Match(link.Query).Groups[1].Value);
        var form = new Dictionary<string, string>(fields) { ["token"] = token };
        var target = new Uri(link.GetLeftPart(UriPartial.Path));
        submitting();
        HttpResponseMessage result = null!;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            result = await http.PostAsync(target, new FormUrlEncodedContent(form), ct);
            if (result.StatusCode != HttpStatusCode.ServiceUnavailable) break;
            await Task.Delay(500, ct);
        }

        return result;
    }

    /// <summary>
    /// Reads closed cases from the Cases table (the case record's ClosedAt is when the orchestration closed it, so how
    /// often this polls does not change the figures). Each query starts at the first case not yet closed.
    /// </summary>
    private static Task WatchClosedAsync(TableClient cases, string[] caseNumbers, ConcurrentDictionary<string, DateTimeOffset> closedAt, Action<Exception> queryFailed, CancellationToken ct)
    {
        var high = caseNumbers[^1];
        var lowest = 0;
        return PollUntilAsync(() => closedAt.Count >= caseNumbers.Length, TimeSpan.FromSeconds(2), async token =>
        {
            while (lowest < caseNumbers.Length && closedAt.ContainsKey(caseNumbers[lowest])) lowest++;
            var low = caseNumbers[Math.Min(lowest, caseNumbers.Length - 1)];
            await foreach (var e in cases.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey le {high} and RowKey eq {CaseEntity.Row}"), select: ["PartitionKey", "Status", "ClosedAt"], cancellationToken: token))
            {
                if (e.GetString("Status") == "Closed" && e.GetDateTimeOffset("ClosedAt") is { } at) closedAt.TryAdd(e.PartitionKey, at);
            }
        }, queryFailed, ct);
    }

    /// <summary>
    /// Polls until <paramref name="done"/>: a poll that fails (a storage query timing out while the emulator is saturated,
    /// as in the 500-case steady run that ended without a report) is reported to <paramref name="failed"/> and tried again
    /// at the next interval, never ending the run. Only cancellation ends it early.
    /// </summary>
    public static async Task PollUntilAsync(Func<bool> done, TimeSpan interval, Func<CancellationToken, Task> poll, Action<Exception> failed, CancellationToken ct)
    {
        while (!done())
        {
            await Task.Delay(interval, ct);
            try
            {
                await poll(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                failed(e);
            }
        }
    }

    /// <summary>The first link in a notification, plain text or MIME (quoted-printable soft breaks undone).</summary>
    public static Uri LinkIn(string content)
    {
        var text = content.Replace("=\r\n", "", StringComparison.Ordinal).Replace("=\n", "", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        return new Uri(Link().Match(text).Value);
    }

    [GeneratedRegex(@"https?://[^\s""<>]+")]
    private static partial Regex Link();

    [GeneratedRegex(@"[?&]token=([^&]+)")]
    private static partial Regex TokenInQuery();
}
