namespace Imr.Domain.Deadlines;

public enum DeadlineRisk
{
    OnTrack,
    AtRisk,
    Overdue,
}

/// <summary>An open case's entry in the deadline index.</summary>
public sealed record DeadlineEntry(string CaseNumber, DateTimeOffset CaseDueAt);

public sealed record SweepFinding(string CaseNumber, DeadlineRisk Risk, TimeSpan TimeLeft);

/// <summary>Classifies open cases by time left; the timer trigger feeds it the due entries of the deadline index.</summary>
public sealed class DeadlineSweep(TimeSpan atRiskWindow)
{
    public TimeSpan AtRiskWindow { get; } = atRiskWindow;

    public IReadOnlyList<SweepFinding> Classify(IEnumerable<DeadlineEntry> entries, DateTimeOffset now) =>
        entries
            .Select(e => new SweepFinding(e.CaseNumber, RiskOf(e.CaseDueAt - now), e.CaseDueAt - now))
            .Where(f => f.Risk != DeadlineRisk.OnTrack)
            .OrderBy(f => f.TimeLeft)
            .ToList();

    private DeadlineRisk RiskOf(TimeSpan left) =>
        left <= TimeSpan.Zero ? DeadlineRisk.Overdue : left <= AtRiskWindow ? DeadlineRisk.AtRisk : DeadlineRisk.OnTrack;
}
