using Imr.Functions.Storage;

namespace Imr.Functions.Services;

public sealed record CaseStatusView(
    string CaseNumber,
    string Status,
    bool Overdue,
    ReviewerAssignmentView? Assignment,
    DeadlinesView Deadlines,
    LetterView? Letter,
    string? Outcomes);

public sealed record ReviewerAssignmentView(string AssignmentId, string ReviewerId, string? Status);

public sealed record DeadlinesView(DateTimeOffset ReceivedAt, DateTimeOffset ReviewerDueAt, DateTimeOffset CaseDueAt);

/// <summary>The latest letter version: its text rendering (BlobName, Sha256) and its PDF; earlier versions stay in table Letters.</summary>
public sealed record LetterView(string Container, string BlobName, string Sha256, int Version = 1, string? PdfBlobName = null, string? PdfSha256 = null);

/// <summary>What staff see of a case: status, assignment, deadlines and where the letter is. No clinical content.</summary>
public sealed class CaseStatusQuery(CaseStore cases)
{
    public async Task<CaseStatusView?> GetAsync(string caseNumber, CancellationToken ct = default)
    {
        var c = await cases.GetAsync(caseNumber, ct);
        if (c is null)
        {
            return null;
        }

        return new CaseStatusView(
            c.PartitionKey,
            c.Status,
            c.Overdue,
            c.CurrentAssignmentId is null ? null : new ReviewerAssignmentView(c.CurrentAssignmentId, c.CurrentReviewerId!, c.AssignmentStatus),
            new DeadlinesView(c.ReceivedAt, c.ReviewerDueAt, c.CaseDueAt),
            c.LetterBlobName is null ? null : new LetterView(StorageNames.DeterminationsContainer, c.LetterBlobName, c.LetterSha256!, Math.Max(c.LetterVersion, 1), c.LetterPdfBlobName, c.LetterPdfSha256),
            c.Outcomes);
    }
}
