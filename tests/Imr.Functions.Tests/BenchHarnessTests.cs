using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Imr.Bench;
using Imr.Functions.Storage;
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
        // By table / container / queue: the app's stores by name, the durable provider's under its task hub ("{hub}…"), no blob names.
        Assert.Contains(runs[0].RequestsByTarget.Keys, k => k.StartsWith("table GetEntity ", StringComparison.Ordinal) && k.EndsWith(" " + StorageNames.CasesTable, StringComparison.Ordinal));
        Assert.Contains(runs[0].RequestsByTarget.Keys, MacroBenchmark.IsProviders);
        Assert.DoesNotContain(runs[1].RequestsByTarget.Keys, MacroBenchmark.IsProviders);
        Assert.All(runs, r => Assert.Equal(r.Requests.Values.Sum(), r.RequestsByTarget.Values.Sum()));
        Assert.DoesNotContain(runs.SelectMany(r => r.RequestsByTarget.Keys), k => k.Contains('/', StringComparison.Ordinal) || k.Contains("-0000", StringComparison.Ordinal));
        var markdown = Report.Markdown(new BenchReport(Report.Machine(), DateTimeOffset.UtcNow, "test", runs, null), "test");
        Assert.Contains("| AzureStorage |", markdown);
        Assert.Contains("In-memory / Azure Storage throughput ratio", markdown);
        Assert.Contains("The durable provider's share on Azure Storage", markdown);
        Assert.Contains("### By table, container and queue", markdown);
    }

    [Fact]
    public async Task The_steady_mode_uploads_on_a_fixed_schedule_and_measures_the_users_waits()
    {
        // 15 cases/min for 0.2 minutes: 3 cases, 4 s apart.
        var run = await MacroBenchmark.RunAsync(new MacroOptions
        {
            Mode = LoadMode.Steady,
            RatePerMinute = 15,
            Duration = TimeSpan.FromMinutes(0.2),
            Backend = DurableBackendKind.InMemory,
            StorageConnectionString = TestEnvironment.StorageConnectionString,
            RepoRoot = TestEnvironment.RepoRoot,
            ReviewerConcurrency = 4,
            Timeout = TimeSpan.FromMinutes(3),
        });

        Assert.Equal(nameof(LoadMode.Steady), run.Mode);
        Assert.Equal(3, run.Cases);
        Assert.Equal(3, run.Completed);
        Assert.Equal(15, run.OfferedRatePerMinute);
        // Arrivals follow the schedule (3 arrivals over 8 s), not the completions.
        Assert.InRange(run.ArrivalRatePerMinute!.Value, 12, 18);
        Assert.Equal(3, run.UploadToOfferMs.Count);
        Assert.Equal(3, run.SubmitToClosedMs.Count);
        Assert.True(run.SubmitToClosedMs.P50 > 0, "submit→closed measured from the reviewer's POST to ClosedAt");
        var markdown = Report.Markdown(new BenchReport(Report.Machine(), DateTimeOffset.UtcNow, "bench/run.sh --steady --rate 15 --minutes 0.2", [run], null), "test");
        Assert.Contains("## Steady load", markdown);
        Assert.Contains("| InMemory | defaults | 15 |", markdown);
    }

    [Fact]
    public async Task A_failed_poll_of_the_harness_is_reported_and_tried_again_instead_of_ending_the_run()
    {
        // The 500-case steady run ended without a report when one query of the closed-case watcher timed out.
        var polls = 0;
        var failed = new List<Exception>();
        await MacroBenchmark.PollUntilAsync(() => polls >= 3, TimeSpan.FromMilliseconds(1), _ =>
        {
            polls++;
            return polls < 3 ? throw new Azure.RequestFailedException("The operation was cancelled because it exceeded the configured timeout") : Task.CompletedTask;
        }, failed.Add, CancellationToken.None);

        Assert.Equal(3, polls);
        Assert.Equal(2, failed.Count);
        var run = new MacroResult
        {
            Backend = "AzureStorage", Mode = nameof(LoadMode.Steady), Cases = 1, Completed = 1, WallSeconds = 1, CasesPerMinute = 1,
            UploadToOfferMs = Percentiles.Of([1.0]), SubmitToClosedMs = Percentiles.Of([1.0]), Requests = new(), RequestsPerCase = 0,
            RequestsPerCaseByService = new(), Settings = new Dictionary<string, string?>(), HarnessErrors = ["closed-case query: RequestFailedException (×2)"],
        };
        Assert.Contains("closed-case query: RequestFailedException (×2)", Report.Markdown(new BenchReport("test", DateTimeOffset.UtcNow, "test", [run], null), "test"));
        // Cancellation still ends the poll.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MacroBenchmark.PollUntilAsync(() => false, TimeSpan.FromMilliseconds(1), _ => Task.CompletedTask, failed.Add, new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData("table", "http://127.0.0.1:10002/devstoreaccount1/Cases(PartitionKey='CM1',RowKey='case')", "Cases")]
    [InlineData("table", "http://127.0.0.1:10002/devstoreaccount1/Audit()?$filter=PartitionKey%20eq%20'CM1'", "Audit")]
    [InlineData("table", "http://127.0.0.1:10002/devstoreaccount1/Tables", "Tables")]
    [InlineData("table", "https://acct.table.core.windows.net/Cases(PartitionKey='CM1',RowKey='case')", "Cases")]
    [InlineData("blob", "http://127.0.0.1:10000/devstoreaccount1/intake/CM1/manifest.json", "intake")]
    [InlineData("blob", "https://acct.blob.core.windows.net/outbox?restype=container&comp=list&prefix=CM1", "outbox")]
    [InlineData("blob", "http://127.0.0.1:10000/devstoreaccount1?comp=list", "")]
    [InlineData("queue", "http://127.0.0.1:10001/devstoreaccount1/hub-control-00/messages?numofmessages=32", "hub-control-00")]
    public void Requests_are_counted_by_table_container_or_queue_name_only(string service, string uri, string target)
    {
        var request = HttpPipelineBuilder.Build(new BlobClientOptions()).CreateRequest();
        request.Uri.Reset(new Uri(uri));
        Assert.Equal(target, StorageRequestCounter.TargetOf(service, request));
    }
}
