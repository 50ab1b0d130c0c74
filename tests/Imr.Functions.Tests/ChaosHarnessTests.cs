using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Imr.Bench;
using Imr.Bench.Chaos;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Imr.Functions.Tests;

/// <summary>
/// The fault-injection harness (bench/chaos): at a tiny size end to end with real SIGKILLs and a real Azurite stop, and
/// its check proven to count what it claims to count on a hand-made broken state.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ChaosHarnessTests
{
    private readonly ITestOutputHelper _output;

    public ChaosHarnessTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Three_cases_survive_two_runtime_kills_and_a_storage_outage_with_nothing_lost()
    {
        // Its own Azurite (it stops and restarts it) and its own runtime child process; bounded well under the test's budget.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var result = await ChaosHarness.RunAsync(new ChaosOptions
        {
            RepoRoot = TestEnvironment.RepoRoot,
            Cases = 3,
            Kills = 2,
            Outage = TimeSpan.FromSeconds(2),
            KillGapMin = TimeSpan.FromSeconds(0.5),
            KillGapMax = TimeSpan.FromSeconds(1.5),
            BurstSize = 3,
            BurstWait = TimeSpan.FromSeconds(5),
            SettleTimeout = TimeSpan.FromSeconds(50),
            Seed = 12,
        }, new TestOutputWriter(_output), limit.Token);

        var report = ChaosReport.Markdown(result, "test", Report.Machine(), DateTimeOffset.UtcNow);
        Assert.Equal(2, result.Kills);
        Assert.True(result.OutageSeconds >= 2, report);
        Assert.True(result.AnswersAcknowledged >= 6, report); // 3 acceptances and 3 determinations, each acknowledged
        Assert.True(result.Clean, report);
        Assert.Equal(3, result.Counts.Closed);
        Assert.Contains("| 3/3 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", report);
    }

    [Fact]
    public async Task The_check_counts_lost_stuck_and_failed_cases_lost_answers_and_intake_leftovers()
    {
        var connection = TestEnvironment.StorageConnectionString;
        var run = TestEnvironment.NewCaseNumber("K");
        var taskHub = "chk" + run.ToLowerInvariant()[1..];
        string vanished = run + "-00001", waiting = run + "-00002", failed = run + "-00003";
        foreach (var table in new[] { StorageNames.CasesTable, StorageNames.AssignmentsTable, StorageNames.LettersTable, taskHub + "Instances" })
        {
            await new TableClient(connection, table).CreateIfNotExistsAsync();
        }

        var blobs = new BlobServiceClient(connection);
        foreach (var c in new[] { StorageNames.IntakeContainer, StorageNames.OutboxContainer, StorageNames.SubmissionsContainer }) await blobs.GetBlobContainerClient(c).CreateIfNotExistsAsync();
        var cases = new TableClient(connection, StorageNames.CasesTable);
        var instances = new TableClient(connection, taskHub + "Instances");
        // vanished: nothing at all. waiting: open, its orchestration running, its acknowledged determination nowhere.
        // failed: closed without a letter, its orchestration Failed. And a document left in intake.
        await cases.AddEntityAsync(new TableEntity(waiting, CaseEntity.Row) { ["Status"] = "InReview" });
        await instances.AddEntityAsync(new TableEntity("case-" + waiting, "") { ["RuntimeStatus"] = "Running" });
        await new TableClient(connection, StorageNames.AssignmentsTable).AddEntityAsync(new TableEntity(waiting, waiting + "-A1") { ["Status"] = "Accepted", ["AcceptedAt"] = DateTimeOffset.UtcNow });
        await cases.AddEntityAsync(new TableEntity(failed, CaseEntity.Row) { ["Status"] = "Closed" });
        await instances.AddEntityAsync(new TableEntity("case-" + failed, "") { ["RuntimeStatus"] = "Failed" });
        await blobs.GetBlobContainerClient(StorageNames.IntakeContainer).GetBlobClient($"{vanished}/medical-records.txt").UploadAsync(BinaryData.FromString("x"));

        var check = new ChaosCheck(connection, taskHub, run + "-", [vanished, waiting, failed], new SampleCases(TestEnvironment.RepoRoot).Outcomes);
        var acknowledged = new[]
        {
            new AcknowledgedAnswer(waiting, waiting + "-A1", AnswerKind.Accept, false, 1, DateTimeOffset.UtcNow),        // applied: Accepted
            new AcknowledgedAnswer(waiting, waiting + "-A1", AnswerKind.Determination, true, 3, DateTimeOffset.UtcNow),  // told "Already received", never applied
        };
        var (counts, problems) = await check.RunAsync(acknowledged, new HashSet<string>(), CancellationToken.None);

        Assert.Equal(1, counts.Closed);     // only "failed" says Closed
        Assert.Equal(2, counts.Lost);       // vanished (no case row) and failed (closed without a letter)
        Assert.Equal(1, counts.Stuck);      // waiting
        Assert.Equal(1, counts.LostAnswers);
        Assert.Equal(1, counts.IntakeLeftovers);
        Assert.Equal(1, counts.FailedOrchestrations);
        Assert.False(counts.Clean);
        Assert.Contains(problems, p => p.StartsWith($"{waiting}-A1: lost answer: determination acknowledged (\"Already received\")", StringComparison.Ordinal));
    }
}

/// <summary>The harness's progress lines in the test's output (shown when it fails).</summary>
internal sealed class TestOutputWriter(ITestOutputHelper output) : StringWriter
{
    public override void WriteLine(string? value) => output.WriteLine(value ?? "");
}
