using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Workflow;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>
/// Intake on Azurite: the corpus of bad packages (tests/Imr.Functions.Tests/BadPackages), duplicates and conflicts.
/// CaseIntake is called for each blob in upload order, as the blob trigger would; the durable client is the in-memory sidecar's.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IntakeTests : IAsyncLifetime
{
    private DurableTaskTestHost _host = null!;

    private static string CorpusFolder => Path.Combine(TestEnvironment.RepoRoot, "tests", "Imr.Functions.Tests", "BadPackages");
    private static BlobContainerClient Container(string name) => TestEnvironment.Blobs.GetBlobContainerClient(name);
    private CaseIntake Intake => _host.Services.GetRequiredService<CaseIntake>();
    private IntakeStore Store => _host.Services.GetRequiredService<IntakeStore>();

    public async Task InitializeAsync()
    {
        var configuration = TestEnvironment.Configuration(TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071));
        _host = await WorkflowTestHost.StartWithFreePortAsync(new DurableTaskTestHostOptions { ConfigureServices = s => s.AddImrApplication(configuration) });
        await _host.Services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var roster = _host.Services.GetRequiredService<RosterStore>();
        foreach (var r in JsonSerializer.Deserialize<List<Reviewer>>(File.ReadAllBytes(Path.Combine(TestEnvironment.RepoRoot, "samples", "roster.json")), CasePackage.JsonOptions)!)
        {
            await roster.UpsertAsync(r);
        }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string> Corpus() => new(Directory.GetDirectories(Path.Combine(TestEnvironment.RepoRoot, "tests", "Imr.Functions.Tests", "BadPackages")).Select(Path.GetFileName).Order()!);

    /// <summary>Uploads files (documents first, manifest last) and hands each to intake as the trigger would; returns the manifest's result.</summary>
    private async Task<IntakeResult> DeliverAsync(string caseNumber, IReadOnlyDictionary<string, byte[]> files)
    {
        var results = new List<IntakeResult>();
        foreach (var (name, content) in files.OrderBy(f => f.Key == "manifest.json" ? 1 : 0).ThenBy(f => f.Key, StringComparer.Ordinal))
        {
            var blob = Container(StorageNames.IntakeContainer).GetBlobClient($"{caseNumber}/{name}");
            await blob.UploadAsync(BinaryData.FromBytes(content), overwrite: true);
            results.Add(await Intake.AcceptAsync(blob, _host.Client));
        }

        return results[^1];
    }

    private static Dictionary<string, byte[]> SampleFiles(string caseNumber, byte[]? manifest = null)
    {
        var files = Directory.GetFiles(TestEnvironment.SampleCaseFolder).Where(f => Path.GetFileName(f) != "manifest.json").ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        files["manifest.json"] = manifest ?? TestEnvironment.SampleManifest(caseNumber);
        return files;
    }

    private static async Task<List<string>> NamesAsync(string container, string prefix)
    {
        var names = new List<string>();
        await foreach (var b in Container(container).GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None)) names.Add(b.Name);
        return names;
    }

    private static async Task<byte[]> ReadAsync(string container, string name) => (await Container(container).GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task A_bad_package_is_quarantined_with_its_reason_and_nothing_is_lost(string corpusEntry)
    {
        var caseNumber = TestEnvironment.NewCaseNumber("B");
        var folder = Path.Combine(CorpusFolder, corpusEntry);
        var files = SampleFiles(caseNumber);
        foreach (var file in Directory.GetFiles(folder).Where(f => Path.GetFileName(f) != "expected-reasons.txt"))
        {
            var bytes = File.ReadAllBytes(file);
            files[Path.GetFileName(file)] = Replace(bytes, "@CASE@", caseNumber);
        }

        var result = await DeliverAsync(caseNumber, files);

        Assert.Equal(IntakeResult.Quarantined, result);
        var report = JsonDocument.Parse(await ReadAsync(StorageNames.QuarantineContainer, $"{caseNumber}/manifest.json.rejection.json")).RootElement.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList();
        var rejection = Assert.Single(await Store.RejectionsAsync(caseNumber));
        var stored = JsonSerializer.Deserialize<List<string>>(rejection.Reasons)!;
        foreach (var expected in File.ReadAllLines(Path.Combine(folder, "expected-reasons.txt")).Where(l => l.Length > 0))
        {
            Assert.True(report.Any(r => r.Contains(expected)), $"No reason contains '{expected}': {string.Join(" | ", report)}");
            Assert.True(stored.Any(r => r.Contains(expected)), $"No stored reason contains '{expected}'.");
        }

        // Nothing lost: every uploaded file is in quarantine byte for byte, with its reasons beside it; nothing is left in intake.
        foreach (var (name, content) in files)
        {
            Assert.Equal(content, await ReadAsync(StorageNames.QuarantineContainer, $"{caseNumber}/{name}"));
            Assert.True((await Container(StorageNames.QuarantineContainer).GetBlobClient($"{caseNumber}/{name}.rejection.json").ExistsAsync()).Value);
        }

        Assert.Empty(await NamesAsync(StorageNames.IntakeContainer, caseNumber + "/"));
        Assert.Empty(await NamesAsync(StorageNames.CaseFilesContainer, caseNumber + "/"));
        Assert.Null(await _host.Client.GetInstanceAsync($"case-{caseNumber}"));
        var notice = Encoding.UTF8.GetString(await ReadAsync(StorageNames.OutboxContainer, Outbox.BlobName(caseNumber, $"rejection-{rejection.RowKey}")));
        Assert.Contains($"Subject: IMR case {caseNumber}: upload rejected", notice);
        Assert.Equal(["Received", "Rejected"], (await Store.ReadAuditAsync(caseNumber)).Select(a => a.Event));
        // One audit schema: intake's events are rows like every step's (What, Details, At).
        var rows = new List<Azure.Data.Tables.TableEntity>();
        await foreach (var row in new Azure.Data.Tables.TableClient(TestEnvironment.StorageConnectionString, StorageNames.AuditTable).QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == caseNumber)) rows.Add(row);
        Assert.All(rows, r => Assert.True(r.ContainsKey("What") && r.ContainsKey("At") && !r.ContainsKey("Event")));
        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public async Task The_same_package_delivered_again_creates_nothing_new()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("B");

        Assert.Equal(IntakeResult.Started, await DeliverAsync(caseNumber, SampleFiles(caseNumber)));
        var first = await _host.Client.GetInstanceAsync($"case-{caseNumber}");
        Assert.Equal(IntakeResult.AlreadyStarted, await DeliverAsync(caseNumber, SampleFiles(caseNumber)));

        var after = await _host.Client.GetInstanceAsync($"case-{caseNumber}");
        Assert.Equal(first!.CreatedAt, after!.CreatedAt);
        Assert.Empty(await NamesAsync(StorageNames.IntakeContainer, caseNumber + "/"));
        Assert.Empty(await NamesAsync(StorageNames.QuarantineContainer, caseNumber + "/"));
        Assert.Equal([$"{caseNumber}/documents/medical-records.txt", $"{caseNumber}/documents/ur-decision.txt", $"{caseNumber}/manifest.json"], await NamesAsync(StorageNames.CaseFilesContainer, caseNumber + "/"));
        Assert.Single(await Store.ReadAuditAsync(caseNumber), a => a.Event == "Received");
    }

    [Fact]
    public async Task A_different_package_under_an_existing_case_number_is_refused_as_a_conflict_and_kept()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("B");
        var original = TestEnvironment.SampleManifest(caseNumber);
        var other = TestEnvironment.SampleManifest(caseNumber, m => m["employer"] = "Another Employer Inc.");
        Assert.Equal(IntakeResult.Started, await DeliverAsync(caseNumber, SampleFiles(caseNumber, original)));

        var result = await DeliverAsync(caseNumber, new Dictionary<string, byte[]> { ["manifest.json"] = other });

        Assert.Equal(IntakeResult.Quarantined, result);
        Assert.Equal(original, await ReadAsync(StorageNames.CaseFilesContainer, $"{caseNumber}/manifest.json")); // never overwritten
        Assert.Equal(other, await ReadAsync(StorageNames.QuarantineContainer, $"{caseNumber}/manifest.json"));    // kept
        var rejection = Assert.Single(await Store.RejectionsAsync(caseNumber));
        Assert.Equal("Conflict", rejection.Kind);
        Assert.Contains($"Conflict: case {caseNumber} already has a different package", rejection.Reasons);

        // A second conflicting package does not overwrite the first one in quarantine either.
        var third = TestEnvironment.SampleManifest(caseNumber, m => m["employer"] = "Third Employer LLC");
        Assert.Equal(IntakeResult.Quarantined, await DeliverAsync(caseNumber, new Dictionary<string, byte[]> { ["manifest.json"] = third }));
        Assert.Equal(other, await ReadAsync(StorageNames.QuarantineContainer, $"{caseNumber}/manifest.json"));
        var kept = (await NamesAsync(StorageNames.QuarantineContainer, caseNumber + "/")).Where(n => n.EndsWith("/manifest.json")).ToList();
        Assert.Equal(2, kept.Count);
        Assert.Contains(third, await Task.WhenAll(kept.Select(n => ReadAsync(StorageNames.QuarantineContainer, n))));
    }

    [Fact]
    public async Task A_document_replacing_an_attached_one_with_other_content_is_refused_and_the_attached_copy_kept()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("B");
        Assert.Equal(IntakeResult.Started, await DeliverAsync(caseNumber, SampleFiles(caseNumber)));
        var attached = await ReadAsync(StorageNames.CaseFilesContainer, $"{caseNumber}/documents/medical-records.txt");

        var result = await DeliverAsync(caseNumber, new Dictionary<string, byte[]> { ["medical-records.txt"] = Encoding.UTF8.GetBytes("different records") });

        Assert.Equal(IntakeResult.Quarantined, result);
        Assert.Equal(attached, await ReadAsync(StorageNames.CaseFilesContainer, $"{caseNumber}/documents/medical-records.txt"));
        Assert.Equal("different records", Encoding.UTF8.GetString(await ReadAsync(StorageNames.QuarantineContainer, $"{caseNumber}/medical-records.txt")));
        Assert.Contains("is already attached to case", Assert.Single(await Store.RejectionsAsync(caseNumber)).Reasons);
    }

    [Fact]
    public async Task A_blob_in_a_sub_folder_is_quarantined()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("B");
        var blob = Container(StorageNames.IntakeContainer).GetBlobClient($"{caseNumber}/sub/evil.txt");
        await blob.UploadAsync(BinaryData.FromString("content"), overwrite: true);

        Assert.Equal(IntakeResult.Quarantined, await Intake.AcceptAsync(blob, _host.Client));

        Assert.False((await blob.ExistsAsync()).Value);
        Assert.Equal("content", Encoding.UTF8.GetString(await ReadAsync(StorageNames.QuarantineContainer, blob.Name)));
        Assert.Contains("no sub-folders, no '..'", Assert.Single(await Store.RejectionsAsync(caseNumber)).Reasons);
    }

    [Fact]
    public async Task A_blob_outside_any_case_folder_is_quarantined_under_no_case()
    {
        var name = TestEnvironment.NewCaseNumber("B") + ".txt";
        var blob = Container(StorageNames.IntakeContainer).GetBlobClient(name);
        await blob.UploadAsync(BinaryData.FromString("content"), overwrite: true);

        Assert.Equal(IntakeResult.Quarantined, await Intake.AcceptAsync(blob, _host.Client));

        Assert.Equal("content", Encoding.UTF8.GetString(await ReadAsync(StorageNames.QuarantineContainer, name)));
        var rejection = Assert.Single(await Store.RejectionsAsync(CaseIntake.UnnamedPartition), r => r.QuarantinedBlobs.Contains(name));
        Assert.Contains("is not '<case number>/<file name>'", rejection.Reasons);
    }

    [Fact]
    public async Task A_duplicate_application_is_ineligible_names_the_earlier_case_and_gets_a_notice()
    {
        var first = TestEnvironment.NewCaseNumber("B");
        var second = TestEnvironment.NewCaseNumber("B");
        Assert.Equal(IntakeResult.Started, await DeliverAsync(first, SampleFiles(first)));
        await TestEnvironment.EventuallyAsync(async () => (await Store.GetAsync(first))?.Eligibility, TimeSpan.FromSeconds(30), "the first case screened");

        // Same worker, treatment and UR decision (reference) as the first case.
        var duplicate = TestEnvironment.SampleManifest(second, m => m["utilizationReview"]!["referenceNumber"] = "UR-" + first);
        Assert.Equal(IntakeResult.Started, await DeliverAsync(second, SampleFiles(second, duplicate)));
        var done = await _host.Client.WaitForInstanceCompletionAsync($"case-{second}", getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var intake = (await Store.GetAsync(second))!;
        Assert.Equal(("Ineligible", first), (intake.Eligibility, intake.DuplicateOf));
        var notice = Encoding.UTF8.GetString(await ReadAsync(StorageNames.DeterminationsContainer, $"{second}/ineligibility-notice.txt"));
        Assert.Contains($"already the subject of case {first} (open)", notice);
        Assert.True((await Container(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(second, "ineligibility-notice")).ExistsAsync()).Value);
        var row = (await _host.Services.GetRequiredService<CaseStore>().GetAsync(second))!; // on record from the first step ...
        Assert.Equal(("Closed", false), (row.Status, CaseEntity.IsRegistered(row))); // ... closed at intake, never registered for review
        Assert.Equal(["Received", "Validated", "Ineligible", "Closed"], (await Store.ReadAuditAsync(second)).Select(a => a.Event));
        Assert.Equal("Eligible", (await Store.GetAsync(first))!.Eligibility);
    }

    [Fact]
    public async Task Combining_is_refused_once_the_case_has_a_determination_and_otherwise_happens_once_however_often_retried()
    {
        var decidedCase = TestEnvironment.NewCaseNumber("B");
        var openCase = TestEnvironment.NewCaseNumber("B");
        var application = TestEnvironment.NewCaseNumber("B");
        foreach (var target in new[] { decidedCase, openCase })
        {
            await TestEnvironment.StoreAcceptedSampleCaseAsync(target);
            await Store.UpdateAsync(target, i => { i.ManifestBlobName = CaseIntake.ManifestBlobName(target); i.Eligibility = "Eligible"; });
        }

        var manifest = await TestEnvironment.StoreAcceptedSampleCaseAsync(application, TestEnvironment.SampleManifest(application));
        var package = await _host.Services.GetRequiredService<DocumentStore>().ReadOwnApplicationAsync(manifest);
        var at = DateTimeOffset.UtcNow;
        await Store.IndexApplicationOnceAsync(Imr.Domain.Eligibility.ApplicationFingerprint.Of(package), at);
        await Container(StorageNames.SubmissionsContainer).GetBlobClient($"{decidedCase}/{decidedCase}-A1.json").UploadAsync(BinaryData.FromString("{}"), overwrite: true);
        var activities = _host.Services.GetRequiredService<IntakeActivities>();

        Assert.False(await activities.CombineApplication(new CombineStep(application, manifest, at, decidedCase)));
        Assert.Empty(await Store.CombinationsIntoAsync(decidedCase));
        Assert.Contains(await Store.ReadAuditAsync(application), a => a.Event == "NotCombined" && a.Detail!.Contains("already has a determination submitted"));

        Assert.True(await activities.CombineApplication(new CombineStep(application, manifest, at.AddSeconds(1), openCase)));
        Assert.True(await activities.CombineApplication(new CombineStep(application, manifest, at.AddSeconds(1), openCase))); // a retried activity

        Assert.Equal([application], (await Store.CombinationsIntoAsync(openCase)).Select(c => c.CombinedCaseNumber));
        Assert.Single(await Store.ReadAuditAsync(openCase), a => a.Event == "ApplicationCombined");
        var merged = await _host.Services.GetRequiredService<DocumentStore>().ReadAcceptedPackageAsync(CaseIntake.ManifestBlobName(openCase));
        Assert.Equal(["PT-LUMBAR-12", $"{application}-PT-LUMBAR-12"], merged.DisputedItems.Select(i => i.ItemId));
        Assert.Equal(
            new[] { "medical-records.txt", $"{application}-medical-records.txt", $"{application}-ur-decision.txt", "ur-decision.txt" }.Select(f => $"{openCase}/documents/{f}").Order(StringComparer.Ordinal),
            (await NamesAsync(StorageNames.CaseFilesContainer, $"{openCase}/documents/")).Order(StringComparer.Ordinal));
        Assert.Equal(3, (await NamesAsync(StorageNames.OutboxContainer, $"{application}/notice-of-assignment-")).Count);
        Assert.Equal(("Combined", openCase), ((await Store.GetAsync(application))!.Stage, (await Store.GetAsync(application))!.CombinedWith));

        // A later duplicate of the combined application (same UR decision and treatment) is a duplicate of the case it joined.
        var duplicate = TestEnvironment.NewCaseNumber("B");
        var duplicateManifest = await TestEnvironment.StoreAcceptedSampleCaseAsync(duplicate, TestEnvironment.SampleManifest(duplicate, m => m["utilizationReview"]!["referenceNumber"] = "UR-" + application));
        var screened = await activities.ScreenEligibility(new IntakeStep(duplicate, duplicateManifest, at.AddSeconds(2)));
        Assert.Equal(("Ineligible", openCase), (screened.Outcome, screened.DuplicateOf));
    }

    [Fact]
    public async Task A_supplementary_record_for_a_case_in_review_is_attached_listed_for_the_reviewer_and_announced_to_them()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("B");
        Assert.Equal(IntakeResult.Started, await DeliverAsync(caseNumber, SampleFiles(caseNumber)));
        var cases = _host.Services.GetRequiredService<CaseStore>();
        var assignmentId = await TestEnvironment.EventuallyAsync(async () => (await cases.GetAsync(caseNumber))?.CurrentAssignmentId, TimeSpan.FromSeconds(60), "the first offer");
        // The reviewer accepted (as the acceptance activity records it); the orchestration itself keeps waiting for the answer.
        await cases.UpdateAsync(caseNumber, c => c.AssignmentStatus = nameof(AssignmentStatus.Accepted));
        var reviewerId = (await cases.GetAsync(caseNumber))!.CurrentReviewerId!;

        var result = await DeliverAsync(caseNumber, new Dictionary<string, byte[]> { ["follow-up-note.txt"] = Encoding.UTF8.GetBytes("Follow-up visit note.") });

        Assert.Equal(IntakeResult.DocumentAttached, result);
        Assert.Contains($"{caseNumber}/documents/follow-up-note.txt", await NamesAsync(StorageNames.CaseFilesContainer, caseNumber + "/"));
        var package = await _host.Services.GetRequiredService<DocumentStore>().ReadAcceptedPackageAsync(CaseIntake.ManifestBlobName(caseNumber));
        Assert.Equal("follow-up-note.txt", package.Documents[^1].FileName); // the review page lists what the reader returns
        var notices = (await NamesAsync(StorageNames.OutboxContainer, caseNumber + "/")).Where(n => n.Contains("-records-", StringComparison.Ordinal)).ToList();
        var notice = Outbox.Read(BinaryData.FromBytes(await ReadAsync(StorageNames.OutboxContainer, Assert.Single(notices))));
        Assert.Contains("follow-up-note.txt", notice.TextBody);
        Assert.Equal((await _host.Services.GetRequiredService<RosterStore>().GetAsync(reviewerId))!.Email, ((MimeKit.MailboxAddress)notice.To[0]).Address);
        var audit = await Store.ReadAuditAsync(caseNumber);
        Assert.Contains(audit, a => a.Event == "SupplementaryRecordsReceived" && a.Detail == "follow-up-note.txt");
        Assert.Contains(audit, a => a.Event == "ReviewerToldOfRecords" && a.Detail!.Contains(reviewerId));
        Assert.StartsWith($"{caseNumber}/{assignmentId}-records-", notices[0]);
    }

    private static byte[] Replace(byte[] bytes, string token, string value)
    {
        var t = Encoding.ASCII.GetBytes(token);
        var v = Encoding.ASCII.GetBytes(value);
        var output = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i + t.Length <= bytes.Length && bytes.AsSpan(i, t.Length).SequenceEqual(t))
            {
                output.AddRange(v);
                i += t.Length - 1;
            }
            else
            {
                output.Add(bytes[i]);
            }
        }

        return output.ToArray();
    }
}
