using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
public sealed class CaseIntake(StorageClients storage, IntakeStore store, CaseRecordStore records, CaseStore cases, RosterStore roster, Outbox outbox, IOptions<IntakeOptions> options, TimeProvider time, ILogger<CaseIntake> logger)
{
    public const string ManifestFileName = CaseNames.ManifestFileName;
    public const string UnnamedPartition = "_unnamed";
    private const string Sha256Metadata = DocumentStore.Sha256Metadata;
    private static readonly JsonSerializerOptions ReportJson = new(CasePackage.JsonOptions) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private BlobContainerClient Intake => storage.Container(StorageNames.IntakeContainer);
    private BlobContainerClient CaseFiles => storage.Container(StorageNames.CaseFilesContainer);
    private BlobContainerClient Quarantine => storage.Container(StorageNames.QuarantineContainer);

    public static string ManifestBlobName(string caseNumber) => CaseNames.ManifestBlob(caseNumber);
    public static string DocumentBlobName(string caseNumber, string fileName) => CaseNames.DocumentBlob(caseNumber, fileName);

    private readonly RawBlobAccess _raw = new(storage);

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
        var source = await SnapshotAsync(Intake, name, ct);
        if (source is null)
        {
            return IntakeResult.Ignored; // moved away by an earlier delivery
        }

        if (!CaseNumber.TryParse(folder, out var caseNumber) || !(file == ManifestFileName || CasePackage.IsSafeFileName(file)))
        {
            return await QuarantineAsync(CaseNumber.TryParse(folder, out var n) ? n.Value : null, [source], "InvalidPath",
                [$"'{Printable(name)}' is not '<case number>/<file name>': a case's files go directly in the folder named by its case number (2-40 letters, digits or hyphens), with plain file names — no sub-folders, no '..'."], null, ct);
        }

        return file == ManifestFileName
            ? await ManifestAsync(source, folder, caseNumber, durable, ct)
            : await DocumentAsync(source, file, caseNumber, durable, ct);
    }

    private async Task<IntakeResult> ManifestAsync(IntakeBlob manifest, string folder, CaseNumber caseNumber, DurableTaskClient durable, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var folderBlobs = await FolderAsync(folder, ct);
        if (manifest.Length > DocumentStore.MaxManifestBytes)
        {
            return await RejectPackageAsync(caseNumber, folderBlobs, "Invalid", [$"The manifest is larger than {DocumentStore.MaxManifestBytes} bytes."], null, now, ct);
        }

        var content = await DownloadAsync(manifest, ct);
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
                await DeleteAsync(manifest, ct);
                logger.LogInformation("Case {CaseNumber}: the same package delivered again; nothing new", caseNumber);
                return IntakeResult.AlreadyStarted;
            }

            return await RejectPackageAsync(caseNumber, folderBlobs, "Conflict",
                [$"Conflict: case {caseNumber} already has a different package (received {existing.ReceivedAt:u}); the first package is kept and this one was not applied. Send corrections as a new case or as supplementary documents."],
                package.SubmitterEmail, now, ct);
        }

        // Every listed document that is here must match the manifest byte for byte; one not here yet is awaited (the rule is the domain's).
        var delivered = new List<(IntakeBlob Blob, DeliveredFile File)>();
        foreach (var blob in folderBlobs.Where(b => b.FileName != ManifestFileName))
        {
            delivered.Add((blob, new DeliveredFile(blob.FileName, blob.Length, PackageVerification.MustRead(blob.FileName, blob.Length) ? await HashAsync(blob, ct) : null)));
        }

        var verdict = PackageVerification.Verify(package, delivered.Select(d => d.File));
        if (!verdict.IsAccepted)
        {
            return await RejectPackageAsync(caseNumber, folderBlobs, "Invalid", verdict.Reasons, package.SubmitterEmail, now, ct);
        }

        var present = delivered.Where(d => verdict.Present.Any(p => ReferenceEquals(p, d.File))).Select(d => (d.Blob, Sha: d.File.Sha256!)).ToList();

        foreach (var (blob, actual) in present)
        {
            if (!await AttachAsync(blob, caseNumber.Value, actual, ct))
            {
                return await RejectPackageAsync(caseNumber, folderBlobs, "Conflict", [$"Conflict: case {caseNumber} already holds a different '{Printable(blob.FileName)}'; nothing was overwritten."], package.SubmitterEmail, now, ct);
            }
        }

        var manifestName = ManifestBlobName(caseNumber.Value);
        var storedManifest = await CreateOnceAsync(CaseFiles.GetBlobClient(manifestName), content, sha, "application/json", ct);
        if (storedManifest)
        {
            // The case's record, from this parse: every later step reads it instead of the manifest. Stored before the intake
            // row, which is what lets a document's delivery or the orchestration look for it.
            await records.CreateAsync(CaseRecord.Accepted(package, sha, present.Select(p => DocumentOf(p.Blob, p.Blob.FileName, p.Sha))), ct);
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
            await store.AppendAuditAsync(caseNumber.Value, now, IntakeStages.Received, "package received in intake", ct);
            await store.AppendAuditAsync(caseNumber.Value, now.AddTicks(1), IntakeStages.Validated, $"{present.Count} document(s) attached, {awaited} awaited", ct);
        }

        await EnsureStartedAsync(durable, caseNumber, manifestName, ct);
        foreach (var (blob, _) in present)
        {
            await DeleteAsync(blob, ct);
        }

        await DeleteAsync(manifest, ct);
        logger.LogInformation("Case {CaseNumber} started with {DocumentCount} document(s)", caseNumber, present.Count);
        return IntakeResult.Started;
    }

    private async Task<IntakeResult> DocumentAsync(IntakeBlob blob, string fileName, CaseNumber caseNumber, DurableTaskClient durable, CancellationToken ct)
    {
        var record = await store.GetAsync(caseNumber.Value, ct);
        if (record is null || record.ManifestBlobName.Length == 0)
        {
            return IntakeResult.DocumentOnly; // the manifest, written last, takes it with the package
        }

        var now = time.GetUtcNow();
        var submitter = await SubmitterOfAsync(caseNumber.Value, record, ct);
        if (blob.Length > CasePackage.MaxDocumentBytes)
        {
            return await RejectDocumentAsync(caseNumber, blob, [$"documents[{Printable(fileName)}]: {blob.Length} bytes exceeds the limit of {CasePackage.MaxDocumentBytes} bytes."], submitter, now, ct);
        }

        var sha = await HashAsync(blob, ct);
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

        var attached = await AttachedShaAsync(owner.Value, nameInCase, ct);
        if (attached == sha)
        {
            // An identical copy is attached: a re-delivery. The record lists it unless the first delivery stopped before that.
            if (!(await records.ReadAcceptedAsync(owner.Value, record.ManifestBlobName, ct)).IsAttached(nameInCase))
            {
                await records.ChangeAsync(owner.Value, record.ManifestBlobName, null, r => r.WithAttached([DocumentOf(blob, nameInCase, sha)]), ct);
            }

            await DeleteAsync(blob, ct);
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

        if (!await AttachAsync(blob, owner.Value, sha, ct, nameInCase))
        {
            return await RejectDocumentAsync(caseNumber, blob, [$"Conflict: '{Printable(fileName)}' is already attached to case {owner} with different content; the attached copy was kept."], submitter, now, ct);
        }

        await records.ChangeAsync(owner.Value, record.ManifestBlobName, ownerCase, r => r.WithAttached([DocumentOf(blob, nameInCase, sha)]), ct);
        await store.AppendAuditAsync(owner.Value, now, listed is not null ? IntakeStages.RecordsReceived : IntakeStages.SupplementaryRecordsReceived, nameInCase, ct);
        if (owner != caseNumber)
        {
            await store.AppendAuditAsync(caseNumber.Value, now, IntakeStages.RecordsReceived, $"{fileName} attached to case {owner} (combined)", ct);
        }

        await DeleteAsync(blob, ct);
        if (record.Stage is IntakeStages.RecordsReceived or IntakeStages.RecordsLate)
        {
            // Past the records wait: the orchestration no longer listens for records, the reviewer is who needs to know.
            await AnnounceToReviewerAsync(owner.Value, ownerCase, nameInCase, sha, ct);
        }
        else if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running })
        {
            // Not yet running: the orchestration checks the case files itself when it gets to the records.
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
            var source = await SnapshotAsync(CaseFiles, DocumentBlobName(fromCase, fileName), ct);
            if (source is null || await AttachedShaAsync(fromCase, fileName, ct) is not { } sha)
            {
                continue;
            }

            if (await AttachAsync(source, targetCaseNumber, sha, ct, nameInCase))
            {
                copied.Add(DocumentOf(source, nameInCase, sha));
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
            if (await AttachedDocumentAsync(caseNumber, doc.FileName, ct) is { } attached)
            {
                found.Add(attached);
                continue;
            }

            var waiting = await SnapshotAsync(Intake, $"{caseNumber}/{doc.FileName}", ct);
            if (waiting is not null && waiting.Length == doc.Size && await HashAsync(waiting, ct) is { } sha && sha == doc.Sha256 && await AttachAsync(waiting, caseNumber, sha, ct))
            {
                await store.AppendAuditAsync(caseNumber, at, IntakeStages.RecordsReceived, doc.FileName, ct);
                found.Add(DocumentOf(waiting, doc.FileName, sha));
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
            await DeleteAsync(blob, ct); // recorded: intake lets go of it
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
        return await QuarantineAsync(caseNumber.Value, blobs, kind, reasons, submitter, ct);
    }

    private async Task<IntakeResult> RejectDocumentAsync(CaseNumber caseNumber, IntakeBlob blob, IReadOnlyList<string> reasons, string? submitter, DateTimeOffset now, CancellationToken ct, string kind = "Document")
    {
        await store.AppendAuditAsync(caseNumber.Value, now, IntakeStages.Rejected, $"document {Printable(blob.FileName)}: {reasons.Count} reason(s)", ct);
        return await QuarantineAsync(caseNumber.Value, [blob], kind, reasons, submitter, ct);
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
        if (await SnapshotAsync(Intake, name, ct) is not { } blob)
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
        if (await SnapshotAsync(Intake, name, ct) is not { } blob)
        {
            return IntakeResult.Ignored;
        }

        var slash = name.IndexOf('/');
        var caseNumber = slash > 0 && CaseNumber.TryParse(name[..slash], out var n) ? n.Value : null;
        return await QuarantineAsync(caseNumber, [blob], "Unprocessable",
            [$"'{Printable(name)}' could not be processed for more than {options.Value.OrphanAfter} ({error.GetType().Name}); it was set aside for the intake desk."], null, ct);
    }

    /// <summary>
    /// Copy, then delete: a rejected package is never lost. Its reasons are stored beside each file, a row records the rejection,
    /// and the submitter is told. A file whose own name cannot be used in quarantine (control characters, "." or ".." segments,
    /// or a copy the service refuses) is kept under a safe name, its original name in the report and the blob's metadata.
    /// One file that cannot be moved does not stop the others: the rejection and notice are still written, then the failure
    /// is thrown so the trigger retries (and the orphan sweep finds what is left).
    /// </summary>
    private async Task<IntakeResult> QuarantineAsync(string? caseNumber, IReadOnlyList<IntakeBlob> blobs, string kind, IReadOnlyList<string> reasons, string? submitter, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", blobs.Select(b => b.Name + "@" + b.ETag)))))[..10];
        var rejectionId = $"{now.UtcTicks:D19}-{fingerprint}";
        var partition = caseNumber ?? UnnamedPartition;
        var targets = new List<string>();
        var renamed = new List<string>();
        var failures = new List<Exception>();
        for (var index = 0; index < blobs.Count; index++)
        {
            var blob = blobs[index];
            try
            {
                var content = await DownloadAsync(blob, ct);
                if (content is null)
                {
                    continue; // replaced or moved meanwhile: the newer upload has its own delivery
                }

                var sha = DocumentStore.Sha256Hex(content);
                var target = IsSafeQuarantineName(blob.Name) ? await PlaceInQuarantineAsync(blob.Name, rejectionId, content, sha, ct) : null;
                if (target is null)
                {
                    target = $"{partition}/rejected-{rejectionId}/unsafe-name-{index + 1}";
                    await CreateOnceAsync(Quarantine.GetBlobClient(target), content, sha, "application/octet-stream", ct,
                        new Dictionary<string, string> { [OriginalNameMetadata] = Uri.EscapeDataString(blob.Name) });
                    renamed.Add($"The file '{Printable(blob.Name)}' cannot be kept under its own name; it is in quarantine as '{target}'.");
                }

                var report = JsonSerializer.Serialize(new { blob = blob.Name, originalNameEscaped = Uri.EscapeDataString(blob.Name), quarantinedAs = target, rejectionId, kind, rejectedAt = now, reasons }, ReportJson);
                await Quarantine.GetBlobClient(target + ".rejection.json").UploadAsync(BinaryData.FromString(report), overwrite: true, ct);
                targets.Add(target);
                await DeleteAsync(blob, ct);
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                failures.Add(ex);
                logger.LogError(ex, "Intake rejection {RejectionId}: file {Index} of {Count} could not be moved to quarantine", rejectionId, index + 1, blobs.Count);
            }
        }

        reasons = [.. reasons, .. renamed];
        await store.AddRejectionAsync(new RejectionEntity
        {
            PartitionKey = partition,
            RowKey = rejectionId,
            Kind = kind,
            RejectedAt = now,
            QuarantinedBlobs = IntakeStore.Json(targets),
            Reasons = IntakeStore.Json(reasons),
            ReasonCount = reasons.Count,
        }, ct);
        var body = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Your upload{(caseNumber is null ? "" : $" for IMR case {caseNumber}")} was not accepted ({kind}). Nothing from it was applied; the files are kept in quarantine (reference {rejectionId}).\n\nReasons:\n");
        foreach (var r in reasons)
        {
            body.Append("- ").Append(r).Append('\n');
        }

        await outbox.EnqueueAsync(new Notification($"rejection-{rejectionId}", partition, submitter ?? options.Value.IntakeDeskEmail,
            caseNumber is null ? "IMR intake: upload rejected" : $"IMR case {caseNumber}: upload rejected", body.ToString()), ct);
        logger.LogWarning("Intake rejection {RejectionId} ({Kind}): {BlobCount} blob(s) quarantined with {ReasonCount} reason(s)", rejectionId, kind, targets.Count, reasons.Count);
        if (failures.Count > 0)
        {
            throw new AggregateException($"Intake rejection {rejectionId}: {failures.Count} file(s) could not be moved to quarantine yet.", failures);
        }

        return IntakeResult.Quarantined;
    }

    /// <summary>
    /// The file under its own name, or — when an earlier rejection holds a different file of that name — in this rejection's
    /// own folder; null when the service refuses the name (the caller then uses a safe one).
    /// </summary>
    private async Task<string?> PlaceInQuarantineAsync(string name, string rejectionId, BinaryData content, string sha, CancellationToken ct)
    {
        try
        {
            // Never overwrite an earlier quarantined file: a second rejection of the same name goes into its own folder.
            if (await CreateOnceAsync(Quarantine.GetBlobClient(name), content, sha, "application/octet-stream", ct) || await ShaOfAsync(Quarantine.GetBlobClient(name), ct) == sha)
            {
                return name;
            }

            var slash = name.IndexOf('/');
            var target = slash > 0 ? $"{name[..slash]}/rejected-{rejectionId}/{name[(slash + 1)..]}" : $"rejected-{rejectionId}/{name}";
            if (!IsSafeQuarantineName(target))
            {
                return null;
            }

            await CreateOnceAsync(Quarantine.GetBlobClient(target), content, sha, "application/octet-stream", ct);
            return target;
        }
        catch (RequestFailedException ex) when (ex.Status == 400)
        {
            return null; // e.g. InvalidResourceName, InvalidUri: the name is not usable there
        }
    }

    /// <summary>
    /// A name a blob can be kept (and later listed and read) under in quarantine: one the SDK addresses exactly, with no
    /// control characters, no U+FFFE/U+FFFF or unpaired surrogates (XML listings cannot carry them), no empty, "." or ".." segments.
    /// </summary>
    internal static bool IsSafeQuarantineName(string name)
    {
        if (name.Length is 0 or > 1000 || name.EndsWith('.') || name.Contains('\\'))
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c) || c is '\uFFFE' or '\uFFFF')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++; // a pair: one character outside the BMP
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return name.Split('/').All(segment => segment is not ("" or "." or ".."));
    }

    public const string OriginalNameMetadata = "imroriginalname";

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

    /// <summary>Copies an intake document to the case files, create-only; false when a different file of that name is already there.</summary>
    private async Task<bool> AttachAsync(IntakeBlob blob, string caseNumber, string sha, CancellationToken ct, string? nameInCase = null)
    {
        nameInCase ??= blob.FileName;
        var target = CaseFiles.GetBlobClient(DocumentBlobName(caseNumber, nameInCase));
        try
        {
            await using var stream = await blob.Client.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = blob.ETag } }, ct);
            await target.UploadAsync(stream, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string> { [Sha256Metadata] = sha },
                HttpHeaders = new BlobHttpHeaders { ContentType = blob.ContentType },
            }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Already attached (a retry: same hash) or a different file of that name; or the intake blob changed (412): not attached.
            return await AttachedShaAsync(caseNumber, nameInCase, ct) == sha;
        }
    }

    private async Task<string?> AttachedShaAsync(string caseNumber, string fileName, CancellationToken ct) =>
        await ShaOfAsync(CaseFiles.GetBlobClient(DocumentBlobName(caseNumber, fileName)), ct);

    /// <summary>A document in the case files as the record lists it, or null when there is none of that name.</summary>
    private async Task<CaseDocument?> AttachedDocumentAsync(string caseNumber, string fileName, CancellationToken ct)
    {
        var blob = CaseFiles.GetBlobClient(DocumentBlobName(caseNumber, fileName));
        try
        {
            var props = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
            var sha = props.Metadata.TryGetValue(Sha256Metadata, out var stored) ? stored : DocumentStore.Sha256Hex((await blob.DownloadContentAsync(ct)).Value.Content);
            return new CaseDocument { FileName = fileName, MediaType = props.ContentType ?? DefaultMediaType, Size = props.ContentLength, Sha256 = sha };
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private const string DefaultMediaType = "application/octet-stream";

    /// <summary>An attached document as the record lists it: its name in the case, and what the copy in the case files carries.</summary>
    private static CaseDocument DocumentOf(IntakeBlob blob, string nameInCase, string sha) =>
        new() { FileName = nameInCase, MediaType = blob.ContentType ?? DefaultMediaType, Size = blob.Length, Sha256 = sha };

    private static async Task<string?> ShaOfAsync(BlobClient blob, CancellationToken ct)
    {
        try
        {
            var props = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
            return props.Metadata.TryGetValue(Sha256Metadata, out var sha) ? sha : DocumentStore.Sha256Hex((await blob.DownloadContentAsync(ct)).Value.Content);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static async Task<bool> CreateOnceAsync(BlobClient target, BinaryData content, string sha, string contentType, CancellationToken ct, Dictionary<string, string>? metadata = null)
    {
        try
        {
            await target.UploadAsync(content, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string>(metadata ?? []) { [Sha256Metadata] = sha },
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return await ShaOfAsync(target, ct) == sha; // a retry of the same write counts as written
        }
    }

    private async Task<IReadOnlyList<IntakeBlob>> FolderAsync(string folder, CancellationToken ct)
    {
        var list = new List<IntakeBlob>();
        await foreach (var item in Intake.GetBlobsAsync(BlobTraits.None, BlobStates.None, folder + "/", ct))
        {
            list.Add(new IntakeBlob(Intake.GetBlobClient(item.Name), item.Name, item.Name[(folder.Length + 1)..], item.Properties.ETag ?? default, item.Properties.ContentLength ?? 0, item.Properties.ContentType, !RawBlobAccess.IsAddressable(Intake, item.Name)));
        }

        return list;
    }

    private async Task<IntakeBlob?> SnapshotAsync(BlobContainerClient container, string name, CancellationToken ct)
    {
        var slash = name.IndexOf('/');
        var fileName = slash > 0 ? name[(slash + 1)..] : name;
        var client = container.GetBlobClient(name);
        if (!RawBlobAccess.IsAddressable(container, name))
        {
            return await _raw.GetPropertiesAsync(container, name, ct) is { } raw
                ? new IntakeBlob(client, name, fileName, raw.ETag, raw.Length, raw.ContentType, Unaddressable: true)
                : null;
        }

        try
        {
            var p = (await client.GetPropertiesAsync(cancellationToken: ct)).Value;
            return new IntakeBlob(client, name, fileName, p.ETag, p.ContentLength, p.ContentType);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    // Reads are pinned to the version seen (If-Match): a newer upload under the same name is its own delivery.
    private async Task<BinaryData?> DownloadAsync(IntakeBlob blob, CancellationToken ct)
    {
        if (blob.Unaddressable)
        {
            return await _raw.DownloadAsync(Intake, blob.Name, blob.ETag, ct);
        }

        try
        {
            return (await blob.Client.DownloadContentAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = blob.ETag } }, ct)).Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    private async Task<string?> HashAsync(IntakeBlob blob, CancellationToken ct)
    {
        if (blob.Unaddressable)
        {
            return await DownloadAsync(blob, ct) is { } content ? DocumentStore.Sha256Hex(content) : null;
        }

        try
        {
            await using var stream = await blob.Client.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = blob.ETag } }, ct);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    // Deletes only the version that was handled; a newer upload under the same name stays for its own delivery.
    private async Task DeleteAsync(IntakeBlob blob, CancellationToken ct)
    {
        if (blob.Unaddressable)
        {
            await _raw.DeleteAsync(Intake, blob.Name, blob.ETag, ct);
            return;
        }

        try
        {
            await blob.Client.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = blob.ETag }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
        }
    }

    private static string Printable(string s) => PackageVerification.Printable(s);

    /// <summary>A blob as seen once: its name as stored, and the version (ETag) every later read and delete is pinned to.</summary>
    private sealed record IntakeBlob(BlobClient Client, string Name, string FileName, ETag ETag, long Length, string? ContentType, bool Unaddressable = false);
}
