using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
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

public sealed record MacroOptions
{
    public int Cases { get; init; } = 500;
    public DurableBackendKind Backend { get; init; } = DurableBackendKind.AzureStorage;
    public required string StorageConnectionString { get; init; }
    public required string RepoRoot { get; init; }
    /// <summary>Simulated reviewers answering at once.</summary>
    public int ReviewerConcurrency { get; init; } = 32;
    public int UploadConcurrency { get; init; } = 16;
    public int? AzuritePid { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>Extra runtime settings (e.g. LocalRuntime:PartitionCount) for tuning runs.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}

public sealed record MacroResult
{
    public required string Backend { get; init; }
    public required int Cases { get; init; }
    public required int Completed { get; init; }
    public required double WallSeconds { get; init; }
    public required double CasesPerMinute { get; init; }
    public required Percentiles UploadToOfferMs { get; init; }
    public required Percentiles SubmitToClosedMs { get; init; }
    /// <summary>Storage requests of the app and the durable provider, by "service kind".</summary>
    public required SortedDictionary<string, long> Requests { get; init; }
    public required double RequestsPerCase { get; init; }
    public required SortedDictionary<string, double> RequestsPerCaseByService { get; init; }
    public long? RuntimePeakRssBytes { get; init; }
    public long? AzuritePeakRssBytes { get; init; }
    public required IReadOnlyDictionary<string, string?> Settings { get; init; }
}

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
            ["LocalRuntime:RosterSeedFile"] = Path.Combine(options.RepoRoot, "samples", "bench-roster.json"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in options.Settings) settings[k] = v;

        var counter = new StorageRequestCounter();
        await using var runtime = await LocalFunctionsRuntime.StartAsync(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), logging: l => l.AddFilter(_ => false), counter: counter, ct: ct);
        var blobs = new BlobServiceClient(options.StorageConnectionString); // the outside world's clients are not counted
        var casesTable = new TableClient(options.StorageConnectionString, StorageNames.CasesTable);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.ReviewerConcurrency * 2 }) { Timeout = TimeSpan.FromMinutes(2) };
        var driver = new SampleCaseDriver(blobs, http);
        var samples = new SampleCases(options.RepoRoot);
        var answers = samples.DeterminationAnswers;
        var caseNumbers = Enumerable.Range(1, options.Cases).Select(i => $"B{runId}-{i:D5}").ToArray();

        var uploadedAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var offeredAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var submittedAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var closedAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var failures = new ConcurrentBag<string>();

        counter.Reset();
        ProcessMemory.ResetPeak(Environment.ProcessId);
        if (options.AzuritePid is { } azurite) ProcessMemory.ResetPeak(azurite);
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(options.Timeout);

        var reviewers = RunReviewersAsync(blobs, driver, answers, $"B{runId}-", caseNumbers.ToHashSet(), offeredAt, submittedAt, failures, options.ReviewerConcurrency, stop.Token);
        var watcher = WatchClosedAsync(casesTable, caseNumbers, closedAt, stop.Token);

        var intake = SampleCases.Intake(blobs);
        await Parallel.ForEachAsync(caseNumbers, new ParallelOptions { MaxDegreeOfParallelism = options.UploadConcurrency, CancellationToken = stop.Token }, async (caseNumber, token) =>
            await samples.UploadAsync(intake, caseNumber, () => uploadedAt[caseNumber] = DateTimeOffset.UtcNow, token));
        log.WriteLine($"[{options.Backend}] {options.Cases} cases uploaded in {clock.Elapsed.TotalSeconds:F1} s");

        try
        {
            await watcher;
        }
        catch (OperationCanceledException)
        {
            log.WriteLine($"[{options.Backend}] timed out after {options.Timeout}: {closedAt.Count}/{options.Cases} closed");
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

        var requests = counter.Snapshot();
        var completed = closedAt.Count;
        var first = uploadedAt.Values.DefaultIfEmpty(DateTimeOffset.UtcNow).Min();
        var last = closedAt.Values.DefaultIfEmpty(first).Max();
        var span = (last - first).TotalMinutes;
        var result = new MacroResult
        {
            Backend = options.Backend.ToString(),
            Cases = options.Cases,
            Completed = completed,
            WallSeconds = Math.Round(wall.TotalSeconds, 2),
            CasesPerMinute = span > 0 ? Math.Round(completed / span, 1) : 0,
            UploadToOfferMs = Percentiles.Of(offeredAt.Where(o => uploadedAt.ContainsKey(o.Key)).Select(o => Math.Max(0, (o.Value - uploadedAt[o.Key]).TotalMilliseconds))),
            SubmitToClosedMs = Percentiles.Of(closedAt.Where(c => submittedAt.ContainsKey(c.Key)).Select(c => Math.Max(0, (c.Value - submittedAt[c.Key]).TotalMilliseconds))),
            Requests = new SortedDictionary<string, long>(requests.ToDictionary(r => $"{r.Key.Service} {r.Key.Kind}", r => r.Value), StringComparer.Ordinal),
            RequestsPerCase = completed == 0 ? 0 : Math.Round(requests.Values.Sum() / (double)completed, 1),
            RequestsPerCaseByService = new SortedDictionary<string, double>(requests.GroupBy(r => r.Key.Service).ToDictionary(g => g.Key, g => completed == 0 ? 0 : Math.Round(g.Sum(r => r.Value) / (double)completed, 1)), StringComparer.Ordinal),
            RuntimePeakRssBytes = ProcessMemory.PeakRssBytes(Environment.ProcessId),
            AzuritePeakRssBytes = options.AzuritePid is { } pid ? ProcessMemory.PeakRssBytes(pid) : null,
            Settings = settings.Where(s => s.Key.StartsWith("LocalRuntime:", StringComparison.Ordinal) && s.Key is not ("LocalRuntime:HttpUrl" or "LocalRuntime:RosterSeedFile" or "LocalRuntime:TaskHub")).ToDictionary(),
        };
        foreach (var f in failures.Take(5)) log.WriteLine($"[{options.Backend}] reviewer failure: {f}");
        return result;
    }

    /// <summary>The reviewers: read offers and determination requests from the outbox, answer each once over HTTP.</summary>
    private static async Task RunReviewersAsync(BlobServiceClient blobs, SampleCaseDriver driver, Dictionary<string, string> answers, string runPrefix, HashSet<string> ours,
        ConcurrentDictionary<string, DateTimeOffset> offeredAt, ConcurrentDictionary<string, DateTimeOffset> submittedAt, ConcurrentBag<string> failures, int concurrency, CancellationToken ct)
    {
        var outbox = blobs.GetBlobContainerClient(StorageNames.OutboxContainer);
        var seen = new HashSet<string>();
        var gate = new SemaphoreSlim(concurrency);
        var work = new List<Task>();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Only this run's mail (an earlier run's thousands of notices in the same Azurite would slow every listing).
                await foreach (var item in outbox.GetBlobsAsync(BlobTraits.None, BlobStates.None, runPrefix, ct))
                {
                    var caseNumber = item.Name.Split('/')[0];
                    if (!ours.Contains(caseNumber) || !seen.Add(item.Name)) continue;
                    var isOffer = item.Name.Contains("-A1-offer", StringComparison.Ordinal);
                    var isDetermination = item.Name.Contains("-A1-determination", StringComparison.Ordinal);
                    if (!isOffer && !isDetermination) continue;
                    if (isOffer) offeredAt[caseNumber] = item.Properties.CreatedOn ?? DateTimeOffset.UtcNow;
                    var name = item.Name;
                    work.Add(Task.Run(async () =>
                    {
                        await gate.WaitAsync(ct);
                        try
                        {
                            var content = Outbox.TextBody((await outbox.GetBlobClient(name).DownloadContentAsync(ct)).Value.Content); // .eml: read the decoded body
                            var link = LinkIn(content);
                            if (isDetermination) submittedAt[caseNumber] = DateTimeOffset.UtcNow;
                            var (_, result) = await driver.FollowAndSubmitAsync(link, isOffer ? new Dictionary<string, string>() : answers, ct);
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

                // Every listing walks this run's whole mail in Azurite: often enough to answer promptly, rarely enough not to
                // load the emulator (latencies use the blobs' creation times and the case record's ClosedAt, not this poll).
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(work.Where(t => !t.IsCanceled));
    }

    /// <summary>Reads closed cases from the Cases table (the case record's ClosedAt is when the orchestration closed it).</summary>
    private static async Task WatchClosedAsync(TableClient cases, string[] caseNumbers, ConcurrentDictionary<string, DateTimeOffset> closedAt, CancellationToken ct)
    {
        var low = caseNumbers[0];
        var high = caseNumbers[^1];
        while (closedAt.Count < caseNumbers.Length)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            await foreach (var e in cases.QueryAsync<TableEntity>(x => x.PartitionKey.CompareTo(low) >= 0 && x.PartitionKey.CompareTo(high) <= 0 && x.RowKey == CaseEntity.Row, select: ["PartitionKey", "Status", "ClosedAt"], cancellationToken: ct))
            {
                if (e.GetString("Status") == "Closed" && e.GetDateTimeOffset("ClosedAt") is { } at) closedAt.TryAdd(e.PartitionKey, at);
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
}
