using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Imr.Functions.Storage;
using Microsoft.Extensions.Configuration;

namespace Imr.Functions.Tests.Infrastructure;

/// <summary>Where the tests' storage is (Azurite, started by test.sh) and the settings of an app under test.</summary>
public static class TestEnvironment
{
    public const string StorageVariable = "IMR_TEST_STORAGE";

    public static string StorageConnectionString =>
        Environment.GetEnvironmentVariable(StorageVariable) is { Length: > 0 } s
            ? s
            : throw new InvalidOperationException($"{StorageVariable} is not set: run the tests with ./test.sh, which starts Azurite and sets it.");

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SampleCaseFolder => Path.Combine(RepoRoot, "samples", "sample-case", "CM13-0012345");
    public static string SampleDetermination => Path.Combine(RepoRoot, "samples", "sample-case", "determination.json");

    /// <summary>A case number unique to this test run, so tests sharing one Azurite never see each other's cases.</summary>
    public static string NewCaseNumber(string prefix = "T") => $"{prefix}{Guid.NewGuid().ToString("N")[..10].ToUpperInvariant()}";

    /// <summary>The function key of the test runtimes (management routes need it, header x-functions-key).</summary>
    public const string FunctionKey = "test-function-key-0123456789";

    public static Dictionary<string, string?> AppSettings(string taskHub, int httpPort) => new()
    {
        [StorageNames.Connection] = StorageConnectionString,
        ["DeadlineSweepSchedule"] = "0 0 0 1 1 *", // tests call the sweep themselves
        ["IntakeSweepSchedule"] = "0 0 0 1 1 *", // likewise the intake sweep
        ["Callback:PublicBaseUrl"] = $"http://127.0.0.1:{httpPort}/api",
        ["Callback:CurrentKeyId"] = "test-1",
        ["Callback:Keys:test-1"] = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()),
        ["LocalRuntime:HttpUrl"] = $"http://127.0.0.1:{httpPort}",
        ["LocalRuntime:TaskHub"] = taskHub,
        ["LocalRuntime:FunctionKey"] = FunctionKey, // management routes refuse requests without it, as in Azure
        ["Imr:RosterScope"] = taskHub, // each app its own roster, loads and rotation
        ["LocalRuntime:WorkerId"] = "test-worker",
        ["LocalRuntime:RosterSeedFile"] = Path.Combine(RepoRoot, "samples", "roster.json"),
        ["LocalRuntime:BlobPollInterval"] = "00:00:00.250",
        // A case's steps follow each other at once: the Azure Storage provider backs off to this when its queues are idle
        // (1 s by default, up to a second per step); one partition, owned as soon as the runtime starts.
        ["LocalRuntime:MaxQueuePollingInterval"] = "00:00:00.100",
        ["LocalRuntime:PartitionCount"] = "1",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    public static IConfiguration Configuration(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    public static BlobServiceClient Blobs => new(StorageConnectionString);

    /// <summary>
    /// The sample manifest, renumbered for a test's own case. Its UR decision gets a reference of its own too, or every
    /// test's case would be a duplicate application of the first one (same worker, treatment and UR decision).
    /// </summary>
    public static byte[] SampleManifest(string caseNumber, Action<JsonNode>? change = null)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(SampleCaseFolder, "manifest.json")))!;
        node["caseNumber"] = caseNumber;
        node["utilizationReview"]!["referenceNumber"] = "UR-" + caseNumber;
        change?.Invoke(node);
        return JsonSerializer.SerializeToUtf8Bytes(node);
    }

    /// <summary>Uploads the sample case as an upstream system would: documents first, the manifest last.</summary>
    public static async Task UploadSampleCaseAsync(string caseNumber, byte[]? manifest = null)
    {
        var intake = Blobs.GetBlobContainerClient(StorageNames.IntakeContainer);
        await intake.CreateIfNotExistsAsync();
        foreach (var file in Directory.GetFiles(SampleCaseFolder).Where(f => Path.GetFileName(f) != "manifest.json"))
        {
            await intake.GetBlobClient($"{caseNumber}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true);
        }

        await intake.GetBlobClient($"{caseNumber}/manifest.json").UploadAsync(BinaryData.FromBytes(manifest ?? SampleManifest(caseNumber)), overwrite: true);
    }

    /// <summary>Stores the sample case as intake leaves an accepted package (case files container), for tests that start the orchestration directly.</summary>
    public static async Task<string> StoreAcceptedSampleCaseAsync(string caseNumber, byte[]? manifest = null, bool withDocuments = true)
    {
        var files = Blobs.GetBlobContainerClient(StorageNames.CaseFilesContainer);
        await files.CreateIfNotExistsAsync();
        if (withDocuments)
        {
            foreach (var file in Directory.GetFiles(SampleCaseFolder).Where(f => Path.GetFileName(f) != "manifest.json"))
            {
                await files.GetBlobClient($"{caseNumber}/documents/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true);
            }
        }

        var manifestBlob = $"{caseNumber}/manifest.json";
        await files.GetBlobClient(manifestBlob).UploadAsync(BinaryData.FromBytes(manifest ?? SampleManifest(caseNumber)), overwrite: true);
        return manifestBlob;
    }

    /// <summary>
    /// Removes from the shared deadline index the checks of every case but <paramref name="keep"/>. The Azurite tests run
    /// one at a time, so other cases there are left over from finished tests, their task hubs served by no runtime: a sweep
    /// with a durable client would find each one's workflow missing, restart it in this test's task hub and mail an
    /// escalation. That is minutes of work no assertion looks at (14 of the suite's 35 minutes in one test, measured), and
    /// it grows with the suite. Call it right before such a sweep, with the cases the test made.
    /// </summary>
    public static async Task ForgetOtherCasesDeadlineChecksAsync(params string[] keep)
    {
        var table = new Azure.Data.Tables.TableClient(StorageConnectionString, StorageNames.DeadlineIndexTable);
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey", "CaseNumber"]))
        {
            if (!keep.Contains(row.GetString("CaseNumber"))) await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }
    }

    /// <summary>The plain text of a notice in the outbox, or null while it is not there.</summary>
    public static async Task<string?> OutboxTextOrNullAsync(string caseNumber, string notificationId)
    {
        var blob = Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, notificationId));
        return (await blob.ExistsAsync()).Value ? Outbox.TextBody((await blob.DownloadContentAsync()).Value.Content) : null;
    }

    /// <summary>The plain text of a notice in the outbox, waited for: a step may write its rows before its notices.</summary>
    public static Task<string> OutboxTextAsync(string caseNumber, string notificationId, TimeSpan timeout) =>
        EventuallyAsync(() => OutboxTextOrNullAsync(caseNumber, notificationId), timeout, $"the notice {notificationId} of case {caseNumber}");

    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (value is not null) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            await Task.Delay(200);
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ImrFunctions.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Repository root (ImrFunctions.sln) not found.");
    }
}

/// <summary>Every test that uses Azurite runs in this collection, one at a time: they share the intake container that runtimes watch.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection
{
    public const string Name = "Azurite";
}
