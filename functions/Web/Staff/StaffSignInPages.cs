using System.Text;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web.Staff;

/// <summary>The development sign-in form and the signed-out page.</summary>
public static class StaffSignInPages
{
    /// <summary>Ready-made development users, one per role, so a developer signs in with one click.</summary>
    public static readonly IReadOnlyList<StaffUser> DevUsers =
    [
        new("dev-medical-director", "Dana Director", new HashSet<string> { StaffRoles.MedicalDirector }),
        new("dev-intake-desk", "Ivan Intake", new HashSet<string> { StaffRoles.IntakeDesk }),
        new("dev-case-viewer", "Vera Viewer", new HashSet<string> { StaffRoles.CaseViewer }),
    ];

    public static HtmlPage DevSignIn(string returnUrl, string? problem = null)
    {
        var body = new StringBuilder()
            .Append("<p>Development sign-in: this page exists only on a developer's machine (Staff__DevSignIn); in Azure, staff sign in with Entra ID.</p>");
        if (problem is not null) body.Append("<p class=\"error\" role=\"alert\">").Append(E(problem)).Append("</p>");
        body.Append("<h2>As a ready-made user</h2><ul>");
        foreach (var u in DevUsers)
        {
            body.Append("<li><form method=\"post\" action=\"").Append(E(StaffAuth.DevSignInPath)).Append("\">")
                .Append(Hidden("returnUrl", returnUrl)).Append(Hidden("id", u.Id)).Append(Hidden("name", u.DisplayName));
            foreach (var r in u.Roles) body.Append(Hidden("role", r));
            body.Append("<button type=\"submit\">Sign in as ").Append(E(u.DisplayName)).Append(" (").Append(E(string.Join(", ", u.Roles))).Append(")</button></form></li>");
        }

        body.Append("</ul><h2>As another user</h2><form method=\"post\" action=\"").Append(E(StaffAuth.DevSignInPath)).Append("\">").Append(Hidden("returnUrl", returnUrl))
            .Append("<label for=\"id\">User id</label><input type=\"text\" id=\"id\" name=\"id\" required autocomplete=\"off\">")
            .Append("<label for=\"name\">Display name</label><input type=\"text\" id=\"name\" name=\"name\" required autocomplete=\"off\">")
            .Append("<fieldset><legend>Roles</legend>");
        foreach (var r in StaffRoles.All)
        {
            body.Append("<div class=\"check\"><input type=\"checkbox\" id=\"role-").Append(E(r)).Append("\" name=\"role\" value=\"").Append(E(r)).Append("\"><label for=\"role-").Append(E(r)).Append("\">").Append(E(r)).Append("</label></div>");
        }

        body.Append("</fieldset><button type=\"submit\">Sign in</button></form>");
        return Page("Sign in (development)", body.ToString(), problem is null ? 200 : 400, problem is not null);
    }

    public static HtmlPage SignedOut() =>
        Page("Signed out", $"<p role=\"status\">You are signed out.</p><p><a href=\"/api/staff/cases\">Sign in again</a></p>");

    private static string Hidden(string name, string value) => $"<input type=\"hidden\" name=\"{E(name)}\" value=\"{E(value)}\">";
}
