using Imr.Functions.Storage;

namespace Imr.Functions.Services;

public sealed record CaseStatusView(
    string CaseNumber,
    string Status,
    bool Overdue,
    ReviewerAssignmentView? Assignment,
    DeadlinesView? Deadlines,
    LetterView? Letter,
    string? Outcomes,
    IntakeView? Intake = null,
    IReadOnlyList<AuditEntry>? Audit = null,
    AttentionView? Attention = null)
{
    /// <summary>Why the review ended without a determination ("TreatmentAuthorised", 8 CCR 9792.10.6(a)); null otherwise.</summary>
    public string? EndedReason { get; init; }
    /// <summary>The case runs on expedited deadlines (filed so, or converted, 8 CCR 9792.10.4(c)).</summary>
    public bool Expedited { get; init; }
}

/// <summary>Why the case needs attention (a workflow step failed): the step and the kind of failure, and since when.</summary>
public sealed record AttentionView(string Reason, DateTimeOffset? Since);

public sealed record ReviewerAssignmentView(string AssignmentId, string ReviewerId, string? Status);

public sealed record DeadlinesView(DateTimeOffset ReceivedAt, DateTimeOffset ReviewerDueAt, DateTimeOffset CaseDueAt);

/// <summary>The latest letter version: its text rendering (BlobName, Sha256) and its PDF; earlier versions stay in table Letters.</summary>
public sealed record LetterView(string Container, string BlobName, string Sha256, int Version = 1, string? PdfBlobName = null, string? PdfSha256 = null);

/// <summary>The case before review: eligibility and the medical records.</summary>
public sealed record IntakeView(string Stage, string? Eligibility, IReadOnlyList<string> EligibilityReasons, string? DuplicateOf, string? CombinedWith, DateTimeOffset? RecordsDueAt, string? MissingDocuments, string? NoticeBlobName);

/// <summary>One issued version of the Final Determination Letter for the status page.</summary>
/// <param name="Html">The stored HTML rendering; null when its SHA-256 no longer matches the register (then the page says so).</param>
public sealed record LetterVersionView(int Version, DateTimeOffset IssuedAt, string? CorrectionReason, string Outcomes, string HtmlBlobName, string PdfBlobName, string PdfSha256, string? Html);

/// <summary>The status page: the JSON view, the whole audit trail (intake and workflow steps) and every letter version.</summary>
public sealed record CaseStatusPageView(CaseStatusView Status, IReadOnlyList<AuditEntry> Audit, IReadOnlyList<LetterVersionView> Letters);

/// <summary>What staff see of a case: status, assignment, deadlines and where the letter is. No clinical content.</summary>
public sealed class CaseStatusQuery(CaseStore cases, IntakeStore intake, AuditLog auditLog, LetterRegister letters, DocumentStore documents)
{
    /// <summary>The status page's content: the status view, the merged audit trail and each letter version's HTML, oldest first.</summary>
    public async Task<CaseStatusPageView?> GetPageAsync(string caseNumber, CancellationToken ct = default)
    {
        var view = await GetAsync(caseNumber, ct);
        if (view is null) return null;

        // One trail: intake events and workflow steps, in time order.
        var audit = (await auditLog.ForCaseAsync(view.CaseNumber, ct)).Where(r => r.What.Length > 0).Select(r => new AuditEntry(r.At, r.What, r.Details)).OrderBy(e => e.At).ToList();

        var versions = new List<LetterVersionView>();
        foreach (var record in await letters.ListAsync(view.CaseNumber, ct))
        {
            string? html = null;
            if (record.HtmlBlobName.Length > 0 && await documents.ExistsAsync(StorageNames.DeterminationsContainer, record.HtmlBlobName, ct))
            {
                var stored = await documents.ReadAsync(StorageNames.DeterminationsContainer, record.HtmlBlobName, ct);
                // Shown only as issued: the hash recorded at issuance must still match.
                html = DocumentStore.Sha256Hex(stored) == record.HtmlSha256 ? stored.ToString() : null;
            }

            versions.Add(new LetterVersionView(record.Version, record.IssuedAt, record.CorrectionReason, record.Outcomes, record.HtmlBlobName, record.PdfBlobName, record.PdfSha256, html));
        }

        return new CaseStatusPageView(view, audit, versions);
    }

    public async Task<CaseStatusView?> GetAsync(string caseNumber, CancellationToken ct = default)
    {
        if (!Imr.Domain.Cases.CaseNumber.TryParse(caseNumber, out var parsed))
        {
            return null;
        }

        caseNumber = parsed.Value;
        var c = await cases.GetAsync(caseNumber, ct);
        var i = await intake.GetAsync(caseNumber, ct);
        var audit = await intake.ReadAuditAsync(caseNumber, ct);
        var intakeView = i is null ? null : new IntakeView(i.Stage, i.Eligibility,
            i.EligibilityReasons is null ? [] : System.Text.Json.JsonSerializer.Deserialize<string[]>(i.EligibilityReasons) ?? [],
            i.DuplicateOf, i.CombinedWith, i.RecordsDueAt, string.IsNullOrEmpty(i.MissingDocuments) ? null : i.MissingDocuments, i.NoticeBlobName);
        var attention = c is { Status: nameof(Imr.Domain.Cases.CaseStatus.NeedsAttention), AttentionReason: { } reason } ? new AttentionView(reason, c.AttentionSince) : null;
        // No row, or the row opened at the workflow's first step without a review clock (and nothing wrong): the intake
        // stage tells more. Not yet under review (or ended at intake): the status is the intake stage; no review clock yet.
        if (c is null || (!CaseEntity.IsRegistered(c) && attention is null && (i is not null || audit.Count > 0)))
        {
            if (i is null && audit.Count == 0)
            {
                return null;
            }

            var status = i?.Stage switch
            {
                IntakeStages.Ineligible when i.NoticeBlobName is not null => "Closed", // closed once the notice is issued
                IntakeStages.Combined => "Closed",
                null => IntakeStages.Rejected,
                var stage => stage,
            };
            return new CaseStatusView(caseNumber, status, false, null, null, null, null, intakeView, audit);
        }

        if (!CaseEntity.IsRegistered(c))
        {
            return new CaseStatusView(caseNumber, c.Status, false, null, null, null, null, intakeView, audit, attention);
        }

        return new CaseStatusView(
            c.PartitionKey,
            c.Status,
            c.Overdue,
            c.CurrentAssignmentId is null ? null : new ReviewerAssignmentView(c.CurrentAssignmentId, c.CurrentReviewerId!, c.AssignmentStatus),
            new DeadlinesView(c.ReceivedAt, c.ReviewerDueAt, c.CaseDueAt),
            c.LetterBlobName is null ? null : new LetterView(StorageNames.DeterminationsContainer, c.LetterBlobName, c.LetterSha256!, Math.Max(c.LetterVersion, 1), c.LetterPdfBlobName, c.LetterPdfSha256),
            c.Outcomes,
            intakeView,
            audit,
            attention)
        { EndedReason = c.EndedReason, Expedited = c.Expedited };
    }
}
