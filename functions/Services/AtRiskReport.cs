using Imr.Domain.Deadlines;
using Imr.Functions.Storage;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

public sealed record OpenCaseDeadline(string CaseNumber, DateTimeOffset CaseDueAt, TimeSpan TimeLeft, DeadlineRisk Risk, bool OverdueEscalated);

/// <summary>A case whose workflow stopped on a failure (NeedsAttention): why, and since when.</summary>
public sealed record CaseNeedingAttention(string CaseNumber, string Reason, DateTimeOffset Since);

public sealed record AtRiskReportView(DateTimeOffset GeneratedAt, TimeSpan AtRiskWindow, IReadOnlyList<OpenCaseDeadline> Cases)
{
    /// <summary>Cases needing attention, oldest first: listed apart, whatever their time left (some have no review clock yet).</summary>
    public IReadOnlyList<CaseNeedingAttention> NeedingAttention { get; init; } = [];
}

/// <summary>
/// Open cases by time left (least first), from the deadline index (one row per open case), and the cases needing attention
/// (their own small list). Case numbers, dates and failure reasons (step and kind) only, no PHI.
/// </summary>
public sealed class AtRiskReport(DeadlineIndex index, CaseStore cases, IOptions<ImrOptions> options, TimeProvider time)
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
        var attention = (await cases.NeedingAttentionAsync(ct)).Select(a => new CaseNeedingAttention(a.RowKey, a.Reason, a.Since)).ToList();
        return new AtRiskReportView(now, window, rows) { NeedingAttention = attention };
    }
}
