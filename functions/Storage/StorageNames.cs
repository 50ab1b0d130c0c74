namespace Imr.Functions.Storage;

/// <summary>Names of the app's storage: the connection setting, containers and tables (infra/ creates the same ones).</summary>
public static class StorageNames
{
    /// <summary>Connection setting of the app's data; a connection string locally, identity-based (<c>ImrStorage__blobServiceUri</c> …) in Azure.</summary>
    public const string Connection = "ImrStorage";

    public const string IntakeContainer = "intake";
    public const string QuarantineContainer = "quarantine";
    public const string SubmissionsContainer = "submissions";
    public const string DeterminationsContainer = "determinations";
    public const string OutboxContainer = "outbox";
    /// <summary>Accepted case files (manifest and documents), copied out of intake create-only, so a later upload can never overwrite them.</summary>
    public const string CaseFilesContainer = "casefiles";
    /// <summary>Each case's record (the package parsed once at intake, see CaseRecordStore): versions written once, never changed.</summary>
    public const string CaseRecordsContainer = "caserecords";
    /// <summary>Roster files (CSV or JSON) dropped here are imported; reports are written under reports/.</summary>
    public const string RosterContainer = "roster";

    public const string CasesTable = "Cases";
    public const string ReviewersTable = "Reviewers";
    public const string AssignmentsTable = "Assignments";
    public const string CallbackUsesTable = "CallbackUses";
    public const string DeadlineIndexTable = "DeadlineIndex";
    public const string AuditTable = "Audit";
    /// <summary>Every issued letter version with the SHA-256 of its stored renderings (see LetterRegister).</summary>
    public const string LettersTable = "Letters";
    public const string IntakeTable = "Intake";
    public const string RejectionsTable = "Rejections";
    public const string ApplicationsTable = "Applications";

    public static readonly string[] Containers = [IntakeContainer, QuarantineContainer, SubmissionsContainer, DeterminationsContainer, OutboxContainer, CaseFilesContainer, RosterContainer, CaseRecordsContainer];
    public static readonly string[] Tables = [CasesTable, ReviewersTable, AssignmentsTable, CallbackUsesTable, DeadlineIndexTable, AuditTable, LettersTable, IntakeTable, RejectionsTable, ApplicationsTable];
}
