namespace Imr.Functions.Web.Staff;

/// <summary>
/// A signed-in member of staff: a stable id (the Entra ID object id in Azure), the name shown on pages and in the
/// audit trail, and the app roles granted to them. Every staff action and every read of a case is audited with the id.
/// </summary>
public sealed record StaffUser(string Id, string DisplayName, IReadOnlySet<string> Roles)
{
    public bool IsIn(string role) => Roles.Contains(role);

    public bool IsInAny(IEnumerable<string> roles) => roles.Any(Roles.Contains);

    /// <summary>How the audit trail names who acted: "Dana Director (id)".</summary>
    public string AuditName => $"{DisplayName} ({Id})";
}

/// <summary>The app roles declared in Entra ID (infra/modules/staff-auth.bicep); their values are the claim values.</summary>
public static class StaffRoles
{
    /// <summary>Quarantined packages, eligibility questions, letter corrections.</summary>
    public const string IntakeDesk = "IntakeDesk";

    /// <summary>Manual reviewer assignment and reassignment of overdue cases.</summary>
    public const string MedicalDirector = "MedicalDirector";

    /// <summary>Reads cases, the at-risk dashboard and the figures; acts on nothing.</summary>
    public const string CaseViewer = "CaseViewer";

    /// <summary>Every staff role: each may read cases.</summary>
    public static readonly IReadOnlyList<string> All = [IntakeDesk, MedicalDirector, CaseViewer];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
