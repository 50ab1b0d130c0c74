using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Imr.Bench;

public sealed record BenchReport(string Machine, DateTimeOffset At, string Command, IReadOnlyList<MacroResult> Runs, CeilingResult? Ceiling);

/// <summary>Writes the results as JSON, a Markdown table and a chart (SVG; PNG through headless Chromium when installed).</summary>
public static class Report
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The 1-minute load average when the run started: figures from a busy machine are not comparable with a quiet one.</summary>
    public static string LoadAverage { get; } = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    public static string Machine()
    {
        // Environment.ProcessorCount follows DOTNET_PROCESSOR_COUNT (raised for the in-memory sidecar): count real CPUs.
        var cpus = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal)) : Environment.ProcessorCount;
        var model = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() : null;
        return $"{cpus} CPUs ({model ?? "unknown"}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, DOTNET_PROCESSOR_COUNT={Environment.GetEnvironmentVariable("DOTNET_PROCESSOR_COUNT") ?? "unset"}, load average at start {LoadAverage}";
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
        var s = new StringBuilder();
        s.AppendLine($"# Benchmark `{name}`").AppendLine();
        s.AppendLine($"- command: `{r.Command}`").AppendLine($"- machine: {r.Machine}").AppendLine($"- at: {r.At:u}").AppendLine();
        s.AppendLine("| backend | settings | cases | completed | cases/min | upload→offer p50/p95/p99 ms | submit→closed p50/p95/p99 ms | storage requests/case (blob/queue/table) | runtime peak RSS | Azurite peak RSS |");
        s.AppendLine("| --- | --- | ---: | ---: | ---: | --- | --- | --- | ---: | ---: |");
        foreach (var run in r.Runs)
        {
            var byService = string.Join(" / ", new[] { "blob", "queue", "table" }.Select(k => F(run.RequestsPerCaseByService.GetValueOrDefault(k))));
            var settings = string.Join(", ", run.Settings.Where(k => k.Key != "LocalRuntime:Backend" && k.Key != "LocalRuntime:WorkerId").Select(k => $"{k.Key.Replace("LocalRuntime:", "")}={k.Value}"));
            s.AppendLine($"| {run.Backend} | {(settings.Length == 0 ? "defaults" : settings)} | {run.Cases} | {run.Completed} | {F(run.CasesPerMinute)} | {F(run.UploadToOfferMs.P50)} / {F(run.UploadToOfferMs.P95)} / {F(run.UploadToOfferMs.P99)} | {F(run.SubmitToClosedMs.P50)} / {F(run.SubmitToClosedMs.P95)} / {F(run.SubmitToClosedMs.P99)} | {F(run.RequestsPerCase)} ({byService}) | {Mb(run.RuntimePeakRssBytes)} | {Mb(run.AzuritePeakRssBytes)} |");
        }

        var azure = r.Runs.FirstOrDefault(x => x.Backend == "AzureStorage");
        var memory = r.Runs.FirstOrDefault(x => x.Backend == "InMemory");
        s.AppendLine();
        if (azure is not null && memory is not null && azure.CasesPerMinute > 0)
        {
            s.AppendLine($"In-memory / Azure Storage throughput ratio: **{F(memory.CasesPerMinute / azure.CasesPerMinute)}×**.");
        }

        if (r.Ceiling is { } c)
        {
            s.AppendLine($"Azurite ceiling (same run): {F(c.OperationsPerSecond)} storage ops/s for the minimal {c.OperationsPerCase} operations a case needs → **{F(c.CasesPerMinuteCeiling)} cases/min**." +
                (azure is not null && c.CasesPerMinuteCeiling > 0 ? $" The system on the Azure Storage backend reaches **{F(100 * azure.CasesPerMinute / c.CasesPerMinuteCeiling)}%** of it." : ""));
        }

        if (azure is not null)
        {
            s.AppendLine().AppendLine("Storage requests by kind (Azure Storage backend run):").AppendLine().AppendLine("| service kind | requests | per case |").AppendLine("| --- | ---: | ---: |");
            foreach (var (kind, n) in azure.Requests.OrderByDescending(k => k.Value))
            {
                s.AppendLine($"| {kind} | {n} | {F(azure.Completed == 0 ? 0 : n / (double)azure.Completed)} |");
            }
        }

        return s.ToString();
    }

    private static string Svg(BenchReport r)
    {
        // Two panels: throughput by run, and submit→closed latency percentiles by run.
        const int w = 900, h = 460, left = 70, panel = 380;
        var s = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        var runs = r.Runs.ToList();
        string Label(MacroResult m) => m.Backend + (m.Settings.Count > 2 ? "*" : "");
        void Bars(int x0, string title, Func<MacroResult, double[]> values, string[] series, string[] colors)
        {
            var max = Math.Max(1, runs.SelectMany(values).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max());
            s.Append($"<text x=\"{x0 + panel / 2}\" y=\"24\" text-anchor=\"middle\" font-weight=\"bold\">{title}</text>");
            s.Append($"<line x1=\"{x0}\" y1=\"380\" x2=\"{x0 + panel}\" y2=\"380\" stroke=\"black\"/>");
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
                    s.Append($"<rect x=\"{x}\" y=\"{380 - bh:F0}\" width=\"{bw - 2}\" height=\"{bh:F0}\" fill=\"{colors[j]}\"/>");
                    s.Append($"<text x=\"{x + bw / 2 - 1}\" y=\"{375 - bh:F0}\" text-anchor=\"middle\" font-size=\"10\">{v:0.#}</text>");
                }

                s.Append($"<text x=\"{x0 + i * groupWidth + groupWidth / 2}\" y=\"398\" text-anchor=\"middle\">{Label(runs[i])}</text>");
            }

            for (var j = 0; j < series.Length; j++)
            {
                s.Append($"<rect x=\"{x0 + j * 110}\" y=\"415\" width=\"10\" height=\"10\" fill=\"{colors[j]}\"/><text x=\"{x0 + 14 + j * 110}\" y=\"424\">{series[j]}</text>");
            }
        }

        Bars(left, "Throughput (cases/min)", m => [m.CasesPerMinute], ["cases/min"], ["#2b6cb0"]);
        Bars(left + panel + 60, "Submit → closed (ms)", m => [m.SubmitToClosedMs.P50, m.SubmitToClosedMs.P95, m.SubmitToClosedMs.P99], ["p50", "p95", "p99"], ["#38a169", "#d69e2e", "#e53e3e"]);
        s.Append($"<text x=\"10\" y=\"450\" font-size=\"10\">{System.Security.SecurityElement.Escape(r.Machine)} · {r.At:u} · * tuned settings</text></svg>");
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
