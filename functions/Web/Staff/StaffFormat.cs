using System.Globalization;

namespace Imr.Functions.Web.Staff;

/// <summary>How staff pages show times and outcomes: Pacific time (the program's), time left in words, decisions in words.</summary>
public static class StaffFormat
{
    private static readonly TimeZoneInfo Pacific = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    /// <summary>"Wed, Dec 2, 2026, 4:05 PM PST" in a time element carrying the exact instant.</summary>
    public static string Time(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Pacific);
        var zone = Pacific.IsDaylightSavingTime(local) ? "PDT" : "PST";
        return $"<time datetime=\"{Html.E(at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))}\">{Html.E(local.ToString("ddd, MMM d, yyyy, h:mm tt", English))} {zone}</time>";
    }

    /// <summary>"3 days 4 hours left", "5 hours 10 minutes left", "overdue by 2 days 1 hour".</summary>
    public static string TimeLeft(TimeSpan left)
    {
        var span = left.Duration();
        string words;
        if (span.TotalDays >= 1) words = Join(Unit(span.Days, "day"), Unit(span.Hours, "hour"));
        else if (span.TotalHours >= 1) words = Join(Unit(span.Hours, "hour"), Unit(span.Minutes, "minute"));
        else words = Unit(Math.Max(span.Minutes, span.Seconds > 0 ? 1 : 0), "minute") is { Length: > 0 } m ? m : "less than a minute";
        return left < TimeSpan.Zero ? "overdue by " + words : words + " left";
    }

    /// <summary>An IMR decision on a disputed item, in words.</summary>
    public static string Decision(string? outcome) => outcome switch
    {
        "Upheld" => "Upheld: the denial stands; the treatment is not authorized",
        "Overturned" => "Overturned: the treatment is to be authorized",
        null or "" => "No decision yet",
        var other => other,
    };

    /// <summary>A case state in words ("AwaitingManualAssignment" → "Awaiting manual assignment").</summary>
    public static string Words(string value)
    {
        if (string.IsNullOrEmpty(value)) return value;
        var chars = new System.Text.StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            var ch = value[i];
            if (i > 0 && char.IsUpper(ch) && !char.IsUpper(value[i - 1])) chars.Append(' ').Append(char.ToLowerInvariant(ch));
            else chars.Append(ch);
        }

        return chars.ToString();
    }

    private static string Unit(int n, string unit) => n == 0 ? "" : $"{n.ToString(CultureInfo.InvariantCulture)} {unit}{(n == 1 ? "" : "s")}";

    private static string Join(params string[] parts) => string.Join(' ', parts.Where(p => p.Length > 0));
}
