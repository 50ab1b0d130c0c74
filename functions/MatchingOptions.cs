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

    public sealed class SpecialtyRuleOptions
    {
        public string Category { get; set; } = "";
        public List<string> BodyParts { get; set; } = [];
        public List<string> Specialties { get; set; } = [];
    }

    public static ReviewerMatcher Matcher(IConfiguration section)
    {
        var options = section.Get<MatchingOptions>() ?? new MatchingOptions();
        var map = options.SpecialtyRules.Count == 0
            ? SpecialtyMap.Default
            : new SpecialtyMap(options.SpecialtyRules.Select(r => new SpecialtyRule { Category = r.Category, BodyParts = r.BodyParts, Specialties = r.Specialties }).ToList());
        return new ReviewerMatcher(map, new MatchingRules { MinimumActivePracticeHoursPerWeek = options.MinimumActivePracticeHoursPerWeek, RequiredLicenseState = options.RequiredLicenseState });
    }
}
