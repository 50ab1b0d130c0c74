using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Functions.Storage;

namespace Imr.Functions.Services;

/// <summary>
/// Letter corrections from the staff console: what the form starts from (the current letter's determination) and the
/// correction itself, through the keyed route's service (<see cref="LetterIssuer.IssueCorrectionAsync"/>: based on the
/// latest version, quality-checked, create-once per version), audited with the person who issued it.
/// </summary>
public sealed class StaffLetterCorrections(LetterIssuer issuer, AuditLog audit)
{
    public Task<(int Version, Determination Determination, CasePackage Package)?> CurrentAsync(string caseNumber, CancellationToken ct = default) =>
        issuer.CurrentDeterminationAsync(caseNumber, ct);

    /// <summary>Issues the correction; the audit names who (one row per issued version, so a repeated post records nothing twice).</summary>
    public async Task<LetterCorrectionResult> CorrectAsync(string caseNumber, LetterCorrectionRequest request, string correctedBy, CancellationToken ct = default)
    {
        var result = await issuer.IssueCorrectionAsync(caseNumber, request, ct);
        if (result.Status is CorrectionStatus.Issued or CorrectionStatus.AlreadyIssued && result.Letter is { } letter)
        {
            await audit.RecordAsync(caseNumber, $"letter-v{letter.Version}-corrected-by", "Letter corrected", $"version {letter.Version} (based on version {request.BasedOnVersion}) issued by {correctedBy}: {request.Reason.Trim()}", ct);
        }

        return result;
    }
}
