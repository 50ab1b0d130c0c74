using Imr.Bench;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime;

namespace Imr.Functions.Tests;

/// <summary>The benchmark harness runs end to end on a tiny N (the figures themselves are the harness's output, not asserted).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BenchHarnessTests
{
    [Fact]
    public async Task The_macro_harness_completes_a_few_cases_on_both_backends_and_counts_storage_requests()
    {
        var runs = new List<MacroResult>();
        foreach (var backend in new[] { DurableBackendKind.AzureStorage, DurableBackendKind.InMemory })
        {
            runs.Add(await MacroBenchmark.RunAsync(new MacroOptions
            {
                Cases = 3,
                Backend = backend,
                StorageConnectionString = TestEnvironment.StorageConnectionString,
                RepoRoot = TestEnvironment.RepoRoot,
                ReviewerConcurrency = 4,
                Timeout = TimeSpan.FromMinutes(3),
            }));
        }

        Assert.All(runs, r => Assert.Equal(3, r.Completed));
        Assert.All(runs, r => Assert.Equal(3, r.SubmitToClosedMs.Count));
        Assert.All(runs, r => Assert.Equal(3, r.UploadToOfferMs.Count));
        // The durable provider's queue traffic is counted on Azure Storage and absent in memory.
        Assert.True(runs[0].RequestsPerCaseByService.GetValueOrDefault("queue") > 0);
        Assert.Equal(0, runs[1].RequestsPerCaseByService.GetValueOrDefault("queue"));
        var markdown = Report.Markdown(new BenchReport(Report.Machine(), DateTimeOffset.UtcNow, "test", runs, null), "test");
        Assert.Contains("| AzureStorage |", markdown);
        Assert.Contains("In-memory / Azure Storage throughput ratio", markdown);
    }
}
