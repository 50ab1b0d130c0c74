using System.Globalization;
using System.Runtime.InteropServices;

namespace Imr.Bench.Chaos;

/// <summary>
/// <c>bench/chaos/run.sh</c>: runs the harness and writes bench/results/chaos-NxK.md; exits 1 if any count is above zero.
///   --cases N (200)  --kills K (30)  --outage-seconds S (15; 0: none)  --settle-minutes M (10)  --seed X
///   --kill-gap-seconds MIN,MAX (2,8)  --burst-kill-ms MIN,MAX (10,250: after a burst starts)  --set Key=Value (a runtime setting, repeatable)  --no-report (print only)
/// </summary>
public static class ChaosCommand
{
    public static async Task<int> RunAsync(string[] args, string root, string outDir)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        double Number(string name, string fallback) => double.Parse(Arg(name, fallback), CultureInfo.InvariantCulture);
        var gap = Arg("--kill-gap-seconds", "2,8").Split(',').Select(v => TimeSpan.FromSeconds(double.Parse(v, CultureInfo.InvariantCulture))).ToArray();
        var burstKill = Arg("--burst-kill-ms", "10,250").Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var settings = args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length).Select(x => args[x.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
        var options = new ChaosOptions
        {
            RepoRoot = root,
            Cases = (int)Number("--cases", "200"),
            Kills = (int)Number("--kills", "30"),
            Outage = TimeSpan.FromSeconds(Number("--outage-seconds", "15")),
            SettleTimeout = TimeSpan.FromMinutes(Number("--settle-minutes", "10")),
            Seed = (int)Number("--seed", Environment.TickCount.ToString(CultureInfo.InvariantCulture)),
            KillGapMin = gap[0],
            KillGapMax = gap.Length > 1 ? gap[1] : gap[0],
            BurstKillMinMs = burstKill[0],
            BurstKillMaxMs = burstKill.Length > 1 ? burstKill[1] : burstKill[0],
            Settings = settings,
        };

        // Ctrl+C / SIGTERM: stop the run, stop the children (the harness's finally), then exit.
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        var machine = Report.Machine();
        var at = DateTimeOffset.UtcNow;
        ChaosResult result;
        try
        {
            result = await ChaosHarness.RunAsync(options, Console.Out, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine("[chaos] stopped; child processes stopped.");
            return 130;
        }

        var markdown = ChaosReport.Markdown(result, "bench/chaos/run.sh " + string.Join(' ', args.Where(a => a != "--chaos")), machine, at);
        Console.WriteLine(markdown);
        if (!args.Contains("--no-report"))
        {
            Directory.CreateDirectory(outDir);
            var path = Path.Combine(outDir, $"chaos-{options.Cases}x{options.Kills}.md");
            await File.WriteAllTextAsync(path, markdown);
            Console.WriteLine($"Results: {path}");
        }

        return result.Clean ? 0 : 1;
    }
}
