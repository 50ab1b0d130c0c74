namespace Imr.Domain.Deadlines;

/// <summary>
/// How long the reviewer's links live, derived from the deadlines they serve; a link that expired shows "expired", so
/// each outlives its deadline enough for a late click to get the page that explains what happened instead.
/// </summary>
public static class LinkLifetimes
{
    /// <summary>A document link's usual lifetime on the review page.</summary>
    public static readonly TimeSpan DocumentLink = TimeSpan.FromMinutes(60);

    /// <summary>The offer link outlives the acceptance deadline by the window again (at least 10 minutes), so a late click gets the "superseded" page.</summary>
    public static DateTimeOffset OfferExpiresAt(DateTimeOffset acceptBy, TimeSpan acceptanceWindow) => acceptBy + Max(acceptanceWindow, TimeSpan.FromMinutes(10));

    /// <summary>The review (determination) link lives until well after the case's due date, by the case's length again (at least an hour): a late determination is still valid.</summary>
    public static DateTimeOffset ReviewExpiresAt(DateTimeOffset receivedAt, DateTimeOffset caseDueAt) => caseDueAt + Max(caseDueAt - receivedAt, TimeSpan.FromHours(1));

    /// <summary>Document links on a page live <see cref="DocumentLink"/>, or 5 minutes when the page's own link expires sooner than that.</summary>
    public static TimeSpan DocumentLinkLifetime(DateTimeOffset pageLinkExpiresAt, DateTimeOffset now) => DocumentLink < pageLinkExpiresAt - now ? DocumentLink : TimeSpan.FromMinutes(5);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
