using System.Text.Json.Nodes;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;

namespace Imr.Functions.Tests;

/// <summary>
/// `./run.sh upload &lt;folder&gt;` (<see cref="CaseUploader"/>): a case folder uploaded with the Azure SDK is a case the
/// running app starts, under the manifest's case number; a folder without a manifest is refused before anything is sent.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CaseUploaderTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "imr-upload-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync();

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task An_uploaded_folder_becomes_a_case_under_its_manifests_number()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("U");
        Directory.CreateDirectory(_folder);
        foreach (var file in Directory.GetFiles(TestEnvironment.SampleCaseFolder))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }

        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_folder, "manifest.json")))!;
        manifest["caseNumber"] = caseNumber;
        await File.WriteAllTextAsync(Path.Combine(_folder, "manifest.json"), manifest.ToJsonString());

        Assert.Equal(caseNumber, await CaseUploader.UploadAsync(RuntimeHarness.Blobs, _folder));

        var intake = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.IntakeContainer);
        foreach (var file in Directory.GetFiles(_folder))
        {
            var stored = (await intake.GetBlobClient($"{caseNumber}/{Path.GetFileName(file)}").DownloadContentAsync()).Value.Content.ToArray();
            Assert.Equal(await File.ReadAllBytesAsync(file), stored);
        }

        // The app picks the case up from the intake container: a case record under the manifest's number.
        await TestEnvironment.EventuallyAsync(async () => await _app.Cases.GetAsync(caseNumber), TimeSpan.FromSeconds(60), "the uploaded case started");
    }

    [Fact]
    public async Task A_folder_without_a_manifest_is_refused_and_nothing_is_uploaded()
    {
        Directory.CreateDirectory(_folder);
        var caseNumber = Path.GetFileName(_folder);
        await File.WriteAllTextAsync(Path.Combine(_folder, "medical-records.txt"), "records");

        await Assert.ThrowsAsync<FileNotFoundException>(() => CaseUploader.UploadAsync(RuntimeHarness.Blobs, _folder));

        var intake = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.IntakeContainer);
        Assert.False((await intake.GetBlobClient($"{caseNumber}/medical-records.txt").ExistsAsync()).Value);
    }
}
