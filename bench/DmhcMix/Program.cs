using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Imr.Bench.DmhcMix;
using Imr.Domain.Eligibility;
using Imr.Domain.Programs;
using Imr.Domain.Reviewers;

// Usage: dotnet run --project bench/DmhcMix -c Release -- [--data PATH] [--roster PATH] [--out PATH-WITHOUT-EXTENSION] [--mix PATH]
var options = Args.Parse(args);
var root = Args.RepositoryRoot();
var data = options.GetValueOrDefault("data") ?? Path.GetFullPath(Path.Combine(root, "..", "shared", "data", "ca-dmhc-imr-determinations.csv"));
var rosterPath = options.GetValueOrDefault("roster") ?? Path.Combine(root, "samples", "dmhc-roster.json");
var outPath = options.GetValueOrDefault("out") ?? Path.Combine(root, "bench", "results", "dmhc-routing");

var rows = DmhcRow.ReadAll(data);
var (roster, problems) = RosterImport.Parse(Path.GetFileName(rosterPath), File.ReadAllBytes(rosterPath));
if (problems.Count > 0) throw new InvalidOperationException($"{rosterPath}: {problems.Count} roster problem(s), first: {problems[0]}");

var program = ReviewPrograms.CaliforniaDmhc;
var matcher = new ReviewerMatcher(program.Specialties, new MatchingRules { RequiredLicenseState = "California" });
var clock = Stopwatch.StartNew();
var results = new List<RowResult>(rows.Count);
foreach (var row in rows)
{
    var package = CasePackages.From(row, program.Taxonomy);
    var invalid = package.Validate();
    var screening = EligibilityScreening.Screen(package, [], program.Eligibility);
    var item = package.DisputedItems[0];
    var suited = program.Specialties.SpecialtiesFor(item);
    var match = matcher.Match(package, roster, new HashSet<string>(), new Dictionary<string, ReviewerLoad>());
    results.Add(new RowResult(row, program.Taxonomy.Classify(row.TreatmentCategory, row.TreatmentSubCategory), invalid.Count == 0, screening.Outcome, suited.Count, match.Verdicts.Count(v => v.Eligible)));
}

clock.Stop();
var report = RoutingReport.Build(results, roster.Count, data, rosterPath, clock.Elapsed);
Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
File.WriteAllText(outPath + ".json", JsonSerializer.Serialize(report, RoutingReport.Json));
File.WriteAllText(outPath + ".md", RoutingReport.Markdown(report, string.Join(' ', args)));
Console.WriteLine($"{report.Rows} rows, {report.WithCategory} with a treatment category, {report.WithCategoryRouted} of them routed ({report.WithCategoryRoutedShare:P2}); {clock.Elapsed.TotalSeconds:F1} s -> {outPath}.md/.json");
if (options.GetValueOrDefault("mix") is { } mixPath)
{
    File.WriteAllText(mixPath, JsonSerializer.Serialize(CaseMix.From(results), RoutingReport.Json));
    Console.WriteLine($"case mix -> {mixPath}");
}

namespace Imr.Bench.DmhcMix
{
    internal static class Args
    {
        public static Dictionary<string, string> Parse(string[] args)
        {
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) throw new ArgumentException($"expected --name value, got '{args[i]}'");
                options[args[i][2..]] = args[++i];
            }

            return options;
        }

        /// <summary>The folder holding ImrFunctions.sln, from the working directory up.</summary>
        public static string RepositoryRoot()
        {
            var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ImrFunctions.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("Run from inside the repository (ImrFunctions.sln not found).");
        }
    }

    internal sealed record RowResult(DmhcRow Row, TreatmentClass? Class, bool ValidPackage, EligibilityOutcome Screening, int SuitedSpecialties, int EligibleReviewers)
    {
        public bool Routed => EligibleReviewers > 0;
    }

    /// <summary>One share of the report: rows, and how many of them have at least one eligible reviewer.</summary>
    internal sealed record Share(string Name, int Rows, int Routed, int Eligible, double MedianEligibleReviewers)
    {
        public double RoutedShare => Rows == 0 ? 0 : (double)Routed / Rows;
    }

    internal sealed record Report(
        string Data, string Roster, int RosterSize, string Machine, string Runtime, DateTimeOffset At, double Seconds,
        int Rows, int WithCategory, int WithCategoryRouted, double WithCategoryRoutedShare, int ValidPackages, int ScreenedEligible,
        IReadOnlyList<Share> ByTaxonomyCategory, IReadOnlyList<Share> ByDmhcCategory, IReadOnlyList<Share> ByType,
        IReadOnlyList<Share> WithoutCategory, IReadOnlyList<Share> UnroutedBySubCategory);

    internal static class RoutingReport
    {
        public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

        public static Report Build(IReadOnlyList<RowResult> results, int rosterSize, string data, string roster, TimeSpan elapsed)
        {
            var withCategory = results.Where(r => r.Class is not null).ToList();
            static Share ShareOf(string name, IEnumerable<RowResult> rs)
            {
                var list = rs.ToList();
                var counts = list.Select(r => r.EligibleReviewers).Order().ToList();
                return new Share(name, list.Count, list.Count(r => r.Routed), list.Count(r => r.Screening == EligibilityOutcome.Eligible), counts.Count == 0 ? 0 : counts[counts.Count / 2]);
            }

            return new Report(
                Path.GetFileName(data), Path.GetFileName(roster), rosterSize,
                $"{Environment.ProcessorCount} CPU, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}", RuntimeInformation.FrameworkDescription,
                DateTimeOffset.UtcNow, Math.Round(elapsed.TotalSeconds, 2),
                results.Count, withCategory.Count, withCategory.Count(r => r.Routed), withCategory.Count == 0 ? 0 : (double)withCategory.Count(r => r.Routed) / withCategory.Count,
                results.Count(r => r.ValidPackage), results.Count(r => r.Screening == EligibilityOutcome.Eligible),
                withCategory.GroupBy(r => r.Class!.Category).Select(g => ShareOf(g.Key, g)).OrderByDescending(s => s.Rows).ToList(),
                results.GroupBy(r => r.Row.TreatmentCategory.Length == 0 ? "(empty)" : r.Row.TreatmentCategory).Select(g => ShareOf(g.Key, g)).OrderByDescending(s => s.Rows).ToList(),
                results.GroupBy(r => r.Row.Type).Select(g => ShareOf(g.Key, g)).OrderByDescending(s => s.Rows).ToList(),
                results.Where(r => r.Class is null).GroupBy(r => r.Row.TreatmentCategory.Length == 0 ? "(empty)" : r.Row.TreatmentCategory).Select(g => ShareOf(g.Key, g)).ToList(),
                withCategory.Where(r => !r.Routed).GroupBy(r => $"{r.Class!.Category} / {r.Class.SubCategory} / {r.Row.DiagnosisCategory}").Select(g => ShareOf(g.Key, g)).OrderByDescending(s => s.Rows).ToList());
        }

        public static string Markdown(Report r, string arguments)
        {
            var md = new StringBuilder();
            string Pct(double d) => d.ToString("P1", CultureInfo.InvariantCulture);
            void Table(string title, IEnumerable<Share> shares, string first)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"| {first} | rows | screened eligible | ≥ 1 eligible reviewer | share | median eligible reviewers |").AppendLine("|---|---:|---:|---:|---:|---:|");
                foreach (var s in shares) md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Name} | {s.Rows} | {s.Eligible} | {s.Routed} | {Pct(s.RoutedShare)} | {s.MedianEligibleReviewers} |");
                md.AppendLine();
            }

            md.AppendLine("# DMHC routing report: every real DMHC IMR determination through the domain").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Each of the {r.Rows:N0} rows of `{r.Data}` (DMHC open data, no PHI) becomes one `CaliforniaDmhc` case package (treatment category and sub-category as filed, the diagnosis as the body part, Urgent Care as expedited, Experimental/Investigational as its dispute type, the age range's midpoint), is validated, screened with the DMHC program's rules and matched against `samples/{r.Roster}` ({r.RosterSize} fictitious reviewers; licence required in California; no loads, nobody excluded). A row routes when at least one reviewer is eligible.").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"- Command: `dotnet run --project bench/DmhcMix -c Release{(arguments.Length > 0 ? " -- " + arguments : "")}` (roster: `python3 bench/DmhcMix/make-roster.py`)");
            md.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {r.Machine}; {r.Runtime}; run {r.At:yyyy-MM-dd HH:mm} UTC, {r.Seconds} s for screening and matching all rows");
            md.AppendLine(CultureInfo.InvariantCulture, $"- **Rows with a treatment category in the taxonomy: {r.WithCategory:N0} of {r.Rows:N0}; routed to ≥ 1 eligible reviewer: {r.WithCategoryRouted:N0} ({Pct(r.WithCategoryRoutedShare)})**");
            md.AppendLine(CultureInfo.InvariantCulture, $"- Valid packages: {r.ValidPackages:N0}; screened eligible: {r.ScreenedEligible:N0} (the rows carry no dates: each package is filed 20 days after the plan's decision)").AppendLine();
            Table("By treatment category (the taxonomy)", r.ByTaxonomyCategory, "category");
            Table("By type of review (all rows, those without a category included)", r.ByType, "type");
            Table("By the DMHC's own treatment category", r.ByDmhcCategory, "DMHC category");
            Table("Rows without a category in the taxonomy (reported, not routed)", r.WithoutCategory, "DMHC category");
            if (r.UnroutedBySubCategory.Count > 0) Table("Rows with a category that found no eligible reviewer", r.UnroutedBySubCategory, "category / sub-category / diagnosis");
            else md.AppendLine("Every row with a category found at least one eligible reviewer.").AppendLine();
            return md.ToString();
        }
    }

    /// <summary>The real mix as weights a load driver can draw case shapes from.</summary>
    internal static class CaseMix
    {
        public static object From(IReadOnlyList<RowResult> results) => new
        {
            source = "ca-dmhc-imr-determinations.csv",
            shapes = results.Where(r => r.Class is not null)
                .GroupBy(r => (r.Class!.Category, r.Class.SubCategory, Expedited: r.Row.Type == "Urgent Care", Experimental: r.Row.Type == "Experimental/Investigational"))
                .Select(g => new { category = g.Key.Category, subCategory = g.Key.SubCategory, expedited = g.Key.Expedited, experimental = g.Key.Experimental, weight = g.Count() })
                .OrderByDescending(s => s.weight).ToList(),
        };
    }
}
