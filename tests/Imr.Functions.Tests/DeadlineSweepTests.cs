using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using Imr.Domain.Deadlines;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Workflow;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Imr.Functions.Tests;

/// <summary>The deadline sweep, reconciliation and at-risk report on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeadlineSweepTests
{
    private static ServiceProvider Services(TimeProvider clock, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        configure?.Invoke(settings);
        var services = new ServiceCollection().AddLogging().AddSingleton(clock);
        services.AddImrApplication(TestEnvironment.Configuration(settings));
        return services.BuildServiceProvider();
    }

    private static Task<bool> NotificationExistsAsync(string caseNumber, string id) =>
        TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, id)).ExistsAsync().ContinueWith(t => t.Result.Value);

    [Fact]
    public async Task With_10000_open_cases_a_sweep_reads_only_the_due_entries_and_escalates_each_case_once_per_level()
    {
        // A clock in a year no other test uses, so the index's other rows are never due for this sweep.
        var now = new DateTimeOffset(2001, 6, 15, 12, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(now);
        await using var services = Services(clock);
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var window = TimeSpan.FromDays(3); // Imr:AtRiskWindow default
        var prefix = TestEnvironment.NewCaseNumber("S");
        string Case(int i) => $"{prefix}{i:D5}";
        DateTimeOffset DueOf(int i) => i < 25 ? now.AddHours(-(i + 1)) // 25 overdue
            : i < 40 ? now.AddHours(i - 24)                            // 15 at risk (due in 1–15 hours)
            : now.AddDays(4).AddMinutes(i * 7);                         // 9,960 on track, over the next ~52 days

        // Each case's recurring orchestration check: due now for cases 40–49 (on track), hours to days ahead for the rest.
        DateTimeOffset ReconcileOf(int i) => i is >= 40 and < 50 ? now.AddMinutes(-i) : now.AddDays(2).AddSeconds(i * 10);

        // 30,000 index rows (three checks per case), inserted in batch transactions of up to 100 rows per partition.
        var table = services.GetRequiredService<StorageClients>().Table(StorageNames.DeadlineIndexTable);
        var rows = Enumerable.Range(0, 10_000).SelectMany(i => DeadlineIndex.EntitiesFor(Case(i), DueOf(i), window).Append(DeadlineIndex.ReconcileEntity(Case(i), ReconcileOf(i), DueOf(i)))).ToList();
        foreach (var batch in rows.GroupBy(r => r.PartitionKey).SelectMany(p => p.Chunk(100)))
        {
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)));
        }

        var store = services.GetRequiredService<CaseStore>();
        for (var i = 0; i < 50; i++) // only the due cases need a case record: the sweep never reads the others
        {
            await store.AddOnceAsync(new CaseEntity { PartitionKey = Case(i), Status = "InReview", ReceivedAt = DueOf(i).AddDays(-30), CaseDueAt = DueOf(i), ReviewerDueAt = DueOf(i).AddDays(-2) });
        }

        var sweeper = services.GetRequiredService<DeadlineSweeper>();
        var first = await sweeper.SweepAsync(durable: null);
        var second = await sweeper.SweepAsync(durable: null);
        clock.Advance(TimeSpan.FromDays(1)); // the 15 at-risk cases are now overdue
        var third = await sweeper.SweepAsync(durable: null);

        // Overdue cases: both checks (at-risk and overdue) are due = 50 rows; at-risk cases: one check each = 15 rows;
        // 10 reconcile checks (no escalation), re-armed 6 hours (Imr:ReconcileInterval) ahead.
        Assert.Equal((75, 50, 15, 25, 40), (first.EntriesRead, first.CasesRead, first.AtRisk, first.Overdue, first.EscalationsSent));
        Assert.Equal((0, 0), (second.EntriesRead, second.EscalationsSent));
        // A day later: the 15 at-risk cases' overdue checks and the 10 re-armed reconcile checks (due again after 6 hours).
        Assert.Equal((25, 25, 0, 15, 15), (third.EntriesRead, third.CasesRead, third.AtRisk, third.Overdue, third.EscalationsSent));
        Assert.True(await NotificationExistsAsync(Case(0), Escalations.NotificationId(EscalationLevels.Overdue)));
        Assert.False(await NotificationExistsAsync(Case(0), Escalations.NotificationId(EscalationLevels.AtRisk))); // overdue already: no at-risk noise
        Assert.True(await NotificationExistsAsync(Case(30), Escalations.NotificationId(EscalationLevels.AtRisk)));
        Assert.True(await NotificationExistsAsync(Case(30), Escalations.NotificationId(EscalationLevels.Overdue)));
        Assert.False(await NotificationExistsAsync(Case(40), Escalations.NotificationId(EscalationLevels.AtRisk)));

        // The at-risk report lists every open case by time left, least first.
        var report = await services.GetRequiredService<AtRiskReport>().BuildAsync();
        var ours = report.Cases.Where(c => c.CaseNumber.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(10_000, ours.Count);
        Assert.Equal(Case(24), ours[0].CaseNumber);
        Assert.Equal(ours.OrderBy(c => c.TimeLeft).Select(c => c.CaseNumber), ours.Select(c => c.CaseNumber));
        Assert.Equal(40, ours.Count(c => c.Risk == DeadlineRisk.Overdue));
        Assert.True(ours.Take(40).All(c => c.OverdueEscalated));
    }

    [Fact]
    public async Task A_closed_case_left_in_the_index_is_dropped_without_an_escalation()
    {
        var now = new DateTimeOffset(2002, 1, 10, 8, 0, 0, TimeSpan.Zero);
        await using var services = Services(new FakeTimeProvider(now));
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("S");
        await services.GetRequiredService<CaseStore>().AddOnceAsync(new CaseEntity { PartitionKey = caseNumber, Status = "Closed", CaseDueAt = now.AddHours(-1) });
        await services.GetRequiredService<DeadlineIndex>().AddAsync(caseNumber, now.AddHours(-1));

        var first = await services.GetRequiredService<DeadlineSweeper>().SweepAsync(durable: null);
        var second = await services.GetRequiredService<DeadlineSweeper>().SweepAsync(durable: null);

        Assert.Equal((2, 0), (first.EntriesRead, first.EscalationsSent));
        Assert.Equal(0, second.EntriesRead);
        Assert.False(await NotificationExistsAsync(caseNumber, Escalations.NotificationId(EscalationLevels.Overdue)));
    }

    [Fact]
    public async Task A_case_closed_before_its_checks_fall_due_leaves_no_index_row_and_one_closed_late_none_either()
    {
        var now = new DateTimeOffset(2003, 3, 10, 8, 0, 0, TimeSpan.Zero);
        // No recurring reconcile row: nothing of this test is left in the index for a later sweep to read.
        await using var services = Services(new FakeTimeProvider(now), s => s["Imr:ReconcileInterval"] = "00:00:00");
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var index = services.GetRequiredService<DeadlineIndex>();
        var table = services.GetRequiredService<StorageClients>().Table(StorageNames.DeadlineIndexTable);
        async Task<int> RowsOfAsync(string caseNumber)
        {
            var n = 0;
            await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"CaseNumber eq {caseNumber} and Level ne {DeadlineIndex.ReconcileCheck}"))) n++;
            return n;
        }

        // On time: neither check was due, so none can have been escalated; only the pending rows are deleted.
        var onTime = TestEnvironment.NewCaseNumber("S");
        await index.EnsureAsync(onTime, now.AddDays(20), firstReconcileAt: now.AddHours(6));
        Assert.Equal(2, await RowsOfAsync(onTime));
        await index.RemoveAsync(onTime, now.AddDays(20), at: now);
        Assert.Equal(0, await RowsOfAsync(onTime));

        // Late: the sweep escalated both checks (moved to the escalated partition); the close removes them there.
        var late = TestEnvironment.NewCaseNumber("S");
        await services.GetRequiredService<CaseStore>().AddOnceAsync(new CaseEntity { PartitionKey = late, Status = "InReview", CaseDueAt = now.AddHours(-1) });
        await index.EnsureAsync(late, now.AddHours(-1), firstReconcileAt: null);
        await services.GetRequiredService<DeadlineSweeper>().SweepAsync(durable: null);
        Assert.Equal(2, await RowsOfAsync(late));
        await index.RemoveAsync(late, now.AddHours(-1), at: now);
        Assert.Equal(0, await RowsOfAsync(late));
    }

    [Fact]
    public async Task Audit_rows_of_one_step_are_recorded_once_in_one_request_and_a_repeat_records_only_what_is_missing()
    {
        await using var services = Services(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var audit = services.GetRequiredService<AuditLog>();
        var caseNumber = TestEnvironment.NewCaseNumber("S");
        await audit.RecordAsync(caseNumber, "b", "B", "first b");

        await audit.RecordAllAsync(caseNumber, [("a", "A", "a"), ("b", "B", "second b"), ("c", "C", "c")]);
        await audit.RecordAllAsync(caseNumber, [("a", "A", "a again"), ("c", "C", "c again")]);

        var rows = await audit.ForCaseAsync(caseNumber);
        Assert.Equal(["a", "b", "c"], rows.Select(r => r.StepId).Order());
        Assert.Equal(("first b", "a", "c"), (rows.Single(r => r.StepId == "b").Details, rows.Single(r => r.StepId == "a").Details, rows.Single(r => r.StepId == "c").Details));
    }

    [Fact]
    public async Task A_terminated_or_missing_orchestration_is_reported_and_a_terminated_one_restarted_from_the_case_record_and_nothing_is_escalated_twice()
    {
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        settings["Imr:AcceptanceWindow"] = "1.00:00:00";
        settings["Imr:ReconcileRestart"] = "false"; // on by default; first report only, then restart
        var configuration = TestEnvironment.Configuration(settings);
        await using var host = await WorkflowTestHost.StartWithFreePortAsync(new DurableTaskTestHostOptions { ConfigureServices = s => s.AddImrApplication(configuration) });
        await host.Services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var roster = host.Services.GetRequiredService<RosterStore>();
        foreach (var r in System.Text.Json.JsonSerializer.Deserialize<List<Imr.Domain.Reviewers.Reviewer>>(File.ReadAllBytes(Path.Combine(TestEnvironment.RepoRoot, "samples", "roster.json")), Imr.Domain.Cases.CasePackage.JsonOptions)!)
        {
            await roster.UpsertAsync(r);
        }

        var caseNumber = TestEnvironment.NewCaseNumber("R");
        // As intake leaves an accepted package: manifest and documents in the case files.
        var manifestBlob = await TestEnvironment.StoreAcceptedSampleCaseAsync(caseNumber);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaseOrchestrator), new CaseWorkflowInput(caseNumber, manifestBlob), new StartOrchestrationOptions($"case-{caseNumber}"));
        await TestEnvironment.EventuallyAsync(async () => await NotificationExistsAsync(caseNumber, $"{caseNumber}-A1-offer") ? "yes" : null, TimeSpan.FromSeconds(30), "offer");
        var stored = (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!;
        await host.Client.TerminateInstanceAsync(id);
        await host.Client.WaitForInstanceCompletionAsync(id, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        // A second open case that is past due and has no orchestration at all.
        var orphan = TestEnvironment.NewCaseNumber("R");
        var orphanDue = DateTimeOffset.UtcNow.AddMinutes(-1);
        await host.Services.GetRequiredService<CaseStore>().AddOnceAsync(new CaseEntity { PartitionKey = orphan, Status = "InReview", CaseDueAt = orphanDue });
        await host.Services.GetRequiredService<DeadlineIndex>().AddAsync(orphan, orphanDue);
        var sweeper = host.Services.GetRequiredService<DeadlineSweeper>();
        var options = host.Services.GetRequiredService<IOptions<ImrOptions>>().Value;

        var reported = await sweeper.SweepAsync(host.Client);
        options.ReconcileRestart = true;
        var restarted = await sweeper.SweepAsync(host.Client);
        var again = await sweeper.SweepAsync(host.Client);

        Assert.Contains(new ReconciliationFinding(caseNumber, "Terminated", false), reported.Reconciliation);
        Assert.Contains(new ReconciliationFinding(orphan, "Missing", false), reported.Reconciliation);
        Assert.True(await NotificationExistsAsync(orphan, Escalations.NotificationId(EscalationLevels.Orchestration("Missing"))));
        Assert.True(await NotificationExistsAsync(orphan, Escalations.NotificationId(EscalationLevels.Overdue)));
        Assert.Contains(new ReconciliationFinding(caseNumber, "Terminated", true), restarted.Reconciliation);
        Assert.DoesNotContain(again.Reconciliation, f => f.CaseNumber == caseNumber);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Client.GetInstanceAsync(id))!.RuntimeStatus);
        Assert.True(await NotificationExistsAsync(caseNumber, Escalations.NotificationId(EscalationLevels.Orchestration("Terminated"))));
        // The restarted run keeps the case's dates (registration is create-only) and re-sends nothing: the offer is the same one.
        var after = (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!;
        Assert.Equal((stored.ReceivedAt, stored.CaseDueAt), (after.ReceivedAt, after.CaseDueAt));
        Assert.Equal($"{caseNumber}-A1", after.CurrentAssignmentId);
        await host.Client.TerminateInstanceAsync(id);
    }

    [Fact]
    public async Task The_at_risk_report_is_served_as_json_and_as_an_html_page()
    {
        await using var harness = await RuntimeHarness.StartAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("P");
        var due = DateTimeOffset.UtcNow.AddHours(5);
        await harness.Runtime.Services.GetRequiredService<DeadlineIndex>().AddAsync(caseNumber, due);

        var json = await harness.Http.GetFromJsonAsync<AtRiskReportView>("/api/manage/at-risk", Imr.Domain.Cases.CasePackage.JsonOptions);
        var page = await harness.Http.GetAsync("/api/manage/at-risk/page");
        var html = await page.Content.ReadAsStringAsync();
        await harness.Runtime.Services.GetRequiredService<DeadlineIndex>().RemoveAsync(caseNumber, due);

        var row = Assert.Single(json!.Cases, c => c.CaseNumber == caseNumber);
        Assert.Equal(DeadlineRisk.AtRisk, row.Risk);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<table>", html);
        Assert.Contains($"<td><a href=\"/api/staff/cases/{caseNumber}\">{caseNumber}</a></td>", html); // each case links to its case page
        Assert.Contains("AtRisk", html);
    }
}
