using System.Net;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>
/// The medical director's work queue, the at-risk dashboard and the figures in a real browser (Chromium) against the
/// local runtime on Azurite, signed in with the development sign-in: a case nobody accepts is escalated, a CaseViewer
/// sees it but cannot assign, the medical director assigns it with one form post, the audit names who; axe-core finds
/// no accessibility violation on these pages.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffQueueBrowserTests : IAsyncLifetime
{
    private StaffConsoleSession _staff = null!;

    public async Task InitializeAsync() => _staff = await StaffConsoleSession.StartAsync(configure: s =>
    {
        s["Imr:AcceptanceWindow"] = "00:00:01"; // one round, not accepted within 1 s: escalated for a manual assignment
        s["Imr:MaxOfferRounds"] = "1";
    });

    public async Task DisposeAsync() => await _staff.DisposeAsync();

    private Task<IPage> SignInAsync(string id, string name, string role, bool javaScript = false) =>
        _staff.SignInAsync(id, name, role, "/api/staff/queue", javaScript);

    [Fact]
    public async Task A_case_viewer_sees_the_queue_but_cannot_assign_and_the_medical_director_assigns_with_one_form_post()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("W");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        await TestEnvironment.EventuallyAsync(async () => (await _staff.App.Cases.GetAsync(caseNumber))?.Status == "AwaitingManualAssignment" ? "yes" : null, TimeSpan.FromSeconds(60), "the escalation");

        // The escalation mail links to the work queue (no route to POST to, no key).
        var mail = await TestEnvironment.EventuallyAsync(async () =>
        {
            var blob = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, "escalation-MedicalDirector"));
            return (await blob.ExistsAsync()).Value ? Outbox.Read((await blob.DownloadContentAsync()).Value.Content).TextBody : null;
        }, TimeSpan.FromSeconds(30), "the escalation mail");
        Assert.Contains("/api/staff/queue", mail);
        Assert.DoesNotContain("POST", mail);

        // A CaseViewer reads the queue with every verdict, has no form, and a forged post is refused (403) and changes nothing.
        var viewer = await SignInAsync("viewer-1", "Vic Viewer", "CaseViewer");
        Assert.EndsWith("/api/staff/queue", viewer.Url);
        var viewerText = await viewer.Locator("main").InnerTextAsync();
        Assert.Contains($"Case {caseNumber}", viewerText);
        Assert.Contains("rev-001", viewerText);
        Assert.Contains("Cannot be assigned", viewerText); // rev-001 is tied to the claims administrator
        Assert.Equal(0, await viewer.Locator($"form[action='/api/staff/queue/{caseNumber}/assign']").CountAsync());
        var forged = await viewer.APIRequest.PostAsync(new Uri(_staff.App.Runtime.BaseAddress, $"/api/staff/queue/{caseNumber}/assign").ToString(),
            new() { Form = viewer.APIRequest.CreateFormData().Set("reviewerId", "rev-002").Set("csrf", "x") });
        Assert.Equal((int)HttpStatusCode.Forbidden, forged.Status);
        Assert.Equal(2, (await _staff.App.Cases.GetAsync(caseNumber))!.ManualAssignmentRound);
        Assert.Equal("AwaitingManualAssignment", (await _staff.App.Cases.GetAsync(caseNumber))!.Status);

        // The medical director chooses rev-002 and assigns: the page says so, the offer goes out, the audit names who.
        var director = await SignInAsync("md-1", "Dana Director", "MedicalDirector");
        var form = director.Locator($"form[action='/api/staff/queue/{caseNumber}/assign']");
        Assert.Equal(0, await form.Locator("input[value='rev-001']").CountAsync()); // a blocked reviewer has no radio
        // The README's picture of the work queue: written only when asked (IMR_SCREENSHOT_DIR), never by the suite.
        if (Environment.GetEnvironmentVariable("IMR_SCREENSHOT_DIR") is { Length: > 0 } shots)
        {
            await director.ScreenshotAsync(new() { Path = Path.Combine(shots, "work-queue.png"), FullPage = true });
        }
        await form.Locator("input[value='rev-002']").CheckAsync();
        await form.GetByRole(AriaRole.Button).ClickAsync();
        Assert.Contains($"Case {caseNumber} assigned", await director.Locator("[role=status]").First.InnerTextAsync());
        await _staff.App.LinkAsync(caseNumber, $"{caseNumber}-A2-determination");
        var entity = (await _staff.App.Cases.GetAsync(caseNumber))!;
        Assert.Equal(("InReview", "rev-002"), (entity.Status, entity.CurrentReviewerId));
        var trail = await _staff.App.Runtime.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber);
        Assert.Contains(trail, r => r.What == "Assigned by hand" && r.Details.Contains("by Dana Director (md-1)"));
        await director.ReloadAsync();
        Assert.Equal(0, await director.Locator($"form[action='/api/staff/queue/{caseNumber}/assign']").CountAsync()); // left the queue
    }

    [Fact]
    public async Task The_queue_the_at_risk_dashboard_and_the_figures_have_no_accessibility_violations_and_need_a_sign_in()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("W");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        await TestEnvironment.EventuallyAsync(async () => (await _staff.App.Cases.GetAsync(caseNumber))?.Status == "AwaitingManualAssignment" ? "yes" : null, TimeSpan.FromSeconds(60), "the escalation");

        using (var anonymous = new HttpClient { BaseAddress = _staff.App.Runtime.BaseAddress })
        {
            foreach (var path in new[] { "/api/staff/queue", "/api/staff/at-risk", "/api/staff/figures", "/api/staff/figures.csv" })
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
            }
        }

        var page = await SignInAsync("md-2", "Dana Director", "MedicalDirector", javaScript: true);
        await ChromiumBrowser.AssertNoAxeViolationsAsync(page); // the work queue, with a case and its candidate table and form

        await page.GotoAsync(new Uri(_staff.App.Runtime.BaseAddress, "/api/staff/at-risk").ToString());
        Assert.Contains("Open cases by state", await page.Locator("main").InnerTextAsync());
        Assert.Equal(1, await page.Locator($"main a[href='/api/staff/cases/{caseNumber}']").CountAsync());
        Assert.Equal("no-store", (await page.ReloadAsync())!.Headers["cache-control"]);
        await ChromiumBrowser.AssertNoAxeViolationsAsync(page);

        await page.GotoAsync(new Uri(_staff.App.Runtime.BaseAddress, "/api/staff/figures").ToString());
        Assert.Contains("Applications received", await page.Locator("main").InnerTextAsync());
        await ChromiumBrowser.AssertNoAxeViolationsAsync(page);
        var csv = await page.APIRequest.GetAsync(new Uri(_staff.App.Runtime.BaseAddress, "/api/staff/figures.csv?period=2026").ToString());
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("figure,category,value", await csv.TextAsync());

        await page.GotoAsync(new Uri(_staff.App.Runtime.BaseAddress, "/api/staff/figures?period=bad").ToString());
        Assert.StartsWith("Error:", await page.TitleAsync());
        await ChromiumBrowser.AssertNoAxeViolationsAsync(page);
    }
}
