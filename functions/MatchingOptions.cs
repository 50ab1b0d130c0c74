using Imr.Domain.Reviewers;
using Microsoft.Extensions.Configuration;

namespace Imr.Functions;

/// <summary>
/// Settings under <c>Matching</c>: the minimum active practice hours, a required license state, and the specialty map
/// (<c>Matching:SpecialtyRules:0:Category</c>, <c>…:BodyParts:0</c>, <c>…:Specialties:0</c>). Without rules the
/// documented default map applies (README, "Reviewer matching").
/// </summary>
public sealed class MatchingOptions
{
    public const string Section = "Matching";

    public int MinimumActivePracticeHoursPerWeek { get; set; } = new MatchingRules().MinimumActivePracticeHoursPerWeek;
    public string RequiredLicenseState { get; set; } = "";
    public List<SpecialtyRuleOptions> SpecialtyRules { get; set; } = [];

    /// <summary>What is wrong with these settings, each naming its setting; checked when the app starts.</summary>
    public IEnumerable<string> Problems()
    {
        if (MinimumActivePracticeHoursPerWeek < 0) yield return $"Matching:MinimumActivePracticeHoursPerWeek must not be negative; it is {MinimumActivePracticeHoursPerWeek}.";
        for (var i = 0; i < SpecialtyRules.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(SpecialtyRules[i].Category)) yield return $"Matching:SpecialtyRules:{i}:Category is required.";
            if (SpecialtyRules[i].Specialties.Count == 0) yield return $"Matching:SpecialtyRules:{i} ({SpecialtyRules[i].Category}) names no specialty.";
        }
    }

    public sealed class SpecialtyRuleOptions
    {
        public string Category { get; set; } = "";
        /// <summary>Only for this sub-category of the treatment taxonomy (empty: every sub-category).</summary>
        public string? SubCategory { get; set; }
        public List<string> BodyParts { get; set; } = [];
        public List<string> Specialties { get; set; } = [];
    }

    public static ReviewerMatcher Matcher(IConfiguration section) => Matcher(section.Get<MatchingOptions>() ?? new MatchingOptions());

    public static ReviewerMatcher Matcher(MatchingOptions options)
    {
        var map = options.SpecialtyRules.Count == 0
            ? SpecialtyMap.Default
            : new SpecialtyMap(options.SpecialtyRules.Select(r => new SpecialtyRule { Category = r.Category, SubCategory = string.IsNullOrWhiteSpace(r.SubCategory) ? null : r.SubCategory, BodyParts = r.BodyParts, Specialties = r.Specialties }).ToList());
        return new ReviewerMatcher(map, new MatchingRules { MinimumActivePracticeHoursPerWeek = options.MinimumActivePracticeHoursPerWeek, RequiredLicenseState = options.RequiredLicenseState });
    }
}
