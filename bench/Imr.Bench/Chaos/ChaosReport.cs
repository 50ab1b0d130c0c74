using System.Globalization;
using System.Text;

namespace Imr.Bench.Chaos;

/// <summary>The harness's result as Markdown (bench/results/chaos-NxK.md).</summary>
public static class ChaosReport
{
    public static string Markdown(ChaosResult r, string command, string machine, DateTimeOffset at)
    {
        var c = r.Counts;
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# Fault injection: {r.Cases} cases, {r.KillsPlanned} kills, storage outage").AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- command: `{command}`");
        s.AppendLine(CultureInfo.InvariantCulture, $"- machine: {machine}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- at: {at:u}; seed {r.Seed}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- runtime settings: {string.Join(", ", r.Settings.Select(kv => $"{kv.Key}={kv.Value}"))}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- verdict: **{(r.Clean ? "clean" : "NOT clean")}**").AppendLine();
        s.AppendLine("## Faults injected").AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- runtime SIGKILLed {r.Kills} times and restarted with the same worker id (slowest restart to serving: {r.RestartSecondsMax} s);");
        s.AppendLine(CultureInfo.InvariantCulture, $"  {r.BurstKills} of the kills landed {r.BurstKillWindow} into a burst of concurrent reviewer POSTs ({r.BurstPosts} POSTs fired in the bursts, {r.PostsInFlightAtKills} of them still in flight at the kill)");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Azurite stopped once for {r.OutageSeconds} s ({(r.AzuriteStoppedCleanly ? "SIGTERM, stopped by itself" : "SIGTERM, then SIGKILL after 20 s")}), restarted on the same ports and data folder");
        s.AppendLine(CultureInfo.InvariantCulture, $"- reviewer POSTs: {r.ReviewerPosts}; answers acknowledged: {r.AnswersAcknowledged} ({r.AnswersAcknowledgedAsRepeat} of them only as \"Already received\" after a retry); not acknowledged: {r.AnswersNotAcknowledged}").AppendLine();
        s.AppendLine("## Timings").AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- faults phase: {r.ChaosSeconds} s; settling until clean (or the settle limit): {r.SettleSeconds} s; wall: {r.WallSeconds} s").AppendLine();
        s.AppendLine("## Result").AppendLine();
        s.AppendLine("| closed | lost | stuck | lost answers | duplicate letters | duplicate notices | missing notices | left in intake | failed orchestrations |");
        s.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| {c.Closed}/{r.Cases} | {c.Lost} | {c.Stuck} | {c.LostAnswers} | {c.DuplicateLetters} | {c.DuplicateNotices} | {c.MissingNotices} | {c.IntakeLeftovers} | {c.FailedOrchestrations} |").AppendLine();
        s.AppendLine("Lost: not closed with nothing left to finish it (no case row; orchestration failed, terminated, missing or completed), or closed without a letter. ");
        s.AppendLine("Stuck: not closed while its orchestration still runs. Lost answer: the reviewer was told the answer was received (HTTP 200) and the assignment, submission or letter does not show it.");
        if (r.Problems.Count > 0)
        {
            s.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## Problems ({r.Problems.Count}{(r.Problems.Count > 50 ? ", first 50" : "")})").AppendLine();
            foreach (var p in r.Problems.Take(50)) s.AppendLine(CultureInfo.InvariantCulture, $"- {p}");
        }

        return s.ToString();
    }
}
