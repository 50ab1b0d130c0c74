using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Web.Staff;
using Imr.Functions.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Tests.Console;

/// <summary>
/// Mails to staff link to the console page that resolves them (Staff:ConsoleBaseUrl), never to a route: the overdue mail
/// (the orchestration's and the sweep's) to the case's section of the work queue, the needs-attention mail to the case
/// page, a quarantine notice addressed to the intake desk to the package's section of the desk. On Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConsoleMailLinkTests
{
    private static ServiceProvider Services(Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        configure?.Invoke(settings);
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System);
        services.AddImrApplication(TestEnvironment.Configuration(settings));
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task The_overdue_mail_links_to_the_cases_section_of_the_work_queue_at_the_configured_console_address()
    {
        await using var services = Services(s => s["Staff:ConsoleBaseUrl"] = "https://console.imr.example/");
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("L");
        var now = DateTimeOffset.UtcNow;
        await services.GetRequiredService<CaseStore>().AddOnceAsync(new CaseEntity { PartitionKey = caseNumber, Status = "InReview", ReceivedAt = now.AddDays(-30), CaseDueAt = now.AddHours(-1), ReviewerDueAt = now.AddDays(-2) });

        // The orchestration's own overdue step (the sweep shares the notification id: one mail).
        await ActivatorUtilities.CreateInstance<CaseActivities>(services).MarkOverdue(caseNumber);

        var mail = await TestEnvironment.OutboxTextOrNullAsync(caseNumber, Escalations.NotificationId(EscalationLevels.Overdue));
        Assert.NotNull(mail);
        Assert.Contains($"https://console.imr.example/api/staff/queue#case-{caseNumber}", mail);
        Assert.DoesNotContain("POST", mail);
        Assert.DoesNotContain("/api/manage/", mail);
    }

    [Fact]
    public async Task Other_escalations_link_to_the_case_page_and_by_default_the_console_is_the_apps_own_address()
    {
        await using var services = Services();
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("L");
        var escalations = services.GetRequiredService<Escalations>();

        Assert.True(await escalations.SendOnceAsync(caseNumber, "NeedsAttention-1", "needs attention", "Step X failed; correct the cause, then retry the case from its page in the staff console."));
        Assert.True(await escalations.SendOnceAsync(caseNumber, EscalationLevels.AtRisk, "at risk", "due soon"));

        // Callback:PublicBaseUrl is http://127.0.0.1:7071/api in the tests: the console is on the same scheme, host and port.
        Assert.EndsWith($"Act on it in the staff console: http://127.0.0.1:7071/api/staff/cases/{caseNumber}\n", await TestEnvironment.OutboxTextOrNullAsync(caseNumber, "escalation-NeedsAttention-1"));
        Assert.Contains($"http://127.0.0.1:7071/api/staff/cases/{caseNumber}", await TestEnvironment.OutboxTextOrNullAsync(caseNumber, "escalation-AtRisk"));
        Assert.DoesNotContain("POST", Imr.Domain.Eligibility.MedicalDirectorNotices.AttentionReason("S", "E", transient: false, 3));
    }

    [Fact]
    public async Task A_quarantine_notice_to_the_intake_desk_links_to_the_package_on_the_desk_and_one_to_a_submitter_does_not()
    {
        await using var services = Services();
        var storage = services.GetRequiredService<StorageClients>();
        await storage.EnsureCreatedAsync();
        var quarantine = new IntakeQuarantine(storage, new CaseFileBlobs(storage), services.GetRequiredService<IntakeStore>(), services.GetRequiredService<Outbox>(),
            services.GetRequiredService<ConsoleLinks>(), services.GetRequiredService<IOptions<IntakeOptions>>(), TimeProvider.System, NullLogger.Instance);
        var toDesk = TestEnvironment.NewCaseNumber("L");
        var toSubmitter = TestEnvironment.NewCaseNumber("L");

        await quarantine.QuarantineAsync(toDesk, [], "manifest", ["The manifest is not valid JSON."], submitter: null, CancellationToken.None);
        await quarantine.QuarantineAsync(toSubmitter, [], "manifest", ["The manifest is not valid JSON."], submitter: "submitter@example.org", CancellationToken.None);

        var rejection = Assert.Single(await services.GetRequiredService<IntakeStore>().RejectionsAsync(toDesk));
        Assert.Contains($"http://127.0.0.1:7071/api/staff/intake#rejection-{rejection.RowKey}", await TestEnvironment.OutboxTextOrNullAsync(toDesk, $"rejection-{rejection.RowKey}"));
        var other = Assert.Single(await services.GetRequiredService<IntakeStore>().RejectionsAsync(toSubmitter));
        Assert.DoesNotContain("/api/staff/", await TestEnvironment.OutboxTextOrNullAsync(toSubmitter, $"rejection-{other.RowKey}"));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://console.imr.example")]
    [InlineData("https://console.imr.example/?x=1")]
    public void A_console_address_that_is_not_an_http_address_stops_the_start(string value)
    {
        var problems = new StaffOptions { ConsoleBaseUrl = value }.Problems(runsInAppService: false).ToList();
        Assert.Contains(problems, p => p.StartsWith("Staff:ConsoleBaseUrl", StringComparison.Ordinal));
        Assert.Empty(new StaffOptions { ConsoleBaseUrl = "https://console.imr.example" }.Problems(runsInAppService: false));
    }
}
