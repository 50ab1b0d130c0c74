namespace Imr.Domain.Cases;

/// <summary>
/// Every id and blob name a case's steps make, in one place: two steps that build the same name from the same facts
/// must agree exactly (create-once writes and deterministic ids are what make a repeated step harmless).
/// </summary>
public static class CaseNames
{
    public const string ManifestFileName = "manifest.json";

    /// <summary>The assignment of an offer (or manual-assignment) round; also the key of its single-use answers.</summary>
    public static string AssignmentId(string caseNumber, int round) => $"{caseNumber}-A{round}";

    /// <summary>The accepted manifest in the case files.</summary>
    public static string ManifestBlob(string caseNumber) => $"{caseNumber}/{ManifestFileName}";

    /// <summary>A version of the case's record (see CaseRecord) in its own container; versions are written once, never changed.</summary>
    public static string CaseRecordBlob(string caseNumber, int version) => $"{caseNumber}/v{version}.json";

    /// <summary>An attached document in the case files.</summary>
    public static string DocumentBlob(string caseNumber, string fileName) => $"{caseNumber}/documents/{fileName}";

    /// <summary>The suffix of a determination revision returned for correction ("" for the first).</summary>
    public static string RevisionSuffix(int revision) => revision == 0 ? "" : $"-r{revision}";

    /// <summary>A submitted determination (one blob per assignment and revision) in the submissions container.</summary>
    public static string SubmissionBlob(string caseNumber, string assignmentId, int revision) => $"{caseNumber}/{assignmentId}{RevisionSuffix(revision)}.json";

    /// <summary>The ineligibility notice in the determinations container.</summary>
    /// <summary>The files of a letter version in the determinations container (".json", ".txt", ".html", ".pdf" follow).</summary>
    public static string LetterBlobPrefix(string caseNumber, int version) => $"{caseNumber}/final-determination-v{version}";

    public static string IneligibilityNoticeBlob(string caseNumber) => $"{caseNumber}/ineligibility-notice.txt";
}
