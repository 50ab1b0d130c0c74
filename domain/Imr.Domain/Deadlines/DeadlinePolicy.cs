namespace Imr.Domain.Deadlines;

/// <summary>
/// The deadlines of one review program. Everything is data: periods, reviewer lead, reminder points, time zone and
/// holidays, so another program (see <see cref="AcaExternalReview"/>) is configuration, not code.
/// </summary>
public sealed record DeadlinePolicy
{
    /// <summary>California workers' compensation IMR: 30 days, expedited 3 days (Labor Code 4610.6(d)), in California time.</summary>
    public static DeadlinePolicy CaliforniaWorkersCompensation { get; } = new();

    /// <summary>ACA external review (45 CFR 147.136): decision within 45 days, expedited within 72 hours.</summary>
    public static DeadlinePolicy AcaExternalReview { get; } = new()
    {
        Program = "AcaExternalReview",
        StandardReview = DeadlineSpan.CalendarDays(45),
        ExpeditedReview = DeadlineSpan.Hours(72),
        ReviewerLead = DeadlineSpan.BusinessDays(5),
    };

    /// <summary>The programs known without configuration, by name.</summary>
    public static IReadOnlyDictionary<string, DeadlinePolicy> BuiltIn { get; } = new Dictionary<string, DeadlinePolicy>(StringComparer.OrdinalIgnoreCase)
    {
        [CaliforniaWorkersCompensation.Program] = CaliforniaWorkersCompensation,
        [AcaExternalReview.Program] = AcaExternalReview,
    };

    public string Program { get; init; } = "CaliforniaWorkersCompensation";
    public DeadlineSpan StandardReview { get; init; } = DeadlineSpan.CalendarDays(30);
    public DeadlineSpan ExpeditedReview { get; init; } = DeadlineSpan.CalendarDays(3);
    /// <summary>The reviewer's own due date comes this long before the case's.</summary>
    public DeadlineSpan ReviewerLead { get; init; } = DeadlineSpan.CalendarDays(2);
    public IReadOnlyList<ReminderPoint> Reminders { get; init; } = [ReminderPoint.AtFraction(0.5), ReminderPoint.AtFraction(0.8), ReminderPoint.Before(TimeSpan.FromHours(24))];
    public string TimeZoneId { get; init; } = ReviewCalendar.CaliforniaTimeZoneId;
    public IReadOnlyList<DateOnly> Holidays { get; init; } = [];
    /// <summary>How long a reviewer has to accept an offer.</summary>
    public TimeSpan AcceptanceWindow { get; init; } = TimeSpan.FromHours(24);
    /// <summary>Divides every workflow duration: 1 in production; e.g. 86400 makes a day last a second in demos and tests.</summary>
    public double TimeScale { get; init; } = 1;

    public ReviewCalendar Calendar => new(TimeZoneId, Holidays);

    /// <summary>
    /// The case's and the reviewer's due dates for a request received at <paramref name="receivedAt"/>. The periods are
    /// counted on the real calendar first; with time compression the resulting elapsed times are then divided by
    /// <see cref="TimeScale"/>, so a compressed case keeps the proportions of a real one.
    /// </summary>
    public CaseDeadlines For(DateTimeOffset receivedAt, bool expedited)
    {
        var calendar = Calendar;
        var due = calendar.Add(receivedAt, expedited ? ExpeditedReview : StandardReview);
        var reviewerDue = calendar.Subtract(due, ReviewerLead);
        // An expedited review is too short to carve out the full lead: the reviewer keeps at least half of it.
        var half = receivedAt + (due - receivedAt) / 2;
        if (reviewerDue < half) reviewerDue = half;
        return new CaseDeadlines(receivedAt, receivedAt + Scale(due - receivedAt), receivedAt + Scale(reviewerDue - receivedAt));
    }

    /// <summary>Deadlines of a request received now, by the given clock.</summary>
    public CaseDeadlines ForReceiptNow(TimeProvider clock, bool expedited) => For(clock.GetUtcNow(), expedited);

    /// <summary>
    /// The reminders of a reviewer who has from <paramref name="reviewStart"/> until <paramref name="reviewerDueAt"/>:
    /// fractions of that time, and fixed times before it (compressed like every duration). Points outside the window
    /// are dropped; points falling at the same instant are sent once.
    /// </summary>
    public IReadOnlyList<ScheduledReminder> RemindersFor(DateTimeOffset reviewStart, DateTimeOffset reviewerDueAt)
    {
        var time = reviewerDueAt - reviewStart;
        if (time <= TimeSpan.Zero) return [];
        return Reminders
            .Select(r => new ScheduledReminder(r.Name, r.FractionOfReviewerTime is { } f ? reviewStart + time * f : reviewerDueAt - Scale(r.BeforeReviewerDue!.Value)))
            .Where(r => r.At > reviewStart && r.At < reviewerDueAt)
            .GroupBy(r => r.At)
            .Select(g => g.First())
            .OrderBy(r => r.At)
            .ToList();
    }

    public TimeSpan ScaledAcceptanceWindow => Scale(AcceptanceWindow);

    public TimeSpan Scale(TimeSpan duration) =>
        TimeScale <= 0 ? throw new InvalidOperationException("TimeScale must be positive.") : TimeSpan.FromTicks((long)(duration.Ticks / TimeScale));
}

public sealed record CaseDeadlines(DateTimeOffset ReceivedAt, DateTimeOffset CaseDueAt, DateTimeOffset ReviewerDueAt);
