using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;

namespace Imr.Functions.Tests;

/// <summary>
/// The intake steps end to end on the local runtime (Azure Storage durable backend on Azurite): waiting for the medical
/// records, proceeding late at the records deadline, and a deferred case resolved through the staff route.
/// A mailed notice of assignment gets 4 s here (configuration); an electronic one keeps its 12 days.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RecordsAndEligibilityTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;

    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync(configure: s => s["Imr:Intake:RecordsAfterMailedNotice"] = "00:00:04");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonElement> StatusAsync(string caseNumber) =>
        JsonDocument.Parse(await _app.Http.GetStringAsync($"/api/cases/{caseNumber}")).RootElement.Clone();

    private Task<JsonElement> WaitForStageAsync(string caseNumber, string stage) =>
        TestEnvironment.EventuallyAsync<JsonElement?>(async () =>
        {
            var response = await _app.Http.GetAsync($"/api/cases/{caseNumber}");
            if (!response.IsSuccessStatusCode) return null;
            var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return status.TryGetProperty("intake", out var intake) && intake.ValueKind == JsonValueKind.Object && intake.GetProperty("stage").GetString() == stage ? status : null;
        }, TimeSpan.FromSeconds(60), $"case {caseNumber} at stage {stage}").ContinueWith(t => t.Result!.Value);

    private static string[] Events(JsonElement status) => status.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("event").GetString()!).ToArray();

    private static async Task UploadWithoutMedicalRecordsAsync(string caseNumber, byte[] manifest)
    {
        var intake = TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.IntakeContainer);
        await intake.GetBlobClient($"{caseNumber}/ur-decision.txt").UploadAsync(Path.Combine(TestEnvironment.SampleCaseFolder, "ur-decision.txt"), overwrite: true);
        await intake.GetBlobClient($"{caseNumber}/manifest.json").UploadAsync(BinaryData.FromBytes(manifest), overwrite: true);
    }

    [Fact]
    public async Task An_incomplete_package_waits_and_a_later_upload_of_the_records_lets_it_continue()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("R");
        await UploadWithoutMedicalRecordsAsync(caseNumber, TestEnvironment.SampleManifest(caseNumber, m => m["contacts"] = new System.Text.Json.Nodes.JsonObject { ["claimsAdministrator"] = "records@sample-claims.example" }));

        var waiting = await WaitForStageAsync(caseNumber, "AwaitingRecords");
        Assert.Equal("medical-records.txt", waiting.GetProperty("intake").GetProperty("missingDocuments").GetString());
        await AssertNoticeOfAssignmentAsync(caseNumber, waiting.GetProperty("intake").GetProperty("recordsDueAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("deadlines").ValueKind); // the review clock has not started
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(CaseEntity.IsRegistered((await _app.Cases.GetAsync(caseNumber))!)); // on record from the first step, no review clock yet
        Assert.All(await _app.BlobNamesAsync(StorageNames.OutboxContainer, caseNumber + "/"), n => Assert.Contains("/notice-of-assignment-", n)); // no offer yet

        var uploadedAt = DateTimeOffset.UtcNow;
        await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.IntakeContainer).GetBlobClient($"{caseNumber}/medical-records.txt")
            .UploadAsync(Path.Combine(TestEnvironment.SampleCaseFolder, "medical-records.txt"), overwrite: true);

        await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        var status = await StatusAsync(caseNumber);
        Assert.Equal("AwaitingAcceptance", status.GetProperty("status").GetString());
        Assert.Equal(["Received", "Validated", "Eligible", "AwaitingRecords", "NoticeOfAssignmentSent", "RecordsReceived", "RecordsReceived"], Events(status));
        Assert.True(status.GetProperty("deadlines").GetProperty("receivedAt").GetDateTimeOffset() >= uploadedAt.AddSeconds(-1)); // clock starts at receipt
        Assert.Equal(3, (await _app.BlobNamesAsync(StorageNames.CaseFilesContainer, caseNumber + "/")).Count);
    }

    /// <summary>One notice per party (claims administrator, worker, requesting physician), naming the missing document and the status API's due time.</summary>
    private async Task AssertNoticeOfAssignmentAsync(string caseNumber, DateTimeOffset recordsDueAt)
    {
        var outbox = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer);
        var ids = new[] { "notice-of-assignment-claims-administrator", "notice-of-assignment-injured-worker", "notice-of-assignment-requesting-physician" };
        await TestEnvironment.EventuallyAsync(async () => (await outbox.GetBlobClient(Outbox.BlobName(caseNumber, ids[^1])).ExistsAsync()).Value ? "yes" : null, TimeSpan.FromSeconds(30), "the notices of assignment");
        Assert.Equal(ids.Select(id => Outbox.BlobName(caseNumber, id)), (await _app.BlobNamesAsync(StorageNames.OutboxContainer, caseNumber + "/")).Where(n => n.Contains("/notice-of-assignment-")));
        foreach (var id in ids)
        {
            var message = Outbox.Read((await outbox.GetBlobClient(Outbox.BlobName(caseNumber, id)).DownloadContentAsync()).Value.Content);
            var body = message.TextBody;
            Assert.Contains($"IMR Case Number: {caseNumber}", body);
            Assert.Contains("found the application for Independent Medical Review eligible and assigned it for review", body);
            Assert.Contains("- medical-records.txt", body);
            Assert.DoesNotContain("ur-decision.txt", body); // received: not required again
            Assert.Contains($"({recordsDueAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'})", body);
            Assert.Contains("Pacific time", body);
            Assert.Contains("Counted as: notice of assignment sent electronically", body);
            // How records reach the IMRO, never the storage container (issue #15); the facts 9792.10.4(b) requires.
            Assert.Contains("How to send the records: send them by mail to the address above", body);
            Assert.DoesNotContain("container", body);
            Assert.Contains("Requesting physician: ", body);
            Assert.Contains("Disputed treatment:\n- ", body);
            Assert.DoesNotContain("Sample Worker", body); // no more PHI than the notice needs
            Assert.DoesNotContain("cumulative trauma", body);
        }

        var claims = Outbox.Read((await outbox.GetBlobClient(Outbox.BlobName(caseNumber, ids[0])).DownloadContentAsync()).Value.Content);
        Assert.Equal("records@sample-claims.example", Assert.IsType<MimeKit.MailboxAddress>(Assert.Single(claims.To)).Address);
        var status = await StatusAsync(caseNumber);
        Assert.Single(Events(status), e => e == "NoticeOfAssignmentSent");
    }

    [Fact]
    public async Task With_no_records_the_case_continues_at_the_deadline_marked_records_late()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("R");
        var started = DateTimeOffset.UtcNow;
        await UploadWithoutMedicalRecordsAsync(caseNumber, TestEnvironment.SampleManifest(caseNumber, m => m["noticeOfAssignmentBy"] = "Mail"));

        await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");

        var status = await StatusAsync(caseNumber);
        Assert.Equal("RecordsLate", status.GetProperty("intake").GetProperty("stage").GetString());
        Assert.Equal("medical-records.txt", status.GetProperty("intake").GetProperty("missingDocuments").GetString());
        Assert.Equal(["Received", "Validated", "Eligible", "AwaitingRecords", "NoticeOfAssignmentSent", "RecordsLate"], Events(status));
        var recordsDue = status.GetProperty("intake").GetProperty("recordsDueAt").GetDateTimeOffset();
        Assert.InRange(recordsDue - started, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60));
        Assert.True(status.GetProperty("deadlines").GetProperty("receivedAt").GetDateTimeOffset() >= recordsDue.AddSeconds(-1.5));
        var notice = Outbox.TextBody((await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, "notice-of-assignment-claims-administrator")).DownloadContentAsync()).Value.Content);
        Assert.Contains("Counted as: notice of assignment sent by mail, 4 seconds from this notice.", notice); // the configured (test) span
        Assert.Contains($"({recordsDue.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'})", notice);
    }

    [Fact]
    public async Task A_liability_dispute_waits_deferred_until_staff_resolve_it()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("R");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber, TestEnvironment.SampleManifest(caseNumber, m => m["disputeType"] = "Liability"));

        var deferred = await WaitForStageAsync(caseNumber, "Deferred");
        Assert.StartsWith("Deferred: the claims administrator disputes liability", deferred.GetProperty("intake").GetProperty("eligibilityReasons")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await _app.Http.PostAsJsonAsync($"/api/cases/{caseNumber}/eligibility", new { outcome = "Maybe", reason = "x" })).StatusCode);

        var resolved = await _app.Http.PostAsJsonAsync($"/api/cases/{caseNumber}/eligibility", new { outcome = "Eligible", reason = "Liability accepted by the claims administrator." });
        Assert.Equal(HttpStatusCode.Accepted, resolved.StatusCode);

        await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        var status = await StatusAsync(caseNumber);
        Assert.Equal(["Received", "Validated", "Deferred", "Eligible", "RecordsReceived", "NoticeOfAssignmentSent"], Events(status));
        Assert.Equal(HttpStatusCode.Conflict, (await _app.Http.PostAsJsonAsync($"/api/cases/{caseNumber}/eligibility", new { outcome = "Ineligible", reason = "again" })).StatusCode);
    }

    [Fact]
    public async Task An_untimely_application_gets_an_ineligibility_notice_and_the_case_closes()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("R");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber, TestEnvironment.SampleManifest(caseNumber, m => m["applicationDate"] = "2013-07-11")); // 36 days after mailed service

        await WaitForStageAsync(caseNumber, "Ineligible");
        // Screening records the outcome first; the notice follows in the next step.
        var status = await TestEnvironment.EventuallyAsync<JsonElement?>(async () => await StatusAsync(caseNumber) is var s && s.GetProperty("intake").GetProperty("noticeBlobName").ValueKind == JsonValueKind.String ? s : null, TimeSpan.FromSeconds(30), "the notice").ContinueWith(t => t.Result!.Value);

        Assert.Equal("Closed", status.GetProperty("status").GetString());
        Assert.Equal($"{caseNumber}/ineligibility-notice.txt", status.GetProperty("intake").GetProperty("noticeBlobName").GetString());
        Assert.Contains("filed 36 days after", status.GetProperty("intake").GetProperty("eligibilityReasons")[0].GetString());
        var notice = (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.DeterminationsContainer).GetBlobClient($"{caseNumber}/ineligibility-notice.txt").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("the limit is 35 days", notice);
        Assert.Equal(["Received", "Validated", "Ineligible", "Closed"], Events(status));
        // 9792.10.3: every party is served, each with the appeal rights; a party without e-mail by post.
        var outbox = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer);
        foreach (var role in new[] { "injured-worker", "claims-administrator", "requesting-physician" })
        {
            var body = Outbox.TextBody((await outbox.GetBlobClient(Outbox.BlobName(caseNumber, $"ineligibility-notice-{role}")).DownloadContentAsync()).Value.Content);
            Assert.Contains("Your right to appeal:", body);
            Assert.Contains("the limit is 35 days", body);
        }
    }
}
