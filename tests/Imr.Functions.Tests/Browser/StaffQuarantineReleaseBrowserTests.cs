using System.Net;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>
/// Release after correction at the intake desk, in Chromium (JavaScript off) against the local runtime on Azurite: a
/// package quarantined for a bad manifest gets its corrected manifest uploaded and is released; intake verifies it again
/// as a new delivery and the case starts; a second release changes nothing; a release that cannot work leaves its reason
/// on the desk; a CaseViewer has no form and a forged post delivers nothing; axe-core finds nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffQuarantineReleaseBrowserTests : IAsyncLifetime
{
    private StaffConsoleSession _staff = null!;

    private RuntimeHarness App => _staff.App;

    public async Task InitializeAsync() => _staff = await StaffConsoleSession.StartAsync();

    public async Task DisposeAsync() => await _staff.DisposeAsync();

    private string Url(string path) => _staff.Url(path);

    private Task<IPage> SignedInAsync(string button, bool javaScript = false) => _staff.SignInAsAsync(button, "/api/staff/intake", javaScript);

    [Fact]
    public async Task A_package_quarantined_for_its_manifest_is_corrected_and_released_and_intake_starts_the_case()
    {
        // The manifest names no disputed item: intake quarantines the whole package (manifest and documents).
        var caseNumber = TestEnvironment.NewCaseNumber("Z");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber, TestEnvironment.SampleManifest(caseNumber, m => m["disputedItems"] = new System.Text.Json.Nodes.JsonArray()));
        var store = App.Runtime.Services.GetRequiredService<IntakeStore>();
        var rejectionId = await TestEnvironment.EventuallyAsync(async () => await store.RejectionsAsync(caseNumber) is [var first, ..] ? first.RowKey : null, TimeSpan.FromSeconds(60), "the quarantine");
        var release = $"/api/staff/intake/{caseNumber}/{rejectionId}/release";
        var audit = App.Runtime.Services.GetRequiredService<AuditLog>();

        // A CaseViewer: no forms; a forged release is refused and delivers nothing.
        var viewer = await SignedInAsync("Sign in as Vera Viewer");
        Assert.Contains($"Package for case {caseNumber}", await viewer.Locator("main").InnerTextAsync());
        Assert.Equal(0, await viewer.Locator($"form[action='{release}']").CountAsync());
        var forged = await viewer.APIRequest.PostAsync(Url(release), new() { Form = viewer.APIRequest.CreateFormData().Set("csrf", "x") });
        Assert.Equal((int)HttpStatusCode.Forbidden, forged.Status);
        Assert.Null(await audit.DetailsOfAsync(caseNumber, QuarantineRelease.ReleasedStepId(rejectionId)));

        // The intake desk adds the corrected manifest, then releases the package.
        var desk = await SignedInAsync("Sign in as Ivan Intake");
        var section = desk.Locator($"[id='rejection-{rejectionId}']");
        await section.GetByLabel($"Corrected file for package {rejectionId}").SetInputFilesAsync(new FilePayload { Name = "manifest.json", MimeType = "application/json", Buffer = TestEnvironment.SampleManifest(caseNumber) });
        await section.GetByRole(AriaRole.Button, new() { Name = "Add the corrected file" }).ClickAsync();
        Assert.Contains($"Corrected file added to package {rejectionId}", await desk.Locator("[role=status]").First.InnerTextAsync());
        Assert.Contains("manifest.json", await desk.Locator($"[id='rejection-{rejectionId}']").InnerTextAsync());
        var csrf = await desk.Locator($"form[action='{release}'] input[name='csrf']").GetAttributeAsync("value");
        await desk.GetByRole(AriaRole.Button, new() { Name = $"Release package {rejectionId} to intake" }).ClickAsync();
        Assert.Contains($"Package {rejectionId} released", await desk.Locator("[role=status]").First.InnerTextAsync());
        Assert.Equal(0, await desk.Locator($"[id='rejection-{rejectionId}']").CountAsync()); // off the open list

        // Intake verifies the delivery again: the case starts and its first offer goes out.
        await App.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        Assert.Contains("by Ivan Intake (dev-intake-desk)", await audit.DetailsOfAsync(caseNumber, QuarantineRelease.ReleasedStepId(rejectionId)));
        Assert.Single(await store.RejectionsAsync(caseNumber)); // not quarantined again

        // Released twice (a double click): nothing is delivered again.
        var again = await desk.APIRequest.PostAsync(Url(release), new() { Form = desk.APIRequest.CreateFormData().Set("csrf", csrf!) });
        Assert.Equal(200, again.Status);
        Assert.Single(await audit.ForCaseAsync(caseNumber), r => r.What == QuarantineRelease.ReleasedWhat);
        // The quarantined files stay where they were: nothing is lost.
        Assert.True((await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.QuarantineContainer).GetBlobClient($"{caseNumber}/manifest.json").ExistsAsync()).Value);
    }

    [Fact]
    public async Task A_release_that_cannot_work_leaves_its_reason_on_the_desk_and_the_desk_has_no_accessibility_violations()
    {
        // A package whose manifest never arrived: only a document is in quarantine.
        var caseNumber = TestEnvironment.NewCaseNumber("Z");
        var rejectionId = $"{DateTimeOffset.UtcNow.UtcTicks:D19}-{Guid.NewGuid():N}"[..30];
        await App.Runtime.Services.GetRequiredService<IntakeStore>().AddRejectionAsync(new RejectionEntity
        {
            PartitionKey = caseNumber,
            RowKey = rejectionId,
            Kind = "Orphan",
            RejectedAt = DateTimeOffset.UtcNow.AddHours(-1),
            QuarantinedBlobs = IntakeStore.Json(new[] { $"{caseNumber}/records.pdf" }),
            Reasons = IntakeStore.Json(new[] { "The manifest did not arrive." }),
            ReasonCount = 1,
        });

        var desk = await SignedInAsync("Sign in as Ivan Intake");
        await desk.GetByRole(AriaRole.Button, new() { Name = $"Release package {rejectionId} to intake" }).ClickAsync();
        Assert.StartsWith("Error:", await desk.TitleAsync());
        Assert.Contains("has no manifest.json", await desk.Locator("[role=alert]").InnerTextAsync());
        await desk.GotoAsync(Url("/api/staff/intake"));
        Assert.Contains("Not released: The package has no manifest.json", await desk.Locator($"[id='rejection-{rejectionId}']").InnerTextAsync());
        Assert.Null(await App.Cases.GetAsync(caseNumber));

        var axe = await SignedInAsync("Sign in as Ivan Intake", javaScript: true);
        await ChromiumBrowser.AssertNoAxeViolationsAsync(axe);
    }
}
