using Imr.Domain.Deadlines;
using Imr.Functions.Storage;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

public sealed record OpenCaseDeadline(string CaseNumber, DateTimeOffset CaseDueAt, TimeSpan TimeLeft, DeadlineRisk Risk, bool OverdueEscalated);

public sealed record AtRiskReportView(DateTimeOffset GeneratedAt, TimeSpan AtRiskWindow, IReadOnlyList<OpenCaseDeadline> Cases);

/// <summary>Open cases by time left (least first), from the deadline index (one row per open case). Case numbers and dates only, no PHI.</summary>
public sealed class AtRiskReport(DeadlineIndex index, IOptions<ImrOptions> options, TimeProvider time)
{
    public async Task<AtRiskReportView> BuildAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var window = options.Value.DeadlinePolicy.Scale(options.Value.AtRiskWindow);
        var open = await index.ReadOpenAsync(ct);
        var rows = open
            .Select(c => new OpenCaseDeadline(c.CaseNumber, c.CaseDueAt, c.CaseDueAt - now, c.CaseDueAt <= now ? DeadlineRisk.Overdue : c.CaseDueAt - now <= window ? DeadlineRisk.AtRisk : DeadlineRisk.OnTrack, c.Escalated))
            .OrderBy(c => c.TimeLeft)
            .ToList();
        return new AtRiskReportView(now, window, rows);
    }
}
