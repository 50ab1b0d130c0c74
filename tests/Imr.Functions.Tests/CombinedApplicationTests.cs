using System.Text.Json;
using System.Text.Json.Nodes;
using Imr.Domain.Determinations;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>
/// Combining applications (Imr:Intake:CombineApplications) on the local runtime over Azurite: a second application of the
/// same worker, requesting physician and date of injury joins the open case in review; the reviewer is told, the review page,
/// the determination and the issued letter cover both applications' items.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CombinedApplicationTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;

    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync(configure: s => s["Imr:Intake:CombineApplications"] = "true");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonElement> StatusAsync(string caseNumber) =>
        JsonDocument.Parse(await _app.Http.GetStringAsync($"/api/cases/{caseNumber}")).RootElement.Clone();

    private static string[] Events(JsonElement status) => status.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("event").GetString()!).ToArray();

    // A worker of this test's own: other tests' sample cases (same storage account) are open applications of the sample worker.
    private static byte[] FirstApplication(string caseNumber, string worker) => TestEnvironment.SampleManifest(caseNumber, m => m["worker"]!["name"] = worker);

    /// <summary>The same worker and physician as the first application, another UR decision and another treatment.</summary>
    private static byte[] SecondApplication(string caseNumber, string worker) => TestEnvironment.SampleManifest(caseNumber, m =>
    {
        m["worker"]!["name"] = worker;
        m["disputedItems"] = new JsonArray(new JsonObject
        {
            ["itemId"] = "PT-LUMBAR-12", // the same id as the first case's item: ids must stay unique after combining
            ["description"] = "6 Acupuncture sessions for the lumbar spine",
            ["quantity"] = 6,
            ["category"] = "Acupuncture",
            ["bodyPart"] = "lumbar spine",
            ["urOutcome"] = "Denied",
        });
    });

    [Fact]
    public async Task A_second_application_joins_the_open_case_and_the_letter_decides_both_applications_items()
    {
        var first = TestEnvironment.NewCaseNumber("C");
        var second = TestEnvironment.NewCaseNumber("C");
        var worker = "Worker " + first;
        await TestEnvironment.UploadSampleCaseAsync(first, FirstApplication(first, worker));
        var offer = await _app.LinkAsync(first, $"{first}-A1-offer");
        await _app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>()); // accepted: the case is in review
        // The acceptance is recorded by the orchestration after the POST answers; the reviewer is told of added items
        // only once it is (before that, the review page opened from the acceptance shows the merged package anyway).
        await TestEnvironment.EventuallyAsync(async () =>
        {
            var response = await _app.Http.GetAsync($"/api/cases/{first}");
            return response.IsSuccessStatusCode && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString() == "InReview" ? "" : null;
        }, TimeSpan.FromSeconds(60), "the acceptance recorded");

        await TestEnvironment.UploadSampleCaseAsync(second, SecondApplication(second, worker));
        var combined = await TestEnvironment.EventuallyAsync<JsonElement?>(async () =>
        {
            var response = await _app.Http.GetAsync($"/api/cases/{second}"); // 404 until intake has it
            if (!response.IsSuccessStatusCode) return null;
            var s = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return s.TryGetProperty("intake", out var intake) && intake.ValueKind == JsonValueKind.Object && intake.GetProperty("stage").GetString() == "Combined" ? s : null;
        }, TimeSpan.FromSeconds(60), "the second application combined").ContinueWith(t => t.Result!.Value);
        var addedId = $"{second}-PT-LUMBAR-12";

        Assert.Equal(first, combined.GetProperty("intake").GetProperty("combinedWith").GetString());
        Assert.Equal(JsonValueKind.Null, combined.GetProperty("deadlines").ValueKind); // never registered as a case of its own
        Assert.Contains($"{first}/documents/{second}-medical-records.txt", await _app.BlobNamesAsync(StorageNames.CaseFilesContainer, first + "/"));
        var package = await _app.Runtime.Services.GetRequiredService<DocumentStore>().ReadAcceptedPackageAsync(CaseIntakeManifest(first));
        Assert.Equal(["PT-LUMBAR-12", addedId], package.DisputedItems.Select(i => i.ItemId));
        Assert.Equal(["medical-records.txt", "ur-decision.txt", $"{second}-medical-records.txt", $"{second}-ur-decision.txt"], package.Documents.Select(d => d.FileName));
        // The combining step marks the application combined before it sends the notices, so they are waited for, not assumed.
        var toReviewer = await TestEnvironment.OutboxTextAsync(first, $"{first}-A1-combined-{second}", TimeSpan.FromSeconds(60));
        Assert.Contains($"- {addedId}", toReviewer);
        var secondNotice = await TestEnvironment.OutboxTextAsync(second, "notice-of-assignment-claims-administrator", TimeSpan.FromSeconds(60));
        Assert.Contains($"combined with IMR case {first}", secondNotice);
        Assert.Contains("all documents listed in the application have been received", secondNotice, StringComparison.OrdinalIgnoreCase);

        // The review page and the form cover both items: a determination deciding only the first is refused, nothing recorded.
        var sample = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        var link = await _app.LinkAsync(first, $"{first}-A1-determination");
        var (page, refused) = await _app.Driver.FollowAndSubmitAsync(link, SampleCaseDriver.DeterminationForm(sample));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("6 Acupuncture sessions for the lumbar spine", html);
        Assert.Contains($"outcome_{addedId}", html);
        Assert.Contains($"{second}-medical-records.txt", html);
        Assert.NotEqual(System.Net.HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Choose Upheld or Overturned for “6 Acupuncture sessions for the lumbar spine”", System.Net.WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));

        var both = sample with
        {
            Decisions = [sample.Decisions[0], sample.Decisions[0] with { ItemId = addedId, Outcome = DecisionOutcome.Overturned, Rationale = "Acupuncture is supported for the documented chronic lumbar pain. The requested 6 sessions are medically necessary." }],
        };
        var (_, submitted) = await _app.Driver.FollowAndSubmitAsync(link, SampleCaseDriver.DeterminationForm(both));
        Assert.Equal(System.Net.HttpStatusCode.OK, submitted.StatusCode);
        var closed = await _app.Driver.WaitForStatusAsync(_app.Runtime.BaseAddress, first, "Closed", TimeSpan.FromSeconds(60));

        var letter = (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.DeterminationsContainer).GetBlobClient(closed.GetProperty("letter").GetProperty("blobName").GetString()).DownloadContentAsync()).Value.Content.ToString();
        letter = letter.Replace("\n", " ");
        Assert.Contains("12 Physical Therapy sessions for the lumbar spine", letter);
        Assert.Contains("6 Acupuncture sessions for the lumbar spine", letter);
        Assert.Equal($"PT-LUMBAR-12=Upheld; {addedId}=Overturned", closed.GetProperty("outcomes").GetString());
        Assert.Contains("ApplicationCombined", Events(closed));
        Assert.Equal(["Received", "Validated", "Eligible", "Combined", "NoticeOfAssignmentSent"], Events(await StatusAsync(second)));
    }

    private static string CaseIntakeManifest(string caseNumber) => Imr.Functions.Services.CaseIntake.ManifestBlobName(caseNumber);
}
