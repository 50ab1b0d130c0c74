namespace Imr.Domain.Reviewers;

/// <summary>A physician reviewer on the roster. The name is never printed on a letter.</summary>
public sealed record Reviewer
{
    public required string ReviewerId { get; init; }
    public required string Name { get; init; }
    public required string Email { get; init; }
    public required IReadOnlyList<string> Specialties { get; init; }
    /// <summary>As printed on the letter, e.g. "Orthopedic Spine Surgery".</summary>
    public required IReadOnlyList<string> BoardCertifications { get; init; }
    public required IReadOnlyList<string> LicensedStates { get; init; }
    public required int YearsInPractice { get; init; }
    public required int ActivePracticeHoursPerWeek { get; init; }
    /// <summary>Organizations and people the reviewer has a professional, familial or financial tie to.</summary>
    public IReadOnlyList<string> Affiliations { get; init; } = [];
    public int Capacity { get; init; } = 10;
    public bool Active { get; init; } = true;
}
