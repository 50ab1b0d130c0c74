using System.Text;
using System.Text.Json;
using Azure;
using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Determinations;
using Imr.Domain.Eligibility;
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
    WordingTemplateStore wording,
    PostalMail postal,
    IOptions<ImrOptions> options,
    IOptions<NotificationOptions> notificationOptions,
    TimeProvider time,
    ILogger<LetterIssuer> logger)
{
    public static string BlobPrefix(string caseNumber, int version) => CaseNames.LetterBlobPrefix(caseNumber, version);

    /// <summary>
    /// The original letter from the reviewer's determination, or the case back to the reviewer with the reasons. With
    /// <paramref name="thenOnCase"/> (the close), the letter is recorded on the case together with it in one write once
    /// the notices are out: a retry finds the letter and its notices and writes the case again; a failure before that
    /// write leaves the case not closed, so it is seen. Without it (workflow versions before 3.1), the letter is recorded
    /// before the notices, as it always was.
    /// </summary>
    /// <returns>The letter, and the case's row when <paramref name="thenOnCase"/> was applied with it (null otherwise).</returns>
    public async Task<(IssuedLetter Letter, CaseEntity? Changed)> IssueAsync(IssueRequest request, Action<CaseEntity>? thenOnCase, CancellationToken ct = default)
    {
        var caseEntity = await cases.GetAsync(request.CaseNumber, ct) ?? throw new InvalidOperationException("Case not recorded.");
        var caseRecord = await documents.ReadCaseRecordAsync(caseEntity, ct); // the parties' contacts
        var package = caseRecord.Package; // with any combined applications' items
        var determination = await ReadDeterminationAsync(request.SubmissionBlobName, ct);

        // No read of the register or of a stored model first: the letter is composed and stored create-once, and what an
        // earlier attempt stored wins (StoreAsync). Only when this attempt cannot compose a letter (the reviewer left the
        // roster, or the check now fails) is an earlier attempt's letter looked for, so a retry never returns an issued
        // letter for correction.
        // The case row names the current assignment's reviewer (the two are always set together, and an assignment's
        // reviewer never changes): the assignment row is read only when the request is not the current assignment's.
        var reviewerId = caseEntity.CurrentAssignmentId == request.AssignmentId && caseEntity.CurrentReviewerId is { Length: > 0 } current
            ? current
            : (await cases.GetAssignmentAsync(request.CaseNumber, request.AssignmentId, ct) ?? throw new InvalidOperationException("Assignment not recorded.")).ReviewerId;
        var reviewer = await roster.GetAsync(reviewerId, ct);
        var check = reviewer is null ? null
            : LetterQualityCheck.Compose(options.Value.Organization, package, determination, reviewer, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), DateOnly.FromDateTime(caseEntity.ReceivedAt.UtcDateTime));
        var letter = check?.Letter ?? await ReadModelAsync(BlobPrefix(request.CaseNumber, 1) + ".json", ct); // else stored by an earlier attempt
        if (letter is null)
        {
            return reviewer is null
                ? throw new InvalidOperationException("Reviewer left the roster.")
                : (await ReturnForCorrectionAsync(request, caseEntity, reviewer, check!.Reasons, ct), null);
        }

        var issued = await StoreAsync(letter, OutcomesOf(package, determination), request.SubmissionBlobName, ct);
        var record = issued.Record;
        CaseEntity? changed = null;
        if (thenOnCase is null)
        {
            await RecordOnCaseAsync(record, ct);
            await NotifyPartiesAsync(issued, caseRecord, ct);
        }
        else
        {
            await NotifyPartiesAsync(issued, caseRecord, ct);
            var (row, applied) = await cases.ChangeAsync(caseEntity, c =>
            {
                RecordLetter(c, record);
                thenOnCase(c);
            }, ct);
            // A change the case's lifecycle refuses writes nothing: the letter is still recorded, on its own.
            if (applied) changed = row;
            else await RecordOnCaseAsync(record, ct);
        }

        logger.LogInformation("Final Determination Letter v{Version} of case {CaseNumber} issued", record.Version, request.CaseNumber);
        return (new IssuedLetter(record.TextBlobName, record.TextSha256, record.Outcomes) { Version = record.Version, PdfBlobName = record.PdfBlobName, PdfSha256 = record.PdfSha256 }, changed);
    }

    /// <summary>
    /// The latest issued letter's version and the determination it states, read back from its stored model (one issue per
    /// disputed item, in the package's order), with the case's package: what a correction starts from. Null when no letter
    /// was issued.
    /// </summary>
    public async Task<(int Version, Determination Determination, CasePackage Package)?> CurrentDeterminationAsync(string caseNumber, CancellationToken ct = default)
    {
        var caseEntity = await cases.GetAsync(caseNumber, ct);
        var issued = caseEntity is null ? [] : await register.ListAsync(caseNumber, ct);
        if (caseEntity is null || issued.Count == 0) return null;
        var model = await ReadModelAsync(issued[^1].ModelBlobName, ct) ?? throw new InvalidDataException("The issued letter's model is missing.");
        var package = (await documents.ReadCaseRecordAsync(caseEntity, ct)).Package;
        var decisions = package.DisputedItems
            .Select((item, i) => (item, issue: model.Issues.FirstOrDefault(x => x.Description == item.Description) ?? (i < model.Issues.Count ? model.Issues[i] : null)))
            .Where(p => p.issue is not null)
            .Select(p => new ItemDecision
            {
                ItemId = p.item.ItemId,
                Outcome = p.issue!.Outcome,
                ClaimsAdministratorGuideline = p.issue.ClaimsAdministratorGuideline,
                Evidence = p.issue.Evidence,
                OrganizationGuideline = p.issue.OrganizationGuideline,
                Pages = p.issue.Pages,
                Rationale = p.issue.Rationale,
            })
            .ToList();
        return (issued[^1].Version, new Determination { ClinicalCaseSummary = model.ClinicalCaseSummary, Decisions = decisions }, package);
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
            await NotifyPartiesAsync(await ReadIssuedAsync(done, ct), await documents.ReadCaseRecordAsync(caseEntity, ct), ct); // finish an interrupted attempt
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
        var check = LetterQualityCheck.Compose(options.Value.Organization, package, request.Determination, reviewer, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), previous.RecordsReceivedDate, version, request.Reason);
        if (check.Letter is null)
        {
            return new(CorrectionStatus.Invalid, null, check.Reasons);
        }

        var corrected = await StoreAsync(check.Letter, OutcomesOf(package, request.Determination), null, ct);
        var record = corrected.Record;
        await RecordOnCaseAsync(record, ct);
        await NotifyPartiesAsync(corrected, caseRecord, ct);
        logger.LogInformation("Corrected Final Determination Letter v{Version} of case {CaseNumber} issued", record.Version, caseNumber);
        return new(CorrectionStatus.Issued, record, []);
    }

    private async Task<IssuedLetter> ReturnForCorrectionAsync(IssueRequest request, CaseEntity caseEntity, Reviewer reviewer, IReadOnlyList<string> reasons, CancellationToken ct)
    {
        // The revision makes the next submission a new single-use action (see ReviewerCallbacks) and a new notification id.
        var next = request.Revision + 1;
        await cases.UpdateAssignmentAsync(request.CaseNumber, request.AssignmentId, a => a.DeterminationRevision = Math.Max(a.DeterminationRevision, next), ct);
        await cases.UpdateAsync(request.CaseNumber, c =>
        {
            c.AssignmentStatus = CaseEntity.ReturnedForCorrection;
            if (c.CurrentAssignmentId == request.AssignmentId && c.CurrentDeterminationRevision is { } revision) c.CurrentDeterminationRevision = Math.Max(revision, next);
        }, ct);
        var expires = LinkLifetimes.ReviewExpiresAt(caseEntity.ReceivedAt, caseEntity.CaseDueAt);
        var link = links.For(new CallbackClaims(request.CaseNumber, request.AssignmentId, reviewer.ReviewerId, CallbackAction.SubmitDetermination, expires));
        await outbox.EnqueueAsync(new Notification($"{request.AssignmentId}-determination-r{next}", request.CaseNumber, reviewer.Email, ReviewerNotices.ReturnedForCorrection(request.CaseNumber, reasons, link)), ct);
        logger.LogWarning("Determination for case {CaseNumber} returned to the reviewer with {ReasonCount} reasons", request.CaseNumber, reasons.Count);
        return new IssuedLetter("", "", "") { ReturnedForCorrection = true, NextRevision = next };
    }

    /// <summary>An issued version: its register row, and the model and PDF it was recorded with (the notices need both).</summary>
    private sealed record IssuedVersion(LetterRecord Record, FinalDeterminationLetter Letter, BinaryData Pdf);

    /// <summary>Model, text, HTML and PDF, each create-only; what an earlier attempt stored wins, and its hash is recorded.</summary>
    private async Task<IssuedVersion> StoreAsync(FinalDeterminationLetter letter, string outcomes, string? submissionBlobName, CancellationToken ct)
    {
        var prefix = BlobPrefix(letter.CaseNumber, letter.Version);
        var model = await StoreOnceAsync(prefix + ".json", BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(letter, CasePackage.JsonOptions)), "application/json", ct);
        // Render from the stored model, so every rendering of a version comes from one model even across attempts.
        letter = JsonSerializer.Deserialize<FinalDeterminationLetter>(model.ToMemory().Span, CasePackage.JsonOptions)!;
        // The program's wording as staff keep it (shipped templates, overridden from the templates container).
        var words = await wording.CurrentAsync(ct);
        var text = await StoreOnceAsync(prefix + ".txt", BinaryData.FromBytes(Encoding.UTF8.GetBytes(LetterTextRenderer.Render(letter, words))), "text/plain; charset=utf-8", ct);
        var html = await StoreOnceAsync(prefix + ".html", BinaryData.FromBytes(Encoding.UTF8.GetBytes(LetterHtmlRenderer.Render(letter, words))), "text/html; charset=utf-8", ct);
        var pdf = await StoreOnceAsync(prefix + ".pdf", BinaryData.FromBytes(LetterPdfRenderer.Render(letter, words)), "application/pdf", ct);
        var record = await register.AddOnceAsync(new LetterRecord
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
        return new IssuedVersion(record, letter, pdf);
    }

    /// <summary>An issued version as its register row names it (finishing an interrupted correction).</summary>
    private async Task<IssuedVersion> ReadIssuedAsync(LetterRecord record, CancellationToken ct) => new(
        record,
        await ReadModelAsync(record.ModelBlobName, ct) ?? throw new InvalidDataException("The issued letter's model is missing."),
        await documents.ReadAsync(StorageNames.DeterminationsContainer, record.PdfBlobName, ct));

    private async Task<BinaryData> StoreOnceAsync(string blobName, BinaryData content, string contentType, CancellationToken ct) =>
        await documents.CreateOnceAsync(StorageNames.DeterminationsContainer, blobName, content, contentType, ct)
            ? content
            : await documents.ReadAsync(StorageNames.DeterminationsContainer, blobName, ct);

    private Task<CaseEntity> RecordOnCaseAsync(LetterRecord record, CancellationToken ct) =>
        cases.UpdateAsync(record.PartitionKey, c => RecordLetter(c, record), ct);

    private static void RecordLetter(CaseEntity c, LetterRecord record)
    {
        // Only ever forward: a retried older version never replaces a newer one on the case.
        if (c.LetterVersion > record.Version) return;
        c.LetterVersion = record.Version;
        c.LetterBlobName = record.TextBlobName;
        c.LetterSha256 = record.TextSha256;
        c.LetterPdfBlobName = record.PdfBlobName;
        c.LetterPdfSha256 = record.PdfSha256;
        c.Outcomes = record.Outcomes;
    }

    /// <summary>One notice per addressee of the letter, with the PDF attached; the notice id names the version and the role.</summary>
    private async Task NotifyPartiesAsync(IssuedVersion issued, CaseRecord caseRecord, CancellationToken ct)
    {
        var (record, letter, pdf) = issued;
        var contacts = caseRecord.Contacts;
        var fileName = Path.GetFileName(record.PdfBlobName);
        var text = LetterNotices.Issued(record.PartitionKey, record.Version, fileName);
        var sent = 0;
        foreach (var addressee in letter.AddressedTo)
        {
            var to = addressee.Role == AddresseeRoles.AdministrativeDirector ? notificationOptions.Value.AdministrativeDirectorEmail : contacts.EmailOf(addressee.Role) ?? addressee.Name;
            if (await outbox.EnqueueAsync(new Notification(NoticeId(record.Version, addressee.Role), record.PartitionKey, to, text)
            {
                ToName = addressee.Name,
                Attachments = [new NotificationAttachment(fileName, "application/pdf", pdf)],
            }, ct))
            {
                sent++;
            }

            if (!to.Contains('@', StringComparison.Ordinal))
            {
                // No e-mail on file: served by post, a mailing for the day of issue (create-once, like the notice).
                await postal.FileAsync(record.PartitionKey, NoticeId(record.Version, addressee.Role), addressee.Role, addressee.Name, caseRecord.Addresses.AddressOf(addressee.Role), record.IssuedAt,
                    record.Version == 1 ? "Final Determination Letter" : $"Final Determination Letter, corrected version {record.Version}", pdf.ToArray(), null, ct);
            }
        }

        logger.LogInformation("Case {CaseNumber}: {Sent} of {Parties} letter notices written", record.PartitionKey, sent, letter.AddressedTo.Count);
    }

    public static string NoticeId(int version, string role) => $"letter-v{version}-{string.Concat(role.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-')).Trim('-').Replace("--", "-", StringComparison.Ordinal)}";

    /// <summary>A stored letter model, or null when there is none: one read (a 404 answers "none"), no existence check first.</summary>
    private async Task<FinalDeterminationLetter?> ReadModelAsync(string blobName, CancellationToken ct)
    {
        try
        {
            return JsonSerializer.Deserialize<FinalDeterminationLetter>((await documents.ReadAsync(StorageNames.DeterminationsContainer, blobName, ct)).ToMemory().Span, CasePackage.JsonOptions);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async Task<Determination> ReadDeterminationAsync(string blobName, CancellationToken ct) =>
        JsonSerializer.Deserialize<Determination>((await documents.ReadAsync(StorageNames.SubmissionsContainer, blobName, ct)).ToMemory().Span, CasePackage.JsonOptions)
        ?? throw new InvalidDataException("The submission is empty.");

    private static string OutcomesOf(CasePackage package, Determination determination) =>
        string.Join("; ", package.DisputedItems.Select(i => $"{i.ItemId}={determination.Decisions.FirstOrDefault(d => d.ItemId == i.ItemId)?.Outcome}"));
}
