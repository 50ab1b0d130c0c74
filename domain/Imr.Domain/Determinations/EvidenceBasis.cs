namespace Imr.Domain.Determinations;

/// <summary>
/// The kind of evidence a decision relies on: the strength-of-evidence hierarchy an IMR reviewer applies
/// (Labor Code §4610.5(c)(2)), strongest first. MTUS is presumed correct; a lower level may be relied on only when the
/// levels above it do not address the treatment (or the MTUS presumption is rebutted).
/// </summary>
public enum EvidenceBasis
{
    /// <summary>The Medical Treatment Utilization Schedule (chapter and pages).</summary>
    Mtus,
    PeerReviewed,
    NationalStandards,
    ExpertOpinion,
    GenerallyAccepted,
    NoOtherTreatment,
}

/// <summary>How letters name each level. Non-MTUS evidence is cited as IMR letters do ("Non-MTUS Citation"), with its level.</summary>
public static class EvidenceBases
{
    /// <summary>What a real letter puts before a source that is not MTUS.</summary>
    public const string NonMtusCitation = "Non-MTUS Citation, ";

    public static readonly IReadOnlyDictionary<EvidenceBasis, string> Wording = new Dictionary<EvidenceBasis, string>
    {
        [EvidenceBasis.Mtus] = "MTUS",
        [EvidenceBasis.PeerReviewed] = "peer-reviewed scientific and medical evidence",
        [EvidenceBasis.NationalStandards] = "nationally recognized professional standards",
        [EvidenceBasis.ExpertOpinion] = "expert opinion",
        [EvidenceBasis.GenerallyAccepted] = "generally accepted standards of medical practice",
        [EvidenceBasis.NoOtherTreatment] = "treatment likely to benefit where other treatments are not clinically efficacious",
    };

    /// <summary>The guideline as a letter cites it: MTUS as typed; other evidence as "Non-MTUS Citation, &lt;level&gt;: &lt;source&gt;".</summary>
    public static string Cite(EvidenceBasis basis, string guideline) =>
        basis == EvidenceBasis.Mtus ? guideline : $"{NonMtusCitation}{Wording[basis]}: {guideline}";

    /// <summary>
    /// Reads a citation back (<see cref="Cite"/>'s inverse). Anything not in that form — MTUS, or a historical letter's own
    /// "Non-MTUS Citation ODG …" without a level — stays as written, as MTUS (the presumed-correct basis), so its text is kept.
    /// </summary>
    public static (EvidenceBasis Basis, string Guideline) ReadCitation(string cited)
    {
        if (cited.StartsWith(NonMtusCitation, StringComparison.Ordinal))
        {
            var rest = cited[NonMtusCitation.Length..];
            foreach (var (basis, wording) in Wording)
            {
                if (basis != EvidenceBasis.Mtus && rest.StartsWith(wording + ": ", StringComparison.Ordinal))
                {
                    return (basis, rest[(wording.Length + 2)..]);
                }
            }
        }

        return (EvidenceBasis.Mtus, cited);
    }
}
