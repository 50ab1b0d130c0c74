namespace Imr.Domain.Deadlines;

/// <summary>The deadlines of one review program. Durations are data so other programs can be configured beside it.</summary>
public sealed record DeadlinePolicy
{
    /// <summary>California workers' compensation IMR: 30 days, expedited 3 days (Labor Code 4610.6(d)).</summary>
    public static DeadlinePolicy CaliforniaWorkersCompensation { get; } = new();

    public TimeSpan StandardReview { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan ExpeditedReview { get; init; } = TimeSpan.FromDays(3);
    /// <summary>The reviewer's own due date comes this long before the case's.</summary>
    public TimeSpan ReviewerLead { get; init; } = TimeSpan.FromDays(2);
    /// <summary>How long a reviewer has to accept an offer.</summary>
    public TimeSpan AcceptanceWindow { get; init; } = TimeSpan.FromHours(24);
    /// <summary>Divides every workflow duration: 1 in production; e.g. 86400 makes a day last a second in demos and tests.</summary>
    public double TimeScale { get; init; } = 1;

    public CaseDeadlines For(DateTimeOffset receivedAt, bool expedited)
    {
        var review = Scale(expedited ? ExpeditedReview : StandardReview);
        var lead = Scale(ReviewerLead);
        // An expedited review is too short to carve out the full lead: the reviewer keeps at least half of it.
        if (lead > review / 2) lead = review / 2;
        var due = receivedAt + review;
        return new CaseDeadlines(receivedAt, due, due - lead);
    }

    public TimeSpan ScaledAcceptanceWindow => Scale(AcceptanceWindow);

    public TimeSpan Scale(TimeSpan duration) =>
        TimeScale <= 0 ? throw new InvalidOperationException("TimeScale must be positive.") : TimeSpan.FromTicks((long)(duration.Ticks / TimeScale));
}

public sealed record CaseDeadlines(DateTimeOffset ReceivedAt, DateTimeOffset CaseDueAt, DateTimeOffset ReviewerDueAt);
