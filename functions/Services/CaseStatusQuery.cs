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
    IReadOnlyList<AuditEntry>? Audit = null);

public sealed record ReviewerAssignmentView(string AssignmentId, string ReviewerId, string? Status);

public sealed record DeadlinesView(DateTimeOffset ReceivedAt, DateTimeOffset ReviewerDueAt, DateTimeOffset CaseDueAt);

/// <summary>The latest letter version: its text rendering (BlobName, Sha256) and its PDF; earlier versions stay in table Letters.</summary>
public sealed record LetterView(string Container, string BlobName, string Sha256, int Version = 1, string? PdfBlobName = null, string? PdfSha256 = null);

/// <summary>The case before review: eligibility and the medical records.</summary>
public sealed record IntakeView(string Stage, string? Eligibility, IReadOnlyList<string> EligibilityReasons, string? DuplicateOf, string? CombinedWith, DateTimeOffset? RecordsDueAt, string? MissingDocuments, string? NoticeBlobName);

/// <summary>What staff see of a case: status, assignment, deadlines and where the letter is. No clinical content.</summary>
public sealed class CaseStatusQuery(CaseStore cases, IntakeStore intake)
{
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
        if (c is null)
        {
            // Not yet under review (or ended at intake): the status is the intake stage; there is no review clock yet.
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

        return new CaseStatusView(
            c.PartitionKey,
            c.Status,
            c.Overdue,
            c.CurrentAssignmentId is null ? null : new ReviewerAssignmentView(c.CurrentAssignmentId, c.CurrentReviewerId!, c.AssignmentStatus),
            new DeadlinesView(c.ReceivedAt, c.ReviewerDueAt, c.CaseDueAt),
            c.LetterBlobName is null ? null : new LetterView(StorageNames.DeterminationsContainer, c.LetterBlobName, c.LetterSha256!, Math.Max(c.LetterVersion, 1), c.LetterPdfBlobName, c.LetterPdfSha256),
            c.Outcomes,
            intakeView,
            audit);
    }
}
