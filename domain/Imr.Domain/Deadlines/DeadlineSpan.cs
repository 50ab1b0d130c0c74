using System.Globalization;

namespace Imr.Domain.Deadlines;

public enum DeadlineUnit
{
    /// <summary>Calendar days in the program's time zone: the same wall-clock time N days later (23 or 25 hours across a DST change).</summary>
    CalendarDays,
    /// <summary>Working days: weekends and the holiday calendar are skipped; the same wall-clock time on the Nth working day.</summary>
    BusinessDays,
    /// <summary>Elapsed hours, independent of the calendar (e.g. an expedited 72-hour review).</summary>
    Hours,
}

/// <summary>A statutory or contractual period ("30 calendar days", "5 business days", "72 hours"), written as configuration.</summary>
public readonly record struct DeadlineSpan(int Amount, DeadlineUnit Unit)
{
    public static DeadlineSpan CalendarDays(int n) => new(n, DeadlineUnit.CalendarDays);
    public static DeadlineSpan BusinessDays(int n) => new(n, DeadlineUnit.BusinessDays);
    public static DeadlineSpan Hours(int n) => new(n, DeadlineUnit.Hours);

    /// <summary>Parses "30 days", "30 calendar days", "5 business days", "72 hours" (case-insensitive).</summary>
    public static DeadlineSpan Parse(string text)
    {
        var parts = (text ?? "").Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 2 or > 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw new FormatException($"'{text}' is not a deadline span: write e.g. \"30 calendar days\", \"5 business days\" or \"72 hours\".");
        }

        var unit = string.Join(' ', parts[1..]) switch
        {
            "day" or "days" or "calendar day" or "calendar days" => DeadlineUnit.CalendarDays,
            "business day" or "business days" or "working day" or "working days" => DeadlineUnit.BusinessDays,
            "hour" or "hours" => DeadlineUnit.Hours,
            _ => throw new FormatException($"'{text}': the unit must be calendar days, business days or hours."),
        };
        return new DeadlineSpan(n, unit);
    }

    public override string ToString() => Unit switch
    {
        DeadlineUnit.CalendarDays => $"{Amount} calendar days",
        DeadlineUnit.BusinessDays => $"{Amount} business days",
        _ => $"{Amount} hours",
    };
}
