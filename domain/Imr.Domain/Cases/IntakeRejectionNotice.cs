using System.Globalization;
using System.Text;
using Imr.Domain.Eligibility;

namespace Imr.Domain.Cases;

/// <summary>
/// The notice to the submitter (or the intake desk) that an upload was not accepted and is kept in quarantine: what was
/// rejected, the reference to quote, and every reason. Beside the other notice texts; intake's quarantine sends it.
/// </summary>
public static class IntakeRejectionNotice
{
    /// <param name="caseNumber">The case the upload named, or null when its path named none.</param>
    /// <param name="kind">Invalid, Conflict, Document, Orphan, Unprocessable, InvalidPath.</param>
    /// <param name="rejectionId">The rejection's reference (its row and quarantine folder).</param>
    public static NoticeText Render(string? caseNumber, string kind, string rejectionId, IReadOnlyList<string> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        var body = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Your upload{(caseNumber is null ? "" : $" for IMR case {caseNumber}")} was not accepted ({kind}). Nothing from it was applied; the files are kept in quarantine (reference {rejectionId}).\n\nReasons:\n");
        foreach (var r in reasons)
        {
            body.Append("- ").Append(r).Append('\n');
        }

        return new NoticeText(caseNumber is null ? "IMR intake: upload rejected" : $"IMR case {caseNumber}: upload rejected", body.ToString());
    }
}
