using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Workflow;
using Imr.LocalRuntime.Demo;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>
/// The case orchestrator on the in-memory Durable Task sidecar (fast timers), with its real activities on Azurite.
/// The manifest is stored under a name the intake trigger ignores, so no runtime of another test picks it up.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OrchestrationTests
{
    private static Task<DurableTaskTestHost> StartHostAsync(Action<Dictionary<string, string?>>? configure = null) =>
        WorkflowTestHost.StartAsync(configure);

    private static Task<string> StartCaseAsync(DurableTaskTestHost host, string caseNumber) =>
        WorkflowTestHost.StartCaseAsync(host, caseNumber);

    private static Task WaitForNotificationAsync(string caseNumber, string id) =>
        TestEnvironment.EventuallyAsync(async () => (await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, id)).ExistsAsync()).Value ? "yes" : null, TimeSpan.FromSeconds(30), id);

    private static async Task<string> StoreSubmissionAsync(string caseNumber, string assignmentId)
    {
        var blob = $"{caseNumber}/{assignmentId}.json";
        var determination = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.SubmissionsContainer).GetBlobClient(blob).UploadAsync(BinaryData.FromObjectAsJson(determination, CasePackage.JsonOptions), overwrite: true);
        return blob;
    }

    [Fact]
    public async Task Accept_then_determination_issues_the_letter_and_closes_the_case()
    {
        await using var host = await StartHostAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("O");
        var id = await StartCaseAsync(host, caseNumber);

        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted($"{caseNumber}-A1"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-determination");
        await host.Client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted($"{caseNumber}-A1", await StoreSubmissionAsync(caseNumber, $"{caseNumber}-A1")));
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        var outcome = done.ReadOutputAs<CaseOutcome>()!;
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("Closed", outcome.Status);
        Assert.Equal($"{caseNumber}/final-determination-v1.txt", outcome.LetterBlobName);
        var caseEntity = (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!;
        Assert.Equal("Closed", caseEntity.Status);
        Assert.NotNull(caseEntity.ClosedAt);
    }

    [Fact]
    public async Task An_offer_not_accepted_in_time_goes_to_the_next_reviewer_then_the_medical_director_assigns_by_hand()
    {
        await using var host = await StartHostAsync(s =>
        {
            s["Imr:AcceptanceWindow"] = "00:00:01";
            s["Imr:MaxOfferRounds"] = "2";
        });
        var caseNumber = TestEnvironment.NewCaseNumber("O");
        var id = await StartCaseAsync(host, caseNumber);

        await WaitForNotificationAsync(caseNumber, "escalation-MedicalDirector");
        var cases = host.Services.GetRequiredService<CaseStore>();
        await TestEnvironment.EventuallyAsync(async () => (await cases.GetAsync(caseNumber))!.Status == "AwaitingManualAssignment" ? "yes" : null, TimeSpan.FromSeconds(30), "manual assignment status");
        var first = (await cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!;
        var second = (await cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A2"))!;
        Assert.Equal(("rev-002", "TimedOut"), (first.ReviewerId, first.Status));
        Assert.Equal(("rev-003", "TimedOut"), (second.ReviewerId, second.Status));
        Assert.Contains("affiliated with a party to the case", first.MatchingVerdicts);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Client.GetInstanceAsync(id))!.RuntimeStatus); // waits durably, no deadline

        // The escalation records the awaited round (3); a choice for another round (stale) is ignored. A conflicted
        // choice is refused (and recorded) and opens round 4 with its own notice; that choice is assigned and needs no acceptance.
        Assert.Equal(3, (await cases.GetAsync(caseNumber))!.ManualAssignmentRound);
        await host.Client.RaiseEventAsync(id, AssignmentEvents.ManualAssignment, new ManualAssignment("rev-003", "Stale Choice", 2));
        await host.Client.RaiseEventAsync(id, AssignmentEvents.ManualAssignment, new ManualAssignment("rev-001", "Dr. Medical Director", 3));
        await WaitForNotificationAsync(caseNumber, "escalation-MedicalDirector-R4");
        Assert.Equal(4, (await cases.GetAsync(caseNumber))!.ManualAssignmentRound);
        await host.Client.RaiseEventAsync(id, AssignmentEvents.ManualAssignment, new ManualAssignment("rev-003", "Dr. Medical Director", 4));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A4-determination");
        await host.Client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted($"{caseNumber}-A4", await StoreSubmissionAsync(caseNumber, $"{caseNumber}-A4")));
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal("Closed", done.ReadOutputAs<CaseOutcome>()!.Status);
        Assert.Null(await cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A3"));
        Assert.Equal(("rev-003", "Dr. Medical Director"), ((await cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A4"))!.ReviewerId, (await cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A4"))!.AssignedBy));
        var trail = await host.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber);
        Assert.Contains(trail, t => t.StepId == "manual-R3-refused" && t.Details.Contains("rev-001") && t.Details.Contains("claims administrator"));
        Assert.Contains(trail, t => t.StepId == $"{caseNumber}-A4-manual");
        Assert.Contains(trail, t => t.StepId == $"{caseNumber}-A4-completed");
        Assert.Equal(0, (await host.Services.GetRequiredService<ReviewerLoads>().AllAsync()).Values.Sum(l => l.OpenAssignments));
    }

    [Fact]
    public async Task A_decline_with_a_declared_conflict_goes_to_the_next_reviewer_and_is_stored_in_the_roster()
    {
        await using var host = await StartHostAsync(s => s["Imr:AcceptanceWindow"] = "1.00:00:00");
        var caseNumber = TestEnvironment.NewCaseNumber("O");
        var id = await StartCaseAsync(host, caseNumber);
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        var cases = host.Services.GetRequiredService<CaseStore>();
        await cases.UpdateAssignmentAsync(caseNumber, $"{caseNumber}-A1", a =>
        {
            a.DeclineReason = "I consult for the employer.";
            a.DeclaredConflictKind = "Employer";
            a.DeclaredConflictParty = "Sample Manufacturing Co.";
        });

        await host.Client.RaiseEventAsync(id, AssignmentEvents.ReviewerDeclined, new ReviewerDeclined($"{caseNumber}-A9")); // another assignment's: ignored
        await host.Client.RaiseEventAsync(id, AssignmentEvents.ReviewerDeclined, new ReviewerDeclined($"{caseNumber}-A1"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A2-offer");

        Assert.Equal(("rev-002", "Declined"), ((await cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!.ReviewerId, (await cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!.Status));
        Assert.Equal("rev-003", (await cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A2"))!.ReviewerId);
        var roster = host.Services.GetRequiredService<RosterStore>();
        Assert.Contains(new Affiliation(AffiliationKind.Employer, "Sample Manufacturing Co."), (await roster.GetAsync("rev-002"))!.Affiliations);
        var loads = await host.Services.GetRequiredService<ReviewerLoads>().AllAsync();
        Assert.Equal(0, loads["rev-002"].OpenAssignments);
        Assert.Equal(1, loads["rev-003"].OpenAssignments);

        // The accepted second offer goes on to the determination as usual.
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted($"{caseNumber}-A2"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A2-determination");
        await host.Client.TerminateInstanceAsync(id);
    }

    [Fact]
    public async Task A_case_past_its_due_date_is_marked_overdue_and_a_late_determination_still_closes_it()
    {
        // One day lasts ~0.1 s: the 30-day case is due in ~3 s; the acceptance window stays long.
        await using var host = await StartHostAsync(s =>
        {
            s["Imr:TimeScale"] = "864000";
            s["Imr:AcceptanceWindow"] = "10000.00:00:00";
            s["Imr:ReviewerLead"] = "0 days"; // no separate reviewer due date: this test is about the case's own
        });
        var caseNumber = TestEnvironment.NewCaseNumber("O");
        var id = await StartCaseAsync(host, caseNumber);
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted($"{caseNumber}-A1"));

        await WaitForNotificationAsync(caseNumber, "escalation-Overdue");
        var cases = host.Services.GetRequiredService<CaseStore>();
        Assert.True((await cases.GetAsync(caseNumber))!.Overdue);
        // An event for another assignment of the case is ignored; the right one closes it.
        await host.Client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted($"{caseNumber}-A9", "nothing.json"));
        await host.Client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted($"{caseNumber}-A1", await StoreSubmissionAsync(caseNumber, $"{caseNumber}-A1")));
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal("Closed", done.ReadOutputAs<CaseOutcome>()!.Status);
        Assert.True((await cases.GetAsync(caseNumber))!.Overdue);
    }
}
