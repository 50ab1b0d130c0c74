using Azure.Data.Tables;
using Imr.Domain.Deadlines;
using Imr.Domain.Figures;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Imr.Functions.Tests.Console;

/// <summary>
/// The program figures count intake rows written in the audit table's old schema (Event, Detail, At) like the rows of
/// today's (What, Details, At): the audit adapter maps both, for the period's scan and for each case's trail. On Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FiguresOldAuditRowsTests
{
    [Fact]
    public async Task Applications_received_before_the_trail_had_one_schema_are_counted()
    {
        var year = 2000 + Random.Shared.Next(30, 60); // a future month: no other test writes in it (StaffFiguresTests uses May)
        var pacific = new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId).TimeZone;
        var period = ReportingPeriod.Month(year, 3, pacific);
        DateTimeOffset March(int day) => new(year, 3, day, 18, 0, 0, TimeSpan.Zero);
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(new FakeTimeProvider(March(31)));
        services.AddImrApplication(TestEnvironment.Configuration(TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071)));
        await using var provider = services.BuildServiceProvider();
        var storage = provider.GetRequiredService<StorageClients>();
        await storage.EnsureCreatedAsync();

        // An application written by the old intake (Event/Detail), another of today's schema, both received and eligible in March.
        var old = TestEnvironment.NewCaseNumber("O");
        var table = storage.Table(StorageNames.AuditTable);
        foreach (var (at, name, detail) in new[] { (March(2), "Received", "package received in intake"), (March(3), "Eligible", (string?)null) })
        {
            await table.AddEntityAsync(new TableEntity(old, $"{at.UtcTicks:D19}-{name}") { ["Event"] = name, ["At"] = at, ["Detail"] = detail });
        }

        var current = TestEnvironment.NewCaseNumber("O");
        var audit = provider.GetRequiredService<AuditLog>();
        await audit.AppendAsync(current, March(5), "Received", "package received in intake");
        await audit.AppendAsync(current, March(6), "Eligible");

        var figures = await provider.GetRequiredService<FiguresReport>().BuildAsync(period);

        Assert.Equal((2, 2), (figures.ApplicationsReceived, figures.EligibleApplications));
        Assert.Contains(await audit.ForCaseAsync(old), r => r.What == "Received" && r.Details == "package received in intake" && r.At == March(2));
    }
}
