using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Workflow;
using Imr.LocalRuntime.Demo;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Tests;

/// <summary>
/// Review changes wired into the case workflow (version 3.0), on the in-memory Durable Task sidecar with the real
/// activities on Azurite: conversion to expedited (8 CCR 9792.10.4(c)) recomputes the deadlines mid-review; authorisation
/// of the treatment (8 CCR 9792.10.6(a)) ends the review without a letter; a repeated request changes nothing twice; a
/// closed case or a case on an older workflow version answers 409.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReviewChangeTests
{
    private const string Staff = "Ina Intake (desk-1)";

    private static Task<DurableTaskTestHost> StartHostAsync() =>
        WorkflowTestHost.StartAsync(s => s["Imr:AcceptanceWindow"] = "10000.00:00:00");

    /// <summary>Starts a case as intake leaves it, on the given workflow version (null: unversioned, as before version 2).</summary>
    private static async Task<string> StartCaseAsync(DurableTaskTestHost host, string caseNumber, string? version = CaseWorkflowVersions.Current)
    {
        var manifestBlob = await TestEnvironment.StoreAcceptedSampleCaseAsync(caseNumber);
        var options = version is null ? new StartOrchestrationOptions($"case-{caseNumber}") : new StartOrchestrationOptions($"case-{caseNumber}") { Version = version };
        return await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaseOrchestrator), new CaseWorkflowInput(caseNumber, manifestBlob), options);
    }

    private static async Task<bool> NotificationExistsAsync(string caseNumber, string id) =>
        (await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, id)).ExistsAsync()).Value;

    private static async Task<string> WaitForNotificationAsync(string caseNumber, string id)
    {
        await TestEnvironment.EventuallyAsync(async () => await NotificationExistsAsync(caseNumber, id) ? "yes" : null, TimeSpan.FromSeconds(45), id);
        var message = Outbox.Read((await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, id)).DownloadContentAsync()).Value.Content);
        return $"To: {message.To}\n{message.TextBody}";
    }

    private static async Task AcceptAsync(DurableTaskTestHost host, string id, string caseNumber, string assignmentId)
    {
        await WaitForNotificationAsync(caseNumber, $"{assignmentId}-offer");
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted(assignmentId));
        await WaitForNotificationAsync(caseNumber, $"{assignmentId}-determination");
    }

    private static async Task<string> StoreSubmissionAsync(string caseNumber, string assignmentId)
    {
        var blob = $"{caseNumber}/{assignmentId}.json";
        var determination = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.SubmissionsContainer).GetBlobClient(blob).UploadAsync(BinaryData.FromObjectAsJson(determination, CasePackage.JsonOptions), overwrite: true);
        return blob;
    }

    private static async Task<IReadOnlyList<(string StepId, string What, string Details, DateTimeOffset At)>> AuditAsync(DurableTaskTestHost host, string caseNumber) =>
        await host.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber);

    [Fact]
    public async Task Converting_a_case_in_review_to_expedited_recomputes_its_deadlines_and_tells_the_reviewer_9792_10_4_c()
    {
        await using var host = await StartHostAsync();
        var requests = host.Services.GetRequiredService<ReviewChangeRequests>();
        var cases = host.Services.GetRequiredService<CaseStore>();
        var caseNumber = TestEnvironment.NewCaseNumber("X");
        var id = await StartCaseAsync(host, caseNumber);
        await AcceptAsync(host, id, caseNumber, $"{caseNumber}-A1");
        var before = (await cases.GetAsync(caseNumber))!;
        Assert.False(before.Expedited);

        var asked = DateTimeOffset.UtcNow;
        var first = await requests.ConvertToExpeditedAsync(caseNumber, Staff, host.Client);
        // Delivered twice (a retried request): the second raises the event again, the workflow applies it once.
        var second = await requests.ConvertToExpeditedAsync(caseNumber, Staff, host.Client);
        var answered = DateTimeOffset.UtcNow;
        Assert.Equal(202, first.Status);
        Assert.Contains(second.Status, new[] { 200, 202 });

        var after = await TestEnvironment.EventuallyAsync(async () => await cases.GetAsync(caseNumber) is { Expedited: true } c ? c : null, TimeSpan.FromSeconds(45), "conversion");
        var mail = await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-expedited");

        // The expedited period counted from the request, as the domain's rule computes it (bounds: asked … answered).
        var policy = host.Services.GetRequiredService<IOptions<ImrOptions>>().Value.PolicyFor(before.Program);
        var old = new CaseDeadlines(before.ReceivedAt, before.CaseDueAt, before.ReviewerDueAt);
        var earliest = policy.ConvertToExpedited(old, asked);
        var latest = policy.ConvertToExpedited(old, answered);
        Assert.InRange(after.CaseDueAt, earliest.CaseDueAt, latest.CaseDueAt);
        Assert.InRange(after.ReviewerDueAt, earliest.ReviewerDueAt, latest.ReviewerDueAt);
        Assert.True(after.CaseDueAt < before.CaseDueAt - TimeSpan.FromDays(20), $"case due {after.CaseDueAt:u}, was {before.CaseDueAt:u}");
        Assert.StartsWith("To: rev-002@reviewers.example", mail);
        Assert.Contains("converted to an expedited review", mail);
        var party = await WaitForNotificationAsync(caseNumber, ReviewChangeActivities.ReviewExpeditedNoticeId(Domain.Letters.AddresseeRoles.InjuredWorker));
        Assert.Contains("converted from a regular review to an expedited review", party.ReplaceLineEndings(" "));
        Assert.Contains("(8 CCR 9792.10.4(c))", party.ReplaceLineEndings(" "));

        // A third request after it was applied: answered 200, nothing raised, the dates stay.
        var third = await requests.ConvertToExpeditedAsync(caseNumber, Staff, host.Client);
        Assert.Equal(200, third.Status);
        // The audit row is the activity's last write: wait for it (the notices above come before it).
        var audit = await TestEnvironment.EventuallyAsync(async () => await AuditAsync(host, caseNumber) is var rows && rows.Any(a => a.What == "Converted to expedited") ? rows : null, TimeSpan.FromSeconds(45), "conversion audit");
        var converted = Assert.Single(audit, a => a.What == "Converted to expedited");
        Assert.Contains("by " + Staff, converted.Details);
        Assert.Single(audit, a => a.What == "Conversion to expedited asked");

        // The review goes on under the new dates: the determination closes the case with its letter.
        await host.Client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted($"{caseNumber}-A1", await StoreSubmissionAsync(caseNumber, $"{caseNumber}-A1")));
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.Equal("Closed", done.ReadOutputAs<CaseOutcome>()!.Status);
        var closed = (await cases.GetAsync(caseNumber))!;
        Assert.Equal((after.CaseDueAt, after.ReviewerDueAt), (closed.CaseDueAt, closed.ReviewerDueAt));
        Assert.NotNull(closed.LetterBlobName);
    }

    [Fact]
    public async Task Authorising_the_treatment_mid_review_ends_the_case_without_a_letter_and_the_reviewer_link_refuses_answers_9792_10_6_a()
    {
        await using var host = await StartHostAsync();
        var requests = host.Services.GetRequiredService<ReviewChangeRequests>();
        var cases = host.Services.GetRequiredService<CaseStore>();
        var caseNumber = TestEnvironment.NewCaseNumber("X");
        var id = await StartCaseAsync(host, caseNumber);
        var assignmentId = $"{caseNumber}-A1";
        await AcceptAsync(host, id, caseNumber, assignmentId);

        var first = await requests.TreatmentAuthorisedAsync(caseNumber, null, "Claims System (keyed route)", host.Client);
        Assert.Equal(202, first.Status);
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("EndedTreatmentAuthorised", done.ReadOutputAs<CaseOutcome>()!.Status);
        var row = (await cases.GetAsync(caseNumber))!;
        Assert.Equal((CaseStatus.Closed, ReviewChangeActivities.TreatmentAuthorisedReason), (row.State, row.EndedReason));
        Assert.Null(row.LetterBlobName);
        Assert.Equal(AssignmentStatus.Withdrawn, (await cases.GetAssignmentAsync(caseNumber, assignmentId))!.State);
        Assert.Contains("review has ended", await WaitForNotificationAsync(caseNumber, $"{assignmentId}-review-ended"));
        var workerNotice = await WaitForNotificationAsync(caseNumber, ReviewChangeActivities.ReviewEndedNoticeId(Domain.Letters.AddresseeRoles.InjuredWorker));
        Assert.Contains("ended without a determination (8 CCR 9792.10.6(a))", workerNotice.ReplaceLineEndings(" "));
        Assert.True(await NotificationExistsAsync(caseNumber, ReviewChangeActivities.ReviewEndedNoticeId(Domain.Letters.AddresseeRoles.ClaimsAdministrator)));
        Assert.False(await NotificationExistsAsync(caseNumber, "letter-v1-worker"));

        // The reviewer's determination link, valid by its token, refuses: the assignment has ended.
        var token = host.Services.GetRequiredService<CallbackTokenService>().Issue(new CallbackClaims(caseNumber, assignmentId, row.CurrentReviewerId!, CallbackAction.SubmitDetermination, DateTimeOffset.UtcNow.AddDays(1)));
        var page = await host.Services.GetRequiredService<ReviewerCallbacks>().ShowReviewAsync(assignmentId, token, CancellationToken.None);
        Assert.Equal(410, ((IStatusCodeActionResult)page).StatusCode);

        // Delivered again: nothing changes twice. Any other change to the closed case: 409.
        Assert.Equal(200, (await requests.TreatmentAuthorisedAsync(caseNumber, null, "Claims System (keyed route)", host.Client)).Status);
        Assert.Equal(409, (await requests.ConvertToExpeditedAsync(caseNumber, Staff, host.Client)).Status);
        var audit = await TestEnvironment.EventuallyAsync(async () => await AuditAsync(host, caseNumber) is var rows && rows.Any(a => a.What == "Ended — treatment authorised") ? rows : null, TimeSpan.FromSeconds(45), "end audit");
        Assert.Single(audit, a => a.What == "Ended — treatment authorised");
        Assert.Single(audit, a => a.What == "Treatment authorised (reported)");
    }

    [Fact]
    public async Task A_partial_authorisation_or_a_case_on_an_older_workflow_changes_nothing_and_says_why()
    {
        await using var host = await StartHostAsync();
        var requests = host.Services.GetRequiredService<ReviewChangeRequests>();
        var cases = host.Services.GetRequiredService<CaseStore>();

        var older = TestEnvironment.NewCaseNumber("X");
        var olderId = await StartCaseAsync(host, older, version: CaseWorkflowVersions.RecordsVersion);
        await AcceptAsync(host, olderId, older, $"{older}-A1");
        var refused = await requests.ConvertToExpeditedAsync(older, Staff, host.Client);
        Assert.Equal(409, refused.Status);
        Assert.Contains("workflow version 2.0", refused.Message);

        var current = TestEnvironment.NewCaseNumber("X");
        var currentId = await StartCaseAsync(host, current);
        await AcceptAsync(host, currentId, current, $"{current}-A1");
        Assert.Equal(400, (await requests.TreatmentAuthorisedAsync(current, ["NOT-AN-ITEM"], Staff, host.Client)).Status);
        Assert.Equal(404, (await requests.ConvertToExpeditedAsync(TestEnvironment.NewCaseNumber("X"), Staff, host.Client)).Status);

        Assert.False((await cases.GetAsync(older))!.Expedited);
        Assert.Equal(CaseStatus.InReview, (await cases.GetAsync(current))!.State);
        await host.Client.TerminateInstanceAsync(olderId);
        await host.Client.TerminateInstanceAsync(currentId);
    }
}
