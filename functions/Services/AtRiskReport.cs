using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Functions.Storage;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>An open case's statutory due date, the time left and its risk.</summary>
public sealed record OpenCaseDeadline(string CaseNumber, DateTimeOffset CaseDueAt, TimeSpan TimeLeft, DeadlineRisk Risk, bool OverdueEscalated);

/// <summary>A case whose workflow stopped on a failure (NeedsAttention): why, and since when.</summary>
public sealed record CaseNeedingAttention(string CaseNumber, string Reason, DateTimeOffset Since);

/// <summary>How many open cases stand in one state.</summary>
public sealed record StateCount(CaseStatus State, int Count);

/// <summary>How many open cases have a time left in one band (<see cref="AtRiskReport.DaysLeftBands"/>).</summary>
public sealed record DaysLeftCount(string Band, int Count);

/// <summary>
/// A case still in intake (no review clock yet): its stage, when it was received and, once the notice of assignment went
/// out, when the medical records are due. <see cref="AtRisk"/>: the records are due within the at-risk window, or late.
/// </summary>
public sealed record IntakeCase(string CaseNumber, string Stage, DateTimeOffset? ReceivedAt, DateTimeOffset? RecordsDueAt, bool AtRisk);

/// <summary>The at-risk dashboard: open cases by time left, counts by state and by days left, cases in intake, cases needing attention.</summary>
public sealed record AtRiskReportView(DateTimeOffset GeneratedAt, TimeSpan AtRiskWindow, IReadOnlyList<OpenCaseDeadline> Cases)
{
    /// <summary>Cases needing attention, oldest first: listed apart, whatever their time left (some have no review clock yet).</summary>
    public IReadOnlyList<CaseNeedingAttention> NeedingAttention { get; init; } = [];

    /// <summary>Open cases by state (every state not closed, zeros included, in lifecycle order).</summary>
    public IReadOnlyList<StateCount> ByState { get; init; } = [];

    /// <summary>Open cases with a review clock by time left, least first.</summary>
    public IReadOnlyList<DaysLeftCount> ByDaysLeft { get; init; } = [];

    /// <summary>Cases still in intake, oldest first.</summary>
    public IReadOnlyList<IntakeCase> InIntake { get; init; } = [];
}

/// <summary>
/// Open cases by time left (least first), from the deadline index (one row per open case); counts by state from the case
/// rows (one scan of three columns); cases still in intake with their stage and records due date; and the cases needing
/// attention (their own small list). Case numbers, dates, stages and failure reasons (step and kind) only, no PHI.
/// </summary>
public sealed class AtRiskReport(DeadlineIndex index, CaseStore cases, IntakeStore intake, IOptions<ImrOptions> options, TimeProvider time)
{
    /// <summary>The days-left bands, upper bounds exclusive: overdue, then within 1, 3, 7 and 14 days, then later.</summary>
    public static readonly IReadOnlyList<(string Band, TimeSpan Below)> DaysLeftBands =
    [
        ("Overdue", TimeSpan.Zero),
        ("Less than 1 day", TimeSpan.FromDays(1)),
        ("1 to 3 days", TimeSpan.FromDays(3)),
        ("3 to 7 days", TimeSpan.FromDays(7)),
        ("7 to 14 days", TimeSpan.FromDays(14)),
        ("14 days or more", TimeSpan.MaxValue),
    ];

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

        var notClosed = await cases.ReadNotClosedAsync(ct);
        var byState = Enum.GetValues<CaseStatus>().Where(s => s != CaseStatus.Closed)
            .Select(s => new StateCount(s, notClosed.Count(c => c.Status == s.ToString())))
            .ToList();
        var byDaysLeft = DaysLeftBands
            .Select((b, i) => new DaysLeftCount(b.Band, rows.Count(r => r.TimeLeft < b.Below && (i == 0 || r.TimeLeft >= DaysLeftBands[i - 1].Below))))
            .ToList();

        // In intake: the row exists, without a review clock, from the orchestration's first step. Their intake rows are few.
        var inIntake = new List<IntakeCase>();
        foreach (var (caseNumber, _, _) in notClosed.Where(c => c.Status == nameof(CaseStatus.Received) && c.CaseDueAt == default))
        {
            var i = await intake.GetAsync(caseNumber, ct);
            inIntake.Add(new IntakeCase(caseNumber, i?.Stage ?? IntakeStages.Received, i?.ReceivedAt is { } r && r != default ? r : null, i?.RecordsDueAt,
                i?.RecordsDueAt is { } due && due - now <= window));
        }

        return new AtRiskReportView(now, window, rows)
        {
            NeedingAttention = attention,
            ByState = byState,
            ByDaysLeft = byDaysLeft,
            InIntake = inIntake.OrderBy(c => c.ReceivedAt ?? now).ToList(),
        };
    }
}
