using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Imr.Bench;

/// <summary>One case shape of the real mix: a treatment category and sub-category, and the review's kind, with its weight.</summary>
public sealed record MixShape(string Category, string? SubCategory, bool Expedited, bool Experimental, int Weight);

/// <summary>
/// The real DMHC case mix (<c>bench/results/dmhc-mix.json</c>, written by <c>bench/DmhcMix --mix</c> from the 19,228 published
/// determinations): case shapes weighted as the real data. The macro harness's <c>--mix FILE</c> gives each case the shape
/// its position draws (a low-discrepancy sequence over the cumulative weights, so even 40 cases follow the weights closely,
/// and case i has the same shape in every run), as a DMHC package: the sample case's parties and documents, the program
/// <c>CaliforniaDmhc</c>, the shape's category and sub-category, and, for an expedited or experimental shape, the
/// certification or dispute type such a review has. The roster is then the realistic one (<c>samples/dmhc-roster.json</c>).
/// </summary>
public sealed class CaseMix
{
    /// <summary>The roster a mixed run uses unless told otherwise: a few hundred reviewers of the specialties the real mix needs.</summary>
    public const string DefaultRoster = "samples/dmhc-roster.json";

    // The golden ratio's fractional part: i × φ mod 1 spreads any prefix of the cases evenly over [0, 1).
    private const double Phi = 0.6180339887498949;

    private readonly long[] _cumulative;

    private CaseMix(string source, IReadOnlyList<MixShape> shapes)
    {
        Source = source;
        Shapes = shapes;
        _cumulative = new long[shapes.Count];
        long total = 0;
        for (var i = 0; i < shapes.Count; i++) _cumulative[i] = total += shapes[i].Weight;
        TotalWeight = total;
    }

    /// <summary>The file the mix came from (its name only, for the report).</summary>
    public string Source { get; }
    public IReadOnlyList<MixShape> Shapes { get; }
    public long TotalWeight { get; }

    public static CaseMix Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var shapes = new List<MixShape>();
        foreach (var s in doc.RootElement.GetProperty("shapes").EnumerateArray())
        {
            var weight = s.GetProperty("weight").GetInt32();
            if (weight <= 0) continue;
            var sub = s.TryGetProperty("subCategory", out var sc) && sc.ValueKind == JsonValueKind.String && sc.GetString() is { Length: > 0 } v ? v : null;
            shapes.Add(new MixShape(s.GetProperty("category").GetString() ?? throw new InvalidDataException($"{path}: a shape without a category."), sub,
                s.TryGetProperty("expedited", out var e) && e.GetBoolean(), s.TryGetProperty("experimental", out var x) && x.GetBoolean(), weight));
        }

        return shapes.Count == 0 ? throw new InvalidDataException($"{path}: no case shapes with a weight.") : new CaseMix(Path.GetFileName(path), shapes);
    }

    /// <summary>The shape of the case at <paramref name="index"/> (0-based) of a run.</summary>
    public MixShape ShapeAt(int index)
    {
        var u = (index + 1) * Phi % 1.0;
        var target = (long)(u * TotalWeight); // 0 .. total-1
        var i = Array.BinarySearch(_cumulative, target + 1);
        return Shapes[i >= 0 ? i : ~i];
    }

    /// <summary>
    /// The shape of a harness case by its number: the run's cases are numbered <c>B{run}-{i:D5}</c> from 1, so case i
    /// draws index i - 1; any other number draws by a stable hash of it.
    /// </summary>
    public MixShape ShapeFor(string caseNumber)
    {
        var dash = caseNumber.LastIndexOf('-');
        if (dash >= 0 && int.TryParse(caseNumber.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) return ShapeAt(n - 1);
        return ShapeAt((int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(caseNumber)), 0) & 0x7FFFFFF));
    }

    /// <summary>How many of the first <paramref name="cases"/> cases fall in each category (for the report).</summary>
    public SortedDictionary<string, int> CategoriesOf(int cases) =>
        new(Enumerable.Range(0, cases).GroupBy(i => ShapeAt(i).Category).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

    /// <summary>
    /// Makes the sample manifest a DMHC case of <paramref name="shape"/>: program, the disputed item's category and
    /// sub-category (its id stays, so the sample reviewer's answers apply), expedited with the physician's certification
    /// (Health and Safety Code 1374.31(a)), experimental/investigational as its dispute type (1370.4).
    /// </summary>
    public static void Apply(JsonNode manifest, MixShape shape)
    {
        manifest["program"] = "CaliforniaDmhc";
        manifest["expedited"] = shape.Expedited;
        if (shape.Expedited)
        {
            var decided = manifest["utilizationReview"]?["decisionDate"]?.GetValue<string>() ?? "2013-06-03";
            manifest["expeditedCertification"] = new JsonObject
            {
                ["certifiedBy"] = manifest["requestingPhysician"]?["name"]?.GetValue<string>() ?? "Dr. Treating Physician",
                ["certifiedOn"] = decided,
                ["statement"] = "Imminent and serious threat to the enrollee's health.",
            };
        }
        else
        {
            manifest.AsObject().Remove("expeditedCertification");
        }

        manifest["disputeType"] = shape.Experimental ? "ExperimentalInvestigational" : "MedicalNecessity";
        var item = manifest["disputedItems"]![0]!;
        item["category"] = shape.Category;
        if (shape.SubCategory is { } sub) item["subCategory"] = sub;
        else item.AsObject().Remove("subCategory");
        item["description"] = $"{shape.SubCategory ?? shape.Category} as requested by the treating physician";
    }
}

/// <summary>The macro harness's command-line options that need more than a lookup (kept here so a test can check them).</summary>
public static class MacroArgs
{
    /// <summary>
    /// <c>--mix FILE</c>: the case mix, FILE relative to the working directory or else to the repository root; null when
    /// the option is absent. A missing value or file is an error naming the option, not a run of the sample case.
    /// </summary>
    public static CaseMix? Mix(IReadOnlyList<string> args, string repoRoot)
    {
        var at = args.ToList().IndexOf("--mix");
        if (at < 0) return null;
        if (at + 1 >= args.Count || args[at + 1].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException("--mix needs a file, e.g. --mix bench/results/dmhc-mix.json.");
        var file = args[at + 1];
        var path = File.Exists(file) ? Path.GetFullPath(file) : Path.Combine(repoRoot, file);
        return File.Exists(path) ? CaseMix.Load(path) : throw new ArgumentException($"--mix: no file '{file}' (looked in {Directory.GetCurrentDirectory()} and {repoRoot}).");
    }
}
