using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Domain.Deadlines;

namespace Imr.Domain.Tests;

/// <summary>One app, several programs: each case's program selects its policy; settings override or add parameters.</summary>
public class DeadlineProgramsTests
{
    // 09:00 in Los Angeles (PST) on Monday 2 March 2026.
    private static readonly DateTimeOffset Received = new(2026, 3, 2, 17, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Pacific(int y, int m, int d, int h, int offsetHours) => new DateTimeOffset(y, m, d, h, 0, 0, TimeSpan.FromHours(offsetHours)).ToUniversalTime();

    [Fact]
    public void Without_settings_each_program_gets_its_built_in_policy()
    {
        var programs = new DeadlinePrograms();

        Assert.Equal(Pacific(2026, 4, 1, 9, -7), programs.For(ReviewProgram.CaliforniaWorkersCompensation).For(Received, expedited: false).CaseDueAt); // 30 local days
        Assert.Equal(Pacific(2026, 4, 16, 9, -7), programs.For(ReviewProgram.AcaExternalReview).For(Received, expedited: false).CaseDueAt);        // 45 local days
        Assert.Equal(Received.AddHours(72), programs.For(ReviewProgram.AcaExternalReview).For(Received, expedited: true).CaseDueAt);
        Assert.Equal(Pacific(2026, 3, 5, 9, -8), programs.For(ReviewProgram.CaliforniaWorkersCompensation).For(Received, expedited: true).CaseDueAt); // 3 local days
    }

    [Fact]
    public void Every_program_of_the_case_package_has_a_policy_and_is_listed_in_the_schema()
    {
        var programs = new DeadlinePrograms();
        using var schema = JsonDocument.Parse(CasePackageSchema.Text());
        var listed = schema.RootElement.GetProperty("properties").GetProperty("program").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToList();

        foreach (var program in Enum.GetValues<ReviewProgram>())
        {
            Assert.Equal(program.ToString(), programs.For(program).Program);
            Assert.Contains(program.ToString(), listed);
        }

        Assert.Equal(Enum.GetNames<ReviewProgram>().Length, listed.Count);
    }

    [Fact]
    public void Program_settings_override_app_wide_settings_which_override_the_built_ins_and_holidays_add_up()
    {
        var programs = new DeadlinePrograms(
            new Dictionary<string, DeadlinePolicySettings>
            {
                ["acaexternalreview"] = new(StandardReview: "40 days", Reminders: "25%", Holidays: [new DateOnly(2026, 4, 10)]),
            },
            appWide: new DeadlinePolicySettings(ReviewerLead: "1 business days", Holidays: [new DateOnly(2026, 4, 13)]),
            acceptanceWindow: TimeSpan.FromHours(12),
            timeScale: 2);

        var aca = programs.For(ReviewProgram.AcaExternalReview);
        var california = programs.For(ReviewProgram.CaliforniaWorkersCompensation);

        Assert.Equal(DeadlineSpan.CalendarDays(40), aca.StandardReview);              // program setting
        Assert.Equal(DeadlineSpan.Hours(72), aca.ExpeditedReview);                    // built-in
        Assert.Equal(DeadlineSpan.BusinessDays(1), aca.ReviewerLead);                 // app-wide over the built-in 5 business days
        Assert.Equal(["25pct"], aca.Reminders.Select(r => r.Name));
        Assert.Equal([new DateOnly(2026, 4, 13), new DateOnly(2026, 4, 10)], aca.Holidays);
        Assert.Equal(DeadlineSpan.CalendarDays(30), california.StandardReview);      // the other program keeps its own period
        Assert.Equal(DeadlineSpan.BusinessDays(1), california.ReviewerLead);
        Assert.Equal([new DateOnly(2026, 4, 13)], california.Holidays);
        Assert.Equal((TimeSpan.FromHours(12), 2d), (aca.AcceptanceWindow, aca.TimeScale)); // shared by every program
        Assert.Equal((TimeSpan.FromHours(12), 2d), (california.AcceptanceWindow, california.TimeScale));
        // 40 local days from 2 March is Saturday 11 April; one working day back skips Friday 10 April (the ACA holiday): Thursday 9 April.
        Assert.Equal(Pacific(2026, 4, 9, 9, -7), new DeadlinePrograms(
            new Dictionary<string, DeadlinePolicySettings> { ["AcaExternalReview"] = new(StandardReview: "40 days", Holidays: [new DateOnly(2026, 4, 10)]) },
            new DeadlinePolicySettings(ReviewerLead: "1 business days")).For(ReviewProgram.AcaExternalReview).For(Received, false).ReviewerDueAt);
    }

    [Fact]
    public void A_program_that_is_not_built_in_is_configuration_and_needs_its_periods()
    {
        var programs = new DeadlinePrograms(new Dictionary<string, DeadlinePolicySettings>
        {
            ["MedicareAppeal"] = new(StandardReview: "60 days", ExpeditedReview: "72 hours", TimeZone: "America/New_York"),
        });

        var medicare = programs.For("medicareappeal");

        Assert.Equal("MedicareAppeal", medicare.Program);
        Assert.Equal((DeadlineSpan.CalendarDays(60), "America/New_York"), (medicare.StandardReview, medicare.TimeZoneId));
        Assert.Contains("StandardReview", Assert.Throws<InvalidOperationException>(() => new DeadlinePrograms(new Dictionary<string, DeadlinePolicySettings> { ["Other"] = new(ReviewerLead: "1 days") })).Message);
        Assert.Contains("not configured", Assert.Throws<InvalidOperationException>(() => programs.For("Unknown")).Message);
    }
}
