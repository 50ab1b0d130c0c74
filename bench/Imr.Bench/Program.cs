using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Imr.Bench;
using Imr.Bench.Chaos;
using Imr.Bench.Micro;
using Imr.LocalRuntime;

// Benchmark harness. Run through bench/run.sh (it starts a throw-away Azurite and passes its connection and pid).
//   --cases N          cases per macro run (default 500)
//   --backends a,b     AzureStorage,InMemory (default both, side by side)
//   --tune             also run the Azure Storage backend with alternative durable settings (before/after)
//   --micro            BenchmarkDotNet micro benchmarks instead
//   --out DIR          results folder (default bench/results)
//   --timeout-minutes M  per run (default 30): a run not finished by then reports what completed
//   --chaos            the fault-injection harness instead (bench/chaos/run.sh; options there)
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
int? azuritePid = int.TryParse(Environment.GetEnvironmentVariable("IMR_BENCH_AZURITE_PID"), out var p) ? p : null;
var cases = int.Parse(Arg("--cases", "500"), CultureInfo.InvariantCulture);
var timeout = TimeSpan.FromMinutes(double.Parse(Arg("--timeout-minutes", "30"), CultureInfo.InvariantCulture));
var backends = Arg("--backends", "AzureStorage,InMemory").Split(',').Select(Enum.Parse<DurableBackendKind>).ToList();

var runs = new List<MacroResult>();
foreach (var backend in backends)
{
    var result = await MacroBenchmark.RunAsync(new MacroOptions { Cases = cases, Backend = backend, StorageConnectionString = connection, RepoRoot = root, AzuritePid = azuritePid, Timeout = timeout }, Console.Out);
    Console.WriteLine($"[{backend}] completed {result.Completed}/{result.Cases}: {result.CasesPerMinute} cases/min, {result.RequestsPerCase} storage requests/case");
    runs.Add(result);
}

if (args.Contains("--tune"))
{
    // Alternatives to the chosen local defaults (polling 1 s, 100/100 concurrency, 4 partitions), one change at a time.
    var variants = new Dictionary<string, string?>[]
    {
        new() { ["LocalRuntime:MaxQueuePollingInterval"] = "00:00:30" },
        new() { ["LocalRuntime:MaxConcurrentActivities"] = "10", ["LocalRuntime:MaxConcurrentOrchestrations"] = "10" },
        new() { ["LocalRuntime:PartitionCount"] = "1" },
    };
    foreach (var v in variants)
    {
        var result = await MacroBenchmark.RunAsync(new MacroOptions { Cases = cases, Backend = DurableBackendKind.AzureStorage, StorageConnectionString = connection, RepoRoot = root, AzuritePid = azuritePid, Settings = v, Timeout = timeout }, Console.Out);
        Console.WriteLine($"[tuned {string.Join(',', v.Select(k => $"{k.Key}={k.Value}"))}] {result.CasesPerMinute} cases/min");
        runs.Add(result);
    }
}

var ceiling = await CeilingProbe.RunAsync(connection, TimeSpan.FromSeconds(10), 32);
var report = new BenchReport(Report.Machine(), DateTimeOffset.UtcNow, "bench/run.sh " + string.Join(' ', args), runs, ceiling);
var name = $"macro-{cases}";
Console.WriteLine(await Report.WriteAsync(report, outDir, name));
Console.WriteLine($"Results: {Path.Combine(outDir, name)}.{{json,md,svg,png}}");
return runs.All(r => r.Completed == r.Cases) ? 0 : 1;
