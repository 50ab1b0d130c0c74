using System.Net;
using System.Text.RegularExpressions;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>The whole path on real parts: Azure SDK upload to Azurite, the local runtime on the Azure Storage durable backend, the reviewer over HTTP.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EndToEndTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;

    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Normalize(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    private async Task AcceptAndDetermineAsync(string caseNumber)
    {
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        var (page, accepted) = await _app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        var determination = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        var answers = SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination));
        var (_, submitted) = await _app.Driver.FollowAndSubmitAsync(determination, answers);
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
    }

    [Fact]
    public async Task A_case_goes_from_upload_to_an_issued_letter_and_is_closed_in_table_storage()
    {
        var caseNumber = TestEnvironment.NewCaseNumber();
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);

        await AcceptAndDetermineAsync(caseNumber);
        var status = await _app.Driver.WaitForStatusAsync(_app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));

        var entity = await _app.Cases.GetAsync(caseNumber);
        Assert.Equal("Closed", entity!.Status);
        Assert.Equal("rev-002", entity.CurrentReviewerId); // rev-001 is affiliated with the claims administrator
        Assert.Equal("PT-LUMBAR-12=Upheld", entity.Outcomes);
        var letterBlob = status.GetProperty("letter").GetProperty("blobName").GetString()!;
        var letter = (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.DeterminationsContainer).GetBlobClient(letterBlob).DownloadContentAsync()).Value.Content;
        var text = Normalize(letter.ToString());
        Assert.Contains("HOW THE IMR FINAL DETERMINATION WAS MADE", text);
        Assert.Contains("CLINICAL CASE SUMMARY", text);
        Assert.Contains("IMR ISSUES, DECISIONS AND RATIONALES", text);
        Assert.Contains("12 Physical Therapy sessions for the lumbar spine: Upheld", text);
        Assert.Contains("is Board Certified in Orthopedic Spine Surgery and is licensed to practice in Texas", text);
        Assert.DoesNotContain("Dr. Taylor Spine", text); // the reviewer is never named
        Assert.Equal(DocumentStore.Sha256Hex(letter), entity.LetterSha256);
        var pdfBlob = status.GetProperty("letter").GetProperty("pdfBlobName").GetString()!;
        var pdf = (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.DeterminationsContainer).GetBlobClient(pdfBlob).DownloadContentAsync()).Value.Content;
        Assert.Equal(DocumentStore.Sha256Hex(pdf), status.GetProperty("letter").GetProperty("pdfSha256").GetString());
    }

    [Fact]
    public async Task The_same_package_uploaded_twice_gives_one_case_and_one_letter()
    {
        var caseNumber = TestEnvironment.NewCaseNumber();
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        var instance = await _app.Runtime.DurableClient.GetInstanceAsync($"case-{caseNumber}");

        await TestEnvironment.UploadSampleCaseAsync(caseNumber); // a retried delivery: new ETag, same content
        await AcceptAndDetermineAsync(caseNumber);
        await _app.Driver.WaitForStatusAsync(_app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));
        await TestEnvironment.UploadSampleCaseAsync(caseNumber); // and once more after the case closed
        await Task.Delay(TimeSpan.FromSeconds(2)); // several poll intervals of the intake watcher

        var after = await _app.Runtime.DurableClient.GetInstanceAsync($"case-{caseNumber}");
        Assert.Equal(instance!.CreatedAt, after!.CreatedAt);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, after.RuntimeStatus);
        Assert.Equal(
            new[] { ".html", ".json", ".pdf", ".txt" }.Select(ext => $"{caseNumber}/final-determination-v1{ext}"),
            await _app.BlobNamesAsync(StorageNames.DeterminationsContainer, caseNumber + "/")); // one letter, in its renderings
        Assert.Equal(
            new[] { $"{caseNumber}-A1-determination", $"{caseNumber}-A1-offer", "letter-v1-administrative-director", "letter-v1-claims-administrator", "letter-v1-employer", "letter-v1-injured-worker", "letter-v1-requesting-physician",
                    "notice-of-assignment-claims-administrator", "notice-of-assignment-injured-worker", "notice-of-assignment-requesting-physician" }
                .Select(id => Outbox.BlobName(caseNumber, id)),
            await _app.BlobNamesAsync(StorageNames.OutboxContainer, caseNumber + "/"));
        // Each answer once on the trail, recorded by the step that acted on it, beside that step's own row.
        var trail = await _app.Runtime.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber);
        Assert.Equal(
            [($"{caseNumber}-A1-link-Accept", "Reviewer answered"), ($"{caseNumber}-A1-link-SubmitDetermination", "Reviewer answered")],
            trail.Where(t => t.StepId.Contains("-link-", StringComparison.Ordinal)).Select(t => (t.StepId, t.What)).OrderBy(t => t.StepId, StringComparer.Ordinal));
        Assert.Contains(trail, t => t.StepId == $"{caseNumber}-A1-accepted");
        Assert.Contains(trail, t => t.StepId == $"{caseNumber}-A1-completed");
    }

    [Fact]
    public async Task Opening_a_link_changes_nothing_and_a_double_submit_is_received_once()
    {
        var caseNumber = TestEnvironment.NewCaseNumber();
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");

        // A mail scanner follows the link twice: still only offered.
        Assert.Equal(HttpStatusCode.OK, (await _app.Http.GetAsync(offer)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Http.GetAsync(offer)).StatusCode);
        Assert.Equal("AwaitingAcceptance", (await _app.Cases.GetAsync(caseNumber))!.Status);

        var (_, first) = await _app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        var (_, second) = await _app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("Already received", await second.Content.ReadAsStringAsync());
        Assert.Contains("You have accepted this review", await second.Content.ReadAsStringAsync());
        Assert.Contains("Thank you", await first.Content.ReadAsStringAsync());
        await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        Assert.Equal("InReview", (await _app.Cases.GetAsync(caseNumber))!.Status);
    }

    [Fact]
    public async Task A_tampered_link_or_a_link_for_another_action_changes_nothing()
    {
        var caseNumber = TestEnvironment.NewCaseNumber();
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        var tampered = new Uri(offer.ToString()[..^3] + (offer.ToString().EndsWith("AAA") ? "BBB" : "AAA"));
        var wrongAction = new Uri(offer.ToString().Replace("/accept?", "/determination?"));

        var (tamperedPage, tamperedPost) = await _app.Driver.FollowAndSubmitAsync(tampered, new Dictionary<string, string>());
        var wrongActionPage = await _app.Http.GetAsync(wrongAction);

        Assert.Equal(HttpStatusCode.Forbidden, tamperedPage.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, tamperedPost.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongActionPage.StatusCode);
        Assert.Equal("AwaitingAcceptance", (await _app.Cases.GetAsync(caseNumber))!.Status);
        Assert.DoesNotContain("runtime/webhooks", Outbox.TextBody((await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, $"{caseNumber}-A1-offer")).DownloadContentAsync()).Value.Content));
    }

    [Fact]
    public async Task A_malformed_manifest_is_quarantined_with_its_reasons_and_starts_nothing()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("Q");
        var broken = TestEnvironment.SampleManifest(caseNumber, m => m["disputedItems"] = new System.Text.Json.Nodes.JsonArray());
        await TestEnvironment.UploadSampleCaseAsync(caseNumber, broken);

        var quarantine = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.QuarantineContainer);
        var reasons = await TestEnvironment.EventuallyAsync(async () =>
            (await quarantine.GetBlobClient($"{caseNumber}/manifest.json.rejection.json").ExistsAsync()).Value
                ? (await quarantine.GetBlobClient($"{caseNumber}/manifest.json.rejection.json").DownloadContentAsync()).Value.Content.ToString()
                : null,
            TimeSpan.FromSeconds(30), "the rejection report");

        Assert.Contains("at least one disputed item is required", reasons);
        Assert.Equal(broken, (await quarantine.GetBlobClient($"{caseNumber}/manifest.json").DownloadContentAsync()).Value.Content.ToArray());
        Assert.False((await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.IntakeContainer).GetBlobClient($"{caseNumber}/manifest.json").ExistsAsync()).Value);
        Assert.Null(await _app.Runtime.DurableClient.GetInstanceAsync($"case-{caseNumber}"));
    }

    [Fact]
    public async Task Case_status_of_an_unknown_case_is_404()
    {
        var response = await _app.Http.GetAsync("/api/cases/NOPE-404");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
