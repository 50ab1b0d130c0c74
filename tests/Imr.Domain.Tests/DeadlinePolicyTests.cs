using Imr.Domain.Deadlines;
using Microsoft.Extensions.Time.Testing;

namespace Imr.Domain.Tests;

public class DeadlinePolicyTests
{
    // 09:00 in Los Angeles (PST, UTC-8) on Monday 2 March 2026.
    private static readonly DateTimeOffset Received = new(2026, 3, 2, 17, 0, 0, TimeSpan.Zero);
    private static readonly DeadlinePolicy California = DeadlinePolicy.CaliforniaWorkersCompensation;

    private static DateTimeOffset Pacific(int y, int m, int d, int h, int offsetHours) => new DateTimeOffset(y, m, d, h, 0, 0, TimeSpan.FromHours(offsetHours)).ToUniversalTime();

    [Fact]
    public void Standard_review_is_due_30_california_days_later_across_the_spring_dst_change()
    {
        var clock = new FakeTimeProvider(Received);

        var d = California.ForReceiptNow(clock, expedited: false);

        // DST starts 8 March 2026: 30 local days are 719 hours, still 09:00 in Los Angeles (now PDT, UTC-7).
        Assert.Equal(Pacific(2026, 4, 1, 9, -7), d.CaseDueAt);
        Assert.Equal(TimeSpan.FromHours(30 * 24 - 1), d.CaseDueAt - d.ReceivedAt);
        Assert.Equal(Pacific(2026, 3, 30, 9, -7), d.ReviewerDueAt);
    }

    [Fact]
    public void Days_are_counted_across_the_fall_dst_change_too()
    {
        var clock = new FakeTimeProvider(Pacific(2026, 10, 20, 9, -7)); // PDT

        var d = California.ForReceiptNow(clock, expedited: false);

        // DST ends 1 November 2026: 30 local days are 721 hours.
        Assert.Equal(Pacific(2026, 11, 19, 9, -8), d.CaseDueAt);
        Assert.Equal(TimeSpan.FromHours(30 * 24 + 1), d.CaseDueAt - d.ReceivedAt);
    }

    [Fact]
    public void A_wall_clock_time_that_does_not_exist_moves_forward_and_an_ambiguous_one_takes_the_earlier_instant()
    {
        var calendar = new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId);

        // 02:30 on 8 March 2026 does not exist in Los Angeles: it becomes 03:30 PDT.
        Assert.Equal(Pacific(2026, 3, 8, 3, -7).AddMinutes(30), calendar.Add(Pacific(2026, 3, 7, 2, -8).AddMinutes(30), DeadlineSpan.CalendarDays(1)));
        // 01:30 on 1 November 2026 happens twice: the first (PDT) one is the deadline.
        Assert.Equal(Pacific(2026, 11, 1, 1, -7).AddMinutes(30), calendar.Add(Pacific(2026, 10, 31, 1, -7).AddMinutes(30), DeadlineSpan.CalendarDays(1)));
    }

    [Fact]
    public void Expedited_review_is_due_in_3_days_and_the_reviewer_keeps_at_least_half()
    {
        var d = California.For(Received, expedited: true);

        Assert.Equal(Received.AddDays(3), d.CaseDueAt);
        Assert.Equal(Received.AddDays(1.5), d.ReviewerDueAt);
    }

    [Fact]
    public void Business_days_skip_weekends_and_configured_holidays()
    {
        var thursday = Pacific(2026, 7, 2, 10, -7); // Thursday 2 July 2026; Friday 3 July is the observed Independence Day
        var calendar = new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId, [new DateOnly(2026, 7, 3)]);

        // 5 working days: Mon 6, Tue 7, Wed 8, Thu 9, Fri 10 July.
        Assert.Equal(Pacific(2026, 7, 10, 10, -7), calendar.Add(thursday, DeadlineSpan.BusinessDays(5)));
        // Without the holiday: Fri 3, Mon 6 … Thu 9.
        Assert.Equal(Pacific(2026, 7, 9, 10, -7), new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId).Add(thursday, DeadlineSpan.BusinessDays(5)));
        // Backwards over a weekend: 2 working days before Monday 13 July is Thursday 9 July.
        Assert.Equal(Pacific(2026, 7, 9, 10, -7), calendar.Subtract(Pacific(2026, 7, 13, 10, -7), DeadlineSpan.BusinessDays(2)));
    }

    [Fact]
    public void Another_program_is_configuration_45_days_or_72_hours_with_a_business_day_reviewer_lead()
    {
        var aca = DeadlinePolicy.AcaExternalReview with { Holidays = [new DateOnly(2026, 4, 13)] };

        var standard = aca.For(Received, expedited: false);
        var expedited = aca.For(Received, expedited: true);

        Assert.Equal(Pacific(2026, 4, 16, 9, -7), standard.CaseDueAt); // 45 local days
        // 5 working days back from Thursday 16 April, skipping the weekend and the Monday 13 April holiday: Wednesday 8 April.
        Assert.Equal(Pacific(2026, 4, 8, 9, -7), standard.ReviewerDueAt);
        Assert.Equal(Received.AddHours(72), expedited.CaseDueAt); // hours are elapsed time, not calendar days
        Assert.Same(DeadlinePolicy.AcaExternalReview, DeadlinePolicy.BuiltIn["acaexternalreview"]);
    }

    [Fact]
    public void Spans_and_reminder_points_parse_from_configuration_text_and_bad_text_is_a_clear_error()
    {
        Assert.Equal(DeadlineSpan.BusinessDays(5), DeadlineSpan.Parse("5 business days"));
        Assert.Equal(DeadlineSpan.CalendarDays(30), DeadlineSpan.Parse("30 days"));
        Assert.Equal(DeadlineSpan.Hours(72), DeadlineSpan.Parse("72 Hours"));
        Assert.Contains("unit", Assert.Throws<FormatException>(() => DeadlineSpan.Parse("5 fortnights")).Message);
        Assert.Equal(["50pct", "80pct", "24h-before"], ReminderPoint.ParseList("50%, 80%, 24h").Select(r => r.Name));
        Assert.Throws<FormatException>(() => ReminderPoint.Parse("soon"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReminderPoint.Parse("150%"));
    }

    [Fact]
    public void Reminders_fall_at_50_and_80_percent_of_the_reviewers_time_and_24_hours_before_it()
    {
        var start = Received;
        var due = start.AddDays(10);

        var reminders = California.RemindersFor(start, due);

        Assert.Equal(
            [new ScheduledReminder("50pct", start.AddDays(5)), new ScheduledReminder("80pct", start.AddDays(8)), new ScheduledReminder("24h-before", start.AddDays(9))],
            reminders);
    }

    [Fact]
    public void Reminders_outside_a_short_review_or_at_the_same_instant_are_dropped()
    {
        var start = Received;

        // 20 hours: "24 hours before" would come before the start.
        Assert.Equal(["50pct", "80pct"], California.RemindersFor(start, start.AddHours(20)).Select(r => r.Name));
        // 48 hours: 50% and 24 hours before coincide and are sent once.
        Assert.Equal(["50pct", "80pct"], California.RemindersFor(start, start.AddHours(48)).Select(r => r.Name));
        Assert.Empty(California.RemindersFor(start, start));
    }

    [Fact]
    public void Time_scale_compresses_every_duration_including_the_dst_shortened_month()
    {
        var policy = California with { TimeScale = 86400 }; // a day lasts a second

        var d = policy.For(Received, expedited: false);

        Assert.Equal(Received + TimeSpan.FromSeconds((30 * 24 - 1) / 24.0), d.CaseDueAt);
        Assert.Equal(TimeSpan.FromSeconds(1), policy.ScaledAcceptanceWindow);
        Assert.Equal(d.ReviewerDueAt - TimeSpan.FromSeconds(1), policy.RemindersFor(d.ReceivedAt, d.ReviewerDueAt)[^1].At);
    }

    [Fact]
    public void The_scaled_reminder_points_a_workflow_carries_give_the_same_reminders_as_the_policy()
    {
        var policy = California with { TimeScale = 86400 };
        var d = policy.For(Received, expedited: false);

        var points = policy.ScaledReminders;

        Assert.Equal([null, null, TimeSpan.FromSeconds(1)], points.Select(p => p.BeforeReviewerDue)); // 24 h, compressed
        Assert.Equal([0.5, 0.8, null], points.Select(p => p.FractionOfReviewerTime));
        Assert.Equal(policy.RemindersFor(d.ReceivedAt, d.ReviewerDueAt), ReminderPoint.Schedule(points, d.ReceivedAt, d.ReviewerDueAt));
        Assert.Equal(3, ReminderPoint.Schedule(points, d.ReceivedAt, d.ReviewerDueAt).Count);
    }

    [Fact]
    public void Sweep_classifies_overdue_and_at_risk_cases_by_time_left_on_the_clock()
    {
        var clock = new FakeTimeProvider(Received);
        var sweep = new DeadlineSweep(TimeSpan.FromDays(2));
        DeadlineEntry[] entries = [new("late", Received.AddHours(-1)), new("soon", Received.AddDays(1)), new("fine", Received.AddDays(10))];

        var findings = sweep.Classify(entries, clock.GetUtcNow());
        clock.Advance(TimeSpan.FromDays(2));
        var later = sweep.Classify(entries, clock.GetUtcNow());

        Assert.Equal(["late", "soon"], findings.Select(f => f.CaseNumber));
        Assert.Equal([DeadlineRisk.Overdue, DeadlineRisk.AtRisk], findings.Select(f => f.Risk));
        Assert.Equal([DeadlineRisk.Overdue, DeadlineRisk.Overdue], later.Select(f => f.Risk));
    }
}
