using Imr.Domain.Cases;

namespace Imr.Domain.Determinations;

public enum DecisionOutcome
{
    /// <summary>The UR denial stands: the treatment is not medically necessary.</summary>
    Upheld,
    /// <summary>The UR denial is reversed: the claims administrator must authorize the treatment.</summary>
    Overturned,
}

/// <summary>The reviewer's decision on one disputed item.</summary>
public sealed record ItemDecision
{
    public required string ItemId { get; init; }
    public required DecisionOutcome Outcome { get; init; }
    public required string ClaimsAdministratorGuideline { get; init; }
    /// <summary>The kind of evidence relied on; MTUS unless the reviewer chose a lower level of the hierarchy.</summary>
    public EvidenceBasis Evidence { get; init; } = EvidenceBasis.Mtus;
    /// <summary>The MTUS guideline (chapter), or for other evidence its source (study, standard).</summary>
    public required string OrganizationGuideline { get; init; }
    public string Pages { get; init; } = "";
    public required string Rationale { get; init; }
}

/// <summary>What the reviewer submits: the clinical case summary and a decision for every disputed item.</summary>
public sealed record Determination
{
    public required string ClinicalCaseSummary { get; init; }
    public required IReadOnlyList<ItemDecision> Decisions { get; init; }

    /// <summary>The determination's part of the quality check before issuance (see <see cref="Letters.LetterQualityCheck"/>); each reason names what is missing.</summary>
    public IReadOnlyList<string> Check(CasePackage casePackage) => Letters.LetterQualityCheck.Check(this, casePackage);
}
