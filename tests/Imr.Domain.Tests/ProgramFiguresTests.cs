using Imr.Domain.Deadlines;
using Imr.Domain.Determinations;
using Imr.Domain.Figures;

namespace Imr.Domain.Tests;

public class ProgramFiguresTests
{
    private static readonly TimeZoneInfo Pacific = new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId).TimeZone;
    private static readonly ReportingPeriod March = ReportingPeriod.Month(2026, 3, Pacific);

    // Noon UTC on a day of March 2026 (04:00 or 05:00 in Los Angeles: the same day).
    private static DateTimeOffset Mar(int day, int hour = 12) => new(2026, 3, day, hour, 0, 0, TimeSpan.Zero);

    private static TrailEvent E(DateTimeOffset at, string what, string details = "") => new(at, what, details);

    private static IssuedLetterVersion Letter(int version, DateTimeOffset at, params (string Category, DecisionOutcome Outcome)[] items) =>
        new(version, at, items.Select((x, i) => new DecidedItem($"I{i}", x.Category, x.Outcome)).ToList());

    [Fact]
    public void A_month_runs_midnight_to_midnight_pacific_time()
    {
        // March 2026 starts in PST (UTC-8) and ends in PDT (UTC-7): DST began on 8 March.
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), March.Start);
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 7, 0, 0, TimeSpan.Zero), March.End);
        Assert.Equal("March 2026", March.Name);
        Assert.Equal(March, ReportingPeriod.Parse("2026-03", Pacific));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero), ReportingPeriod.Parse("2026", Pacific)!.Start);
        Assert.Null(ReportingPeriod.Parse("2026-13", Pacific));
        Assert.Null(ReportingPeriod.Parse("<script>", Pacific));
        // 23:30 on 31 March in Los Angeles is in March; 00:30 on 1 April is not.
        Assert.True(March.Contains(new DateTimeOffset(2026, 3, 31, 23, 30, 0, TimeSpan.FromHours(-7))));
        Assert.False(March.Contains(new DateTimeOffset(2026, 4, 1, 0, 30, 0, TimeSpan.FromHours(-7))));
    }

    [Fact]
    public void Figures_are_computed_from_the_trails_and_letters_of_the_period()
    {
        CaseHistory[] cases =
        [
            // A: received, eligible, notice on 2 March, records complete 5 March, letter 12 March: 10 and 7 days; 2 items, 1 overturned.
            new("A", [E(Mar(1), "Received"), E(Mar(1), "Validated"), E(Mar(2), "Eligible"), E(Mar(2), "NoticeOfAssignmentSent"),
                      E(Mar(3), "AwaitingRecords"), E(Mar(4), "RecordsReceived", "mr-1.pdf"), E(Mar(5), "RecordsReceived", "all listed documents received")],
                [Letter(1, Mar(12), ("PhysicalTherapy", DecisionOutcome.Overturned), ("Pharmacy", DecisionOutcome.Upheld))]),
            // B: received and eligible, letter 20 March from a notice of 6 March (14 days) with records complete at the notice (14 days);
            //    its letter was corrected on 25 March: the corrected outcomes count (Overturned), and one correction is counted.
            new("B", [E(Mar(6), "Received"), E(Mar(6), "Eligible"), E(Mar(6), "NoticeOfAssignmentSent"), E(Mar(6), "RecordsReceived", "all listed documents present")],
                [Letter(1, Mar(20), ("Pharmacy", DecisionOutcome.Upheld)), Letter(2, Mar(25), ("Pharmacy", DecisionOutcome.Overturned))]),
            // C: a duplicate: received, not unique.
            new("C", [E(Mar(7), "Received"), E(Mar(7), "Ineligible", "Duplicate: the same worker, treatment and utilization review decision are already the subject of case A (open).")], []),
            // D: ineligible for another reason: unique, not eligible.
            new("D", [E(Mar(8), "Received"), E(Mar(8), "Ineligible", "Late: filed 40 days after service.")], []),
            // E: deferred, then resolved eligible by staff: its last decision counts.
            new("E", [E(Mar(9), "Received"), E(Mar(9), "Deferred", "liability disputed"), E(Mar(10), "Eligible", "Resolved by staff: liability accepted")], []),
            // F: received in February, letter on 2 March: a letter of March (notice 1 Feb: 29 days; records late 20 Feb: 10 days), not a receipt.
            new("F", [E(new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero), "Received"), E(new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero), "Eligible"),
                      E(new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero), "NoticeOfAssignmentSent"), E(new(2026, 2, 20, 12, 0, 0, TimeSpan.Zero), "RecordsLate")],
                [Letter(1, Mar(2), ("PhysicalTherapy", DecisionOutcome.Upheld))]),
            // G: received 1 April in Los Angeles (07:30 UTC is 00:30 PDT): not March.
            new("G", [E(new(2026, 4, 1, 7, 30, 0, TimeSpan.Zero), "Received")], []),
            // H: received 1 March 00:30 PST (08:30 UTC), still awaiting its screening: received and unique, not yet eligible.
            new("H", [E(new(2026, 3, 1, 8, 30, 0, TimeSpan.Zero), "Received")], []),
        ];

        var f = ProgramFigures.Compute(March, cases);

        Assert.Equal(6, f.ApplicationsReceived);          // A B C D E H
        Assert.Equal(1, f.Duplicates);                    // C
        Assert.Equal(5, f.UniqueApplications);
        Assert.Equal(3, f.EligibleApplications);          // A B E
        Assert.Equal(5.0 / 6, f.UniqueShare!.Value, 6);
        Assert.Equal(3.0 / 5, f.EligibleShare!.Value, 6);
        Assert.Equal(3, f.LettersIssued);                 // A B F
        Assert.Equal(1, f.CorrectionsIssued);             // B v2
        Assert.Equal((10 + 14 + 29) / 3.0, f.AverageDaysNoticeToLetter!.Value, 6);
        Assert.Equal((7 + 14 + 10) / 3.0, f.AverageDaysRecordsToLetter!.Value, 6);
        Assert.Equal(4, f.ItemsDecided);                  // A: 2, B: 1 (as corrected), F: 1
        Assert.Equal(2, f.ItemsOverturned);               // A PhysicalTherapy, B Pharmacy (corrected)
        Assert.Equal(0.5, f.OverturnRate);
        Assert.Equal(
            [new CategoryOverturns("Pharmacy", 2, 1), new CategoryOverturns("PhysicalTherapy", 2, 1)],
            f.ByCategory);
    }

    [Fact]
    public void A_correction_after_the_period_does_not_change_its_figures()
    {
        CaseHistory[] cases = [new("A", [E(Mar(1), "NoticeOfAssignmentSent")],
            [Letter(1, Mar(12), ("Pharmacy", DecisionOutcome.Upheld)), Letter(2, new(2026, 4, 10, 12, 0, 0, TimeSpan.Zero), ("Pharmacy", DecisionOutcome.Overturned))])];

        var f = ProgramFigures.Compute(March, cases);

        Assert.Equal((1, 0, 1, 0), (f.LettersIssued, f.CorrectionsIssued, f.ItemsDecided, f.ItemsOverturned));
        Assert.Equal(11, f.AverageDaysNoticeToLetter);
        Assert.Null(f.AverageDaysRecordsToLetter);
    }

    [Fact]
    public void An_empty_period_has_no_rates_rather_than_a_division_by_zero()
    {
        var f = ProgramFigures.Compute(March, []);

        Assert.Equal((0, 0, 0), (f.ApplicationsReceived, f.LettersIssued, f.ItemsDecided));
        Assert.Null(f.UniqueShare);
        Assert.Null(f.EligibleShare);
        Assert.Null(f.OverturnRate);
        Assert.Null(f.AverageDaysNoticeToLetter);
        Assert.Empty(f.ByCategory);
    }

    [Fact]
    public void The_csv_has_one_row_per_figure_and_category_and_defuses_formulas()
    {
        CaseHistory[] cases = [new("A", [E(Mar(1), "Received"), E(Mar(1), "Eligible")],
            [Letter(1, Mar(12), ("=HYPERLINK(\"x\")", DecisionOutcome.Overturned), ("Pharmacy", DecisionOutcome.Upheld))])];

        var csv = ProgramFigures.Compute(March, cases).ToCsv();
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("figure,category,value", lines[0]);
        Assert.Contains("period,,March 2026", lines);
        Assert.Contains("applications received,,1", lines);
        Assert.Contains("eligible share of unique,,1.0000", lines);
        Assert.Contains("overturn rate,,0.5000", lines);
        Assert.Contains("overturn rate,Pharmacy,0.0000", lines);
        Assert.Contains("overturn rate,\"'=HYPERLINK(\"\"x\"\")\",1.0000", lines);
        Assert.Contains("average days complete records to letter,,", lines); // no records on file: empty, not 0
    }
}
