using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Grpc.Core;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>What one intake sweep found: blobs older than the orphan wait, and what became of them.</summary>
public sealed record IntakeSweepResult(int Stale, int Delivered, int Orphans, int Unprocessable, int Failed);

public enum IntakeResult
{
    /// <summary>A valid package: its files were copied to the case files and the case's orchestration started.</summary>
    Started,
    /// <summary>The same package again: nothing new.</summary>
    AlreadyStarted,
    /// <summary>Rejected (invalid, conflicting, or a document that does not match): moved to quarantine with its reasons.</summary>
    Quarantined,
    /// <summary>A document whose manifest has not arrived: it waits beside it.</summary>
    DocumentOnly,
    /// <summary>A document for a case already started: attached and announced to the orchestration.</summary>
    DocumentAttached,
    /// <summary>Already handled (the blob is gone, or an identical copy is attached).</summary>
    Ignored,
}

/// <summary>
/// A blob landed in the intake container (<c>{case number}/{file}</c>). Documents travel beside the manifest, which is written
/// last and starts the case. A valid package is copied create-only to the case files (so no later upload can overwrite it)
/// and removed from intake; a bad one is moved to quarantine with its reasons, a rejection row and a notice to the submitter.
/// A listed document that is not there yet is awaited by the orchestration; one whose size or hash differs is rejected.
/// </summary>
public sealed class CaseIntake(StorageClients storage, IntakeStore store, CaseRecordStore records, CaseStore cases, RosterStore roster, Outbox outbox, ConsoleLinks console, IOptions<IntakeOptions> options, TimeProvider time, ILogger<CaseIntake> logger)
{
    public const string ManifestFileName = CaseNames.ManifestFileName;
    public const string UnnamedPartition = "_unnamed";

    // The case-files adapter (snapshots, pinned reads, create-once copies) and quarantine: this class routes and decides.
    private readonly CaseFileBlobs _files = new(storage);
    private readonly IntakeQuarantine _quarantine = new(storage, new CaseFileBlobs(storage), store, outbox, console, options, time, logger);

    private BlobContainerClient Intake => _files.Intake;
    private BlobContainerClient CaseFiles => _files.CaseFiles;

    public static string ManifestBlobName(string caseNumber) => CaseNames.ManifestBlob(caseNumber);
    public static string DocumentBlobName(string caseNumber, string fileName) => CaseNames.DocumentBlob(caseNumber, fileName);

    /// <summary>Documents up to this size are read once into memory at intake (hashed and copied from the same bytes); larger ones stream.</summary>
    private const long MaxBufferedBytes = 8L * 1024 * 1024;

    public Task<IntakeResult> AcceptAsync(BlobClient blob, DurableTaskClient durable, CancellationToken ct = default) => AcceptAsync(blob.Name, durable, ct);

    /// <summary>
    /// A blob landed in intake, named as stored: the trigger passes the name it was given, because a client's
    /// <c>BlobClient.Name</c> comes from its URI, where "." and ".." segments are already resolved.
    /// </summary>
    public async Task<IntakeResult> AcceptAsync(string name, DurableTaskClient durable, CancellationToken ct = default)
    {
        var slash = name.IndexOf('/');
        var folder = slash > 0 ? name[..slash] : "";
        var file = slash > 0 ? name[(slash + 1)..] : name;
        var validPath = CaseNumber.TryParse(folder, out var caseNumber) && (file == ManifestFileName || CasePackage.IsSafeFileName(file));
        IntakeEntity? record = null;
        if (validPath && file != ManifestFileName)
        {
            // A document before its manifest (the usual order: the manifest is written last and takes its folder's
            // documents with it) waits beside it: nothing to read yet.
            record = await store.GetAsync(caseNumber.Value, ct);
            if (record is null || record.ManifestBlobName.Length == 0)
            {
                return IntakeResult.DocumentOnly;
            }
        }

        if (validPath && file == ManifestFileName)
        {
            // The manifest takes its folder's documents with it, so the folder is listed anyway: the listing gives the
            // manifest's version and size too, and it needs no snapshot of its own.
            var folderBlobs = await _files.FolderAsync(folder, ct);
            return folderBlobs.FirstOrDefault(b => b.Name == name) is { } listed
                ? await ManifestAsync(listed, folderBlobs, folder, caseNumber, durable, ct)
                : IntakeResult.Ignored; // moved away by an earlier delivery
        }

        var source = await _files.SnapshotAsync(Intake, name, ct);
        if (source is null)
        {
            return IntakeResult.Ignored; // moved away by an earlier delivery
        }

        if (!validPath)
        {
            return await _quarantine.QuarantineAsync(CaseNumber.TryParse(folder, out var n) ? n.Value : null, [source], "InvalidPath",
                [$"'{Printable(name)}' is not '<case number>/<file name>': a case's files go directly in the folder named by its case number (2-40 letters, digits or hyphens), with plain file names — no sub-folders, no '..'."], null, ct);
        }

        return await DocumentAsync(source, file, caseNumber, record!, durable, ct);
    }

    /// <param name="folderBlobs">The manifest's folder as listed (the manifest among them).</param>
    private async Task<IntakeResult> ManifestAsync(IntakeBlob manifest, IReadOnlyList<IntakeBlob> folderBlobs, string folder, CaseNumber caseNumber, DurableTaskClient durable, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (manifest.Length > DocumentStore.MaxManifestBytes)
        {
            return await RejectPackageAsync(caseNumber, folderBlobs, "Invalid", [$"The manifest is larger than {DocumentStore.MaxManifestBytes} bytes."], null, now, ct);
        }

        var content = await _files.DownloadAsync(manifest, ct);
        if (content is null)
        {
            return IntakeResult.Ignored;
        }

        var sha = DocumentStore.Sha256Hex(content);
        var parsed = CasePackage.Parse(content.ToMemory().Span);
        if (!parsed.IsAccepted)
        {
            return await RejectPackageAsync(caseNumber, folderBlobs, "Invalid", parsed.Reasons, null, now, ct);
        }

        var package = parsed.Package!;
        if (!string.Equals(CaseNumber.Parse(package.CaseNumber).Value, caseNumber.Value, StringComparison.Ordinal))
        {
            return await RejectPackageAsync(caseNumber, folderBlobs, "Invalid", [$"The manifest is in folder '{folder}' but names case '{package.CaseNumber}'; a case's files go under its case number."], package.SubmitterEmail, now, ct);
        }

        var existing = await store.GetAsync(caseNumber.Value, ct);
        if (existing is not null && existing.ManifestBlobName.Length > 0)
        {
            if (existing.ManifestSha256 == sha)
            {
                // The same package again (a retry, or a re-delivery): make sure the case has its record and runs, create nothing new.
                await records.EnsureAcceptedAsync(existing.ManifestBlobName, package, sha, ct);
                await EnsureStartedAsync(durable, caseNumber, existing.ManifestBlobName, ct);
                await _files.DeleteAsync(manifest, ct);
                logger.LogInformation("Case {CaseNumber}: the same package delivered again; nothing new", caseNumber);
                return IntakeResult.AlreadyStarted;
            }

            return await RejectPackageAsync(caseNumber, folderBlobs, "Conflict",
                [$"Conflict: case {caseNumber} already has a different package (received {existing.ReceivedAt:u}); the first package is kept and this one was not applied. Send corrections as a new case or as supplementary documents."],
                package.SubmitterEmail, now, ct);
        }

        // Every listed document that is here must match the manifest byte for byte; one not here yet is awaited (the rule is the domain's).
        // A document that must be hashed is read once: a small one into memory, hashed there and attached from the same
        // bytes (one request instead of a properties read and a download each for hashing and copying); a large one streams.
        var delivered = new List<(IntakeBlob Blob, DeliveredFile File)>();
        var contents = new Dictionary<IntakeBlob, BinaryData>();
        foreach (var blob in folderBlobs.Where(b => b.FileName != ManifestFileName))
        {
            string? hash = null;
            if (PackageVerification.MustRead(blob.FileName, blob.Length))
            {
                if (blob.Length <= MaxBufferedBytes && await _files.DownloadAsync(blob, ct) is { } bytes)
                {
                    contents[blob] = bytes;
                    hash = DocumentStore.Sha256Hex(bytes);
                }
                else
                {
                    hash = await _files.HashAsync(blob, ct);
                }
            }

            delivered.Add((blob, new DeliveredFile(blob.FileName, blob.Length, hash)));
        }

        var verdict = PackageVerification.Verify(package, delivered.Select(d => d.File));
        if (!verdict.IsAccepted)
        {
            return await RejectPackageAsync(caseNumber, folderBlobs, "Invalid", verdict.Reasons, package.SubmitterEmail, now, ct);
        }

        var present = delivered.Where(d => verdict.Present.Any(p => ReferenceEquals(p, d.File))).Select(d => (d.Blob, Sha: d.File.Sha256!)).ToList();

        foreach (var (blob, actual) in present)
        {
            if (!await _files.AttachAsync(blob, caseNumber.Value, actual, ct, content: contents.GetValueOrDefault(blob)))
            {
                return await RejectPackageAsync(caseNumber, folderBlobs, "Conflict", [$"Conflict: case {caseNumber} already holds a different '{Printable(blob.FileName)}'; nothing was overwritten."], package.SubmitterEmail, now, ct);
            }
        }

        var manifestName = ManifestBlobName(caseNumber.Value);
        var storedManifest = await CaseFileBlobs.CreateOnceAsync(CaseFiles.GetBlobClient(manifestName), content, sha, "application/json", ct);
        if (storedManifest)
        {
            // The case's record, from this parse: every later step reads it instead of the manifest. Stored before the intake
            // row, which is what lets a document's delivery or the orchestration look for it.
            await records.CreateAsync(CaseRecord.Accepted(package, sha, present.Select(p => CaseFileBlobs.DocumentOf(p.Blob, p.Blob.FileName, p.Sha))), ct);
        }

        var (record, created) = await store.AddOnceAsync(new IntakeEntity
        {
            PartitionKey = caseNumber.Value,
            Stage = IntakeStages.Validated,
            ManifestBlobName = manifestName,
            ManifestSha256 = sha,
            ReceivedAt = now,
        }, ct);
        if (!storedManifest || record.ManifestSha256 != sha)
        {
            // Two different packages raced for one case number: the first one stored wins.
            return await RejectPackageAsync(caseNumber, folderBlobs, "Conflict", [$"Conflict: case {caseNumber} already has a different package; the first package is kept and this one was not applied."], package.SubmitterEmail, now, ct);
        }

        if (created)
        {
            var awaited = package.Documents.Count(d => !present.Any(p => string.Equals(p.Blob.FileName, d.FileName, StringComparison.OrdinalIgnoreCase)));
            await store.AppendAuditAsync(caseNumber.Value, [(now, IntakeStages.Received, "package received in intake"), (now.AddTicks(1), IntakeStages.Validated, $"{present.Count} document(s) attached, {awaited} awaited")], ct);
        }

        await EnsureStartedAsync(durable, caseNumber, manifestName, ct);
        foreach (var (blob, _) in present)
        {
            await _files.DeleteAsync(blob, ct);
        }

        await _files.DeleteAsync(manifest, ct);
        logger.LogInformation("Case {CaseNumber} started with {DocumentCount} document(s)", caseNumber, present.Count);
        return IntakeResult.Started;
    }

    private async Task<IntakeResult> DocumentAsync(IntakeBlob blob, string fileName, CaseNumber caseNumber, IntakeEntity record, DurableTaskClient durable, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var submitter = await SubmitterOfAsync(caseNumber.Value, record, ct);
        if (blob.Length > CasePackage.MaxDocumentBytes)
        {
            return await RejectDocumentAsync(caseNumber, blob, [$"documents[{Printable(fileName)}]: {blob.Length} bytes exceeds the limit of {CasePackage.MaxDocumentBytes} bytes."], submitter, now, ct);
        }

        // Read once: a small document is hashed in memory and attached from the same bytes.
        var content = blob.Length <= MaxBufferedBytes ? await _files.DownloadAsync(blob, ct) : null;
        var sha = content is not null ? DocumentStore.Sha256Hex(content) : await _files.HashAsync(blob, ct);
        if (sha is null)
        {
            return IntakeResult.Ignored;
        }

        // A document for an application combined into another case belongs to that case, under its name there.
        var owner = caseNumber;
        var nameInCase = fileName;
        if (record.Stage == IntakeStages.Combined && record.CombinedWith is { Length: > 0 } target && await store.GetAsync(target, ct) is { ManifestBlobName.Length: > 0 } targetRecord)
        {
            owner = CaseNumber.Parse(target);
            nameInCase = CombinedApplications.DocumentNameIn(caseNumber.Value, fileName);
            record = targetRecord;
        }

        var attached = await _files.AttachedShaAsync(owner.Value, nameInCase, ct);
        if (attached == sha)
        {
            // An identical copy is attached: a re-delivery. The record lists it unless the first delivery stopped before that.
            if (!(await records.ReadAcceptedAsync(owner.Value, record.ManifestBlobName, ct)).IsAttached(nameInCase))
            {
                await records.ChangeAsync(owner.Value, record.ManifestBlobName, null, r => r.WithAttached([CaseFileBlobs.DocumentOf(blob, nameInCase, sha)]), ct);
            }

            await _files.DeleteAsync(blob, ct);
            return IntakeResult.Ignored;
        }

        if (attached is not null)
        {
            return await RejectDocumentAsync(caseNumber, blob, [$"Conflict: '{Printable(fileName)}' is already attached to case {owner} with different content; the attached copy was kept. Send a corrected document under a new file name."], submitter, now, ct);
        }

        var ownerCase = await cases.GetAsync(owner.Value, ct);
        var caseRecord = ownerCase is null ? await records.ReadLatestAsync(owner.Value, record.ManifestBlobName, ct) : await records.ReadAsync(ownerCase, ct);
        var listed = caseRecord.Package.Documents.FirstOrDefault(d => string.Equals(d.FileName, nameInCase, StringComparison.OrdinalIgnoreCase));
        if (listed is not null && (listed.Size != blob.Length || listed.Sha256 != sha))
        {
            return await RejectDocumentAsync(caseNumber, blob, [$"documents[{Printable(fileName)}]: {(listed.Size != blob.Length ? $"the file has {blob.Length} bytes but the manifest says {listed.Size}" : "its SHA-256 differs from the manifest's")}; the case keeps waiting for the listed document."], submitter, now, ct);
        }

        var instance = await durable.GetInstanceAsync(owner.OrchestrationInstanceId, getInputsAndOutputs: false, ct);
        if (instance is { IsCompleted: true })
        {
            return await RejectDocumentAsync(caseNumber, blob, [$"Case {owner} is closed; supplementary records are accepted only for open cases."], submitter, now, ct);
        }

        if (!await _files.AttachAsync(blob, owner.Value, sha, ct, nameInCase, content))
        {
            return await RejectDocumentAsync(caseNumber, blob, [$"Conflict: '{Printable(fileName)}' is already attached to case {owner} with different content; the attached copy was kept."], submitter, now, ct);
        }

        await records.ChangeAsync(owner.Value, record.ManifestBlobName, ownerCase, r => r.WithAttached([CaseFileBlobs.DocumentOf(blob, nameInCase, sha)]), ct);
        await store.AppendAuditAsync(owner.Value, now, listed is not null ? IntakeStages.RecordsReceived : IntakeStages.SupplementaryRecordsReceived, nameInCase, ct);
        if (owner != caseNumber)
        {
            await store.AppendAuditAsync(caseNumber.Value, now, IntakeStages.RecordsReceived, $"{fileName} attached to case {owner} (combined)", ct);
        }

        await _files.DeleteAsync(blob, ct);
        if (record.Stage is IntakeStages.RecordsReceived or IntakeStages.RecordsLate)
        {
            // Past the records wait: the orchestration no longer listens for records, the reviewer is who needs to know.
            await AnnounceToReviewerAsync(owner.Value, ownerCase, nameInCase, sha, ct);
        }
        else if (WorkflowStatus.TakesEvents(instance))
        {
            // The workflow waits for records; one not started yet checks the case files itself when it gets to them.
            await durable.RaiseEventAsync(owner.OrchestrationInstanceId, IntakeEvents.RecordsReceived, new RecordsArrived(nameInCase, listed is not null), ct);
        }

        logger.LogInformation("Case {CaseNumber}: document attached ({Listed})", owner, listed is not null ? "listed" : "supplementary");
        return IntakeResult.DocumentAttached;
    }

    /// <summary>
    /// A record attached while the case is in review: the reviewer who accepted it is told (the review page lists every attached
    /// document, see CaseRecord.Package). One notice per document (its id carries the hash), recorded in the audit trail.
    /// </summary>
    private async Task AnnounceToReviewerAsync(string caseNumber, CaseEntity? caseEntity, string fileName, string sha, CancellationToken ct)
    {
        if (caseEntity is not { CurrentAssignmentId: { } assignmentId, CurrentReviewerId: { } reviewerId } || caseEntity.AssignmentStatus != nameof(AssignmentStatus.Accepted)
            || await roster.GetAsync(reviewerId, ct) is not { } reviewer)
        {
            return; // no reviewer at work yet: the offer and review pages show the document when opened
        }

        var created = await outbox.EnqueueAsync(new Notification($"{assignmentId}-records-{sha[..12]}", caseNumber, reviewer.Email, $"IMR case {caseNumber}: records added",
            $"A document was added to IMR case {caseNumber}, which you are reviewing: {fileName}.\n\nOpen your review page again with the link from your assignment message to read it before you submit your determination.\n")
        { ToName = reviewer.Name }, ct);
        if (created)
        {
            await store.AppendAuditAsync(caseNumber, time.GetUtcNow(), "ReviewerToldOfRecords", $"{fileName}: reviewer {reviewerId} notified", ct);
        }
    }

    /// <summary>
    /// For combining: copies the documents of a combined application already in its case files to the case it joined, under
    /// their names there (create-only, so a retry copies nothing twice). Documents still missing follow when uploaded
    /// (see the document path above). Returns those attached, under their names in the case.
    /// </summary>
    public async Task<IReadOnlyList<CaseDocument>> CopyCombinedDocumentsAsync(string targetCaseNumber, IReadOnlyList<(string FromCase, string FileName, string NameInCase)> documents, CancellationToken ct = default)
    {
        var copied = new List<CaseDocument>();
        foreach (var (fromCase, fileName, nameInCase) in documents)
        {
            var source = await _files.SnapshotAsync(CaseFiles, DocumentBlobName(fromCase, fileName), ct);
            if (source is null || await _files.AttachedShaAsync(fromCase, fileName, ct) is not { } sha)
            {
                continue;
            }

            if (await _files.AttachAsync(source, targetCaseNumber, sha, ct, nameInCase))
            {
                copied.Add(CaseFileBlobs.DocumentOf(source, nameInCase, sha));
            }
        }

        return copied;
    }

    /// <summary>
    /// For the orchestration: the file names of the case's listed documents that are still missing. The record says which are
    /// attached; for the others the case files are asked (a delivery may have stopped between attaching and recording) and
    /// intake (a delivery that raced the manifest is attached now). What is found is added to the record.
    /// </summary>
    public async Task<IReadOnlyList<string>> MissingDocumentsAsync(CaseRecord record, string manifestBlobName, DateTimeOffset at, CancellationToken ct = default)
    {
        var caseNumber = record.CaseNumber;
        var missing = new List<string>();
        var found = new List<CaseDocument>();
        var taken = new List<IntakeBlob>();
        foreach (var doc in record.Package.Documents.Where(d => !record.IsAttached(d.FileName)))
        {
            if (await _files.AttachedDocumentAsync(caseNumber, doc.FileName, ct) is { } attached)
            {
                found.Add(attached);
                continue;
            }

            var waiting = await _files.SnapshotAsync(Intake, $"{caseNumber}/{doc.FileName}", ct);
            if (waiting is not null && waiting.Length == doc.Size && await _files.HashAsync(waiting, ct) is { } sha && sha == doc.Sha256 && await _files.AttachAsync(waiting, caseNumber, sha, ct))
            {
                await store.AppendAuditAsync(caseNumber, at, IntakeStages.RecordsReceived, doc.FileName, ct);
                found.Add(CaseFileBlobs.DocumentOf(waiting, doc.FileName, sha));
                taken.Add(waiting);
                continue;
            }

            missing.Add(doc.FileName);
        }

        if (found.Count > 0)
        {
            await records.ChangeAsync(caseNumber, manifestBlobName, null, r => r.WithAttached(found), ct);
        }

        foreach (var blob in taken)
        {
            await _files.DeleteAsync(blob, ct); // recorded: intake lets go of it
        }

        return missing;
    }

    private async Task<IntakeResult> RejectPackageAsync(CaseNumber caseNumber, IReadOnlyList<IntakeBlob> blobs, string kind, IReadOnlyList<string> reasons, string? submitter, DateTimeOffset now, CancellationToken ct)
    {
        var existing = await store.GetAsync(caseNumber.Value, ct);
        if (existing is null)
        {
            await store.AppendAuditAsync(caseNumber.Value, now, IntakeStages.Received, "package received in intake", ct);
        }

        await store.AppendAuditAsync(caseNumber.Value, now.AddTicks(1), IntakeStages.Rejected, $"{kind}: {reasons.Count} reason(s)", ct);
        return await _quarantine.QuarantineAsync(caseNumber.Value, blobs, kind, reasons, submitter, ct);
    }

    private async Task<IntakeResult> RejectDocumentAsync(CaseNumber caseNumber, IntakeBlob blob, IReadOnlyList<string> reasons, string? submitter, DateTimeOffset now, CancellationToken ct, string kind = "Document")
    {
        await store.AppendAuditAsync(caseNumber.Value, now, IntakeStages.Rejected, $"document {Printable(blob.FileName)}: {reasons.Count} reason(s)", ct);
        return await _quarantine.QuarantineAsync(caseNumber.Value, [blob], kind, reasons, submitter, ct);
    }

    /// <summary>
    /// The periodic look at intake (see IntakeTrigger.IntakeSweep). A blob is normally gone within seconds; one older than
    /// <see cref="IntakeOptions.OrphanAfter"/> was missed (a crash, a poisoned delivery) or waits for a manifest that never
    /// came. Each is delivered again — manifests first, since a manifest takes its folder's documents — and what still cannot
    /// go anywhere is quarantined with a reason and a notice: a document without a manifest ("Orphan"), or a blob whose
    /// delivery keeps failing ("Unprocessable"). One blob's failure never stops the others.
    /// </summary>
    public async Task<IntakeSweepResult> SweepAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var cutoff = time.GetUtcNow() - options.Value.OrphanAfter;
        var stale = new List<string>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in Intake.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, ct))
        {
            present.Add(item.Name);
            if (item.Properties.LastModified is { } modified && modified <= cutoff)
            {
                stale.Add(item.Name);
            }
        }

        int delivered = 0, orphans = 0, unprocessable = 0, failed = 0;
        foreach (var name in stale.OrderBy(n => n.EndsWith("/" + ManifestFileName, StringComparison.Ordinal) ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal))
        {
            try
            {
                var result = await AcceptAsync(name, durable, ct);
                var slash = name.IndexOf('/');
                if (result == IntakeResult.DocumentOnly && !present.Contains(ManifestBlobName(name[..slash])))
                {
                    result = await QuarantineOrphanAsync(name, ct);
                    orphans += result == IntakeResult.Quarantined ? 1 : 0;
                }
                else
                {
                    delivered++;
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogError(ex, "Intake sweep: a blob older than {OrphanAfter} could not be delivered; quarantining it", options.Value.OrphanAfter);
                try
                {
                    if (await QuarantineUnprocessableAsync(name, ex, ct) == IntakeResult.Quarantined)
                    {
                        unprocessable++;
                        continue;
                    }
                }
                catch (Exception inner) when (!ct.IsCancellationRequested)
                {
                    logger.LogError(inner, "Intake sweep: the blob could not be quarantined either; the next sweep tries again");
                }

                failed++;
            }
        }

        if (stale.Count > 0)
        {
            logger.LogWarning("Intake sweep: {Stale} blob(s) older than {OrphanAfter}: {Delivered} delivered again, {Orphans} orphan(s) and {Unprocessable} unprocessable quarantined, {Failed} failed", stale.Count, options.Value.OrphanAfter, delivered, orphans, unprocessable, failed);
        }

        return new IntakeSweepResult(stale.Count, delivered, orphans, unprocessable, failed);
    }

    private async Task<IntakeResult> QuarantineOrphanAsync(string name, CancellationToken ct)
    {
        if (await _files.SnapshotAsync(Intake, name, ct) is not { } blob)
        {
            return IntakeResult.Ignored;
        }

        var caseNumber = CaseNumber.Parse(name[..name.IndexOf('/')]);
        return await RejectDocumentAsync(caseNumber, blob,
            [$"documents[{Printable(blob.FileName)}]: no manifest for case {caseNumber} arrived within {options.Value.OrphanAfter}; the document was set aside. Upload it again together with its manifest (the manifest last)."],
            null, time.GetUtcNow(), ct, kind: "Orphan");
    }

    private async Task<IntakeResult> QuarantineUnprocessableAsync(string name, Exception error, CancellationToken ct)
    {
        if (await _files.SnapshotAsync(Intake, name, ct) is not { } blob)
        {
            return IntakeResult.Ignored;
        }

        var slash = name.IndexOf('/');
        var caseNumber = slash > 0 && CaseNumber.TryParse(name[..slash], out var n) ? n.Value : null;
        return await _quarantine.QuarantineAsync(caseNumber, [blob], "Unprocessable",
            [$"'{Printable(name)}' could not be processed for more than {options.Value.OrphanAfter} ({error.GetType().Name}); it was set aside for the intake desk."], null, ct);
    }

    public const string OriginalNameMetadata = IntakeQuarantine.OriginalNameMetadata;

    private async Task EnsureStartedAsync(DurableTaskClient durable, CaseNumber caseNumber, string manifestBlobName, CancellationToken ct)
    {
        var instanceId = caseNumber.OrchestrationInstanceId;
        if (await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is not null)
        {
            return;
        }

        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(CaseOrchestrator), new CaseWorkflowInput(caseNumber.Value, manifestBlobName), new Microsoft.DurableTask.StartOrchestrationOptions(instanceId), ct);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.AlreadyExists or StatusCode.FailedPrecondition)
        {
            // Two deliveries raced; the other one started the case.
        }
    }

    private async Task<string?> SubmitterOfAsync(string caseNumber, IntakeEntity record, CancellationToken ct)
    {
        try
        {
            return (await records.ReadAcceptedAsync(caseNumber, record.ManifestBlobName, ct)).Application.SubmitterEmail;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static string Printable(string s) => PackageVerification.Printable(s);
}
