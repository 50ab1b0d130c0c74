namespace Imr.Domain.Deadlines;

/// <summary>
/// California's judicial holidays (Code of Civil Procedure 135, Government Code 6700), the days on which a last day to
/// act is not counted (Code of Civil Procedure 12a: it moves to the next day that is not a weekend or holiday).
/// A holiday falling on a Sunday is kept on the Monday after it, one on a Saturday on the Friday before it.
/// </summary>
public static class CaliforniaHolidays
{
    public static IReadOnlySet<DateOnly> For(int year)
    {
        var days = new List<DateOnly>
        {
            new(year, 1, 1),
            Nth(year, 1, DayOfWeek.Monday, 3), // Martin Luther King Jr. Day
            new(year, 2, 12), // Lincoln Day
            Nth(year, 2, DayOfWeek.Monday, 3), // Washington's Birthday
            new(year, 3, 31), // Cesar Chavez Day
            Last(year, 5, DayOfWeek.Monday), // Memorial Day
            new(year, 7, 4),
            Nth(year, 9, DayOfWeek.Monday, 1), // Labor Day
            new(year, 11, 11), // Veterans Day
            Nth(year, 11, DayOfWeek.Thursday, 4), // Thanksgiving
            Nth(year, 11, DayOfWeek.Thursday, 4).AddDays(1),
            new(year, 12, 25),
        };
        if (year >= 2014) days.Add(Nth(year, 9, DayOfWeek.Friday, 4)); // Native American Day
        if (year >= 2022) days.Add(new(year, 6, 19)); // Juneteenth
        return days.Select(Observed).ToHashSet();
    }

    /// <summary>Whether a day is a California judicial holiday.</summary>
    public static bool IsHoliday(DateOnly day) => For(day.Year).Contains(day) || (day.Month == 12 && day.Day == 31 && For(day.Year + 1).Contains(day));

    private static DateOnly Observed(DateOnly d) => d.DayOfWeek switch
    {
        DayOfWeek.Sunday => d.AddDays(1),
        DayOfWeek.Saturday => d.AddDays(-1),
        _ => d,
    };

    private static DateOnly Nth(int year, int month, DayOfWeek day, int n)
    {
        var first = new DateOnly(year, month, 1);
        return first.AddDays(((int)day - (int)first.DayOfWeek + 7) % 7 + 7 * (n - 1));
    }

    private static DateOnly Last(int year, int month, DayOfWeek day)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return last.AddDays(-(((int)last.DayOfWeek - (int)day + 7) % 7));
    }
}
