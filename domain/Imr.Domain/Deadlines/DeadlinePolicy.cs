using Imr.Domain.Cases;

namespace Imr.Domain.Deadlines;

/// <summary>
/// The deadlines of one review program. Everything is data: periods, reviewer lead, reminder points, time zone and
/// holidays, so another program (see <see cref="AcaExternalReview"/>) is configuration, not code.
/// </summary>
public sealed record DeadlinePolicy
{
    /// <summary>
    /// California workers' compensation IMR: 30 days, expedited 3 days (Labor Code 4610.6(d)), a drug-formulary dispute 5
    /// working days (Labor Code 4610.6(d)(1)(A)), in California time.
    /// </summary>
    public static DeadlinePolicy CaliforniaWorkersCompensation { get; } = new();

    /// <summary>
    /// California DMHC IMR: 30 days from receipt of the application and documents, 3 days when there is an imminent and
    /// serious threat to the enrollee's health (Health and Safety Code 1374.33(c)); an experimental or investigational
    /// therapy 30 days, 7 days when the physician finds it would be significantly less effective if not promptly
    /// started (Health and Safety Code 1370.4(b)).
    /// </summary>
    public static DeadlinePolicy CaliforniaDmhc { get; } = new()
    {
        Program = "CaliforniaDmhc",
        StandardReview = DeadlineSpan.CalendarDays(30),
        ExpeditedReview = DeadlineSpan.CalendarDays(3),
        FormularyReview = null,
        ExperimentalReview = DeadlineSpan.CalendarDays(30),
        ExperimentalExpedited = DeadlineSpan.CalendarDays(7),
    };

    /// <summary>ACA external review (45 CFR 147.136): decision within 45 days, expedited within 72 hours.</summary>
    public static DeadlinePolicy AcaExternalReview { get; } = new()
    {
        Program = "AcaExternalReview",
        StandardReview = DeadlineSpan.CalendarDays(45),
        ExpeditedReview = DeadlineSpan.Hours(72),
        ReviewerLead = DeadlineSpan.BusinessDays(5),
        FormularyReview = null,
    };

    /// <summary>The programs known without configuration, by name.</summary>
    public static IReadOnlyDictionary<string, DeadlinePolicy> BuiltIn { get; } = new Dictionary<string, DeadlinePolicy>(StringComparer.OrdinalIgnoreCase)
    {
        [CaliforniaWorkersCompensation.Program] = CaliforniaWorkersCompensation,
        [AcaExternalReview.Program] = AcaExternalReview,
        [CaliforniaDmhc.Program] = CaliforniaDmhc,
    };

    public string Program { get; init; } = "CaliforniaWorkersCompensation";
    public DeadlineSpan StandardReview { get; init; } = DeadlineSpan.CalendarDays(30);
    public DeadlineSpan ExpeditedReview { get; init; } = DeadlineSpan.CalendarDays(3);
    /// <summary>A dispute over a drug under the formulary (null: the program has no such period).</summary>
    public DeadlineSpan? FormularyReview { get; init; } = DeadlineSpan.BusinessDays(5);
    /// <summary>An experimental or investigational therapy (null: the standard period).</summary>
    public DeadlineSpan? ExperimentalReview { get; init; }
    /// <summary>An experimental or investigational therapy reviewed promptly (null: the expedited period).</summary>
    public DeadlineSpan? ExperimentalExpedited { get; init; }
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
    public CaseDeadlines For(DateTimeOffset receivedAt, bool expedited) => For(receivedAt, expedited ? ExpeditedReview : StandardReview);

    private CaseDeadlines For(DateTimeOffset receivedAt, DeadlineSpan period)
    {
        var calendar = Calendar;
        var due = calendar.Add(receivedAt, period);
        var reviewerDue = calendar.Subtract(due, ReviewerLead);
        // An expedited review is too short to carve out the full lead: the reviewer keeps at least half of it.
        var half = receivedAt + (due - receivedAt) / 2;
        if (reviewerDue < half) reviewerDue = half;
        return new CaseDeadlines(receivedAt, receivedAt + Scale(due - receivedAt), receivedAt + Scale(reviewerDue - receivedAt));
    }

    /// <summary>
    /// The review period of a case by what it disputes: expedited or not; an experimental or investigational therapy
    /// (where the program has its own periods); a drug-formulary dispute (any formulary item puts the whole case on the
    /// shorter clock, since the case has one letter). The shortest period that applies wins.
    /// </summary>
    public DeadlineSpan PeriodFor(CasePackage package)
    {
        var experimental = package.DisputeType == DisputeType.ExperimentalInvestigational;
        var period = package.Expedited
            ? (experimental ? ExperimentalExpedited : null) ?? ExpeditedReview
            : (experimental ? ExperimentalReview : null) ?? StandardReview;
        if (FormularyReview is { } formulary && package.DisputedItems.Any(i => i.Formulary == true))
        {
            var start = new DateTimeOffset(2000, 1, 3, 12, 0, 0, TimeSpan.Zero); // compare lengths on a neutral week
            var calendar = new ReviewCalendar("UTC");
            if (calendar.Add(start, formulary) < calendar.Add(start, period)) period = formulary;
        }

        return period;
    }

    /// <summary>The case's and the reviewer's due dates for a package received at <paramref name="receivedAt"/> (<see cref="PeriodFor"/>).</summary>
    public CaseDeadlines For(DateTimeOffset receivedAt, CasePackage package) => For(receivedAt, PeriodFor(package));

    /// <summary>
    /// A regular review converted to expedited (8 CCR 9792.10.4(c)) at <paramref name="convertedAt"/>: the case is due
    /// within the expedited period of the conversion, or by its original date if that is sooner. Scaled like the rest.
    /// </summary>
    public CaseDeadlines ConvertToExpedited(CaseDeadlines current, DateTimeOffset convertedAt)
    {
        var converted = For(convertedAt, expedited: true);
        if (converted.CaseDueAt >= current.CaseDueAt) return current;
        var reviewerDue = converted.ReviewerDueAt < current.ReviewerDueAt ? converted.ReviewerDueAt : current.ReviewerDueAt;
        return current with { CaseDueAt = converted.CaseDueAt, ReviewerDueAt = reviewerDue };
    }

    /// <summary>Deadlines of a request received now, by the given clock.</summary>
    public CaseDeadlines ForReceiptNow(TimeProvider clock, bool expedited) => For(clock.GetUtcNow(), expedited);

    /// <summary>
    /// The reminders of a reviewer who has from <paramref name="reviewStart"/> until <paramref name="reviewerDueAt"/>:
    /// fractions of that time, and fixed times before it (compressed like every duration). See <see cref="ReminderPoint.Schedule"/>.
    /// </summary>
    public IReadOnlyList<ScheduledReminder> RemindersFor(DateTimeOffset reviewStart, DateTimeOffset reviewerDueAt) =>
        ReminderPoint.Schedule(ScaledReminders, reviewStart, reviewerDueAt);

    /// <summary>
    /// The reminder points with their fixed times compressed like every duration: all a review's reminders depend on
    /// besides its start and due date, so a workflow that carries them computes each reviewer's reminders itself.
    /// </summary>
    public IReadOnlyList<ReminderPoint> ScaledReminders =>
        Reminders.Select(r => r.BeforeReviewerDue is { } before ? r with { BeforeReviewerDue = Scale(before) } : r).ToList();

    public TimeSpan ScaledAcceptanceWindow => Scale(AcceptanceWindow);

    public TimeSpan Scale(TimeSpan duration) =>
        TimeScale <= 0 ? throw new InvalidOperationException("TimeScale must be positive.") : TimeSpan.FromTicks((long)(duration.Ticks / TimeScale));
}

public sealed record CaseDeadlines(DateTimeOffset ReceivedAt, DateTimeOffset CaseDueAt, DateTimeOffset ReviewerDueAt);
