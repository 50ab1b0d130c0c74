using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Imr.Bench;

public sealed record BenchReport(string Machine, DateTimeOffset At, string Command, IReadOnlyList<MacroResult> Runs, CeilingResult? Ceiling);

/// <summary>Writes the results as JSON, a Markdown table and a chart (SVG; PNG through headless Chromium when installed).</summary>
public static class Report
{
    // A run that completed nothing has NaN percentiles: written as "NaN", not an exception that loses the whole report.
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The 1-minute load average when the run started: figures from a busy machine are not comparable with a quiet one.</summary>
    public static string LoadAverage { get; } = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    public static string Machine()
    {
        // Environment.ProcessorCount follows DOTNET_PROCESSOR_COUNT (raised for the in-memory sidecar): count real CPUs.
        var cpus = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal)) : Environment.ProcessorCount;
        var model = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() : null;
        return $"{cpus} CPUs ({model ?? "unknown"}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, DOTNET_PROCESSOR_COUNT={Environment.GetEnvironmentVariable("DOTNET_PROCESSOR_COUNT") ?? "unset"}, dynamic PGO {(AppContext.TryGetSwitch("System.Runtime.TieredPGO", out var pgo) && !pgo ? "off" : "on")}, emulator {Environment.GetEnvironmentVariable("IMR_BENCH_EMULATOR") ?? "not started by bench/run.sh"}, load average at start {LoadAverage}";
    }

    public static async Task<string> WriteAsync(BenchReport report, string folder, string name)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, name + ".json"), JsonSerializer.Serialize(report, Json));
        var md = Markdown(report, name);
        await File.WriteAllTextAsync(Path.Combine(folder, name + ".md"), md);
        var svg = Svg(report);
        var svgPath = Path.Combine(folder, name + ".svg");
        await File.WriteAllTextAsync(svgPath, svg);
        await TryPngAsync(svgPath, Path.Combine(folder, name + ".png"));
        return md;
    }

    public static string Markdown(BenchReport r, string name)
    {
        static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("0.#", CultureInfo.InvariantCulture);
        static string Mb(long? b) => b is null ? "–" : (b.Value / 1048576.0).ToString("0", CultureInfo.InvariantCulture) + " MB";
        static string P(Percentiles p) => $"{F(p.P50)} / {F(p.P95)} / {F(p.P99)}";
        static string Settings(MacroResult run)
        {
            var settings = string.Join(", ", run.Settings.Where(k => k.Key != "LocalRuntime:Backend" && k.Key != "LocalRuntime:WorkerId").Select(k => $"{k.Key.Replace("LocalRuntime:", "", StringComparison.Ordinal)}={k.Value}"));
            return settings.Length == 0 ? "defaults" : settings;
        }

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark `{name}`").AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- command: `{r.Command}`").AppendLine(CultureInfo.InvariantCulture, $"- machine: {r.Machine}").AppendLine(CultureInfo.InvariantCulture, $"- at: {r.At:u}");
        var backends = string.Join(", ", r.Runs.Select(x => x.Backend).Distinct().Select(b => b switch
        {
            "AzureStorage" => "AzureStorage (the Durable Task Framework's Azure Storage provider, as Durable Functions runs in Azure: queues, history tables, lease blobs)",
            "InMemory" => "InMemory (in-memory durable backend: no storage requests of its own, so its requests are the application's)",
            _ => b,
        }));
        s.AppendLine(CultureInfo.InvariantCulture, $"- backends: {backends}");
        s.AppendLine("- modes: **burst** uploads every case at once (capacity); **steady** uploads cases at a fixed rate, open loop, whatever completes (what a user waits). Latencies: upload→offer from the manifest upload to the offer's blob creation (whole seconds in storage, so bounded by when the reviewers' poll saw it), submit→closed from the reviewer's POST to the case row's ClosedAt.").AppendLine();

        var bursts = r.Runs.Where(x => x.Mode == nameof(LoadMode.Burst)).ToList();
        if (bursts.Count > 0)
        {
            s.AppendLine("## Burst").AppendLine();
            s.AppendLine("| backend | settings | cases | completed | cases/min | upload→offer p50/p95/p99 ms | submit→closed p50/p95/p99 ms | storage requests/case (blob/queue/table) | runtime peak RSS | Azurite peak RSS |");
            s.AppendLine("| --- | --- | ---: | ---: | ---: | --- | --- | --- | ---: | ---: |");
            foreach (var run in bursts)
            {
                var byService = string.Join(" / ", new[] { "blob", "queue", "table" }.Select(k => F(run.RequestsPerCaseByService.GetValueOrDefault(k))));
                s.AppendLine(CultureInfo.InvariantCulture, $"| {run.Backend} | {Settings(run)} | {run.Cases} | {run.Completed} | {F(run.CasesPerMinute)} | {P(run.UploadToOfferMs)} | {P(run.SubmitToClosedMs)} | {F(run.RequestsPerCase)} ({byService}) | {Mb(run.RuntimePeakRssBytes)} | {Mb(run.AzuritePeakRssBytes)} |");
            }

            s.AppendLine();
        }

        var steadies = r.Runs.Where(x => x.Mode == nameof(LoadMode.Steady)).ToList();
        if (steadies.Count > 0)
        {
            s.AppendLine("## Steady load").AppendLine();
            s.AppendLine("| backend | settings | offered cases/min | achieved arrivals/min | arrival lag p99 ms | cases | completed | upload→offer p50/p95/p99 ms | submit→closed p50/p95/p99 ms | storage requests/case | runtime peak RSS | Azurite peak RSS |");
            s.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: |");
            foreach (var run in steadies)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"| {run.Backend} | {Settings(run)} | {F(run.OfferedRatePerMinute ?? double.NaN)} | {F(run.ArrivalRatePerMinute ?? double.NaN)} | {F(run.ArrivalLagMs?.P99 ?? double.NaN)} | {run.Cases} | {run.Completed} | {P(run.UploadToOfferMs)} | {P(run.SubmitToClosedMs)} | {F(run.RequestsPerCase)} | {Mb(run.RuntimePeakRssBytes)} | {Mb(run.AzuritePeakRssBytes)} |");
            }

            s.AppendLine();
        }

        var azure = bursts.FirstOrDefault(x => x.Backend == "AzureStorage" && IsDefault(x)) ?? steadies.FirstOrDefault(x => x.Backend == "AzureStorage" && IsDefault(x));
        var memory = bursts.FirstOrDefault(x => x.Backend == "InMemory" && IsDefault(x)) ?? steadies.FirstOrDefault(x => x.Backend == "InMemory" && IsDefault(x));
        var azureBurst = bursts.FirstOrDefault(x => x.Backend == "AzureStorage" && IsDefault(x));
        var memoryBurst = bursts.FirstOrDefault(x => x.Backend == "InMemory" && IsDefault(x));
        if (azureBurst is not null && memoryBurst is not null && azureBurst.CasesPerMinute > 0)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"In-memory / Azure Storage throughput ratio: **{F(memoryBurst.CasesPerMinute / azureBurst.CasesPerMinute)}×**.");
        }

        if (r.Ceiling is { } c)
        {
            s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Azurite ceiling (same run): {F(c.OperationsPerSecond)} storage ops/s for the minimal {c.OperationsPerCase} operations a case needs → **{F(c.CasesPerMinuteCeiling)} cases/min**.") +
                (azureBurst is not null && c.CasesPerMinuteCeiling > 0 ? $" The system on the Azure Storage backend (burst) reaches **{F(100 * azureBurst.CasesPerMinute / c.CasesPerMinuteCeiling)}%** of it." : ""));
        }

        if (r.Runs.Where(x => x.HarnessErrors.Count > 0).ToList() is { Count: > 0 } troubled)
        {
            // The harness's own trouble (not the system's): its figures stand, but a watcher that missed polls sees closes late.
            s.AppendLine().AppendLine("Harness errors (a query of the load driver failed and was tried again at the next poll):");
            foreach (var run in troubled)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"- {run.Backend} {run.Mode.ToLowerInvariant()}: {string.Join("; ", run.HarnessErrors)}");
            }
        }

        if (r.Runs.Where(x => x.OfferStages.Count > 0).ToList() is { Count: > 0 } staged)
        {
            // Where upload→offer time goes: each stage from the audit rows' table timestamps (see MacroResult.OfferStages).
            s.AppendLine().AppendLine("### Where upload→offer time goes (per stage, ms p50 / p95 / p99)").AppendLine();
            s.AppendLine("| stage | " + string.Join(" | ", staged.Select(x => $"{x.Backend} {x.Mode.ToLowerInvariant()}")) + " |");
            s.AppendLine("| --- |" + string.Concat(staged.Select(_ => " ---: |")));
            foreach (var stage in staged.SelectMany(x => x.OfferStages.Select(st => st.Stage)).Distinct())
            {
                s.Append("| ").Append(stage).Append(" | ").Append(string.Join(" | ", staged.Select(x => x.OfferStages.FirstOrDefault(st => st.Stage == stage)?.Ms is { } ms ? P(ms) : "–"))).AppendLine(" |");
            }
        }

        if (r.Runs.FirstOrDefault(x => x.CasesByCategory is not null) is { } mixed)
        {
            // The real mix (--mix): what the cases were, so a run on it reads apart from one on the sample case alone.
            s.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Case mix: `{mixed.Mix}` (DMHC packages, roster samples/dmhc-roster.json); the {mixed.Cases} cases of the {mixed.Backend} {mixed.Mode.ToLowerInvariant()} run by treatment category:").AppendLine();
            s.AppendLine("| category | cases |").AppendLine("| --- | ---: |");
            foreach (var (category, count) in mixed.CasesByCategory!.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal))
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"| {category} | {count} |");
            }
        }

        if (azure is not null || memory is not null)
        {
            s.AppendLine().Append(RequestTables(azure, memory));
        }

        return s.ToString();
    }

    private static bool IsDefault(MacroResult run) => run.Settings.Keys.All(k => k is "LocalRuntime:Backend" or "LocalRuntime:WorkerId");

    /// <summary>
    /// Every request kind per case: the in-memory run's are the application's own (that backend stores nothing); on the
    /// Azure Storage backend the durable provider's are those addressed to its task hub's tables, queues and containers,
    /// and the difference of the two runs' totals is shown as well. Then the same by table, container and queue.
    /// </summary>
    private static string RequestTables(MacroResult? azure, MacroResult? memory)
    {
        static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("0.#", CultureInfo.InvariantCulture);
        static double PerCase(MacroResult? run, Func<string, bool> which) =>
            run is null || run.Completed == 0 ? double.NaN : run.RequestsByTarget.Where(k => which(k.Key)).Sum(k => k.Value) / (double)run.Completed;
        static string KindOf(string serviceKindTarget) => serviceKindTarget[..serviceKindTarget.LastIndexOf(' ')];
        var s = new StringBuilder();
        var source = string.Join(" and ", new[] { azure, memory }.OfType<MacroResult>().Select(x => $"{x.Backend} {x.Mode.ToLowerInvariant()} run, {x.Completed} cases"));
        s.AppendLine(CultureInfo.InvariantCulture, $"## Storage requests per case ({source})").AppendLine();
        s.AppendLine("Every kind. *App* = the application and the local host (in memory: everything, the backend stores nothing); *provider* = the durable provider's requests to its task hub's tables, queues and containers (`{hub}…`).").AppendLine();
        s.AppendLine("| service kind | InMemory (app) | AzureStorage app | AzureStorage provider | AzureStorage total |");
        s.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        var kinds = new[] { azure, memory }.OfType<MacroResult>().SelectMany(x => x.RequestsByTarget.Keys).Select(KindOf).Distinct()
            .OrderByDescending(k => PerCase(azure, t => KindOf(t) == k) is var v && double.IsNaN(v) ? PerCase(memory, t => KindOf(t) == k) : v).ThenBy(k => k, StringComparer.Ordinal).ToList();
        foreach (var k in kinds)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {k} | {F(PerCase(memory, t => KindOf(t) == k))} | {F(PerCase(azure, t => KindOf(t) == k && !MacroBenchmark.IsProviders(t)))} | {F(PerCase(azure, t => KindOf(t) == k && MacroBenchmark.IsProviders(t)))} | {F(PerCase(azure, t => KindOf(t) == k))} |");
        }

        var memoryTotal = PerCase(memory, _ => true);
        var azureTotal = PerCase(azure, _ => true);
        var azureApp = PerCase(azure, t => !MacroBenchmark.IsProviders(t));
        s.AppendLine(CultureInfo.InvariantCulture, $"| **total** | **{F(memoryTotal)}** | **{F(azureApp)}** | **{F(PerCase(azure, MacroBenchmark.IsProviders))}** | **{F(azureTotal)}** |").AppendLine();
        if (!double.IsNaN(memoryTotal) && !double.IsNaN(azureTotal))
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"The application's own: **{F(memoryTotal)}** per case (in-memory run). The durable provider's share on Azure Storage: **{F(azureTotal - memoryTotal)}** per case as the difference of the runs' totals ({F(azureTotal)} − {F(memoryTotal)}), **{F(azureTotal - azureApp)}** counted by its task hub's stores (the app's own requests differ a little between backends: timing-dependent polls and retries).").AppendLine();
        }

        s.AppendLine("### By table, container and queue").AppendLine();
        s.AppendLine("| service kind | table / container / queue | InMemory | AzureStorage |").AppendLine("| --- | --- | ---: | ---: |");
        var keys = new[] { azure, memory }.OfType<MacroResult>().SelectMany(x => x.RequestsByTarget.Keys).Distinct()
            .OrderByDescending(k => Math.Max(PerCase(azure, t => t == k) is var a && double.IsNaN(a) ? 0 : a, PerCase(memory, t => t == k) is var m && double.IsNaN(m) ? 0 : m)).ThenBy(k => k, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {KindOf(key)} | {key[(key.LastIndexOf(' ') + 1)..]} | {F(PerCase(memory, t => t == key))} | {F(PerCase(azure, t => t == key))} |");
        }

        return s.ToString();
    }

    private static string Svg(BenchReport r)
    {
        // Two panels: throughput by run, and submit→closed latency percentiles by run.
        const int w = 900, h = 460, left = 70, panel = 380;
        var s = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        var runs = r.Runs.ToList();
        string Label(MacroResult m) => m.Backend + (m.Mode == nameof(LoadMode.Steady) ? " steady" : "") + (IsDefault(m) ? "" : "*");
        void Bars(int x0, string title, Func<MacroResult, double[]> values, string[] series, string[] colors)
        {
            var max = Math.Max(1, runs.SelectMany(values).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max());
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + panel / 2}\" y=\"24\" text-anchor=\"middle\" font-weight=\"bold\">{title}</text>");
            s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x0}\" y1=\"380\" x2=\"{x0 + panel}\" y2=\"380\" stroke=\"black\"/>");
            var groupWidth = panel / Math.Max(1, runs.Count);
            for (var i = 0; i < runs.Count; i++)
            {
                var vals = values(runs[i]);
                var bw = (groupWidth - 20) / vals.Length;
                for (var j = 0; j < vals.Length; j++)
                {
                    var v = double.IsNaN(vals[j]) ? 0 : vals[j];
                    var bh = 330 * v / max;
                    var x = x0 + i * groupWidth + 10 + j * bw;
                    s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{380 - bh:F0}\" width=\"{bw - 2}\" height=\"{bh:F0}\" fill=\"{colors[j]}\"/>");
                    s.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + bw / 2 - 1}\" y=\"{375 - bh:F0}\" text-anchor=\"middle\" font-size=\"10\">{v:0.#}</text>");
                }

                s.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + i * groupWidth + groupWidth / 2}\" y=\"398\" text-anchor=\"middle\">{Label(runs[i])}</text>");
            }

            for (var j = 0; j < series.Length; j++)
            {
                s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0 + j * 110}\" y=\"415\" width=\"10\" height=\"10\" fill=\"{colors[j]}\"/><text x=\"{x0 + 14 + j * 110}\" y=\"424\">{series[j]}</text>");
            }
        }

        Bars(left, "Throughput (cases/min)", m => [m.CasesPerMinute], ["cases/min"], ["#2b6cb0"]);
        Bars(left + panel + 60, "Submit → closed (ms)", m => [m.SubmitToClosedMs.P50, m.SubmitToClosedMs.P95, m.SubmitToClosedMs.P99], ["p50", "p95", "p99"], ["#38a169", "#d69e2e", "#e53e3e"]);
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"450\" font-size=\"10\">{System.Security.SecurityElement.Escape(r.Machine)} · {r.At:u} · * tuned settings</text></svg>");
        return s.ToString();
    }

    private static async Task TryPngAsync(string svgPath, string pngPath)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        if (chromium is null)
        {
            Console.WriteLine("(no Chromium: chart written as SVG only)");
            return;
        }

        var profile = Directory.CreateTempSubdirectory("imr-bench-chrome");
        try
        {
            var psi = new ProcessStartInfo(chromium)
            {
                ArgumentList = { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile.FullName}", $"--screenshot={pngPath}", "--window-size=900,460", "file://" + Path.GetFullPath(svgPath) },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var p = Process.Start(psi)!;
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
