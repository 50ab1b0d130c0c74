using System.Net;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>
/// The medical director reassigns an overdue case from the work queue, in a real browser (Chromium, JavaScript off)
/// against the local runtime on Azurite: the overdue mail links to the case's section of the queue, a CaseViewer has no
/// form and a forged post is refused, the director's choice withdraws the late reviewer and gives the case to the chosen
/// one (who closes it), a second post of the same form changes nothing, the audit names who; axe-core finds nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffOverdueReassignBrowserTests : IAsyncLifetime
{
    private StaffConsoleSession _staff = null!;

    private RuntimeHarness App => _staff.App;

    public async Task InitializeAsync() => _staff = await StaffConsoleSession.StartAsync(configure: s =>
    {
        // A day lasts 0.2 s: the case is due ~6 s after its records are in; the reviewer is due with it (no reviewer
        // lead, so no automatic reassignment) and the offer never times out.
        s["Imr:TimeScale"] = "432000";
        s["Imr:AcceptanceWindow"] = "10000.00:00:00";
        s["Imr:ReviewerLead"] = "0 days";
    });

    public async Task DisposeAsync() => await _staff.DisposeAsync();

    private Task<IPage> SignInAsync(string id, string name, string role, bool javaScript = false) =>
        _staff.SignInAsync(id, name, role, "/api/staff/queue", javaScript);

    [Fact]
    public async Task The_medical_director_reassigns_an_overdue_case_once_and_a_case_viewer_cannot()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("R");
        var first = $"{caseNumber}-A1";
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await App.LinkAsync(caseNumber, $"{first}-offer");
        var (_, accepted) = await App.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await TestEnvironment.EventuallyAsync(async () => (await App.Cases.GetAsync(caseNumber))?.Status == "Overdue" ? "yes" : null, TimeSpan.FromSeconds(60), "the case overdue");

        // The overdue mail links to the case's section of the work queue.
        var mail = await TestEnvironment.OutboxTextAsync(caseNumber, Escalations.NotificationId(EscalationLevels.Overdue), TimeSpan.FromSeconds(30));
        Assert.Contains($"{App.Runtime.BaseAddress.GetLeftPart(UriPartial.Authority)}/api/staff/queue#case-{caseNumber}", mail);

        // A CaseViewer sees the overdue case and the candidates, has no form, and a forged post is refused and changes nothing.
        var action = $"/api/staff/queue/{caseNumber}/reassign/{first}";
        var viewer = await SignInAsync("viewer-r", "Vic Viewer", "CaseViewer");
        var viewerSection = await viewer.Locator($"[id='case-{caseNumber}']").InnerTextAsync();
        Assert.Contains("rev-003", viewerSection);
        Assert.Equal(0, await viewer.Locator($"form[action='{action}']").CountAsync());
        var forged = await viewer.APIRequest.PostAsync(new Uri(App.Runtime.BaseAddress, action).ToString(),
            new() { Form = viewer.APIRequest.CreateFormData().Set("reviewerId", "rev-003").Set("csrf", "x") });
        Assert.Equal((int)HttpStatusCode.Forbidden, forged.Status);
        Assert.Equal((first, "rev-002"), ((await App.Cases.GetAsync(caseNumber))!.CurrentAssignmentId, (await App.Cases.GetAsync(caseNumber))!.CurrentReviewerId));

        // The medical director: the late reviewer is no candidate, a blocked one has no radio; rev-003 is chosen.
        var director = await SignInAsync("md-r", "Dana Director", "MedicalDirector");
        var form = director.Locator($"form[action='{action}']");
        Assert.Equal(0, await form.Locator("input[value='rev-002']").CountAsync());
        Assert.Equal(0, await form.Locator("input[value='rev-001']").CountAsync());
        var csrf = await form.Locator("input[name='csrf']").GetAttributeAsync("value");
        await form.Locator("input[value='rev-003']").CheckAsync();
        await form.GetByRole(AriaRole.Button).ClickAsync();
        Assert.Contains($"Case {caseNumber} reassigned", await director.Locator("[role=status]").First.InnerTextAsync());

        var second = $"{caseNumber}-A2";
        await TestEnvironment.EventuallyAsync(async () => (await App.Cases.GetAsync(caseNumber))?.CurrentAssignmentId == second ? "yes" : null, TimeSpan.FromSeconds(30), "the reassignment");
        var row = (await App.Cases.GetAsync(caseNumber))!;
        Assert.Equal(("Overdue", "rev-003"), (row.Status, row.CurrentReviewerId)); // still past its due date
        var withdrawn = (await App.Cases.GetAssignmentAsync(caseNumber, first))!;
        Assert.Equal("Withdrawn", withdrawn.Status);
        Assert.Contains("reassigned by Dana Director (md-r)", withdrawn.EndedReason);

        // The same form posted again (a double click, a second tab): nothing changes a second time.
        var again = await director.APIRequest.PostAsync(new Uri(App.Runtime.BaseAddress, action).ToString(),
            new() { Form = director.APIRequest.CreateFormData().Set("reviewerId", "rev-004").Set("csrf", csrf!) });
        Assert.Equal(200, again.Status);
        Assert.Contains("reassigned already", await again.TextAsync());
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(2, (await App.Cases.ListAssignmentsAsync(caseNumber)).Count);
        Assert.Equal((second, "rev-003"), ((await App.Cases.GetAsync(caseNumber))!.CurrentAssignmentId, (await App.Cases.GetAsync(caseNumber))!.CurrentReviewerId));
        var trail = await App.Runtime.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber);
        Assert.Single(trail, r => r.What == "Reassignment requested" && r.Details.Contains("by Dana Director (md-r)"));
        Assert.Contains(trail, r => r.What == "Assigned by hand" && r.Details.Contains($"assignment {second} to reviewer rev-003 by Dana Director (md-r)"));

        // The new reviewer has the case at once (no offer to accept) and closes it.
        var determination = await App.LinkAsync(caseNumber, $"{second}-determination");
        var (_, submitted) = await App.Driver.FollowAndSubmitAsync(determination, SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination)));
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        await App.Driver.WaitForStatusAsync(App.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_queue_with_an_overdue_case_and_its_reassignment_form_has_no_accessibility_violations()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("R");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var (_, accepted) = await App.Driver.FollowAndSubmitAsync(await App.LinkAsync(caseNumber, $"{caseNumber}-A1-offer"), new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await TestEnvironment.EventuallyAsync(async () => (await App.Cases.GetAsync(caseNumber))?.Status == "Overdue" ? "yes" : null, TimeSpan.FromSeconds(60), "the case overdue");

        var page = await SignInAsync("md-a", "Dana Director", "MedicalDirector", javaScript: true);
        Assert.Equal(1, await page.Locator($"form[action='/api/staff/queue/{caseNumber}/reassign/{caseNumber}-A1']").CountAsync());
        await ChromiumBrowser.AssertNoAxeViolationsAsync(page);
    }
}
