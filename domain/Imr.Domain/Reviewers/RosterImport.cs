using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Imr.Domain.Reviewers;

public sealed record RosterRowProblem(int Row, string? ReviewerId, IReadOnlyList<string> Reasons);

public sealed record RosterChange(string ReviewerId, string Change, IReadOnlyList<string> Fields);

/// <summary>
/// What an import did or would do. When any row is invalid nothing is applied (a half-imported roster would
/// silently change who may review), and <see cref="Problems"/> says which rows and why.
/// </summary>
public sealed record RosterImportReport(bool Applied, IReadOnlyList<RosterChange> Changes, IReadOnlyList<RosterRowProblem> Problems)
{
    public int Added => Changes.Count(c => c.Change == "added");
    public int Updated => Changes.Count(c => c.Change == "updated");
    public int Unchanged => Changes.Count(c => c.Change == "unchanged");
}

/// <summary>Reads a roster file (CSV or JSON), validates every row, and compares it with the stored roster.</summary>
public static class RosterImport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>CSV columns (header row, any order): reviewerId, name, email, specialties, boardCertifications, licensedStates,
    /// yearsInPractice, activePracticeHoursPerWeek, affiliations, capacity, active, timeZone. Lists are separated by ';';
    /// an affiliation is <c>Kind:Name</c>, with its aliases after '|': <c>ClaimsAdministrator:Golden State Mutual|GSM</c>.
    /// In JSON an affiliation is <c>{"kind", "name", "aliases": [..]}</c>.</summary>
    public static readonly string[] CsvColumns = ["reviewerId", "name", "email", "specialties", "boardCertifications", "licensedStates", "yearsInPractice", "activePracticeHoursPerWeek", "affiliations", "capacity", "active", "timeZone"];

    public static (IReadOnlyList<Reviewer> Reviewers, IReadOnlyList<RosterRowProblem> Problems) Parse(string fileName, ReadOnlySpan<byte> content)
    {
        var text = Encoding.UTF8.GetString(content).TrimStart('\uFEFF');
        var isJson = fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('[');
        return isJson ? ParseJson(text) : ParseCsv(text);
    }

    public static RosterImportReport Compare(IReadOnlyList<Reviewer> incoming, IReadOnlyList<RosterRowProblem> problems, IEnumerable<Reviewer> stored)
    {
        var current = stored.ToDictionary(r => r.ReviewerId, StringComparer.Ordinal);
        var changes = incoming.Select(r => current.TryGetValue(r.ReviewerId, out var old)
            ? (ChangedFields(old, r) is { Count: > 0 } f ? new RosterChange(r.ReviewerId, "updated", f) : new RosterChange(r.ReviewerId, "unchanged", []))
            : new RosterChange(r.ReviewerId, "added", [])).ToList();
        return new RosterImportReport(problems.Count == 0, changes, problems);
    }

    public static IReadOnlyList<string> Validate(Reviewer r)
    {
        var reasons = new List<string>();
        if (string.IsNullOrWhiteSpace(r.ReviewerId) || r.ReviewerId.Length > 64 || r.ReviewerId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))) reasons.Add("reviewerId: 1-64 letters, digits, '-' or '_'.");
        if (string.IsNullOrWhiteSpace(r.Name)) reasons.Add("name: required.");
        if (string.IsNullOrWhiteSpace(r.Email) || !r.Email.Contains('@') || r.Email.Any(char.IsWhiteSpace)) reasons.Add("email: a valid e-mail address is required.");
        if (r.Specialties.Count == 0) reasons.Add("specialties: at least one.");
        if (r.YearsInPractice < 0) reasons.Add("yearsInPractice: cannot be negative.");
        if (r.ActivePracticeHoursPerWeek is < 0 or > 168) reasons.Add("activePracticeHoursPerWeek: 0-168.");
        if (r.Capacity < 0) reasons.Add("capacity: cannot be negative.");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(r.TimeZone ?? "", out _)) reasons.Add($"timeZone: '{r.TimeZone}' is not a known time zone (use an IANA id such as America/Los_Angeles).");
        if (r.Affiliations.Any(a => a is null || string.IsNullOrWhiteSpace(a.Name))) reasons.Add("affiliations: every affiliation needs a name.");
        else if (r.Affiliations.Any(a => a.Aliases.Any(string.IsNullOrWhiteSpace))) reasons.Add("affiliations: an alias cannot be empty.");
        return reasons;
    }

    private static (IReadOnlyList<Reviewer>, IReadOnlyList<RosterRowProblem>) ParseJson(string text)
    {
        List<Reviewer?>? rows;
        try
        {
            rows = JsonSerializer.Deserialize<List<Reviewer?>>(text, Json);
        }
        catch (JsonException ex)
        {
            return ([], [new RosterRowProblem(0, null, [$"Not a valid roster (a JSON array of reviewers): {ex.Path} (line {ex.LineNumber}): {ex.Message.Split(". ")[0]}."])]);
        }

        return Check((rows ?? []).Select((r, i) => (i + 1, r, r is null ? ["the row is empty."] : (IReadOnlyList<string>)[])));
    }

    private static (IReadOnlyList<Reviewer>, IReadOnlyList<RosterRowProblem>) ParseCsv(string text)
    {
        var lines = Csv(text).ToList();
        if (lines.Count == 0) return ([], [new RosterRowProblem(0, null, ["The file is empty."])]);
        var header = lines[0].Select(h => h.Trim()).ToList();
        var missing = new[] { "reviewerId", "name", "email", "specialties" }.Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        var unknown = header.Where(h => !CsvColumns.Contains(h, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
        {
            var reasons = missing.Select(m => $"header: column '{m}' is missing.").Concat(unknown.Select(u => $"header: unknown column '{u}' (known: {string.Join(", ", CsvColumns)}).")).ToList();
            return ([], [new RosterRowProblem(1, null, reasons)]);
        }

        var rows = new List<(int, Reviewer?, IReadOnlyList<string>)>();
        for (var i = 1; i < lines.Count; i++)
        {
            var cells = lines[i];
            if (cells.All(string.IsNullOrWhiteSpace)) continue;
            var reasons = new List<string>();
            string Cell(string column)
            {
                var index = header.FindIndex(h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));
                return index >= 0 && index < cells.Count ? cells[index].Trim() : "";
            }

            int Int(string column, int fallback)
            {
                var s = Cell(column);
                if (s.Length == 0) return fallback;
                if (int.TryParse(s, out var v)) return v;
                reasons.Add($"{column}: '{s}' is not a whole number.");
                return fallback;
            }

            bool Bool(string column)
            {
                var s = Cell(column);
                if (s.Length == 0) return true;
                if (bool.TryParse(s, out var v)) return v;
                if (s is "yes" or "1") return true;
                if (s is "no" or "0") return false;
                reasons.Add($"{column}: '{s}' is not true or false.");
                return true;
            }

            static string[] List(string s) => s.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            var affiliations = new List<Affiliation>();
            foreach (var a in List(Cell("affiliations")))
            {
                var colon = a.IndexOf(':');
                if (colon > 0 && Enum.TryParse<AffiliationKind>(a[..colon].Trim(), ignoreCase: true, out var kind) && Enum.IsDefined(kind))
                {
                    var names = a[(colon + 1)..].Split('|', StringSplitOptions.TrimEntries);
                    affiliations.Add(new Affiliation(kind, names[0]) { Aliases = names[1..] });
                }
                else
                {
                    reasons.Add($"affiliations: '{a}' must be Kind:Name (aliases after '|') with Kind one of {string.Join(", ", Enum.GetNames<AffiliationKind>())}.");
                }
            }

            var reviewer = new Reviewer
            {
                ReviewerId = Cell("reviewerId"),
                Name = Cell("name"),
                Email = Cell("email"),
                Specialties = List(Cell("specialties")),
                BoardCertifications = List(Cell("boardCertifications")),
                LicensedStates = List(Cell("licensedStates")),
                YearsInPractice = Int("yearsInPractice", 0),
                ActivePracticeHoursPerWeek = Int("activePracticeHoursPerWeek", 0),
                Affiliations = affiliations,
                Capacity = Int("capacity", 10),
                Active = Bool("active"),
                TimeZone = Cell("timeZone") is { Length: > 0 } tz ? tz : "America/Los_Angeles",
            };
            rows.Add((i + 1, reviewer, reasons));
        }

        return Check(rows);
    }

    private static (IReadOnlyList<Reviewer>, IReadOnlyList<RosterRowProblem>) Check(IEnumerable<(int Row, Reviewer? Reviewer, IReadOnlyList<string> Reasons)> rows)
    {
        var reviewers = new List<Reviewer>();
        var problems = new List<RosterRowProblem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (row, reviewer, parseReasons) in rows)
        {
            var reasons = parseReasons.ToList();
            if (reviewer is not null)
            {
                reasons.AddRange(Validate(reviewer with { Specialties = reviewer.Specialties ?? [], Affiliations = reviewer.Affiliations ?? [] }));
                if (!string.IsNullOrEmpty(reviewer.ReviewerId) && !seen.Add(reviewer.ReviewerId)) reasons.Add($"reviewerId: '{reviewer.ReviewerId}' appears more than once.");
            }

            if (reasons.Count > 0) problems.Add(new RosterRowProblem(row, reviewer?.ReviewerId, reasons));
            else reviewers.Add(reviewer!);
        }

        return (reviewers, problems);
    }

    private static List<string> ChangedFields(Reviewer a, Reviewer b)
    {
        var fields = new List<string>();
        void Check(string name, bool same) { if (!same) fields.Add(name); }
        Check("name", a.Name == b.Name);
        Check("email", a.Email == b.Email);
        Check("specialties", a.Specialties.SequenceEqual(b.Specialties));
        Check("boardCertifications", a.BoardCertifications.SequenceEqual(b.BoardCertifications));
        Check("licensedStates", a.LicensedStates.SequenceEqual(b.LicensedStates));
        Check("yearsInPractice", a.YearsInPractice == b.YearsInPractice);
        Check("activePracticeHoursPerWeek", a.ActivePracticeHoursPerWeek == b.ActivePracticeHoursPerWeek);
        Check("affiliations", a.Affiliations.SequenceEqual(b.Affiliations));
        Check("capacity", a.Capacity == b.Capacity);
        Check("active", a.Active == b.Active);
        Check("timeZone", a.TimeZone == b.TimeZone);
        return fields;
    }

    /// <summary>RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks.</summary>
    private static IEnumerable<List<string>> Csv(string text)
    {
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                row.Add(cell.ToString()); cell.Clear();
                yield return row;
                row = [];
            }
            else cell.Append(c);
        }

        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString());
            yield return row;
        }
    }
}
