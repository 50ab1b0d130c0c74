using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Imr.Bench;
using Imr.Bench.Chaos;
using Imr.Bench.Micro;
using Imr.LocalRuntime;

// Benchmark harness. Run through bench/run.sh (it starts a throw-away Azurite and passes its connection and pid).
//   --cases N          cases per burst run (default 500): all uploaded at once, measures capacity
//   --steady           steady load instead: cases arrive at a fixed rate, open loop, reviewers answering as in a burst;
//                      measures what a user waits (upload→offer, submit→closed). With --burst too, the burst runs first.
//   --rate R           steady arrivals per minute (default: half the same backend's burst throughput when --burst ran,
//                      else 60, half the issue's burst target of 120/min on the Azure Storage backend)
//   --minutes M        steady arrival duration (default 5)
//   --backends a,b     AzureStorage,InMemory (default both, side by side)
//   --set K=V          a runtime setting for every run (repeatable), e.g. --set LocalRuntime:MaxQueuePollingInterval=00:00:02
//   --tune [i,j]       also run the Azure Storage backend with alternative durable settings (before/after), in the
//                      same mode (burst or steady) as the main runs; with numbers, only those variants (1-based)
//   --mix FILE         the real case mix (bench/results/dmhc-mix.json, from bench/DmhcMix): each case a DMHC package whose
//                      treatment category and kind follow the real weights, the roster samples/dmhc-roster.json
//   --micro            BenchmarkDotNet micro benchmarks instead
//   --out DIR          results folder (default bench/results)
//   --timeout-minutes M  per burst run (default 30), or after the last arrival of a steady run: a run not finished by
//                      then reports what completed
//   --chaos            the fault-injection harness instead (bench/chaos/run.sh; options there)
//   --azurite-costs    what one request of each kind costs Azurite with 0, 5,000 and 15,000 blobs stored (AzuriteCostProbe)
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var root = Directory.GetCurrentDirectory();
while (!File.Exists(Path.Combine(root, "ImrFunctions.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Run from inside the repository.");
var outDir = Path.GetFullPath(Arg("--out", Path.Combine(root, "bench", "results")));

if (args.Contains("--micro"))
{
    var config = ManualConfig.Create(DefaultConfig.Instance)
        .AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8).WithLaunchCount(1))
        .WithArtifactsPath(Path.Combine(outDir, "micro"));
    BenchmarkRunner.Run<DomainBenchmarks>(config);
    return 0;
}

if (args.Contains("--chaos"))
{
    return await ChaosCommand.RunAsync(args, root, outDir);
}

var connection = Environment.GetEnvironmentVariable("IMR_BENCH_STORAGE") ?? throw new InvalidOperationException("IMR_BENCH_STORAGE is not set: run bench/run.sh.");
if (args.Contains("--azurite-costs"))
{
    var table = await AzuriteCostProbe.RunAsync(connection);
    Directory.CreateDirectory(outDir);
    var costsReport = Path.Combine(outDir, "azurite-costs.md");
    await File.WriteAllTextAsync(costsReport, $"# What each request costs Azurite as the account fills up\n\n- command: `bench/run.sh {string.Join(' ', args)}`\n- machine: {Report.Machine()}\n- at: {DateTimeOffset.UtcNow:u}\n\n{table}");
    Console.WriteLine(table);
    Console.WriteLine($"Results: {costsReport}");
    return 0;
}

// The emulator's processes (one, or one per service), as bench/run.sh started them; none when pointed at another Azurite.
var azuritePids = (Environment.GetEnvironmentVariable("IMR_BENCH_AZURITE_PIDS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
var cases = int.Parse(Arg("--cases", "500"), CultureInfo.InvariantCulture);
var timeout = TimeSpan.FromMinutes(double.Parse(Arg("--timeout-minutes", "30"), CultureInfo.InvariantCulture));
var backends = Arg("--backends", "AzureStorage,InMemory").Split(',').Select(Enum.Parse<DurableBackendKind>).ToList();
var steady = args.Contains("--steady");
var burst = !steady || args.Contains("--burst");
double? rate = args.Contains("--rate") ? double.Parse(Arg("--rate", "60"), CultureInfo.InvariantCulture) : null;
var minutes = double.Parse(Arg("--minutes", "5"), CultureInfo.InvariantCulture);
const double DefaultRate = 60;
var mix = MacroArgs.Mix(args, root);
var extra = args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length).Select(x => args[x.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)(kv.Length > 1 ? kv[1] : ""));

MacroOptions Options(DurableBackendKind backend, LoadMode mode, double ratePerMinute, IReadOnlyDictionary<string, string?>? variant = null) => new()
{
    Cases = cases,
    Mode = mode,
    RatePerMinute = ratePerMinute,
    Duration = TimeSpan.FromMinutes(minutes),
    Backend = backend,
    StorageConnectionString = connection,
    RepoRoot = root,
    AzuritePids = azuritePids,
    Timeout = timeout,
    Mix = mix,
    Settings = extra.Concat(variant ?? new Dictionary<string, string?>()).GroupBy(k => k.Key).ToDictionary(g => g.Key, g => g.Last().Value),
};

void Print(string label, MacroResult r) => Console.WriteLine(r.Mode == nameof(LoadMode.Steady)
    ? $"[{label} steady] {r.Completed}/{r.Cases} closed, arrivals {r.ArrivalRatePerMinute}/min ({r.OfferedRatePerMinute}/min asked), upload→offer p99 {r.UploadToOfferMs.P99:0} ms, submit→closed p99 {r.SubmitToClosedMs.P99:0} ms, {r.RequestsPerCase} storage requests/case"
    : $"[{label}] completed {r.Completed}/{r.Cases}: {r.CasesPerMinute} cases/min, {r.RequestsPerCase} storage requests/case");

var runs = new List<MacroResult>();
// A run that throws anyway (the harness's own failure, not the system's) is logged and the invocation goes on, so the
// report of the runs that finished is written whatever happens to the next one.
var runsStarted = 0;
async Task<MacroResult?> RunAsync(MacroOptions o)
{
    try
    {
        if (runsStarted++ > 0 && azuritePids.Count > 0) await StorageWipe.ClearAsync(connection); // each run on an empty Azurite
        return await MacroBenchmark.RunAsync(o, Console.Out);
    }
    catch (Exception e)
    {
        Console.WriteLine($"[{o.Backend} {o.Mode.ToString().ToLowerInvariant()}] the harness failed and the run is left out of the report: {e}");
        return null;
    }
}

var steadyRates = new Dictionary<DurableBackendKind, double>();
foreach (var backend in backends)
{
    if (burst)
    {
        var result = await RunAsync(Options(backend, LoadMode.Burst, 0));
        if (result is null) continue;
        Print(backend.ToString(), result);
        runs.Add(result);
        if (result.CasesPerMinute > 0) steadyRates[backend] = Math.Round(result.CasesPerMinute / 2, 1);
    }

    if (steady)
    {
        var r = rate ?? steadyRates.GetValueOrDefault(backend, DefaultRate);
        if (await RunAsync(Options(backend, LoadMode.Steady, r)) is not { } result) continue;
        Print(backend.ToString(), result);
        runs.Add(result);
    }
}

if (args.Contains("--tune"))
{
    // Alternatives to the local runtime's durable defaults (LocalRuntimeOptions: queue polling 1 s, 100/100 concurrency,
    // 4 partitions, blob polling 1 s), one change at a time. The visibility timeouts only matter after a crash (chaos harness).
    var variants = new Dictionary<string, string?>[]
    {
        new() { ["LocalRuntime:MaxQueuePollingInterval"] = "00:00:30" },
        new() { ["LocalRuntime:MaxQueuePollingInterval"] = "00:00:00.250" },
        new() { ["LocalRuntime:MaxConcurrentActivities"] = "10", ["LocalRuntime:MaxConcurrentOrchestrations"] = "10" },
        new() { ["LocalRuntime:MaxConcurrentActivities"] = "400", ["LocalRuntime:MaxConcurrentOrchestrations"] = "400" },
        new() { ["LocalRuntime:PartitionCount"] = "1" },
        new() { ["LocalRuntime:PartitionCount"] = "16" },
        new() { ["LocalRuntime:BlobPollInterval"] = "00:00:00.250" },
        new() { ["LocalRuntime:ControlQueueBatchSize"] = "8" },
        new() { ["LocalRuntime:UseTablePartitionManagement"] = "true" },
    };
    if (Arg("--tune", "") is { Length: > 0 } only && !only.StartsWith("--", StringComparison.Ordinal))
    {
        // --tune 2,5: only those variants (1-based), to measure one change without the others.
        var picked = only.Split(',').Select(i => int.Parse(i, CultureInfo.InvariantCulture) - 1).ToHashSet();
        variants = variants.Where((_, i) => picked.Contains(i)).ToArray();
    }

    foreach (var v in variants)
    {
        var mode = steady ? LoadMode.Steady : LoadMode.Burst;
        if (await RunAsync(Options(DurableBackendKind.AzureStorage, mode, rate ?? steadyRates.GetValueOrDefault(DurableBackendKind.AzureStorage, DefaultRate), v)) is not { } result) continue;
        Print($"tuned {string.Join(',', v.Select(k => $"{k.Key}={k.Value}"))}", result);
        runs.Add(result);
    }
}

CeilingResult? ceiling = null;
try
{
    if (runsStarted > 0 && azuritePids.Count > 0) await StorageWipe.ClearAsync(connection); // the ceiling of an empty Azurite, as each run had
    ceiling = await CeilingProbe.RunAsync(connection, TimeSpan.FromSeconds(10), 32);
}
catch (Exception e)
{
    Console.WriteLine($"The Azurite ceiling probe failed ({e.GetType().Name}: {e.Message.Split('\n')[0]}); the report goes without it.");
}

var report = new BenchReport(Report.Machine(), DateTimeOffset.UtcNow, "bench/run.sh " + string.Join(' ', args), runs, ceiling);
var firstSteady = runs.FirstOrDefault(r => r.Mode == nameof(LoadMode.Steady));
var name = (mix is null ? "" : "mix-") + (burst ? $"macro-{cases}" : "") + (burst && steady ? "-" : "") + (firstSteady is { } f ? $"steady-{f.OfferedRatePerMinute:0.#}x{minutes:0.#}" : "");
Console.WriteLine(await Report.WriteAsync(report, outDir, name));
Console.WriteLine($"Results: {Path.Combine(outDir, name)}.{{json,md,svg,png}}");
return runs.Count > 0 && runs.All(r => r.Completed == r.Cases && r.HarnessErrors.Count == 0) ? 0 : 1;
