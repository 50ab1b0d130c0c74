using Imr.Domain.Deadlines;
using Imr.Domain.Determinations;
using Imr.Domain.Figures;
using Imr.Functions.Web;

namespace Imr.Functions.UnitTests;

/// <summary>What the at-risk dashboard and the figures page print: Pacific time, time left in words, encoded package text.</summary>
public class StaffTextTests
{
    [Theory]
    [InlineData(3, 4, 0, "3 days 4 hours")]
    [InlineData(1, 0, 30, "1 day")]
    [InlineData(0, 5, 20, "5 hours 20 minutes")]
    [InlineData(0, 1, 0, "1 hour")]
    [InlineData(0, 0, 1, "1 minute")]
    [InlineData(0, 0, 0, "less than a minute")]
    [InlineData(-2, -1, 0, "overdue by 2 days 1 hour")]
    public void Time_left_is_said_in_words(int days, int hours, int minutes, string expected) =>
        Assert.Equal(expected, DeadlineText.TimeLeft(new TimeSpan(days, hours, minutes, 0)));

    [Fact]
    public void Times_are_shown_in_pacific_time_with_the_zone_of_the_day()
    {
        Assert.Equal("Mon 2 Mar 2026, 9:00 AM PST", DeadlineText.Pacific(new DateTimeOffset(2026, 3, 2, 17, 0, 0, TimeSpan.Zero)));
        Assert.Equal("Wed 1 Apr 2026, 9:00 AM PDT", DeadlineText.Pacific(new DateTimeOffset(2026, 4, 1, 16, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_category_from_a_package_is_encoded_in_the_table_and_in_the_chart()
    {
        var march = ReportingPeriod.Month(2026, 3, new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId).TimeZone);
        var letter = new IssuedLetterVersion(1, new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero), [new DecidedItem("X", "<script>alert(1)</script>", DecisionOutcome.Overturned)]);
        var figures = ProgramFigures.Compute(march, [new CaseHistory("A", [], [letter])]);

        var html = FiguresPage.Render(figures, "2026-03\"><script>").Content!;

        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("role=\"img\" aria-labelledby=\"chart-overturn-title chart-overturn-desc\"", html);
    }
}
