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

    public Task InitializeAsync() => StartServicesAsync();

    /// <summary>The app's services on Azurite; a test may restart them with other settings (and its own credential).</summary>
    private async Task StartServicesAsync(Action<Dictionary<string, string?>>? configure = null, Azure.Core.TokenCredential? credential = null)
    {
        if (_services is not null) await _services.DisposeAsync();
        // Its own roster scope: loads and rotation start fresh for every test.
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        configure?.Invoke(settings);
        var collection = new ServiceCollection().AddLogging();
        if (credential is not null) collection.AddSingleton(credential);
        _services = collection.AddImrApplication(TestEnvironment.Configuration(settings)).BuildServiceProvider();
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

    [Fact]
    public async Task The_daily_print_batch_lists_the_days_mailings_once_and_a_second_run_finds_it_built()
    {
        var postal = _services.GetRequiredService<PostalMail>();
        var store = _services.GetRequiredService<MailRoomStore>();
        // A day of its own (far from today's mailings of other tests), two mailings on it.
        var day = new DateOnly(2001, 1, 1).AddDays(Random.Shared.Next(0, 3000));
        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.FromHours(-8));
        var caseNumber = TestEnvironment.NewCaseNumber("P");
        await postal.FileAsync(caseNumber, "notice-of-assignment-injured-worker", "Injured worker", "Sample Worker",
            new PostalAddress { Line1 = "100 Main Street", City = "Fresno", State = "CA", PostalCode = "93721" }, at, "Notice of Assignment", null, "NOTICE OF ASSIGNMENT");
        await postal.FileAsync(caseNumber, "notice-of-assignment-employer", "Employer", "Sample Manufacturing Co.", null, at, "Notice of Assignment", null, "NOTICE OF ASSIGNMENT");
        await postal.FileAsync(caseNumber, "notice-of-assignment-employer", "Employer", "Sample Manufacturing Co.", null, at, "Notice of Assignment", null, "NOTICE OF ASSIGNMENT"); // a retry files nothing twice

        var first = await postal.BuildBatchAsync(day);
        var second = await postal.BuildBatchAsync(day);

        Assert.Equal(2, first.Mailings);
        Assert.False(first.AlreadyBuilt);
        Assert.True(second.AlreadyBuilt);
        Assert.Equal(MailRoomStore.BatchBlobName(day), second.BlobName);
        using var batch = UglyToad.PdfPig.PdfDocument.Open((await store.ReadAsync(first.BlobName!)).ToArray());
        var cover = string.Join(" ", batch.GetPage(1).GetWords().Select(w => w.Text));
        Assert.Contains($"Mailings of {day.ToString("dddd, MMMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture)}: 2,", cover);
        Assert.Contains("ADDRESS NOT ON FILE", cover);
        Assert.Equal(new PrintBatchResult(day.AddDays(-1), null, 0, false), await postal.BuildBatchAsync(day.AddDays(-1))); // no mailings, no batch
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

        // The PDF says what the text says, beside its footer (case number and "Page n of m" on every page).
        using (var document = UglyToad.PdfPig.PdfDocument.Open(pdf.ToArray()))
        {
            var pages = document.GetPages().Select(p => ContentOrderTextExtractor.GetText(p)).ToList();
            Assert.All(pages.Select((page, i) => (page, i)), p => Assert.Contains($"IMR Case Number {caseNumber} — Page {p.i + 1} of {pages.Count}", p.page));
            Assert.Equal(Flow(text.ToString()), Flow(Regex.Replace(string.Join("\n", pages), @"IMR Case Number \S+ — Page \d+ of \d+", " ")));
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
        // Served by post: a mailing PDF for the mail room, the letter behind an address sheet (issue #15).
        var day = PostalMail.MailingDay(row.IssuedAt);
        var mailings = await _services.GetRequiredService<MailRoomStore>().MailingsOfAsync(day);
        Assert.Contains(MailRoomStore.MailingBlobName(day, caseNumber, "letter-v1-injured-worker"), mailings);
        Assert.Contains(MailRoomStore.MailingBlobName(day, caseNumber, "letter-v1-employer"), mailings);
        Assert.DoesNotContain(MailRoomStore.MailingBlobName(day, caseNumber, "letter-v1-claims-administrator"), mailings); // served by e-mail
        using (var mailing = UglyToad.PdfPig.PdfDocument.Open((await _services.GetRequiredService<MailRoomStore>().ReadAsync(MailRoomStore.MailingBlobName(day, caseNumber, "letter-v1-injured-worker"))).ToArray()))
        using (var letterPdf = UglyToad.PdfPig.PdfDocument.Open(pdf.ToArray()))
        {
            Assert.Equal(1 + letterPdf.NumberOfPages, mailing.NumberOfPages);
        }
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
    public void Choosing_Communication_Services_e_mail_without_its_endpoint_stops_the_app_with_the_reason()
    {
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        settings["Notifications:Delivery"] = NotificationDelivery.AzureCommunicationEmail;

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddImrApplication(TestEnvironment.Configuration(settings)));

        Assert.Contains("Notifications__AcsEndpoint", error.Message);
    }

    [Fact]
    public async Task With_Communication_Services_e_mail_each_notice_is_sent_once_with_the_letter_pdf_even_when_a_send_fails_and_issuance_is_retried()
    {
        await using var acs = await FakeCommunicationServices.StartAsync();
        var credential = new StaticTokenCredential("test-entra-token");
        await StartServicesAsync(s =>
        {
            s["Notifications:Delivery"] = NotificationDelivery.AzureCommunicationEmail;
            s["Notifications:AcsEndpoint"] = acs.Endpoint.ToString();
            s["Notifications:FromAddress"] = "DoNotReply@imr-test.azurecomm.net";
        }, credential);
        var caseNumber = TestEnvironment.NewCaseNumber("M");
        var assignmentId = await CaseInReviewAsync(caseNumber);
        var request = new IssueRequest(caseNumber, assignmentId, await StoreSubmissionAsync(caseNumber, assignmentId, Sample));
        var letterNotices = new[] { "letter-v1-administrative-director", "letter-v1-claims-administrator", "letter-v1-requesting-physician" } // the parties with an address
            .ToDictionary(id => Outbox.OperationIdOf(caseNumber, id).ToString(), id => id);

        // The service fails the first letter notice: the activity fails after writing it to the outbox.
        acs.FailNext(1, r => letterNotices.ContainsKey(r.OperationId ?? ""));
        await Assert.ThrowsAsync<HttpRequestException>(() => Activities<IssuanceActivities>().IssueDetermination(request));
        await Activities<IssuanceActivities>().IssueDetermination(request); // the backend retries
        await Activities<IssuanceActivities>().IssueDetermination(request); // and replays

        var sends = acs.Requests.Where(r => letterNotices.ContainsKey(r.OperationId ?? "")).ToList();
        var accepted = sends.Where(r => r.Status == 202).ToList();
        Assert.Equal(4, sends.Count); // one failed, then one per party
        Assert.Equal(letterNotices.Keys.Order(), accepted.Select(r => r.OperationId!).Order());
        Assert.Equal(500, sends[0].Status);
        Assert.Contains(accepted, r => r.OperationId == sends[0].OperationId); // the failed notice was sent again, with the same id
        var pdf = (await ReadAsync(StorageNames.DeterminationsContainer, $"{caseNumber}/final-determination-v1.pdf")).ToArray();
        foreach (var send in accepted)
        {
            Assert.Equal("POST", send.Method);
            Assert.Equal("/emails:send", send.Path);
            Assert.Equal("2023-03-31", send.ApiVersion);
            Assert.Equal("Bearer test-entra-token", send.Authorization);
            Assert.True(Guid.TryParse(send.OperationId, out _));
            using var json = JsonDocument.Parse(send.Body);
            var root = json.RootElement;
            Assert.Equal("DoNotReply@imr-test.azurecomm.net", root.GetProperty("senderAddress").GetString());
            var content = root.GetProperty("content");
            Assert.Equal($"IMR case {caseNumber}: Final Determination Letter", content.GetProperty("subject").GetString());
            Assert.Contains("final-determination-v1.pdf", content.GetProperty("plainText").GetString());
            Assert.StartsWith("<!doctype html>", content.GetProperty("html").GetString());
            var to = Assert.Single(root.GetProperty("recipients").GetProperty("to").EnumerateArray()).GetProperty("address").GetString();
            var expected = letterNotices[send.OperationId!] switch
            {
                "letter-v1-claims-administrator" => "claims@example-claims.test",
                "letter-v1-requesting-physician" => "dr.example@example-clinic.test",
                _ => "administrative-director@dwc.example",
            };
            Assert.Equal(expected, to);
            var attachment = Assert.Single(root.GetProperty("attachments").EnumerateArray());
            Assert.Equal("final-determination-v1.pdf", attachment.GetProperty("name").GetString());
            Assert.Equal("application/pdf", attachment.GetProperty("contentType").GetString());
            Assert.Equal(pdf, Convert.FromBase64String(attachment.GetProperty("contentInBase64").GetString()!));
        }

        // The send is recorded on each outbox blob; the parties served by post were never handed to the service.
        var outbox = TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer);
        foreach (var (operationId, id) in letterNotices)
        {
            var metadata = (await outbox.GetBlobClient(Outbox.BlobName(caseNumber, id)).GetPropertiesAsync()).Value.Metadata;
            Assert.Equal(operationId, metadata[Outbox.OperationMetadata]);
            Assert.True(metadata.ContainsKey(Outbox.SentMetadata));
        }

        Assert.False((await outbox.GetBlobClient(Outbox.BlobName(caseNumber, "letter-v1-injured-worker")).GetPropertiesAsync()).Value.Metadata.ContainsKey(Outbox.SentMetadata));
        Assert.All(credential.Scopes, scope => Assert.Equal(["https://communication.azure.com/.default"], scope));
    }
}
