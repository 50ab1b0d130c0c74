using System.Text.Json;
using System.Text.RegularExpressions;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Reviewers;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Workflow;
using Imr.LocalRuntime.Demo;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Imr.Functions.Tests;

/// <summary>Issuance on Azurite with the real activities, invoked directly (as a retrying backend would) and through the HTTP flow.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LetterIssuanceTests : IAsyncLifetime
{
    private static readonly string[] PartyNotices = ["letter-v1-administrative-director", "letter-v1-claims-administrator", "letter-v1-employer", "letter-v1-injured-worker", "letter-v1-requesting-physician"];

    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        // Its own roster scope: loads and rotation start fresh for every test.
        var configuration = TestEnvironment.Configuration(TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071));
        _services = new ServiceCollection().AddLogging().AddImrApplication(configuration).BuildServiceProvider();
        await _services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var roster = _services.GetRequiredService<RosterStore>();
        foreach (var r in JsonSerializer.Deserialize<List<Reviewer>>(File.ReadAllBytes(Path.Combine(TestEnvironment.RepoRoot, "samples", "roster.json")), CasePackage.JsonOptions)!)
        {
            await roster.UpsertAsync(r);
        }
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private T Activities<T>() => ActivatorUtilities.CreateInstance<T>(_services);

    /// <summary>A case recorded, offered to and accepted by rev-002 through the real activities; returns the assignment id.</summary>
    private async Task<string> CaseInReviewAsync(string caseNumber)
    {
        var manifestBlob = $"{caseNumber}/issuance-test-manifest.json";
        var manifest = TestEnvironment.SampleManifest(caseNumber, m => m["contacts"] = new System.Text.Json.Nodes.JsonObject
        {
            ["claimsAdministrator"] = "claims@example-claims.test",
            ["requestingPhysician"] = "dr.example@example-clinic.test",
        });
        await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.CaseFilesContainer).GetBlobClient(manifestBlob).UploadAsync(BinaryData.FromBytes(manifest), overwrite: true);
        var activities = Activities<CaseActivities>();
        await activities.RegisterCase(new CaseWorkflowInput(caseNumber, manifestBlob));
        var assignment = Activities<AssignmentActivities>();
        var offer = (await assignment.OfferAssignment(new AssignmentRequest(caseNumber, 1, [])))!;
        await assignment.RecordAcceptance(offer);
        return offer.AssignmentId;
    }

    private static async Task<string> StoreSubmissionAsync(string caseNumber, string name, Determination determination)
    {
        var blob = $"{caseNumber}/{name}.json";
        await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.SubmissionsContainer).GetBlobClient(blob).UploadAsync(BinaryData.FromObjectAsJson(determination, CasePackage.JsonOptions), overwrite: true);
        return blob;
    }

    private static Determination Sample => SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);

    private static async Task<List<string>> NamesAsync(string container, string prefix)
    {
        var names = new List<string>();
        await foreach (var b in TestEnvironment.Blobs.GetBlobContainerClient(container).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None)) names.Add(b.Name);
        return names;
    }

    private static async Task<BinaryData> ReadAsync(string container, string name) =>
        (await TestEnvironment.Blobs.GetBlobContainerClient(container).GetBlobClient(name).DownloadContentAsync()).Value.Content;

    private static string Flow(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    [Fact]
    public async Task A_retried_issuing_activity_issues_one_letter_and_one_notice_per_party()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("L");
        var assignmentId = await CaseInReviewAsync(caseNumber);
        var request = new IssueRequest(caseNumber, assignmentId, await StoreSubmissionAsync(caseNumber, assignmentId, Sample));

        var first = await Activities<IssuanceActivities>().IssueDetermination(request);
        var again = await Activities<IssuanceActivities>().IssueDetermination(request); // the backend retries
        var concurrent = await Task.WhenAll(Activities<IssuanceActivities>().IssueDetermination(request), Activities<IssuanceActivities>().IssueDetermination(request));

        Assert.All(concurrent.Append(again), r => Assert.Equal(first, r));
        Assert.False(first.ReturnedForCorrection);
        Assert.Equal(
            new[] { ".html", ".json", ".pdf", ".txt" }.Select(ext => $"{caseNumber}/final-determination-v1{ext}"),
            await NamesAsync(StorageNames.DeterminationsContainer, caseNumber + "/"));
        var notices = (await NamesAsync(StorageNames.OutboxContainer, caseNumber + "/")).Where(n => n.Contains("/letter-", StringComparison.Ordinal));
        Assert.Equal(PartyNotices.Select(id => Outbox.BlobName(caseNumber, id)), notices);

        // The register has one row whose hashes are those of the stored blobs.
        var rows = await _services.GetRequiredService<LetterRegister>().ListAsync(caseNumber);
        var row = Assert.Single(rows);
        var text = await ReadAsync(StorageNames.DeterminationsContainer, row.TextBlobName);
        var pdf = await ReadAsync(StorageNames.DeterminationsContainer, row.PdfBlobName);
        Assert.Equal(DocumentStore.Sha256Hex(text), row.TextSha256);
        Assert.Equal(DocumentStore.Sha256Hex(pdf), row.PdfSha256);
        Assert.Equal(first.PdfSha256, row.PdfSha256);
        Assert.Equal("PT-LUMBAR-12=Upheld", row.Outcomes);

        // The PDF says what the text says.
        using (var document = UglyToad.PdfPig.PdfDocument.Open(pdf.ToArray()))
        {
            Assert.Equal(Flow(text.ToString()), Flow(string.Join("\n", document.GetPages().Select(p => ContentOrderTextExtractor.GetText(p)))));
        }

        // Each notice carries the letter's PDF; parties without an address are served by post.
        foreach (var id in PartyNotices)
        {
            var message = Outbox.Read(await ReadAsync(StorageNames.OutboxContainer, Outbox.BlobName(caseNumber, id)));
            var attachment = Assert.IsType<MimePart>(Assert.Single(message.Attachments));
            using var content = new MemoryStream();
            await attachment.Content!.DecodeToAsync(content);
            Assert.Equal(pdf.ToArray(), content.ToArray());
            Assert.Equal(caseNumber, message.Headers[Outbox.CaseHeader]);
        }

        var claims = Outbox.Read(await ReadAsync(StorageNames.OutboxContainer, Outbox.BlobName(caseNumber, "letter-v1-claims-administrator")));
        Assert.Equal("claims@example-claims.test", Assert.IsType<MailboxAddress>(Assert.Single(claims.To)).Address);
        var worker = Outbox.Read(await ReadAsync(StorageNames.OutboxContainer, Outbox.BlobName(caseNumber, "letter-v1-injured-worker")));
        Assert.Equal("post", worker.Headers[Outbox.DeliveryHeader]);
        var director = Outbox.Read(await ReadAsync(StorageNames.OutboxContainer, Outbox.BlobName(caseNumber, "letter-v1-administrative-director")));
        Assert.Equal("administrative-director@dwc.example", Assert.IsType<MailboxAddress>(Assert.Single(director.To)).Address);

        var caseEntity = (await _services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!;
        Assert.Equal((1, row.TextBlobName, row.TextSha256, row.PdfBlobName), (caseEntity.LetterVersion, caseEntity.LetterBlobName, caseEntity.LetterSha256, caseEntity.LetterPdfBlobName));
    }

    [Fact]
    public async Task A_determination_that_fails_the_quality_check_goes_back_to_the_reviewer_once()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("L");
        var assignmentId = await CaseInReviewAsync(caseNumber);
        var named = Sample with { Decisions = [Sample.Decisions[0] with { Rationale = "Dr. Taylor Spine reviewed the file. " + Sample.Decisions[0].Rationale }] };
        var request = new IssueRequest(caseNumber, assignmentId, await StoreSubmissionAsync(caseNumber, assignmentId, named));

        var result = await Activities<IssuanceActivities>().IssueDetermination(request);
        var retried = await Activities<IssuanceActivities>().IssueDetermination(request);

        Assert.True(result.ReturnedForCorrection);
        Assert.Equal(1, result.NextRevision);
        Assert.Equal(result, retried);
        Assert.Empty(await NamesAsync(StorageNames.DeterminationsContainer, caseNumber + "/"));
        Assert.Empty(await _services.GetRequiredService<LetterRegister>().ListAsync(caseNumber));
        var notices = await NamesAsync(StorageNames.OutboxContainer, caseNumber + "/");
        Assert.Single(notices, n => n.Contains("-determination-r", StringComparison.Ordinal));
        var body = Outbox.TextBody(await ReadAsync(StorageNames.OutboxContainer, Outbox.BlobName(caseNumber, $"{assignmentId}-determination-r1")));
        Assert.Contains("must not name the expert reviewer", body);
        Assert.Matches(@"http://\S+/reviewer/assignments/" + assignmentId + @"/determination\?token=", body);
        Assert.Equal(1, (await _services.GetRequiredService<CaseStore>().GetAssignmentAsync(caseNumber, assignmentId))!.DeterminationRevision);
        Assert.Equal("ReturnedForCorrection", (await _services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!.AssignmentStatus);
    }

    [Fact]
    public async Task A_correction_issues_a_new_version_with_its_reason_and_keeps_the_old_one()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("L");
        var assignmentId = await CaseInReviewAsync(caseNumber);
        await Activities<IssuanceActivities>().IssueDetermination(new IssueRequest(caseNumber, assignmentId, await StoreSubmissionAsync(caseNumber, assignmentId, Sample)));
        var v1Text = await ReadAsync(StorageNames.DeterminationsContainer, $"{caseNumber}/final-determination-v1.txt");
        var issuer = _services.GetRequiredService<LetterIssuer>();
        var corrected = Sample with { Decisions = [Sample.Decisions[0] with { Pages = "98-100" }] };

        var result = await issuer.IssueCorrectionAsync(caseNumber, new LetterCorrectionRequest(1, "The guideline's pages were misquoted.", corrected));
        var repeated = await issuer.IssueCorrectionAsync(caseNumber, new LetterCorrectionRequest(1, "The guideline's pages were misquoted.", corrected));
        var stale = await issuer.IssueCorrectionAsync(caseNumber, new LetterCorrectionRequest(5, "Based on a version that does not exist.", corrected));
        var noReason = await issuer.IssueCorrectionAsync(caseNumber, new LetterCorrectionRequest(2, " ", corrected));

        Assert.Equal(CorrectionStatus.Issued, result.Status);
        Assert.Equal(CorrectionStatus.AlreadyIssued, repeated.Status);
        Assert.Equal(CorrectionStatus.Conflict, stale.Status);
        Assert.Equal(CorrectionStatus.Invalid, noReason.Status);
        var rows = await _services.GetRequiredService<LetterRegister>().ListAsync(caseNumber);
        Assert.Equal([1, 2], rows.Select(r => r.Version));
        Assert.Equal(v1Text.ToArray(), (await ReadAsync(StorageNames.DeterminationsContainer, $"{caseNumber}/final-determination-v1.txt")).ToArray());
        Assert.Equal(DocumentStore.Sha256Hex(v1Text), rows[0].TextSha256);
        var v2 = (await ReadAsync(StorageNames.DeterminationsContainer, rows[1].TextBlobName)).ToString();
        Assert.Contains("Corrected Letter, Version 2. Reason: The guideline's pages were misquoted.", v2);
        Assert.Contains("Page(s): 98-100.", v2);
        Assert.Equal("The guideline's pages were misquoted.", rows[1].CorrectionReason);
        var notices = (await NamesAsync(StorageNames.OutboxContainer, caseNumber + "/")).Where(n => n.Contains("/letter-v2-", StringComparison.Ordinal));
        Assert.Equal(5, notices.Count());
        Assert.Equal(2, (await _services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!.LetterVersion);

        // Issuing the original again (a replay) changes nothing on the case: it stays at version 2.
        await Activities<IssuanceActivities>().IssueDetermination(new IssueRequest(caseNumber, assignmentId, $"{caseNumber}/{assignmentId}.json"));
        Assert.Equal(2, (await _services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!.LetterVersion);
    }

    [Fact]
    public void Choosing_the_Azure_e_mail_sender_without_its_package_stops_the_app_with_the_reason()
    {
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        settings["Notifications:Delivery"] = NotificationDelivery.AzureCommunicationEmail;

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddImrApplication(TestEnvironment.Configuration(settings)));

        Assert.Contains("Azure.Communication.Email", error.Message);
    }
}
