namespace Imr.Domain.Deadlines;

/// <summary>
/// Counts periods in a program's time zone (California: America/Los_Angeles) so a "day" is a local calendar day,
/// correct across daylight-saving changes, and working days skip weekends and the configured holidays.
/// </summary>
public sealed class ReviewCalendar
{
    public const string CaliforniaTimeZoneId = "America/Los_Angeles";

    public ReviewCalendar(string timeZoneId, IEnumerable<DateOnly>? holidays = null)
    {
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        Holidays = (holidays ?? []).ToHashSet();
    }

    public TimeZoneInfo TimeZone { get; }
    public IReadOnlySet<DateOnly> Holidays { get; }

    public bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !Holidays.Contains(day);

    /// <summary>The instant <paramref name="span"/> after <paramref name="start"/>.</summary>
    public DateTimeOffset Add(DateTimeOffset start, DeadlineSpan span) => span.Unit switch
    {
        DeadlineUnit.Hours => start.AddHours(span.Amount),
        DeadlineUnit.CalendarDays => AtLocal(LocalDay(start).AddDays(span.Amount), LocalTime(start)),
        _ => AtLocal(AddWorkingDays(LocalDay(start), span.Amount), LocalTime(start)),
    };

    /// <summary>The instant <paramref name="span"/> before <paramref name="end"/> (working days counted backwards).</summary>
    public DateTimeOffset Subtract(DateTimeOffset end, DeadlineSpan span) => span.Unit switch
    {
        DeadlineUnit.Hours => end.AddHours(-span.Amount),
        DeadlineUnit.CalendarDays => AtLocal(LocalDay(end).AddDays(-span.Amount), LocalTime(end)),
        _ => AtLocal(AddWorkingDays(LocalDay(end), -span.Amount), LocalTime(end)),
    };

    public DateOnly LocalDay(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime);

    private TimeOnly LocalTime(DateTimeOffset instant) => TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime);

    private DateOnly AddWorkingDays(DateOnly day, int n)
    {
        var step = n >= 0 ? 1 : -1;
        for (var left = Math.Abs(n); left > 0;)
        {
            day = day.AddDays(step);
            if (IsWorkingDay(day)) left--;
        }

        return day;
    }

    /// <summary>
    /// A local wall-clock time as an instant. A time that does not exist (the spring-forward hour) moves forward by the
    /// gap; an ambiguous time (the fall-back hour) takes the earlier, daylight-time instant, so a deadline never grows.
    /// </summary>
    private DateTimeOffset AtLocal(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (TimeZone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        var offset = TimeZone.IsAmbiguousTime(local) ? TimeZone.GetAmbiguousTimeOffsets(local).Max() : TimeZone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
