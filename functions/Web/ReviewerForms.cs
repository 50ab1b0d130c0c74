using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Reviewers;
using Microsoft.AspNetCore.Http;

namespace Imr.Functions.Web;

/// <summary>What was typed into a form and what is wrong with it, field by field, so a page can be shown again with both.</summary>
public sealed class FormState
{
    public FormState(IEnumerable<KeyValuePair<string, string>>? values = null) =>
        Values = new Dictionary<string, string>(values ?? [], StringComparer.Ordinal);

    public Dictionary<string, string> Values { get; }
    /// <summary>Field name → message, in the order found (the error summary lists them so).</summary>
    public List<(string Field, string Message)> Errors { get; } = [];
    public bool IsValid => Errors.Count == 0;

    public string this[string field] => Values.TryGetValue(field, out var v) ? v : "";
    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field).Message;
    public void Fail(string field, string message) => Errors.Add((field, message));
}

/// <summary>A posted form, or why it could not be read (a status in the 4xx range: the sender's fault, never the server's).</summary>
public sealed record PostedForm(FormState? Form, int Status, string Problem)
{
    /// <summary>
    /// Reads the request's form. A form that breaks the reader's limits (a value over 4 MB, more than 1,024 fields, a key
    /// over 2 KB), multipart without a boundary or cut short, or a body over the server's limit is refused with 400/413
    /// and a reason. A request that is not a form gives an empty form (the route's own checks then answer it).
    /// </summary>
    public static async Task<PostedForm> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType) return new PostedForm(new FormState(), 200, "");
        try
        {
            var form = await request.ReadFormAsync(ct);
            return new PostedForm(new FormState(form.Select(f => KeyValuePair.Create(f.Key, f.Value.ToString()))), 200, "");
        }
        catch (BadHttpRequestException ex)
        {
            return new PostedForm(null, ex.StatusCode is >= 400 and < 500 ? ex.StatusCode : 400, "The request could not be read (it may be too large).");
        }
        catch (InvalidDataException)
        {
            // The form reader's own limits and multipart framing errors.
            return new PostedForm(null, 400, "The form could not be read: it is malformed, has too many fields or a value that is too long.");
        }
        catch (IOException) when (!ct.IsCancellationRequested)
        {
            return new PostedForm(null, 400, "The form could not be read: its body ended early or is malformed.");
        }
    }
}

/// <summary>The choices of the evidence field: the strength-of-evidence hierarchy (<see cref="EvidenceBasis"/>), strongest first.</summary>
public static class EvidenceChoices
{
    public static readonly IReadOnlyList<(string Value, string Label, EvidenceBasis Basis)> Levels =
    [
        ("MTUS", "MTUS — Medical Treatment Utilization Schedule (give the chapter and pages)", EvidenceBasis.Mtus),
        ("PeerReviewed", "Peer-reviewed scientific and medical evidence", EvidenceBasis.PeerReviewed),
        ("NationalStandards", "Nationally recognized professional standards", EvidenceBasis.NationalStandards),
        ("ExpertOpinion", "Expert opinion", EvidenceBasis.ExpertOpinion),
        ("GenerallyAccepted", "Generally accepted standards of medical practice", EvidenceBasis.GenerallyAccepted),
        ("NoOtherTreatment", "Treatment likely to benefit where other treatments are not clinically efficacious", EvidenceBasis.NoOtherTreatment),
    ];

    public static IEnumerable<(string Value, string Label)> Options => Levels.Select(l => (l.Value, l.Label));

    /// <summary>The level's name without the form's hint, for result pages.</summary>
    public static string LabelOf(EvidenceBasis basis) => Levels.First(l => l.Basis == basis).Label.Split(" (")[0];
}

/// <summary>The reviewer's forms: field names, validation with messages per field, and mapping to the domain.</summary>
public static class ReviewerForms
{
    public const string Summary = "summary";
    public const string DeclineReason = "reason";
    public const string ConflictDeclared = "conflict";
    public const string ConflictKind = "conflictKind";
    public const string ConflictParty = "conflictParty";

    public static string Outcome(string itemId) => $"outcome_{itemId}";
    public static string CaGuideline(string itemId) => $"caGuideline_{itemId}";
    public static string Evidence(string itemId) => $"evidence_{itemId}";
    public static string OrgGuideline(string itemId) => $"orgGuideline_{itemId}";
    public static string Pages(string itemId) => $"pages_{itemId}";
    public static string Rationale(string itemId) => $"rationale_{itemId}";

    public const int MaxTextLength = 20_000;

    /// <summary>Checks the determination form; returns the determination when it is complete.</summary>
    public static Determination? ReadDetermination(FormState form, CasePackage package)
    {
        Require(form, Summary, "Enter the clinical case summary.");
        var decisions = new List<ItemDecision>();
        foreach (var item in package.DisputedItems)
        {
            var id = item.ItemId;
            var outcomeOk = Enum.TryParse<DecisionOutcome>(form[Outcome(id)], ignoreCase: false, out var outcome) && Enum.IsDefined(outcome);
            if (!outcomeOk) form.Fail(Outcome(id), $"Choose Upheld or Overturned for “{item.Description}”.");
            Require(form, CaGuideline(id), $"Enter the guideline the claims administrator cited for “{item.Description}”.");
            var evidence = form[Evidence(id)] is { Length: > 0 } e ? e : "MTUS";
            var level = EvidenceChoices.Levels.FirstOrDefault(l => l.Value == evidence);
            if (level.Value is null) form.Fail(Evidence(id), "Choose the kind of evidence relied on.");
            Require(form, OrgGuideline(id), evidence == "MTUS"
                ? $"Enter the MTUS guideline (chapter) relied on for “{item.Description}”."
                : $"Name the evidence relied on for “{item.Description}” (source, e.g. the study or standard).");
            if (evidence == "MTUS") Require(form, Pages(id), $"Enter the MTUS page(s) relied on for “{item.Description}”.");
            Require(form, Rationale(id), $"Enter the decision rationale for “{item.Description}”.");
            if (outcomeOk)
            {
                decisions.Add(new ItemDecision
                {
                    ItemId = id,
                    Outcome = outcome,
                    ClaimsAdministratorGuideline = form[CaGuideline(id)].Trim(),
                    Evidence = level.Basis,
                    OrganizationGuideline = form[OrgGuideline(id)].Trim(),
                    Pages = form[Pages(id)].Trim(),
                    Rationale = form[Rationale(id)].Trim(),
                });
            }
        }

        if (!form.IsValid) return null;
        var determination = new Determination { ClinicalCaseSummary = form[Summary].Trim(), Decisions = decisions };
        foreach (var reason in determination.Check(package)) form.Fail(Summary, reason); // the domain's own quality check, as a last net
        return form.IsValid ? determination : null;
    }

    /// <summary>
    /// What the reviewer decided, one line per disputed item (outcome, kind of evidence, guideline or source, pages): kept
    /// as the submission's first result, so a repeated submit shows what was received.
    /// </summary>
    public static IEnumerable<string> Received(Determination determination, CasePackage package) =>
        package.DisputedItems.Select(item => (item, d: determination.Decisions.Single(d => d.ItemId == item.ItemId)))
            .Select(x => $"{Short(x.item.Description)}: {x.d.Outcome}. Evidence relied on: {EvidenceChoices.LabelOf(x.d.Evidence)} — {Short(x.d.OrganizationGuideline)}"
                + (x.d.Pages.Length > 0 ? $", page(s) {Short(x.d.Pages)}." : "."));

    // The result is one Table property (at most 32K characters): long free texts are cut, the letter has them in full.
    private static string Short(string s) => s.Length <= 200 ? s : s[..199] + "…";

    /// <summary>Checks the decline form; returns the declared conflict, if any.</summary>
    public static (string Reason, Affiliation? Conflict) ReadDecline(FormState form)
    {
        Require(form, DeclineReason, "Enter why you decline this review.");
        Affiliation? conflict = null;
        if (form[ConflictDeclared] == "yes")
        {
            var kindOk = Enum.TryParse<AffiliationKind>(form[ConflictKind], ignoreCase: false, out var kind) && Enum.IsDefined(kind);
            if (!kindOk) form.Fail(ConflictKind, "Choose how you are affiliated with the party.");
            Require(form, ConflictParty, "Enter the party you are affiliated with (as named in the case).");
            if (kindOk && form[ConflictParty].Trim().Length > 0) conflict = new Affiliation(kind, form[ConflictParty].Trim());
        }

        return (form[DeclineReason].Trim(), conflict);
    }

    private static void Require(FormState form, string field, string message)
    {
        if (string.IsNullOrWhiteSpace(form[field])) form.Fail(field, message);
        else if (form[field].Length > MaxTextLength) form.Fail(field, $"Keep this under {MaxTextLength:N0} characters.");
    }
}
