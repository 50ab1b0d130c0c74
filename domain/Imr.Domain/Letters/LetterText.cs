using System.Globalization;
using System.Text.RegularExpressions;

namespace Imr.Domain.Letters;

/// <summary>Small text rules shared by the renderers and the parser, so that they agree.</summary>
public static partial class LetterText
{
    public const string DateFormat = "MM/dd/yyyy";

    /// <summary>One paragraph: every run of white space (line breaks, tabs, form feeds, non-breaking spaces) becomes one space.</summary>
    public static string Flow(string? text) => Whitespace().Replace(text ?? "", " ").Trim();

    public static string Date(DateOnly d) => d.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static DateOnly? ParseDate(string text) =>
        DateOnly.TryParseExact(text.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>Guidelines and page numbers are printed followed by one full stop; a stop the writer typed is not doubled.</summary>
    public static string WithoutFinalPeriod(string s) => Flow(s).TrimEnd('.').TrimEnd();

    private static readonly string[] YearWords = ["five", "ten", "fifteen", "twenty", "twenty-five", "thirty", "thirty-five", "forty"];

    /// <summary>The letter states experience as "more than five years": the largest multiple of five not above the reviewer's years.</summary>
    public static string YearsInWords(int years) => YearWords[Math.Clamp(years / 5, 1, YearWords.Length) - 1];

    /// <summary>The reverse of <see cref="YearsInWords"/>: "ten" → 10.</summary>
    public static int? YearsFromWords(string words)
    {
        var index = Array.IndexOf(YearWords, words.Trim().ToLowerInvariant());
        return index < 0 ? null : (index + 1) * 5;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
