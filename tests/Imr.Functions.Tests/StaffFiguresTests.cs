using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Figures;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Imr.Functions.Tests;

/// <summary>The program figures and the at-risk dashboard read from real storage (Azurite): the audit trail, the letter register, the case rows.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffFiguresTests
{
    private static readonly TimeZoneInfo Pacific = new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId).TimeZone;

    private static ServiceProvider Services(TimeProvider clock)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(clock);
        services.AddImrApplication(TestEnvironment.Configuration(TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071)));
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task The_figures_of_a_month_count_receipts_letters_days_and_overturns_from_the_trail_and_the_register()
    {
        // A month no other test writes in: the figures scan every case of the period.
        var year = 2000 + Random.Shared.Next(10, 60);
        var period = ReportingPeriod.Month(year, 5, Pacific);
        DateTimeOffset May(int day) => new(year, 5, day, 18, 0, 0, TimeSpan.Zero); // 11:00 PDT
        await using var services = Services(new FakeTimeProvider(May(31)));
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var audit = services.GetRequiredService<AuditLog>();
        var cases = services.GetRequiredService<CaseStore>();
        var letters = services.GetRequiredService<LetterRegister>();

        // Decided: received 1 May, eligible, notice 2 May, records complete 4 May, letter 12 May (10 and 8 days); its item (PhysicalTherapy) overturned.
        var decided = TestEnvironment.NewCaseNumber("F");
        var manifest = await TestEnvironment.StoreAcceptedSampleCaseAsync(decided, withDocuments: false);
        await cases.AddOnceAsync(new CaseEntity { PartitionKey = decided, ManifestBlobName = manifest, Status = nameof(CaseStatus.Closed) });
        await audit.AppendAsync(decided, May(1), "Received", "package received in intake");
        await audit.AppendAsync(decided, May(2), "Eligible");
        await audit.AppendAsync(decided, May(2).AddTicks(3), "NoticeOfAssignmentSent", "to the claims administrator");
        await audit.AppendAsync(decided, May(4), "RecordsReceived", "all listed documents received");
        await letters.AddOnceAsync(new LetterRecord { PartitionKey = decided, RowKey = LetterRecord.RowKeyOf(1), Version = 1, IssuedAt = May(12), Outcomes = "PT-LUMBAR-12=Overturned" });
        // A duplicate received 3 May, and an application received on 1 June (Pacific): not May's.
        var duplicate = TestEnvironment.NewCaseNumber("F");
        await audit.AppendAsync(duplicate, May(3), "Received");
        await audit.AppendAsync(duplicate, May(3), "Ineligible", $"Duplicate: the same worker, treatment and utilization review decision are already the subject of case {decided} (open).");
        await audit.AppendAsync(TestEnvironment.NewCaseNumber("F"), new DateTimeOffset(year, 6, 1, 7, 30, 0, TimeSpan.Zero), "Received");

        var f = await services.GetRequiredService<FiguresReport>().BuildAsync(period);

        Assert.Equal((2, 1, 1, 1), (f.ApplicationsReceived, f.Duplicates, f.UniqueApplications, f.EligibleApplications));
        Assert.Equal(1, f.LettersIssued);
        Assert.Equal(10, f.AverageDaysNoticeToLetter!.Value, 3);
        Assert.Equal(8, f.AverageDaysRecordsToLetter!.Value, 3);
        Assert.Equal([new CategoryOverturns("PhysicalTherapy", 1, 1)], f.ByCategory); // the category comes from the case record
        Assert.Equal(1.0, f.OverturnRate);

        var page = FiguresPage.Render(f, $"{year}-05").Content!;
        Assert.Contains("<title id=\"chart-overturn-title\">", page);
        Assert.Contains("<th scope=\"row\">PhysicalTherapy</th><td>1</td><td>1</td><td>100.0 %</td>", page);
        Assert.Contains("applications received,,2", f.ToCsv());
    }

    [Fact]
    public async Task The_dashboard_counts_open_cases_by_state_and_lists_a_case_still_in_intake_with_its_records_due_date()
    {
        var now = DateTimeOffset.UtcNow;
        await using var services = Services(new FakeTimeProvider(now));
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var cases = services.GetRequiredService<CaseStore>();
        var inIntake = TestEnvironment.NewCaseNumber("Q");
        await cases.AddOnceAsync(new CaseEntity { PartitionKey = inIntake }); // Received, no review clock yet
        await services.GetRequiredService<IntakeStore>().AddOnceAsync(new IntakeEntity { PartitionKey = inIntake, Stage = IntakeStages.AwaitingRecords, ReceivedAt = now.AddDays(-2), RecordsDueAt = now.AddDays(1).AddHours(4) });
        var inReview = TestEnvironment.NewCaseNumber("Q");
        await cases.AddOnceAsync(new CaseEntity { PartitionKey = inReview, Status = nameof(CaseStatus.InReview), ReceivedAt = now, CaseDueAt = now.AddDays(20) });

        var report = await services.GetRequiredService<AtRiskReport>().BuildAsync();

        Assert.True(report.ByState.Single(s => s.State == CaseStatus.Received).Count >= 1);
        Assert.True(report.ByState.Single(s => s.State == CaseStatus.InReview).Count >= 1);
        Assert.DoesNotContain(report.ByState, s => s.State == CaseStatus.Closed);
        var listed = Assert.Single(report.InIntake, c => c.CaseNumber == inIntake);
        Assert.True(listed.AtRisk); // records due in 1 day 4 hours: within the 3-day window
        Assert.DoesNotContain(report.InIntake, c => c.CaseNumber == inReview);
        var html = AtRiskPage.Render(report).Content!;
        Assert.Contains($"<a href=\"/api/staff/cases/{inIntake}\">{inIntake}</a>", html);
        Assert.Contains("Awaiting medical records", html);
        Assert.Contains("(1 day 4 hours)", html);
        Assert.Contains("Open cases by state", html);
    }
}
