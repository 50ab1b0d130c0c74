using System.Text;
using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Eligibility;
using Imr.Domain.Letters;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Workflow;

/// <summary>
/// Activities of the intake steps (eligibility, medical records). Idempotent: audit rows are keyed by the orchestration's
/// own time and event, records and letters are written create-only or as the same final state.
/// </summary>
public sealed class IntakeActivities(
    IntakeStore store,
    CaseStore cases,
    CaseIntake intake,
    DocumentStore documents,
    CaseRecordStore records,
    Outbox outbox,
    RosterStore roster,
    AuditLog audit,
    WordingTemplateStore wording,
    PostalMail postal,
    CaseRegistration registration,
    ReviewerOffers offers,
    IOptions<ImrOptions> imr,
    IOptions<IntakeOptions> options,
    ILogger<IntakeActivities> logger)
{
    [Function(nameof(ScreenEligibility))]
    public async Task<EligibilityScreened> ScreenEligibility([ActivityTrigger] IntakeStep step)
    {
        // A step that folds in later ones (workflow 3.2) writes their audit rows together, in one request at its end, and
        // the screening's change of the intake row with the records request's.
        var folded = step.FoldsLaterSteps ? new FoldedWrites(step.CaseNumber) : null;
        EligibilityScreened screened;
        try
        {
            screened = await ScreenAsync(step, folded);
        }
        catch when (folded is not null)
        {
            // What the step got through is written as far as storage allows now; its retry writes the rest (create-once rows).
            try
            {
                await WriteAsync(folded);
            }
            catch (Exception ex)
            {
                logger.LogWarning("Case {CaseNumber}: the failed step's intake row and audit rows were not written ({Error}); its retry writes them", step.CaseNumber, ex.GetType().Name);
            }

            throw;
        }

        if (folded is not null) await WriteAsync(folded);
        return screened;
    }

    /// <summary>What the coarse intake step writes once, at its end (or as far as it got, when it fails).</summary>
    private sealed class FoldedWrites(string caseNumber)
    {
        public AuditRows Trail { get; } = new(caseNumber);

        /// <summary>The screening's change of the intake row, not yet written: the records request writes it with its own.</summary>
        public Action<IntakeEntity>? Screening { get; set; }
    }

    private async Task WriteAsync(FoldedWrites folded)
    {
        if (folded.Screening is { } screening)
        {
            await store.UpdateAsync(folded.Trail.CaseNumber, screening);
            folded.Screening = null;
        }

        await store.WriteAuditAsync(folded.Trail);
    }

    private async Task<EligibilityScreened> ScreenAsync(IntakeStep step, FoldedWrites? folded)
    {
        CaseEntity? opened = null; // the row as this step opened it: the folded steps after it write it without reading it
        if (step.OpensWithVersion is { } version)
        {
            // The case is on record before anything else happens to it (reconciliation finds a case stopped during intake).
            opened = await FoldedStepFailedException.RunAsync(nameof(CaseActivities.OpenCase), () => registration.OpenAsync(step.CaseNumber, step.ManifestBlobName, version));
        }

        var package = (await records.ReadAcceptedAsync(step.CaseNumber, step.ManifestBlobName)).Application;
        var mine = ApplicationFingerprint.Of(package);
        var record = await store.IndexApplicationOnceAsync(mine, step.At);

        // Only applications on file before this one count, so two simultaneous duplicates do not disqualify each other.
        var prior = new List<PriorApplication>();
        foreach (var a in await store.ApplicationsOfWorkerAsync(mine.WorkerKey))
        {
            var earlier = a.ReceivedAt < record.ReceivedAt || (a.ReceivedAt == record.ReceivedAt && string.CompareOrdinal(a.RowKey, record.RowKey) < 0);
            if (a.RowKey == mine.CaseNumber || a.Status is not ("Open" or "Combined") || !earlier || !EligibilityScreening.Concerns(mine, a.Fingerprint, options.Value.Rules))
            {
                continue;
            }

            // Only an application that can bear on this one costs reads (a worker may have many unrelated ones).
            // A combined application is on file as part of the case it joined: a duplicate of it names that case.
            var caseOf = a.Status == "Combined" && await store.GetAsync(a.RowKey) is { CombinedWith: { Length: > 0 } joined } ? joined : a.RowKey;
            var decided = (await cases.GetAsync(caseOf))?.Status == nameof(CaseStatus.Closed);
            prior.Add(new PriorApplication(a.Fingerprint with { CaseNumber = caseOf }, decided));
        }

        var decision = EligibilityScreening.Screen(package, prior, options.Value.Rules);
        var goesOn = folded is not null && decision.Outcome == EligibilityOutcome.Eligible && decision.CombineWith is null;
        await RecordAsync(step.CaseNumber, mine.WorkerKey, step.At, decision.Outcome.ToString(), decision.Reasons, decision.DuplicateOf, folded, rowWithRecords: goesOn);
        logger.LogInformation("Case {CaseNumber} screened: {Outcome}", step.CaseNumber, decision.Outcome);
        return new EligibilityScreened(decision.Outcome.ToString(), decision.Reasons, decision.DuplicateOf, decision.CombineWith) { Records = goesOn ? await FoldedStepFailedException.RunAsync(nameof(RequestRecords), () => RequestRecordsAsync(step, opened, folded)) : null };
    }

    [Function(nameof(ResolveEligibility))]
    public async Task<EligibilityScreened> ResolveEligibility([ActivityTrigger] ResolutionStep step)
    {
        var package = (await records.ReadAcceptedAsync(step.CaseNumber, step.ManifestBlobName)).Application;
        var outcome = step.Resolution.Outcome == nameof(EligibilityOutcome.Ineligible) ? nameof(EligibilityOutcome.Ineligible) : nameof(EligibilityOutcome.Eligible);
        var reason = await audit.DetailsOfAsync(step.CaseNumber, step.Resolution.ReasonId) ?? throw new InvalidOperationException("The resolution's reason is not recorded.");
        IReadOnlyList<string> reasons = [$"Resolved by staff: {reason}"];
        await RecordAsync(step.CaseNumber, ApplicationFingerprint.Of(package).WorkerKey, step.At, outcome, reasons, null, folded: null);
        // The result goes into the durable history: no free text (the notice reads the reasons from the intake record).
        return new EligibilityScreened(outcome, [], null, null);
    }

    [Function(nameof(IssueIneligibilityNotice))]
    public async Task<string> IssueIneligibilityNotice([ActivityTrigger] IneligibilityStep step)
    {
        var caseRecord = await records.ReadAcceptedAsync(step.CaseNumber, step.ManifestBlobName);
        var package = caseRecord.Application;
        var blobName = CaseNames.IneligibilityNoticeBlob(step.CaseNumber);
        // The reasons as recorded (a staff resolution's text is stored there, never passed through the orchestration).
        var recorded = (await store.GetAsync(step.CaseNumber))?.EligibilityReasons is { Length: > 0 } json ? System.Text.Json.JsonSerializer.Deserialize<string[]>(json) : null;
        var notice = new IneligibilityNotice(imr.Value.OrganizationName, step.CaseNumber, package.ApplicationDate, DateOnly.FromDateTime(step.At.UtcDateTime), recorded is { Length: > 0 } ? recorded : step.Reasons, step.DuplicateOf)
        {
            Program = package.Program.ToString(),
            ClaimNumber = package.ClaimNumber,
            OrganizationAddress = imr.Value.OrganizationAddressLines,
        };
        var words = await wording.CurrentAsync();
        var text = IneligibilityNoticeRenderer.Render(notice, words);
        // Create-only: a retried activity finds the notice already issued and issues nothing twice.
        await documents.CreateOnceAsync(StorageNames.DeterminationsContainer, blobName, BinaryData.FromBytes(Encoding.UTF8.GetBytes(text)), "text/plain; charset=utf-8");
        await outbox.EnqueueAsync(new Notification("ineligibility-notice", step.CaseNumber, package.SubmitterEmail ?? options.Value.IntakeDeskEmail,
            IneligibilityNoticeRenderer.Subject(step.CaseNumber), text));
        // Every party is served and may appeal (8 CCR 9792.10.3); one notice per role, create-once, so a retry sends none twice.
        foreach (var (role, name) in ServedParties.OfIneligibilityNotice(package))
        {
            var email = caseRecord.Contacts.EmailOf(role);
            var body = IneligibilityNoticeRenderer.Render(notice with { Addressee = role }, words);
            await outbox.EnqueueAsync(new Notification(IneligibilityNoticeId(role), step.CaseNumber, email ?? name, IneligibilityNoticeRenderer.Subject(step.CaseNumber), body) { ToName = name });
            if (email is null) await postal.FileAsync(step.CaseNumber, IneligibilityNoticeId(role), role, name, caseRecord.Addresses.AddressOf(role), step.At, "Notice of Ineligibility", null, body);
        }

        await store.UpdateAsync(step.CaseNumber, i =>
        {
            i.Stage = IntakeStages.Ineligible;
            i.NoticeBlobName = blobName;
        });
        await store.AppendAuditAsync(step.CaseNumber, step.At, "Closed", "ineligibility notice issued");
        return blobName;
    }

    /// <summary>
    /// Combines the application into the open case the screening named, unless that case can no longer take it: it must be
    /// eligible (not deferred) and have no determination submitted or letter issued. Then the application proceeds as its own
    /// case (returns false). Combining copies the application's documents to the case, then adds the application to the case's
    /// record (whose package merges it), notifies the reviewer already working on the case, and sends the application's own
    /// notice of assignment for documents still to deliver.
    /// </summary>
    [Function(nameof(CombineApplication))]
    public async Task<bool> CombineApplication([ActivityTrigger] CombineStep step)
    {
        var target = step.TargetCaseNumber;
        var targetIntake = await store.GetAsync(target);
        var targetCase = await cases.GetAsync(target);
        var targetManifest = targetIntake?.ManifestBlobName is { Length: > 0 } stored ? stored : CaseNames.ManifestBlob(target);
        var targetRecord = targetCase is null ? await records.ReadLatestAsync(target, targetManifest) : await records.ReadAsync(targetCase);
        if (!targetRecord.HasCombined(step.CaseNumber) && await WhyNotCombinableAsync(target, targetIntake, targetCase) is { } why)
        {
            await store.AppendAuditAsync(step.CaseNumber, step.At.AddTicks(2), "NotCombined", $"not combined into case {target}: {why}; the application proceeds as its own case");
            logger.LogInformation("Case {CaseNumber} not combined into {Target}: proceeds as its own case", step.CaseNumber, target);
            return false;
        }

        var own = await records.ReadAcceptedAsync(step.CaseNumber, step.ManifestBlobName);
        var package = own.Application;
        var application = new CombinedApplication(step.CaseNumber, package);
        var names = targetRecord.DocumentNamesOf(application);
        // Documents first: once the record lists the application, a records check must find its documents attached.
        var copied = await intake.CopyCombinedDocumentsAsync(target, names);
        var combined = await records.ChangeAsync(target, targetManifest, targetCase, r => r.WithCombined(application, copied));
        await store.RecordCombinationOnceAsync(target, step.CaseNumber, step.ManifestBlobName, step.At);
        await store.SetApplicationStatusAsync(ApplicationFingerprint.Of(package).WorkerKey, step.CaseNumber, "Combined");

        var added = combined.ItemIdsAddedBy(application);
        var awaited = names.Where(n => !copied.Any(c => c.FileName == n.NameInCase)).Select(n => n.FileName).ToList();
        await store.UpdateAsync(step.CaseNumber, i =>
        {
            i.Stage = IntakeStages.Combined;
            i.CombinedWith = target;
        });
        await store.AppendAuditAsync(step.CaseNumber, step.At.AddTicks(2), IntakeStages.Combined, $"combined into case {target}: {added.Count} disputed item(s) and {copied.Count} document(s) joined it");
        var reviewerNote = await NotifyReviewerOfAddedItemsAsync(target, step.CaseNumber, added);
        await store.AppendAuditAsync(target, step.At.AddTicks(2), "ApplicationCombined",
            $"application {step.CaseNumber} combined into this case: item(s) {string.Join(", ", added)} added, {copied.Count} document(s) attached, {awaited.Count} awaited{reviewerNote}");

        // The combined application's own documents still to come: its claims administrator is told what to deliver and by when.
        var (due, allowed) = RecordsDeadline.For(options.Value.RecordsPolicy, imr.Value.DeadlinePolicy, step.At, package, own.Contacts);
        await store.UpdateAsync(step.CaseNumber, i =>
        {
            i.RecordsDueAt = due;
            i.MissingDocuments = string.Join(", ", awaited);
        });
        await store.AppendAuditAsync(step.CaseNumber, [await SendNoticeOfAssignmentAsync(step.CaseNumber, own.Contacts, package, step.At, due, allowed, awaited, target)]);
        return true;
    }

    /// <summary>Why a case cannot take another application any more, or null when it can.</summary>
    private async Task<string?> WhyNotCombinableAsync(string target, IntakeEntity? record, CaseEntity? caseEntity)
    {
        if (record?.Eligibility != nameof(EligibilityOutcome.Eligible))
        {
            return $"case {target} is not (yet) eligible ({record?.Eligibility ?? "not screened"})";
        }

        if (caseEntity is not null && (caseEntity.Status == nameof(CaseStatus.Closed) || caseEntity.LetterBlobName is not null))
        {
            return $"case {target} is decided";
        }

        // A submitted determination decides the items it was given; added items would reopen a finished review.
        return await documents.AnyUnderAsync(StorageNames.SubmissionsContainer, $"{target}/") ? $"case {target} already has a determination submitted" : null;
    }

    /// <summary>Tells the reviewer who accepted the case that its determination must now also decide the added items. Returns a note for the audit.</summary>
    private async Task<string> NotifyReviewerOfAddedItemsAsync(string target, string combinedCaseNumber, IReadOnlyList<string> added)
    {
        var caseEntity = await cases.GetAsync(target);
        if (caseEntity is not { CurrentAssignmentId: { } assignmentId, CurrentReviewerId: { } reviewerId } || caseEntity.AssignmentStatus != nameof(AssignmentStatus.Accepted)
            || await roster.GetAsync(reviewerId) is not { } reviewer)
        {
            return ""; // an offer not yet accepted shows the merged package when opened
        }

        await outbox.EnqueueAsync(new Notification($"{assignmentId}-combined-{combinedCaseNumber}", target, reviewer.Email, ReviewerNotices.ItemsAdded(target, combinedCaseNumber, added)) { ToName = reviewer.Name });
        return $"; reviewer {reviewerId} notified";
    }

    [Function(nameof(RequestRecords))]
    public Task<RecordsStatus> RequestRecords([ActivityTrigger] IntakeStep step) => RequestRecordsAsync(step, opened: null, folded: null);

    /// <summary>
    /// The notice of assignment to every party with the records deadline, and the intake row's stage. Idempotent (create-once
    /// notices, audit rows keyed by the step's time). Registers and offers the case when the step folds that in and nothing is missing.
    /// </summary>
    /// <param name="opened">The case's row when the same step opened it (saves reading it for the record's version and for registering).</param>
    /// <param name="folded">What the step this one is folded into writes at its end (its audit rows, and the screening's change
    /// of the intake row, written here with this step's); null: this step writes its own.</param>
    private async Task<RecordsStatus> RequestRecordsAsync(IntakeStep step, CaseEntity? opened, FoldedWrites? folded)
    {
        var trail = folded?.Trail;
        var screening = folded?.Screening;
        var caseRecord = opened is null ? await records.ReadLatestAsync(step.CaseNumber, step.ManifestBlobName) : await records.ReadAsync(opened);
        var package = caseRecord.Package;
        var (due, allowed) = RecordsDeadline.For(options.Value.RecordsPolicy, imr.Value.DeadlinePolicy, step.At, package, caseRecord.Contacts);
        var missing = await intake.MissingDocumentsAsync(caseRecord, step.ManifestBlobName, step.At);
        await store.UpdateAsync(step.CaseNumber, i =>
        {
            screening?.Invoke(i);
            i.Stage = missing.Count == 0 ? IntakeStages.RecordsReceived : IntakeStages.AwaitingRecords;
            i.RecordsDueAt = due;
            i.MissingDocuments = string.Join(", ", missing);
        });
        if (folded is not null) folded.Screening = null;
        // The deadline counts from this notice: it goes out with the request, whatever is still missing.
        // The merged package keeps the case's own parties, so it addresses the notice too.
        var noticeSent = await SendNoticeOfAssignmentAsync(step.CaseNumber, caseRecord.Contacts, package, step.At, due, allowed, missing, null);
        // Both of the step's audit rows in one request (one partition), or with the rows of the step this one is folded into.
        var rows = trail ?? new AuditRows(step.CaseNumber);
        rows.Event(step.At.AddTicks(2), missing.Count == 0 ? IntakeStages.RecordsReceived : IntakeStages.AwaitingRecords,
            missing.Count == 0 ? "all listed documents present" : $"{missing.Count} listed document(s) awaited until {due:u} ({(package.Expedited ? "expedited" : RecordsDeadline.NoticeServiceTo(caseRecord.Contacts) == NoticeMethod.Mail ? "mailed notice" : "electronic notice")})");
        rows.Event(noticeSent.At, noticeSent.Event, noticeSent.Detail);
        if (trail is null) await store.WriteAuditAsync(rows);
        var status = new RecordsStatus(due, missing);
        return step.FoldsLaterSteps && missing.Count == 0 ? await RegisterAndOfferAsync(status, step.CaseNumber, step.ManifestBlobName, opened, trail) : status;
    }

    /// <summary>The records are in (or their deadline passed): the review clock starts and the case is offered (round 1).</summary>
    /// <param name="opened">The case's row when this step opened it; the registration passes its own write on to the offer.</param>
    private async Task<RecordsStatus> RegisterAndOfferAsync(RecordsStatus status, string caseNumber, string manifestBlobName, CaseEntity? opened, AuditRows? trail)
    {
        var (registered, row) = await FoldedStepFailedException.RunAsync(nameof(CaseActivities.RegisterCase), () => registration.RegisterAsync(caseNumber, manifestBlobName, opened));
        var offer = await FoldedStepFailedException.RunAsync(nameof(AssignmentActivities.OfferAssignment), () => offers.OfferAsync(new AssignmentRequest(caseNumber, 1, []), row, trail));
        return status with { Registration = new IntakeRegistration(registered, offer) };
    }

    public static string IneligibilityNoticeId(string role) => "ineligibility-notice-" + LetterIssuer.NoticeId(1, role)["letter-v1-".Length..];

    public static string NoticeOfAssignmentId(string role) => "notice-of-assignment-" + LetterIssuer.NoticeId(1, role)["letter-v1-".Length..];

    /// <summary>
    /// One notice per party, create-once under an id naming the role, so a retried activity sends nothing twice; recorded in the
    /// audit trail once (keyed by the orchestration's time): the row is returned for the caller to write with its own.
    /// Only the case number, file names and dates: no clinical content.
    /// </summary>
    private async Task<(DateTimeOffset At, string Event, string? Detail)> SendNoticeOfAssignmentAsync(string caseNumber, PartyContacts contacts, CasePackage package, DateTimeOffset at, DateTimeOffset due, TimeSpan allowed, IReadOnlyList<string> required, string? combinedInto)
    {
        var parties = ServedParties.OfNoticeOfAssignment(package);
        // How records reach the IMRO, in the parties' words: never the storage container they land in.
        var deliverTo = imr.Value.RecordsDelivery;
        var facts = NoticeOfAssignmentFacts.Of(package);
        var words = await wording.CurrentAsync();
        var byPost = new List<string>();
        foreach (var (role, name) in parties)
        {
            var notice = new NoticeOfAssignment(imr.Value.OrganizationName, caseNumber, at, due, allowed, NoticeOfAssignment.BasisOf(package.Expedited, RecordsDeadline.NoticeServiceTo(contacts)),
                required, deliverTo, role, role == AddresseeRoles.ClaimsAdministrator ? null : package.ClaimsAdministrator)
            { CombinedInto = combinedInto, Facts = facts, OrganizationAddress = imr.Value.OrganizationAddressLines };
            var email = contacts.EmailOf(role);
            var body = NoticeOfAssignmentRenderer.Render(notice, words);
            await outbox.EnqueueAsync(new Notification(NoticeOfAssignmentId(role), caseNumber, email ?? name, NoticeOfAssignmentRenderer.Subject(caseNumber), body) { ToName = name });
            if (email is null)
            {
                byPost.Add(role);
                await postal.FileAsync(caseNumber, NoticeOfAssignmentId(role), role, name, (package.PostalAddresses ?? PartyAddresses.None).AddressOf(role), at, "Notice of Assignment", null, body);
            }
        }

        return (at.AddTicks(3), "NoticeOfAssignmentSent",
            $"to the claims administrator, copies to {string.Join(" and ", parties.Skip(1).Select(p => p.Role.ToLowerInvariant()))}; {required.Count} document(s) required by {due:u}" + (byPost.Count > 0 ? $"; by post: {string.Join(", ", byPost.Select(r => r.ToLowerInvariant()))}" : ""));
    }

    [Function(nameof(CheckRecords))]
    public async Task<RecordsStatus> CheckRecords([ActivityTrigger] RecordsCheck check)
    {
        var caseRecord = await records.ReadLatestAsync(check.CaseNumber, check.ManifestBlobName);
        var missing = await intake.MissingDocumentsAsync(caseRecord, check.ManifestBlobName, check.At);
        var stage = missing.Count == 0 ? IntakeStages.RecordsReceived : check.Final ? IntakeStages.RecordsLate : IntakeStages.AwaitingRecords;
        await store.UpdateAsync(check.CaseNumber, i =>
        {
            i.Stage = stage;
            i.MissingDocuments = string.Join(", ", missing);
        });
        if (stage != IntakeStages.AwaitingRecords)
        {
            await store.AppendAuditAsync(check.CaseNumber, check.At.AddTicks(2), stage,
                missing.Count == 0 ? "all listed documents received" : $"{missing.Count} listed document(s) missing at the deadline; the review proceeds with what was received");
            logger.LogInformation("Case {CaseNumber}: {Stage}", check.CaseNumber, stage);
        }

        var status = new RecordsStatus(check.DueAt, missing);
        return check.FoldsLaterSteps && (missing.Count == 0 || check.Final) ? await RegisterAndOfferAsync(status, check.CaseNumber, check.ManifestBlobName, opened: null, trail: null) : status;
    }

    /// <param name="folded">The coarse step this screening is part of: its audit row goes with that step's rows.</param>
    /// <param name="rowWithRecords">The step's records request writes the intake row anyway: the screening's change is left to it.</param>
    private async Task RecordAsync(string caseNumber, string workerKey, DateTimeOffset at, string outcome, IReadOnlyList<string> reasons, string? duplicateOf, FoldedWrites? folded, bool rowWithRecords = false)
    {
        if (outcome == nameof(EligibilityOutcome.Ineligible))
        {
            // An ineligible application is not "on file" for later duplicate checks.
            await store.SetApplicationStatusAsync(workerKey, caseNumber, "Ineligible");
        }

        void Screened(IntakeEntity i)
        {
            i.Stage = outcome;
            i.Eligibility = outcome;
            i.EligibilityReasons = IntakeStore.Json(reasons);
            i.DuplicateOf = duplicateOf;
        }

        if (folded is not null && rowWithRecords) folded.Screening = Screened;
        else await store.UpdateAsync(caseNumber, Screened);
        var detail = reasons.Count == 0 ? null : string.Join(" ", reasons);
        if (folded is not null) folded.Trail.Event(at.AddTicks(1), outcome, detail);
        else await store.AppendAuditAsync(caseNumber, at.AddTicks(1), outcome, detail);
    }
}
