using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Functions.Storage;
using Imr.LocalRuntime;
using Imr.LocalRuntime.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests.Infrastructure;

/// <summary>A local runtime on Azurite (the Azure Storage durable backend) with its own task hub and port, and an HTTP client for it.</summary>
public sealed class RuntimeHarness : IAsyncDisposable
{
    private RuntimeHarness(LocalFunctionsRuntime runtime, Dictionary<string, string?> settings)
    {
        Runtime = runtime;
        Settings = settings;
        Http = new HttpClient { BaseAddress = runtime.BaseAddress };
        Http.DefaultRequestHeaders.Add(HttpRoutes.KeyHeader, runtime.FunctionKey);
        Driver = new SampleCaseDriver(TestEnvironment.Blobs, Http);
    }

    public LocalFunctionsRuntime Runtime { get; private set; }
    public Dictionary<string, string?> Settings { get; }
    public HttpClient Http { get; }
    public SampleCaseDriver Driver { get; }
    public CaseStore Cases => Runtime.Services.GetRequiredService<CaseStore>();
    public static BlobServiceClient Blobs => TestEnvironment.Blobs;

    /// <param name="counter">Counts the app's storage requests (as the benchmark does), for tests of what a step reads.</param>
    public static async Task<RuntimeHarness> StartAsync(string? taskHub = null, Action<Dictionary<string, string?>>? configure = null, Imr.Functions.Storage.StorageRequestCounter? counter = null)
    {
        var settings = TestEnvironment.AppSettings(taskHub ?? NewTaskHub(), DurableBackend.FreeLoopbackPort());
        configure?.Invoke(settings);
        return new RuntimeHarness(await LocalFunctionsRuntime.StartAsync(TestEnvironment.Configuration(settings), counter: counter), settings);
    }

    /// <summary>Stops the runtime and starts a new one on the same task hub, port and worker id, as after a crash or redeploy.</summary>
    public async Task RestartAsync()
    {
        await Runtime.DisposeAsync();
        Runtime = await LocalFunctionsRuntime.StartAsync(TestEnvironment.Configuration(Settings));
    }

    public static string NewTaskHub() => "t" + Guid.NewGuid().ToString("N")[..12];

    public async Task<Uri> LinkAsync(string caseNumber, string notificationId) =>
        await Driver.WaitForLinkAsync(caseNumber, notificationId, TimeSpan.FromSeconds(60));

    public async Task<List<string>> BlobNamesAsync(string container, string prefix)
    {
        var names = new List<string>();
        await foreach (var b in Blobs.GetBlobContainerClient(container).GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None)) names.Add(b.Name);
        return names;
    }

    public async ValueTask DisposeAsync()
    {
        // The sidecar starts the Azure Storage provider when the worker connects; stopping a provider that never started
        // crashes the test host. A short test can end before that, so wait for the worker: one orchestration run to its
        // end (it fails at once: there is no such manifest) proves it is connected.
        var probe = await Runtime.DurableClient.ScheduleNewOrchestrationInstanceAsync(nameof(Workflow.CaseOrchestrator), new Workflow.CaseWorkflowInput("PROBE", "PROBE/none.json"));
        await Runtime.DurableClient.WaitForInstanceCompletionAsync(probe, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Http.Dispose();
        await Runtime.DisposeAsync();
    }
}
