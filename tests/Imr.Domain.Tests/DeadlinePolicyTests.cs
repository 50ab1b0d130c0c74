using Imr.Domain.Deadlines;

namespace Imr.Domain.Tests;

public class DeadlinePolicyTests
{
    private static readonly DateTimeOffset Received = new(2026, 3, 2, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Standard_review_is_due_in_30_days_and_the_reviewer_two_days_earlier()
    {
        var d = DeadlinePolicy.CaliforniaWorkersCompensation.For(Received, expedited: false);

        Assert.Equal(Received.AddDays(30), d.CaseDueAt);
        Assert.Equal(Received.AddDays(28), d.ReviewerDueAt);
    }

    [Fact]
    public void Expedited_review_is_due_in_3_days_and_the_reviewer_keeps_at_least_half()
    {
        var d = DeadlinePolicy.CaliforniaWorkersCompensation.For(Received, expedited: true);

        Assert.Equal(Received.AddDays(3), d.CaseDueAt);
        Assert.Equal(Received.AddDays(1.5), d.ReviewerDueAt);
    }

    [Fact]
    public void Time_scale_compresses_every_duration()
    {
        var policy = DeadlinePolicy.CaliforniaWorkersCompensation with { TimeScale = 86400 }; // a day lasts a second

        var d = policy.For(Received, expedited: false);

        Assert.Equal(Received.AddSeconds(30), d.CaseDueAt);
        Assert.Equal(TimeSpan.FromSeconds(1), policy.ScaledAcceptanceWindow);
    }

    [Fact]
    public void Sweep_classifies_overdue_and_at_risk_cases_by_time_left()
    {
        var now = Received;
        var sweep = new DeadlineSweep(TimeSpan.FromDays(2));
        var findings = sweep.Classify(
            [new DeadlineEntry("late", now.AddHours(-1)), new DeadlineEntry("soon", now.AddDays(1)), new DeadlineEntry("fine", now.AddDays(10))],
            now);

        Assert.Equal(["late", "soon"], findings.Select(f => f.CaseNumber));
        Assert.Equal([DeadlineRisk.Overdue, DeadlineRisk.AtRisk], findings.Select(f => f.Risk));
    }
}
