using System.Net;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>
/// The intake desk in a real browser (Chromium) against the local runtime on Azurite, signed in with the development
/// sign-in: a quarantined package appears with its reasons and files (package text stays text), a CaseViewer reads it but
/// has no form and a forged post is refused and changes nothing, the intake desk marks it handled and resolves a deferred
/// case's eligibility question with a form, the audit naming who;
/// axe-core finds no accessibility violation.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffIntakeDeskBrowserTests : IAsyncLifetime
{
    private StaffConsoleSession _staff = null!;

    public async Task InitializeAsync() => _staff = await StaffConsoleSession.StartAsync();

    public async Task DisposeAsync() => await _staff.DisposeAsync();

    private Task<IPage> SignInAsync(string id, string name, string role, bool javaScript = false) =>
        _staff.SignInAsync(id, name, role, "/api/staff/intake", javaScript);

    [Fact]
    public async Task A_case_viewer_reads_the_desk_but_cannot_act_and_the_intake_desk_marks_a_package_handled_and_resolves_eligibility()
    {
        // A liability dispute: screening defers it, an eligibility question for the desk (it takes a moment: set going first).
        var deferredCase = TestEnvironment.NewCaseNumber("E");
        await TestEnvironment.UploadSampleCaseAsync(deferredCase, TestEnvironment.SampleManifest(deferredCase, m => m["disputeType"] = "Liability"));

        // A package rejected at intake, as IntakeQuarantine records it: a row with the files kept and the reasons (one carries markup).
        var caseNumber = TestEnvironment.NewCaseNumber("Q");
        var rejectionId = $"{DateTimeOffset.UtcNow.UtcTicks:D19}-{Guid.NewGuid():N}"[..30];
        var store = _staff.App.Runtime.Services.GetRequiredService<IntakeStore>();
        await store.AddRejectionAsync(new RejectionEntity
        {
            PartitionKey = caseNumber,
            RowKey = rejectionId,
            Kind = "InvalidPackage",
            RejectedAt = DateTimeOffset.UtcNow.AddHours(-2),
            QuarantinedBlobs = IntakeStore.Json(new[] { $"{caseNumber}/manifest.json", $"{caseNumber}/<b>records</b>.pdf" }),
            Reasons = IntakeStore.Json(new[] { "The manifest names no disputed item.", "Worker name <script>alert(1)</script> is not readable." }),
            ReasonCount = 2,
        });
        var form = $"form[action='/api/staff/intake/{caseNumber}/{rejectionId}/handled']";

        using (var anonymous = new HttpClient { BaseAddress = _staff.App.Runtime.BaseAddress })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/staff/intake")).StatusCode);
        }

        // A CaseViewer reads the package, its reasons and files, as text; no form; a forged post is refused and changes nothing.
        var viewer = await SignInAsync("viewer-9", "Vic Viewer", "CaseViewer");
        Assert.EndsWith("/api/staff/intake", viewer.Url);
        var text = await viewer.Locator("main").InnerTextAsync();
        Assert.Contains($"Package for case {caseNumber}", text);
        Assert.Contains("The manifest names no disputed item.", text);
        Assert.Contains("Worker name <script>alert(1)</script> is not readable.", text); // shown as text, not run
        Assert.Contains($"{caseNumber}/<b>records</b>.pdf", text);
        Assert.Equal(0, await viewer.Locator("main script, main b").CountAsync());
        Assert.Equal(0, await viewer.Locator(form).CountAsync());
        var forged = await viewer.APIRequest.PostAsync(new Uri(_staff.App.Runtime.BaseAddress, $"/api/staff/intake/{caseNumber}/{rejectionId}/handled").ToString(),
            new() { Form = viewer.APIRequest.CreateFormData().Set("csrf", "x") });
        Assert.Equal((int)HttpStatusCode.Forbidden, forged.Status);
        var audit = _staff.App.Runtime.Services.GetRequiredService<AuditLog>();
        Assert.Null(await audit.DetailsOfAsync(caseNumber, IntakeDesk.HandledStepId(rejectionId)));

        var intake = _staff.App.Runtime.Services.GetRequiredService<IntakeStore>();
        await TestEnvironment.EventuallyAsync(async () => (await intake.GetAsync(deferredCase))?.Stage == "Deferred" ? "yes" : null, TimeSpan.FromSeconds(60), "deferred");
        var question = $"form[action='/api/staff/intake/cases/{deferredCase}/eligibility']";
        await viewer.ReloadAsync();
        Assert.Contains("the claims administrator disputes liability", await viewer.Locator($"[id='case-{deferredCase}']").InnerTextAsync());
        Assert.Equal(0, await viewer.Locator(question).CountAsync());
        var forgedResolution = await viewer.APIRequest.PostAsync(new Uri(_staff.App.Runtime.BaseAddress, $"/api/staff/intake/cases/{deferredCase}/eligibility").ToString(),
            new() { Form = viewer.APIRequest.CreateFormData().Set("outcome", "Ineligible").Set("reason", "forged").Set("csrf", "x") });
        Assert.Equal((int)HttpStatusCode.Forbidden, forgedResolution.Status);
        Assert.Equal("Deferred", (await intake.GetAsync(deferredCase))!.Stage);

        // The intake desk marks it handled: the page says so, the audit names who, the package leaves the open list.
        var desk = await SignInAsync("desk-1", "Ida Intake", "IntakeDesk", javaScript: true);
        await ChromiumBrowser.AssertNoAxeViolationsAsync(desk); // the page with a package, its lists and its form
        Assert.Equal("no-store", (await desk.ReloadAsync())!.Headers["cache-control"]);
        await desk.Locator(form).GetByRole(AriaRole.Button).ClickAsync();
        Assert.Contains($"Package {rejectionId} marked handled", await desk.Locator("[role=status]").First.InnerTextAsync());
        Assert.Equal(0, await desk.Locator(form).CountAsync());
        Assert.Contains(await audit.ForCaseAsync(caseNumber), r => r.What == IntakeDesk.HandledWhat && r.Details.Contains("by Ida Intake (desk-1)"));
        await ChromiumBrowser.AssertNoAxeViolationsAsync(desk);

        // The intake desk resolves the eligibility question with the form: the case goes on, the audit names who.
        var resolve = desk.Locator(question);
        await resolve.GetByLabel("Eligible", new() { Exact = true }).CheckAsync();
        await resolve.GetByLabel("Reason (kept in the audit trail)").FillAsync("Liability accepted by the claims administrator.");
        await resolve.GetByRole(AriaRole.Button).ClickAsync();
        Assert.Contains($"Case {deferredCase}: eligibility resolved", await desk.Locator("[role=status]").First.InnerTextAsync());
        await TestEnvironment.EventuallyAsync(async () => (await intake.GetAsync(deferredCase))?.Stage is not (null or "Deferred") ? "yes" : null, TimeSpan.FromSeconds(60), "resolved");
        Assert.Contains(await audit.ForCaseAsync(deferredCase), r => r.What == IntakeDesk.ResolvedWhat && r.Details == "Eligible by Ida Intake (desk-1)");
        await desk.ReloadAsync();
        Assert.Equal(0, await desk.Locator(question).CountAsync()); // no longer awaiting a decision

        // A post for a package that does not exist is refused with the page, and nothing is recorded.
        var unknown = $"{DateTimeOffset.UtcNow.UtcTicks:D19}-0000000000";
        Assert.Null(await audit.DetailsOfAsync(caseNumber, IntakeDesk.HandledStepId(unknown)));
        var none = await _staff.App.Runtime.Services.GetRequiredService<IntakeDesk>().MarkHandledAsync(caseNumber, unknown, "Ida Intake (desk-1)");
        Assert.False(none.Accepted);
        Assert.Null(await audit.DetailsOfAsync(caseNumber, IntakeDesk.HandledStepId(unknown)));
    }
}
