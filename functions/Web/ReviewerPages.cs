using System.Globalization;
using System.Text;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>A document of the case as the reviewer sees it: a name and a time-limited read-only link.</summary>
public sealed record DocumentLink(string FileName, string MediaType, Uri Link);

/// <summary>
/// The reviewer's pages. Plain forms (no JavaScript); labels for every control; an error summary linking to each field
/// and the message beside the field; values typed before a validation error are written back into the form.
/// Nothing identifies the worker: the disputed items and clinical facts only.
/// </summary>
public static class ReviewerPages
{
    /// <summary>A posted form that could not be read: nothing was changed (the status is the sender's fault, 4xx).</summary>
    public static HtmlPage Unreadable(PostedForm posted) => Message("This form could not be read", posted.Problem + " Nothing was changed. Go back to the page and submit it again.", posted.Status);

    /// <summary>A determination posted as something other than a form.</summary>
    public static HtmlPage NotAForm() => Message("Not a form", "Submit the determination from its page.", 415);

    public static HtmlPage Offer(string caseNumber, CasePackage package, DateTimeOffset acceptBy, string acceptToken, string declineToken, FormState decline, int status = 200)
    {
        var body = new StringBuilder();
        body.Append(ErrorSummary(decline));
        body.Append("<p>You are offered an Independent Medical Review (California workers' compensation). Please accept or decline.</p>");
        body.Append("<h2>The case</h2><dl>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Case number</dt><dd>{E(caseNumber)}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Review type</dt><dd>{(package.Expedited ? "Expedited" : "Standard")}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>UR decision date</dt><dd>{package.UtilizationReview.DecisionDate:MMMM d, yyyy}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Accept by</dt><dd>{acceptBy:u}</dd>")
            .Append("</dl>");
        body.Append("<h2>Disputed items</h2>").Append(DisputedItems(package));
        body.Append("<p>Parties to the case (check for any professional, familial or financial affiliation): ")
            .Append(E(string.Join("; ", new[] { package.Employer, package.ClaimsAdministrator, package.RequestingPhysician.Name, package.RequestingPhysician.MedicalGroup, package.RequestingPhysician.Facility }.Where(p => !string.IsNullOrWhiteSpace(p)))))
            .Append(".</p>");

        body.Append("<h2>Accept</h2><form method=\"post\" action=\"accept\">")
            .Append(Hidden("token", acceptToken))
            .Append("<button type=\"submit\">Accept the assignment</button></form>");

        body.Append("<h2>Decline</h2><form method=\"post\" action=\"decline\" novalidate>")
            .Append(Hidden("token", declineToken))
            .Append(TextArea(decline, ReviewerForms.DeclineReason, "Why you decline", 4, "e.g. unavailable this week, outside my practice, a conflict of interest."))
            .Append("<fieldset><legend>Conflict of interest</legend><div class=\"check\">")
            .Append(CultureInfo.InvariantCulture, $"<input type=\"checkbox\" id=\"{ReviewerForms.ConflictDeclared}\" name=\"{ReviewerForms.ConflictDeclared}\" value=\"yes\"{(decline[ReviewerForms.ConflictDeclared] == "yes" ? " checked" : "")}>")
            .Append(CultureInfo.InvariantCulture, $"<label for=\"{ReviewerForms.ConflictDeclared}\">I have a material professional, familial or financial affiliation with a party to this case</label></div>")
            .Append(Select(decline, ReviewerForms.ConflictKind, "Kind of affiliation", Enum.GetNames<AffiliationKind>().Select(n => (n, n)), "Choose…"))
            .Append(Input(decline, ReviewerForms.ConflictParty, "The party (as named in the case)", "Stored in the roster so you are not offered this party's cases again."))
            .Append("</fieldset><button type=\"submit\">Decline the assignment</button></form>");
        return Page($"Review offer: case {caseNumber}", body.ToString(), status, !decline.IsValid);
    }

    public static HtmlPage Review(string caseNumber, CasePackage package, DateTimeOffset dueAt, IReadOnlyList<DocumentLink> documents, TimeSpan linkLifetime, string token, FormState form, int status = 200)
    {
        var body = new StringBuilder();
        body.Append(ErrorSummary(form));
        body.Append("<h2>Case facts</h2><dl>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Case number</dt><dd>{E(caseNumber)}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Determination due</dt><dd>{dueAt:u}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Injured worker</dt><dd>{package.Worker.AgeYears}-year-old {E(package.Worker.Sex.ToString().ToLowerInvariant())}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Date of injury</dt><dd>{package.Worker.DateOfInjury:MMMM d, yyyy}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Mechanism</dt><dd>{E(package.Worker.Mechanism)}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Body parts</dt><dd>{E(string.Join(", ", package.Worker.BodyParts))}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>UR decision</dt><dd>{package.UtilizationReview.DecisionDate:MMMM d, yyyy}, citing {E(package.UtilizationReview.GuidelineCited)}</dd>")
            .Append("</dl>");
        body.Append("<h2>Disputed items</h2>").Append(DisputedItems(package));
        body.Append("<h2>Documents</h2>");
        if (documents.Count == 0)
        {
            body.Append("<p>No documents were supplied with the application.</p>");
        }
        else
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"hint\">Read-only links, valid for {linkLifetime.TotalMinutes:0} minutes; reload this page for fresh ones.</p><ul>");
            foreach (var d in documents)
            {
                body.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{E(d.Link.ToString())}\" rel=\"noreferrer\" target=\"_blank\">{E(d.FileName)}</a> ({E(d.MediaType)})</li>");
            }

            body.Append("</ul>");
        }

        body.Append("<h2>Determination</h2><form method=\"post\" novalidate>").Append(Hidden("token", token));
        body.Append(DeterminationFields(form, package));
        body.Append("<button type=\"submit\">Submit the determination</button></form>");
        return Page($"Review: case {caseNumber}", body.ToString(), status, !form.IsValid);
    }

    /// <summary>The determination's fields (summary, and per disputed item the decision and its grounds): the reviewer's form and the letter correction's.</summary>
    internal static string DeterminationFields(FormState form, CasePackage package)
    {
        var body = new StringBuilder();
        body.Append(TextArea(form, ReviewerForms.Summary, "Clinical case summary", 10, "The facts of the case as they bear on the disputed items. No identifying details of the worker."));
        foreach (var item in package.DisputedItems)
        {
            var id = item.ItemId;
            body.Append(CultureInfo.InvariantCulture, $"<fieldset><legend>{E(item.Description)}</legend>");
            body.Append(Radios(form, ReviewerForms.Outcome(id), "Decision", [("Upheld", "Upheld — the treatment is not medically necessary"), ("Overturned", "Overturned — the treatment is medically necessary")]));
            body.Append(Input(form, ReviewerForms.CaGuideline(id), "Guideline the claims administrator cited", null, package.UtilizationReview.GuidelineCited));
            body.Append(Select(form, ReviewerForms.Evidence(id), "Evidence relied on (strongest applicable first)", EvidenceChoices.Options, null, "MTUS"));
            body.Append(Input(form, ReviewerForms.OrgGuideline(id), "Guideline or evidence relied on", "MTUS: the guideline and chapter. Otherwise: the source (study, standard)."));
            body.Append(Input(form, ReviewerForms.Pages(id), "Page(s)", "Required for MTUS, e.g. 98-99."));
            body.Append(TextArea(form, ReviewerForms.Rationale(id), "Decision rationale", 8, null));
            body.Append("</fieldset>");
        }

        return body.ToString();
    }

    private static string DisputedItems(CasePackage package) =>
        "<ul>" + string.Concat(package.DisputedItems.Select(i => $"<li>{E(i.Description)} (body part: {E(i.BodyPart)})</li>")) + "</ul>";

    internal static string ErrorSummary(FormState form)
    {
        if (form.IsValid) return "";
        var items = string.Concat(form.Errors.Select(e => $"<li><a href=\"#{E(e.Field)}\">{E(e.Message)}</a></li>"));
        return $"<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" tabindex=\"-1\"><h2 id=\"error-summary-title\">There is a problem</h2><p>Nothing you typed was lost. Correct the following and submit again:</p><ul>{items}</ul></div>";
    }

    internal static string Hidden(string name, string value) => $"<input type=\"hidden\" name=\"{E(name)}\" value=\"{E(value)}\">";

    private static (string Attributes, string Messages) Described(FormState form, string name, string? hint)
    {
        var error = form.ErrorFor(name);
        var ids = new List<string>();
        var messages = new StringBuilder();
        if (hint is not null) { ids.Add($"{name}-hint"); messages.Append(CultureInfo.InvariantCulture, $"<p class=\"hint\" id=\"{E(name)}-hint\">{E(hint)}</p>"); }
        if (error is not null) { ids.Add($"{name}-error"); messages.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" id=\"{E(name)}-error\"><span class=\"visually-hidden\">Error: </span>{E(error)}</p>"); }
        var attributes = (ids.Count > 0 ? $" aria-describedby=\"{E(string.Join(' ', ids))}\"" : "") + (error is not null ? " aria-invalid=\"true\"" : "");
        return (attributes, messages.ToString());
    }

    private static string Input(FormState form, string name, string label, string? hint, string? initial = null)
    {
        var (attributes, messages) = Described(form, name, hint);
        var value = form.Values.ContainsKey(name) ? form[name] : initial ?? "";
        return $"<label for=\"{E(name)}\">{E(label)}</label>{messages}<input type=\"text\" id=\"{E(name)}\" name=\"{E(name)}\" value=\"{E(value)}\"{attributes}>";
    }

    internal static string TextArea(FormState form, string name, string label, int rows, string? hint)
    {
        var (attributes, messages) = Described(form, name, hint);
        return $"<label for=\"{E(name)}\">{E(label)}</label>{messages}<textarea id=\"{E(name)}\" name=\"{E(name)}\" rows=\"{rows}\"{attributes}>{E(form[name])}</textarea>";
    }

    private static string Select(FormState form, string name, string label, IEnumerable<(string Value, string Label)> options, string? placeholder, string? initial = null)
    {
        var (attributes, messages) = Described(form, name, null);
        var selected = form.Values.ContainsKey(name) ? form[name] : initial ?? "";
        var html = new StringBuilder($"<label for=\"{E(name)}\">{E(label)}</label>{messages}<select id=\"{E(name)}\" name=\"{E(name)}\"{attributes}>");
        if (placeholder is not null) html.Append(CultureInfo.InvariantCulture, $"<option value=\"\">{E(placeholder)}</option>");
        foreach (var (value, text) in options)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(value)}\"{(value == selected ? " selected" : "")}>{E(text)}</option>");
        }

        return html.Append("</select>").ToString();
    }

    private static string Radios(FormState form, string name, string legend, IEnumerable<(string Value, string Label)> options)
    {
        var (attributes, messages) = Described(form, name, null);
        // The group's id is the first radio's, so the error summary's link lands on a control.
        var html = new StringBuilder($"<fieldset{attributes}><legend>{E(legend)}</legend>{messages}");
        var first = true;
        foreach (var (value, text) in options)
        {
            var id = first ? name : $"{name}-{value}";
            first = false;
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"radio\"><input type=\"radio\" id=\"{E(id)}\" name=\"{E(name)}\" value=\"{E(value)}\"{(form[name] == value ? " checked" : "")}><label for=\"{E(id)}\">{E(text)}</label></div>");
        }

        return html.Append("</fieldset>").ToString();
    }
}
