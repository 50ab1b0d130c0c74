using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>
/// Issue 12, "intake never jams": every blob that cannot be processed ends in quarantine with a reason and a notice, under a
/// safe name when its own cannot be used; a BOM is accepted; documents whose manifest never comes are set aside by the sweep.
/// Blobs with names the SDK cannot address are stored through the REST API, as the issue found them.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IntakeResilienceTests : IAsyncLifetime
{
    private static readonly TimeSpan OrphanAfter = TimeSpan.FromSeconds(2);
    private DurableTaskTestHost _host = null!;

    private static BlobContainerClient Container(string name) => TestEnvironment.Blobs.GetBlobContainerClient(name);
    private CaseIntake Intake => _host.Services.GetRequiredService<CaseIntake>();
    private IntakeStore Store => _host.Services.GetRequiredService<IntakeStore>();

    public async Task InitializeAsync()
    {
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        settings["Imr:Intake:OrphanAfter"] = OrphanAfter.ToString();
        var configuration = TestEnvironment.Configuration(settings);
        _host = await WorkflowTestHost.StartWithFreePortAsync(new DurableTaskTestHostOptions { ConfigureServices = s => s.AddImrApplication(configuration) });
        await _host.Services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>Stores a blob under exactly this name through the REST API (the SDK's URI would resolve "..").</summary>
    private static async Task PutRawAsync(string name, byte[] content)
    {
        var container = Container(StorageNames.IntakeContainer);
        var sas = container.GenerateSasUri(BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddMinutes(10));
        var path = string.Join('/', name.Split('/').Select(Uri.EscapeDataString));
        var uri = new Uri($"{container.Uri.AbsoluteUri}/{path}{sas.Query}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ByteArrayContent(content) };
        request.Headers.Add("x-ms-blob-type", "BlockBlob");
        request.Headers.Add("x-ms-version", "2025-01-05");
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
    }

    private static async Task<List<string>> NamesAsync(string container, string prefix)
    {
        var names = new List<string>();
        await foreach (var b in Container(container).GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None)) names.Add(b.Name);
        return names;
    }

    private static async Task<byte[]> ReadAsync(string container, string name) => (await Container(container).GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();

    private static async Task UploadAsync(string name, byte[] content) =>
        await Container(StorageNames.IntakeContainer).GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), overwrite: true);

    private static byte[] SampleDocument(string fileName) => File.ReadAllBytes(Path.Combine(TestEnvironment.SampleCaseFolder, fileName));

    private static async Task<string> NoticeTextAsync(string partition, RejectionEntity rejection) =>
        Encoding.UTF8.GetString(await ReadAsync(StorageNames.OutboxContainer, Outbox.BlobName(partition, $"rejection-{rejection.RowKey}")));

    [Fact]
    public async Task A_blob_named_with_dot_dot_segments_is_quarantined_under_a_safe_name_with_its_original_name_recorded()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("Q");
        var name = $"{caseNumber}/../../secrets-{Guid.NewGuid():N}.txt";
        await PutRawAsync(name, Encoding.UTF8.GetBytes("not for intake"));
        Assert.Equal([name], await NamesAsync(StorageNames.IntakeContainer, caseNumber + "/"));

        Assert.Equal(IntakeResult.Quarantined, await Intake.AcceptAsync(name, _host.Client));

        Assert.Empty(await NamesAsync(StorageNames.IntakeContainer, caseNumber + "/"));
        var rejection = Assert.Single(await Store.RejectionsAsync(caseNumber));
        var target = Assert.Single(JsonSerializer.Deserialize<List<string>>(rejection.QuarantinedBlobs)!);
        Assert.StartsWith($"{caseNumber}/rejected-{rejection.RowKey}/unsafe-name-", target);
        Assert.Equal("not for intake", Encoding.UTF8.GetString(await ReadAsync(StorageNames.QuarantineContainer, target)));
        var properties = (await Container(StorageNames.QuarantineContainer).GetBlobClient(target).GetPropertiesAsync()).Value;
        Assert.Equal(name, Uri.UnescapeDataString(properties.Metadata[CaseIntake.OriginalNameMetadata]));
        var report = JsonDocument.Parse(await ReadAsync(StorageNames.QuarantineContainer, target + ".rejection.json")).RootElement;
        Assert.Equal(name, report.GetProperty("blob").GetString());
        Assert.Contains("no sub-folders, no '..'", rejection.Reasons);
        Assert.Contains($"is in quarantine as '{target}'", rejection.Reasons);
        Assert.Contains("upload rejected", await NoticeTextAsync(caseNumber, rejection));
    }

    [Fact]
    public async Task A_rejected_package_whose_folder_holds_a_dot_dot_blob_is_moved_to_quarantine_whole()
    {
        // On old main the package's rejection stopped at the '..' file: the audit said Rejected while the files stayed in intake.
        var caseNumber = TestEnvironment.NewCaseNumber("Q");
        var dotted = $"{caseNumber}/../x-{Guid.NewGuid():N}.txt";
        await PutRawAsync(dotted, Encoding.UTF8.GetBytes("stray"));
        foreach (var doc in new[] { "medical-records.txt", "ur-decision.txt" })
        {
            await UploadAsync($"{caseNumber}/{doc}", SampleDocument(doc));
        }

        var badManifest = TestEnvironment.SampleManifest(caseNumber, m => m["expedited"] = "no");
        await UploadAsync($"{caseNumber}/manifest.json", badManifest);

        Assert.Equal(IntakeResult.Quarantined, await Intake.AcceptAsync($"{caseNumber}/manifest.json", _host.Client));

        Assert.Empty(await NamesAsync(StorageNames.IntakeContainer, caseNumber + "/"));
        var rejection = Assert.Single(await Store.RejectionsAsync(caseNumber));
        var targets = JsonSerializer.Deserialize<List<string>>(rejection.QuarantinedBlobs)!;
        Assert.Equal(4, targets.Count);
        Assert.Contains($"{caseNumber}/manifest.json", targets);
        Assert.Equal(badManifest, await ReadAsync(StorageNames.QuarantineContainer, $"{caseNumber}/manifest.json"));
        var safe = Assert.Single(targets, t => t.Contains("/unsafe-name-", StringComparison.Ordinal));
        Assert.Equal("stray", Encoding.UTF8.GetString(await ReadAsync(StorageNames.QuarantineContainer, safe)));
        Assert.Contains("upload rejected", await NoticeTextAsync(caseNumber, rejection));
    }

    [Fact]
    public async Task A_manifest_with_a_utf8_byte_order_mark_starts_the_case()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("Q");
        foreach (var doc in new[] { "medical-records.txt", "ur-decision.txt" })
        {
            await UploadAsync($"{caseNumber}/{doc}", SampleDocument(doc));
            Assert.Equal(IntakeResult.DocumentOnly, await Intake.AcceptAsync($"{caseNumber}/{doc}", _host.Client));
        }

        await UploadAsync($"{caseNumber}/manifest.json", [.. Encoding.UTF8.GetPreamble(), .. TestEnvironment.SampleManifest(caseNumber)]);

        Assert.Equal(IntakeResult.Started, await Intake.AcceptAsync($"{caseNumber}/manifest.json", _host.Client));
        Assert.Empty(await NamesAsync(StorageNames.IntakeContainer, caseNumber + "/"));
        Assert.Empty(await Store.RejectionsAsync(caseNumber));
        Assert.NotNull(await _host.Client.GetInstanceAsync($"case-{caseNumber}"));
    }

    [Fact]
    public async Task A_document_whose_manifest_never_comes_is_quarantined_by_the_sweep_with_a_notice_to_the_intake_desk()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("Q");
        await UploadAsync($"{caseNumber}/medical-records.txt", SampleDocument("medical-records.txt"));
        Assert.Equal(IntakeResult.DocumentOnly, await Intake.AcceptAsync($"{caseNumber}/medical-records.txt", _host.Client));

        await Intake.SweepAsync(_host.Client); // too young to be an orphan: it waits for its manifest
        Assert.Equal([$"{caseNumber}/medical-records.txt"], await NamesAsync(StorageNames.IntakeContainer, caseNumber + "/"));

        await Task.Delay(OrphanAfter + TimeSpan.FromSeconds(1));
        var swept = await Intake.SweepAsync(_host.Client);

        Assert.True(swept.Orphans >= 1, $"{swept}");
        Assert.Empty(await NamesAsync(StorageNames.IntakeContainer, caseNumber + "/"));
        var rejection = Assert.Single(await Store.RejectionsAsync(caseNumber));
        Assert.Equal("Orphan", rejection.Kind);
        Assert.Contains($"no manifest for case {caseNumber} arrived within {OrphanAfter}", rejection.Reasons);
        Assert.Equal(SampleDocument("medical-records.txt"), await ReadAsync(StorageNames.QuarantineContainer, $"{caseNumber}/medical-records.txt"));
        var notice = await NoticeTextAsync(caseNumber, rejection);
        Assert.Contains("intake-desk@imr.example", notice);
        Assert.Contains($"IMR case {caseNumber}: upload rejected", notice);
    }

    [Fact]
    public async Task Blobs_a_crash_left_in_intake_are_delivered_again_by_the_sweep()
    {
        // A package whose deliveries never ran (the runtime died after the upload), and a document of a started case likewise.
        var stuck = TestEnvironment.NewCaseNumber("Q");
        await TestEnvironment.UploadSampleCaseAsync(stuck);
        var started = TestEnvironment.NewCaseNumber("Q");
        await UploadAsync($"{started}/manifest.json", TestEnvironment.SampleManifest(started));
        Assert.Equal(IntakeResult.Started, await Intake.AcceptAsync($"{started}/manifest.json", _host.Client));
        await UploadAsync($"{started}/ur-decision.txt", SampleDocument("ur-decision.txt"));

        await Task.Delay(OrphanAfter + TimeSpan.FromSeconds(1));
        await Intake.SweepAsync(_host.Client);

        Assert.Empty(await NamesAsync(StorageNames.IntakeContainer, stuck + "/"));
        Assert.Empty(await NamesAsync(StorageNames.IntakeContainer, started + "/"));
        Assert.NotNull(await _host.Client.GetInstanceAsync($"case-{stuck}"));
        Assert.Equal(3, (await NamesAsync(StorageNames.CaseFilesContainer, stuck + "/")).Count);
        Assert.Contains($"{started}/documents/ur-decision.txt", await NamesAsync(StorageNames.CaseFilesContainer, started + "/"));
        Assert.Empty(await Store.RejectionsAsync(stuck));
        Assert.Empty(await Store.RejectionsAsync(started));
    }
}
