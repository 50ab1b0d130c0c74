using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Imr.LocalRuntime;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests.Infrastructure;

/// <summary>The app's orchestrations and activities on the in-memory Durable Task sidecar, with storage on Azurite and the sample roster.</summary>
public static class WorkflowTestHost
{
    public static async Task<DurableTaskTestHost> StartAsync(Action<Dictionary<string, string?>>? configure = null, TimeSpan? maximumTimerInterval = null)
    {
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        configure?.Invoke(settings);
        var configuration = TestEnvironment.Configuration(settings);
        var host = await StartWithFreePortAsync(new DurableTaskTestHostOptions
        {
            ConfigureServices = services =>
            {
                services.AddImrApplication(configuration);
                if (maximumTimerInterval is { } max) services.Configure<DurableTaskWorkerOptions>(o => o.MaximumTimerInterval = max);
            },
        });

        await host.Services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var roster = host.Services.GetRequiredService<RosterStore>();
        foreach (var r in JsonSerializer.Deserialize<List<Reviewer>>(File.ReadAllBytes(Path.Combine(TestEnvironment.RepoRoot, "samples", "roster.json")), CasePackage.JsonOptions)!)
        {
            await roster.UpsertAsync(r);
        }

        return host;
    }

    /// <summary>
    /// The Durable Task test host with the app's functions. It picks a free port and binds it later, so a test starting
    /// at the same time (the other shard of test.sh) can take the port in between: the start is tried again then.
    /// </summary>
    public static async Task<DurableTaskTestHost> StartWithFreePortAsync(DurableTaskTestHostOptions options)
    {
        var catalog = new FunctionCatalog(typeof(ImrServiceCollectionExtensions).Assembly);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DurableTaskTestHost.StartAsync(r => r.AddFunctions(catalog), options);
            }
            catch (IOException ex) when (attempt < 5 && ex.InnerException?.GetType().Name == "AddressInUseException")
            {
            }
        }
    }

    /// <summary>Starts a case as intake leaves an accepted package: manifest and documents in the case files (no intake trigger runs here).</summary>
    /// <param name="version">The workflow version; null: unversioned (the flow before version 2).</param>
    public static async Task<string> StartCaseAsync(DurableTaskTestHost host, string caseNumber, string? version = null)
    {
        var manifestBlob = await TestEnvironment.StoreAcceptedSampleCaseAsync(caseNumber);
        return await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaseOrchestrator), new CaseWorkflowInput(caseNumber, manifestBlob), new StartOrchestrationOptions($"case-{caseNumber}") { Version = version });
    }
}
