using System.Globalization;
using System.Text;
using Imr.Domain.Determinations;

namespace Imr.Domain.Figures;

/// <summary>One row of a case's audit trail, as the figures read it: when, what (the step's name) and its details.</summary>
public sealed record TrailEvent(DateTimeOffset At, string What, string Details);

/// <summary>The decision on one disputed item of an issued letter, with the item's treatment category.</summary>
public sealed record DecidedItem(string ItemId, string Category, DecisionOutcome Outcome);

/// <summary>One issued version of a case's Final Determination Letter (1 = the letter, later versions = corrections).</summary>
public sealed record IssuedLetterVersion(int Version, DateTimeOffset IssuedAt, IReadOnlyList<DecidedItem> Items);

/// <summary>What the figures need of one case: its audit trail and its issued letters. Case numbers and outcomes only, no PHI.</summary>
public sealed record CaseHistory(string CaseNumber, IReadOnlyList<TrailEvent> Trail, IReadOnlyList<IssuedLetterVersion> Letters);

/// <summary>
/// A reporting period, [Start, End), of whole days in the program's time zone (Pacific): a month or a year, as DWC publishes.
/// </summary>
public sealed record ReportingPeriod(DateTimeOffset Start, DateTimeOffset End, string Name)
{
    /// <summary>The calendar month <paramref name="month"/> of <paramref name="year"/>, midnight to midnight in <paramref name="zone"/>.</summary>
    public static ReportingPeriod Month(int year, int month, TimeZoneInfo zone)
    {
        var first = new DateOnly(year, month, 1);
        return new(Midnight(first, zone), Midnight(first.AddMonths(1), zone), first.ToString("MMMM yyyy", CultureInfo.InvariantCulture));
    }

    /// <summary>The calendar year <paramref name="year"/>, midnight to midnight in <paramref name="zone"/>.</summary>
    public static ReportingPeriod Year(int year, TimeZoneInfo zone) =>
        new(Midnight(new DateOnly(year, 1, 1), zone), Midnight(new DateOnly(year + 1, 1, 1), zone), year.ToString(CultureInfo.InvariantCulture));

    /// <summary>Parses "2026" (a year) or "2026-03" (a month); null when the text is neither.</summary>
    public static ReportingPeriod? Parse(string? text, TimeZoneInfo zone)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (text.Length == 4 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 2000 and <= 2999) return Year(y, zone);
        if (text.Length == 7 && text[4] == '-' && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out y) && y is >= 2000 and <= 2999
            && int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= 12)
        {
            return Month(y, m, zone);
        }

        return null;
    }

    public bool Contains(DateTimeOffset at) => at >= Start && at < End;

    private static DateTimeOffset Midnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}

/// <summary>The overturn rate of one treatment category: items decided in the period's letters, and how many were overturned.</summary>
public sealed record CategoryOverturns(string Category, int ItemsDecided, int Overturned)
{
    public double? Rate => ItemsDecided == 0 ? null : (double)Overturned / ItemsDecided;
}

/// <summary>
/// The figures DWC publishes about IMR for a period, computed from the cases' audit trails and issued letters.
/// <list type="bullet">
/// <item>Received: applications whose package was received in the period (the trail's <c>Received</c> step).</item>
/// <item>Unique: received minus duplicates (screened <c>Ineligible</c> as a duplicate of an earlier case).</item>
/// <item>Eligible: unique applications whose last eligibility decision (screening or staff resolution) is <c>Eligible</c>.</item>
/// <item>Letters issued: first letters (version 1) issued in the period; corrections are counted apart.</item>
/// <item>Days from the notice of assignment, and from complete medical records, to the letter: means over the letters issued
/// in the period; records are complete at the last <c>RecordsReceived</c> (or <c>RecordsLate</c>) step before the letter.</item>
/// <item>Overturn rate: disputed items decided <c>Overturned</c> over all items decided, in the period's letters as last
/// corrected by the end of the period; overall and by treatment category.</item>
/// </list>
/// </summary>
public sealed record ProgramFigures(ReportingPeriod Period)
{
    public int ApplicationsReceived { get; init; }
    public int Duplicates { get; init; }
    public int UniqueApplications => ApplicationsReceived - Duplicates;
    public int EligibleApplications { get; init; }
    public int LettersIssued { get; init; }
    public int CorrectionsIssued { get; init; }
    /// <summary>Mean days from the notice of assignment to the letter; null when no letter of the period has a notice on file.</summary>
    public double? AverageDaysNoticeToLetter { get; init; }
    /// <summary>Mean days from complete medical records to the letter; null when no letter of the period has its records on file.</summary>
    public double? AverageDaysRecordsToLetter { get; init; }
    public int ItemsDecided { get; init; }
    public int ItemsOverturned { get; init; }
    public IReadOnlyList<CategoryOverturns> ByCategory { get; init; } = [];

    /// <summary>Unique applications as a share of those received.</summary>
    public double? UniqueShare => ApplicationsReceived == 0 ? null : (double)UniqueApplications / ApplicationsReceived;

    /// <summary>Eligible applications as a share of the unique ones.</summary>
    public double? EligibleShare => UniqueApplications == 0 ? null : (double)EligibleApplications / UniqueApplications;

    public double? OverturnRate => ItemsDecided == 0 ? null : (double)ItemsOverturned / ItemsDecided;

    /// <summary>The trail's step names the figures read (written by intake and the eligibility screening).</summary>
    public static class Steps
    {
        public const string Received = nameof(Received);
        public const string Eligible = nameof(Eligible);
        public const string Ineligible = nameof(Ineligible);
        public const string NoticeOfAssignmentSent = nameof(NoticeOfAssignmentSent);
        public const string RecordsReceived = nameof(RecordsReceived);
        public const string RecordsLate = nameof(RecordsLate);
        /// <summary>How the screening's reason for a duplicate begins (<c>EligibilityScreening</c>).</summary>
        public const string DuplicateReason = "Duplicate:";
    }

    public static ProgramFigures Compute(ReportingPeriod period, IEnumerable<CaseHistory> cases)
    {
        int received = 0, duplicates = 0, eligible = 0, letters = 0, corrections = 0, decided = 0, overturned = 0;
        var noticeDays = new List<double>();
        var recordsDays = new List<double>();
        var categories = new SortedDictionary<string, (int Decided, int Overturned)>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            var trail = c.Trail.OrderBy(e => e.At).ToList();
            var receipt = trail.FirstOrDefault(e => e.What == Steps.Received);
            if (receipt is not null && period.Contains(receipt.At))
            {
                received++;
                var decision = trail.LastOrDefault(e => e.What is Steps.Eligible or Steps.Ineligible);
                if (decision?.What == Steps.Ineligible && decision.Details.Contains(Steps.DuplicateReason, StringComparison.Ordinal)) duplicates++;
                else if (decision?.What == Steps.Eligible) eligible++;
            }

            corrections += c.Letters.Count(l => l.Version > 1 && period.Contains(l.IssuedAt));
            var first = c.Letters.FirstOrDefault(l => l.Version == 1);
            if (first is null || !period.Contains(first.IssuedAt)) continue;
            letters++;
            var notice = trail.FirstOrDefault(e => e.What == Steps.NoticeOfAssignmentSent && e.At <= first.IssuedAt);
            if (notice is not null) noticeDays.Add((first.IssuedAt - notice.At).TotalDays);
            var records = trail.LastOrDefault(e => e.What is Steps.RecordsReceived or Steps.RecordsLate && e.At <= first.IssuedAt);
            if (records is not null) recordsDays.Add((first.IssuedAt - records.At).TotalDays);

            // The decisions as they stand at the end of the period: the last version issued by then.
            var standing = c.Letters.Where(l => l.IssuedAt < period.End).MaxBy(l => l.Version)!;
            foreach (var item in standing.Items)
            {
                var isOverturned = item.Outcome == DecisionOutcome.Overturned;
                decided++;
                if (isOverturned) overturned++;
                var (d, o) = categories.GetValueOrDefault(item.Category);
                categories[item.Category] = (d + 1, o + (isOverturned ? 1 : 0));
            }
        }

        return new ProgramFigures(period)
        {
            ApplicationsReceived = received,
            Duplicates = duplicates,
            EligibleApplications = eligible,
            LettersIssued = letters,
            CorrectionsIssued = corrections,
            AverageDaysNoticeToLetter = noticeDays.Count == 0 ? null : noticeDays.Average(),
            AverageDaysRecordsToLetter = recordsDays.Count == 0 ? null : recordsDays.Average(),
            ItemsDecided = decided,
            ItemsOverturned = overturned,
            ByCategory = categories.Select(kv => new CategoryOverturns(kv.Key, kv.Value.Decided, kv.Value.Overturned)).ToList(),
        };
    }

    /// <summary>
    /// The figures as CSV (RFC 4180, invariant culture): one "figure,value" row each, then one row per treatment category.
    /// Categories come from packages: a value starting with = + - @ is prefixed with ' so a spreadsheet does not run it.
    /// </summary>
    public string ToCsv()
    {
        var csv = new StringBuilder().Append("figure,category,value\r\n");
        void Row(string figure, string category, string value) =>
            csv.Append(Cell(figure)).Append(',').Append(Cell(category)).Append(',').Append(Cell(value)).Append("\r\n");
        Row("period", "", Period.Name);
        Row("period start (UTC)", "", Period.Start.ToString("u", CultureInfo.InvariantCulture));
        Row("period end (UTC)", "", Period.End.ToString("u", CultureInfo.InvariantCulture));
        Row("applications received", "", N(ApplicationsReceived));
        Row("duplicates", "", N(Duplicates));
        Row("unique applications", "", N(UniqueApplications));
        Row("unique share", "", Ratio(UniqueShare));
        Row("eligible applications", "", N(EligibleApplications));
        Row("eligible share of unique", "", Ratio(EligibleShare));
        Row("letters issued", "", N(LettersIssued));
        Row("corrected letters issued", "", N(CorrectionsIssued));
        Row("average days notice of assignment to letter", "", Days(AverageDaysNoticeToLetter));
        Row("average days complete records to letter", "", Days(AverageDaysRecordsToLetter));
        Row("items decided", "", N(ItemsDecided));
        Row("items overturned", "", N(ItemsOverturned));
        Row("overturn rate", "", Ratio(OverturnRate));
        foreach (var c in ByCategory)
        {
            Row("items decided", c.Category, N(c.ItemsDecided));
            Row("overturn rate", c.Category, Ratio(c.Rate));
        }

        return csv.ToString();
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Ratio(double? r) => r is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "";

    private static string Days(double? d) => d is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "";

    private static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
