using System.Text;
using System.Text.Json;
using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Letters;
using Imr.Domain.Reviewers;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>What staff send to correct an issued letter: the corrected determination and why.</summary>
public sealed record LetterCorrectionRequest(int BasedOnVersion, string Reason, Determination Determination);

public enum CorrectionStatus { Issued, AlreadyIssued, Invalid, Conflict, NotFound }

public sealed record LetterCorrectionResult(CorrectionStatus Status, LetterRecord? Letter, IReadOnlyList<string> Reasons);

/// <summary>
/// Issues Final Determination Letters: quality check, immutable storage, the register, the case record and the notices
/// to every party. Every step is create-only with ids derived from the case and the version, so a retried or replayed
/// activity finds what the first attempt did and issues no second letter and no second notice.
/// </summary>
public sealed class LetterIssuer(
    CaseStore cases,
    RosterStore roster,
    DocumentStore documents,
    LetterRegister register,
    Outbox outbox,
    CallbackLinks links,
    IOptions<ImrOptions> options,
    IOptions<NotificationOptions> notificationOptions,
    TimeProvider time,
    ILogger<LetterIssuer> logger)
{
    public static string BlobPrefix(string caseNumber, int version) => CaseNames.LetterBlobPrefix(caseNumber, version);

    /// <summary>The original letter from the reviewer's determination, or the case back to the reviewer with the reasons.</summary>
    public async Task<IssuedLetter> IssueAsync(IssueRequest request, CancellationToken ct = default)
    {
        var caseEntity = await cases.GetAsync(request.CaseNumber, ct) ?? throw new InvalidOperationException("Case not recorded.");
        var caseRecord = await documents.ReadCaseRecordAsync(caseEntity, ct); // the parties' contacts
        var package = caseRecord.Package; // with any combined applications' items
        var determination = await ReadDeterminationAsync(request.SubmissionBlobName, ct);

        var record = await register.GetAsync(request.CaseNumber, 1, ct);
        if (record is null)
        {
            var letter = await ReadModelAsync(BlobPrefix(request.CaseNumber, 1) + ".json", ct); // stored by an interrupted attempt
            if (letter is null)
            {
                var assignment = await cases.GetAssignmentAsync(request.CaseNumber, request.AssignmentId, ct) ?? throw new InvalidOperationException("Assignment not recorded.");
                var reviewer = await roster.GetAsync(assignment.ReviewerId, ct) ?? throw new InvalidOperationException("Reviewer left the roster.");
                var (composed, reasons) = Compose(package, determination, reviewer, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), DateOnly.FromDateTime(caseEntity.ReceivedAt.UtcDateTime), 1, null);
                if (composed is null)
                {
                    return await ReturnForCorrectionAsync(request, caseEntity, reviewer, reasons, ct);
                }

                letter = composed;
            }

            record = await StoreAsync(letter, OutcomesOf(package, determination), request.SubmissionBlobName, ct);
        }

        await RecordOnCaseAsync(record, ct);
        await NotifyPartiesAsync(record, caseRecord.Contacts, ct);
        logger.LogInformation("Final Determination Letter v{Version} of case {CaseNumber} issued", record.Version, request.CaseNumber);
        return new IssuedLetter(record.TextBlobName, record.TextSha256, record.Outcomes) { Version = record.Version, PdfBlobName = record.PdfBlobName, PdfSha256 = record.PdfSha256 };
    }

    /// <summary>A corrected letter: a new version with its reason; earlier versions stay as they are.</summary>
    public async Task<LetterCorrectionResult> IssueCorrectionAsync(string caseNumber, LetterCorrectionRequest request, CancellationToken ct = default)
    {
        var caseEntity = await cases.GetAsync(caseNumber, ct);
        var issued = caseEntity is null ? [] : await register.ListAsync(caseNumber, ct);
        if (caseEntity is null || issued.Count == 0)
        {
            return new(CorrectionStatus.NotFound, null, [$"Case {caseNumber} has no issued letter to correct."]);
        }

        var version = request.BasedOnVersion + 1;
        if (issued.FirstOrDefault(r => r.Version == version) is { } done)
        {
            await NotifyPartiesAsync(done, (await documents.ReadCaseRecordAsync(caseEntity, ct)).Contacts, ct); // finish an interrupted attempt
            return new(CorrectionStatus.AlreadyIssued, done, []);
        }

        if (issued[^1].Version != request.BasedOnVersion)
        {
            return new(CorrectionStatus.Conflict, issued[^1], [$"The latest letter is version {issued[^1].Version}; a correction must be based on it."]);
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            return new(CorrectionStatus.Invalid, null, ["A correction needs its reason."]);
        }

        var caseRecord = await documents.ReadCaseRecordAsync(caseEntity, ct);
        var package = caseRecord.Package;
        var previous = await ReadModelAsync(issued[^1].ModelBlobName, ct) ?? throw new InvalidDataException("The issued letter's model is missing.");
        var reviewer = await roster.GetAsync(caseEntity.CurrentReviewerId ?? "", ct) ?? throw new InvalidOperationException("Reviewer left the roster.");
        var (letter, reasons) = Compose(package, request.Determination, reviewer, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), previous.RecordsReceivedDate, version, request.Reason);
        if (letter is null)
        {
            return new(CorrectionStatus.Invalid, null, reasons);
        }

        var record = await StoreAsync(letter, OutcomesOf(package, request.Determination), null, ct);
        await RecordOnCaseAsync(record, ct);
        await NotifyPartiesAsync(record, caseRecord.Contacts, ct);
        logger.LogInformation("Corrected Final Determination Letter v{Version} of case {CaseNumber} issued", record.Version, caseNumber);
        return new(CorrectionStatus.Issued, record, []);
    }

    /// <summary>The quality check: the determination is complete for this case and the letter made from it may be issued.</summary>
    private (FinalDeterminationLetter? Letter, IReadOnlyList<string> Reasons) Compose(
        CasePackage package, Determination determination, Reviewer reviewer, DateOnly determinationDate, DateOnly? recordsReceived, int version, string? correctionReason)
    {
        var reasons = determination.Check(package).ToList();
        reasons.AddRange(determination.Decisions.Where(d => !Enum.IsDefined(d.Outcome)).Select(d => $"Disputed item '{d.ItemId}' needs a decision: Upheld or Overturned."));
        if (reasons.Count > 0) return (null, reasons);
        var letter = LetterComposer.Compose(options.Value.Organization, package, determination, reviewer, determinationDate, recordsReceived, version, correctionReason);
        reasons.AddRange(LetterQualityCheck.Check(letter, reviewer.Name));
        return reasons.Count > 0 ? (null, reasons) : (letter, reasons);
    }

    private async Task<IssuedLetter> ReturnForCorrectionAsync(IssueRequest request, CaseEntity caseEntity, Reviewer reviewer, IReadOnlyList<string> reasons, CancellationToken ct)
    {
        // The revision makes the next submission a new single-use action (see ReviewerCallbacks) and a new notification id.
        var next = request.Revision + 1;
        await cases.UpdateAssignmentAsync(request.CaseNumber, request.AssignmentId, a => a.DeterminationRevision = Math.Max(a.DeterminationRevision, next), ct);
        await cases.UpdateAsync(request.CaseNumber, c => c.AssignmentStatus = "ReturnedForCorrection", ct);
        var expires = caseEntity.CaseDueAt + (caseEntity.CaseDueAt - caseEntity.ReceivedAt > TimeSpan.FromHours(1) ? caseEntity.CaseDueAt - caseEntity.ReceivedAt : TimeSpan.FromHours(1));
        var link = links.For(new CallbackClaims(request.CaseNumber, request.AssignmentId, reviewer.ReviewerId, CallbackAction.SubmitDetermination, expires));
        var body = new StringBuilder("Your determination could not be issued as a Final Determination Letter. Please correct the following and submit it again:\n\n");
        foreach (var r in reasons) body.Append("- ").Append(r).Append('\n');
        body.Append($"\nSubmit the corrected determination: {link}\n");
        await outbox.EnqueueAsync(new Notification($"{request.AssignmentId}-determination-r{next}", request.CaseNumber, reviewer.Email, $"IMR case {request.CaseNumber}: your determination needs correction", body.ToString()), ct);
        logger.LogWarning("Determination for case {CaseNumber} returned to the reviewer with {ReasonCount} reasons", request.CaseNumber, reasons.Count);
        return new IssuedLetter("", "", "") { ReturnedForCorrection = true, NextRevision = next };
    }

    /// <summary>Model, text, HTML and PDF, each create-only; what an earlier attempt stored wins, and its hash is recorded.</summary>
    private async Task<LetterRecord> StoreAsync(FinalDeterminationLetter letter, string outcomes, string? submissionBlobName, CancellationToken ct)
    {
        var prefix = BlobPrefix(letter.CaseNumber, letter.Version);
        var model = await StoreOnceAsync(prefix + ".json", BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(letter, CasePackage.JsonOptions)), "application/json", ct);
        // Render from the stored model, so every rendering of a version comes from one model even across attempts.
        letter = JsonSerializer.Deserialize<FinalDeterminationLetter>(model.ToMemory().Span, CasePackage.JsonOptions)!;
        var text = await StoreOnceAsync(prefix + ".txt", BinaryData.FromBytes(Encoding.UTF8.GetBytes(LetterTextRenderer.Render(letter))), "text/plain; charset=utf-8", ct);
        var html = await StoreOnceAsync(prefix + ".html", BinaryData.FromBytes(Encoding.UTF8.GetBytes(LetterHtmlRenderer.Render(letter))), "text/html; charset=utf-8", ct);
        var pdf = await StoreOnceAsync(prefix + ".pdf", BinaryData.FromBytes(LetterPdfRenderer.Render(letter)), "application/pdf", ct);
        return await register.AddOnceAsync(new LetterRecord
        {
            PartitionKey = letter.CaseNumber,
            RowKey = LetterRecord.RowKeyOf(letter.Version),
            Version = letter.Version,
            IssuedAt = time.GetUtcNow(),
            ModelBlobName = prefix + ".json",
            ModelSha256 = DocumentStore.Sha256Hex(model),
            TextBlobName = prefix + ".txt",
            TextSha256 = DocumentStore.Sha256Hex(text),
            HtmlBlobName = prefix + ".html",
            HtmlSha256 = DocumentStore.Sha256Hex(html),
            PdfBlobName = prefix + ".pdf",
            PdfSha256 = DocumentStore.Sha256Hex(pdf),
            Outcomes = outcomes,
            CorrectionReason = letter.CorrectionReason,
            SubmissionBlobName = submissionBlobName,
        }, ct);
    }

    private async Task<BinaryData> StoreOnceAsync(string blobName, BinaryData content, string contentType, CancellationToken ct) =>
        await documents.CreateOnceAsync(StorageNames.DeterminationsContainer, blobName, content, contentType, ct)
            ? content
            : await documents.ReadAsync(StorageNames.DeterminationsContainer, blobName, ct);

    private Task RecordOnCaseAsync(LetterRecord record, CancellationToken ct) =>
        cases.UpdateAsync(record.PartitionKey, c =>
        {
            // Only ever forward: a retried older version never replaces a newer one on the case.
            if (c.LetterVersion > record.Version) return;
            c.LetterVersion = record.Version;
            c.LetterBlobName = record.TextBlobName;
            c.LetterSha256 = record.TextSha256;
            c.LetterPdfBlobName = record.PdfBlobName;
            c.LetterPdfSha256 = record.PdfSha256;
            c.Outcomes = record.Outcomes;
        }, ct);

    /// <summary>One notice per addressee of the letter, with the PDF attached; the notice id names the version and the role.</summary>
    private async Task NotifyPartiesAsync(LetterRecord record, PartyContacts contacts, CancellationToken ct)
    {
        var letter = await ReadModelAsync(record.ModelBlobName, ct) ?? throw new InvalidDataException("The issued letter's model is missing.");
        var pdf = await documents.ReadAsync(StorageNames.DeterminationsContainer, record.PdfBlobName, ct);
        var fileName = Path.GetFileName(record.PdfBlobName);
        var subject = record.Version == 1
            ? $"IMR case {record.PartitionKey}: Final Determination Letter"
            : $"IMR case {record.PartitionKey}: corrected Final Determination Letter (version {record.Version})";
        var body = (record.Version == 1
                ? $"The Final Determination Letter of Independent Medical Review case {record.PartitionKey} is attached ({fileName})."
                : $"A corrected Final Determination Letter (version {record.Version}) of Independent Medical Review case {record.PartitionKey} is attached ({fileName}). It replaces version {record.Version - 1}.")
            + "\n\nThe letter explains what the decision means and how to appeal it.\n";
        var sent = 0;
        foreach (var addressee in letter.AddressedTo)
        {
            var to = addressee.Role == AddresseeRoles.AdministrativeDirector ? notificationOptions.Value.AdministrativeDirectorEmail : contacts.EmailOf(addressee.Role) ?? addressee.Name;
            if (await outbox.EnqueueAsync(new Notification(NoticeId(record.Version, addressee.Role), record.PartitionKey, to, subject, body)
                {
                    ToName = addressee.Name,
                    Attachments = [new NotificationAttachment(fileName, "application/pdf", pdf)],
                }, ct))
            {
                sent++;
            }
        }

        logger.LogInformation("Case {CaseNumber}: {Sent} of {Parties} letter notices written", record.PartitionKey, sent, letter.AddressedTo.Count);
    }

    public static string NoticeId(int version, string role) => $"letter-v{version}-{string.Concat(role.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-')).Trim('-').Replace("--", "-", StringComparison.Ordinal)}";

    private async Task<FinalDeterminationLetter?> ReadModelAsync(string blobName, CancellationToken ct) =>
        await documents.ExistsAsync(StorageNames.DeterminationsContainer, blobName, ct)
            ? JsonSerializer.Deserialize<FinalDeterminationLetter>((await documents.ReadAsync(StorageNames.DeterminationsContainer, blobName, ct)).ToMemory().Span, CasePackage.JsonOptions)
            : null;

    private async Task<Determination> ReadDeterminationAsync(string blobName, CancellationToken ct) =>
        JsonSerializer.Deserialize<Determination>((await documents.ReadAsync(StorageNames.SubmissionsContainer, blobName, ct)).ToMemory().Span, CasePackage.JsonOptions)
        ?? throw new InvalidDataException("The submission is empty.");

    private static string OutcomesOf(CasePackage package, Determination determination) =>
        string.Join("; ", package.DisputedItems.Select(i => $"{i.ItemId}={determination.Decisions.FirstOrDefault(d => d.ItemId == i.ItemId)?.Outcome}"));
}
