using System.Globalization;

namespace Imr.Domain.Deadlines;

/// <summary>
/// When the reviewer is reminded: at a fraction of the reviewer's time ("50%") or a fixed time before the reviewer's
/// due date ("24h"). <see cref="Name"/> is stable, so a reminder's notification id is the same on every retry.
/// </summary>
public sealed record ReminderPoint(string Name, double? FractionOfReviewerTime, TimeSpan? BeforeReviewerDue)
{
    public static ReminderPoint AtFraction(double fraction) =>
        fraction is > 0 and < 1 ? new($"{Math.Round(fraction * 100).ToString(CultureInfo.InvariantCulture)}pct", fraction, null) : throw new ArgumentOutOfRangeException(nameof(fraction), "A reminder fraction lies strictly between 0 and 1.");

    public static ReminderPoint Before(TimeSpan beforeDue) =>
        beforeDue > TimeSpan.Zero ? new($"{(long)beforeDue.TotalHours}h-before", null, beforeDue) : throw new ArgumentOutOfRangeException(nameof(beforeDue), "A reminder comes a positive time before the due date.");

    /// <summary>Parses a comma-separated list such as "50%, 80%, 24h".</summary>
    public static IReadOnlyList<ReminderPoint> ParseList(string text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();

    public static ReminderPoint Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t.EndsWith('%') && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var pct))
        {
            return AtFraction(pct / 100);
        }

        if (t.EndsWith('h') && int.TryParse(t[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var hours))
        {
            return Before(TimeSpan.FromHours(hours));
        }

        throw new FormatException($"'{text}' is not a reminder point: write e.g. \"50%\" or \"24h\".");
    }

    /// <summary>
    /// The reminders of a reviewer who has from <paramref name="reviewStart"/> until <paramref name="reviewerDueAt"/>:
    /// at fractions of that time, and at fixed times before it (taken as given: compress them first). Points outside the
    /// window are dropped; points falling at the same instant are sent once.
    /// </summary>
    public static IReadOnlyList<ScheduledReminder> Schedule(IEnumerable<ReminderPoint> points, DateTimeOffset reviewStart, DateTimeOffset reviewerDueAt)
    {
        var time = reviewerDueAt - reviewStart;
        if (time <= TimeSpan.Zero) return [];
        return points
            .Select(r => new ScheduledReminder(r.Name, r.FractionOfReviewerTime is { } f ? reviewStart + time * f : reviewerDueAt - r.BeforeReviewerDue!.Value))
            .Where(r => r.At > reviewStart && r.At < reviewerDueAt)
            .GroupBy(r => r.At)
            .Select(g => g.First())
            .OrderBy(r => r.At)
            .ToList();
    }
}

/// <summary>One reminder due at an instant.</summary>
public sealed record ScheduledReminder(string Name, DateTimeOffset At);
