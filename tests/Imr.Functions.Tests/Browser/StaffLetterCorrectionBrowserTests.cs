using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>
/// The intake desk corrects an issued letter from the case page, in Chromium (JavaScript off) against the local runtime
/// on Azurite: the form holds the current determination, a change and a reason issue version 2 (audited with the
/// person), a repeated post issues nothing more, a missing reason is an error on the form, a CaseViewer gets no form and a
/// forged post changes nothing; package text stays text; axe-core finds nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffLetterCorrectionBrowserTests : IAsyncLifetime
{
    private const string Markup = "<script>alert(1)</script>";
    private StaffConsoleSession _staff = null!;

    private RuntimeHarness App => _staff.App;

    public async Task InitializeAsync() => _staff = await StaffConsoleSession.StartAsync();

    public async Task DisposeAsync() => await _staff.DisposeAsync();

    private string Url(string path) => _staff.Url(path);

    private Task<IPage> SignedInAsync(string button, bool javaScript = false) => _staff.SignInAsAsync(button, null, javaScript);

    private async Task<string> ClosedCaseAsync()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("C");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber, TestEnvironment.SampleManifest(caseNumber, n => n["disputedItems"]![0]!["description"] = "Therapy " + Markup));
        await App.Driver.FollowAndSubmitAsync(await App.LinkAsync(caseNumber, $"{caseNumber}-A1-offer"), new Dictionary<string, string>());
        var sample = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        await App.Driver.FollowAndSubmitAsync(await App.LinkAsync(caseNumber, $"{caseNumber}-A1-determination"), SampleCaseDriver.DeterminationForm(sample));
        await App.Driver.WaitForStatusAsync(App.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));
        return caseNumber;
    }

    [Fact]
    public async Task The_intake_desk_corrects_the_letter_from_a_prefilled_form_once_and_a_case_viewer_cannot()
    {
        var caseNumber = await ClosedCaseAsync();
        var sample = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        var item = sample.Decisions[0].ItemId;
        var register = App.Runtime.Services.GetRequiredService<LetterRegister>();
        var path = $"/api/staff/cases/{caseNumber}/letter-correction";

        // A CaseViewer: no link, the form is refused (403), a forged post changes nothing.
        var viewer = await SignedInAsync("Sign in as Vera Viewer");
        await viewer.GotoAsync(Url($"/api/staff/cases/{caseNumber}"));
        Assert.Equal(0, await viewer.GetByRole(AriaRole.Link, new() { Name = "Correct the letter (intake desk)" }).CountAsync());
        Assert.Equal(403, (await viewer.GotoAsync(Url(path)))!.Status);
        var forged = await viewer.APIRequest.PostAsync(Url(path), new() { Form = viewer.APIRequest.CreateFormData().Set("basedOnVersion", "1").Set("correctionReason", "x").Set("csrf", "x") });
        Assert.Equal(403, forged.Status);
        Assert.Single(await register.ListAsync(caseNumber));

        // The intake desk follows the case page's link: the form holds what the letter says now.
        var desk = await SignedInAsync("Sign in as Ivan Intake");
        await desk.GotoAsync(Url($"/api/staff/cases/{caseNumber}"));
        await desk.GetByRole(AriaRole.Link, new() { Name = "Correct the letter (intake desk)" }).ClickAsync();
        Assert.EndsWith(path, desk.Url);
        Assert.Equal(sample.ClinicalCaseSummary, await desk.Locator("#summary").InputValueAsync());
        Assert.Equal(sample.Decisions[0].Pages, await desk.Locator($"[id='pages_{item}']").InputValueAsync());
        Assert.Equal(sample.Decisions[0].Rationale, await desk.Locator($"[id='rationale_{item}']").InputValueAsync());
        Assert.Contains("Therapy " + Markup, await desk.Locator("main").InnerTextAsync()); // package text as text
        Assert.Equal(0, await desk.Locator("script").CountAsync());

        // No reason: an error on the form, nothing issued, nothing typed lost.
        await desk.Locator($"[id='pages_{item}']").FillAsync("98-100");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Issue the corrected letter (version 2)" }).ClickAsync();
        Assert.StartsWith("Error:", await desk.TitleAsync());
        Assert.Contains("Say why the letter is corrected.", await desk.Locator("[role=alert]").InnerTextAsync());
        Assert.Equal("98-100", await desk.Locator($"[id='pages_{item}']").InputValueAsync());
        Assert.Single(await register.ListAsync(caseNumber));

        const string reason = "The MTUS page numbers were wrong " + Markup;
        await desk.GetByLabel("Reason for the correction").FillAsync(reason);
        var csrf = await desk.Locator("main form input[name='csrf']").GetAttributeAsync("value");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Issue the corrected letter (version 2)" }).ClickAsync();
        Assert.Equal($"Case {caseNumber}", await desk.TitleAsync());
        var corrected = await desk.GetByRole(AriaRole.Region, new() { Name = "Version 2 (correction)", Exact = true }).InnerTextAsync();
        Assert.Contains(reason, corrected);
        Assert.Contains("98-100", corrected);
        Assert.Equal([1, 2], (await register.ListAsync(caseNumber)).Select(l => l.Version));

        // The same form posted again (a double click): version 2 stands, nothing more is issued.
        var again = await desk.APIRequest.PostAsync(Url(path), new()
        {
            Form = desk.APIRequest.CreateFormData().Set("csrf", csrf!).Set("basedOnVersion", "1").Set("correctionReason", reason)
                .Set("summary", sample.ClinicalCaseSummary).Set($"outcome_{item}", sample.Decisions[0].Outcome.ToString()).Set($"caGuideline_{item}", sample.Decisions[0].ClaimsAdministratorGuideline)
                .Set($"evidence_{item}", "MTUS").Set($"orgGuideline_{item}", sample.Decisions[0].OrganizationGuideline).Set($"pages_{item}", "98-100").Set($"rationale_{item}", sample.Decisions[0].Rationale),
        });
        Assert.Equal(200, again.Status);
        Assert.Equal([1, 2], (await register.ListAsync(caseNumber)).Select(l => l.Version));
        var trail = await App.Runtime.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber);
        Assert.Single(trail, r => r.What == "Letter corrected" && r.Details.Contains("issued by Ivan Intake (dev-intake-desk)"));

        // The form, with the accessibility check (JavaScript on for axe only).
        var axe = await SignedInAsync("Sign in as Ivan Intake", javaScript: true);
        await axe.GotoAsync(Url(path));
        await ChromiumBrowser.AssertNoAxeViolationsAsync(axe);
    }
}
