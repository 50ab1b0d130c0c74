using System.Globalization;
using System.Text;

namespace Imr.Domain.Reviewers;

/// <summary>How two organisation names compare for conflicts of interest.</summary>
public enum NameMatch
{
    /// <summary>Different organisations as far as the names tell.</summary>
    Different,
    /// <summary>Close but not equal (one contains the other, same words reordered, one typing slip): a human decides.</summary>
    Similar,
    /// <summary>The same organisation once the documented variations are folded away.</summary>
    Same,
}

/// <summary>
/// Organisation names as rosters and case packages spell them: "Golden State Mutual", "GOLDEN STATE MUTUAL INSURANCE
/// COMPANY" and "The Golden State Mutual Ins. Co., Inc." are one claims administrator. <see cref="Normalize"/> folds
/// the variations that never tell two organisations apart; <see cref="Compare"/> also reports names that are close but
/// not equal, which hold a reviewer back for a human instead of being trusted either way.
/// </summary>
/// <remarks>
/// Normalisation, in order:
/// <list type="number">
/// <item>accents removed, lower case; "&amp;" is the word "and"; periods and apostrophes join ("L.L.C." = "llc",
/// "Farmer's" = "farmers"); every other non-letter, non-digit separates words;</item>
/// <item>abbreviations spelt out: co → company, cos → companies, corp → corporation, inc → incorporated, ins → insurance,
/// ltd → limited, svc/svcs/service → services, admin/administrator/administration → administrators, grp → group,
/// hldgs/holding → holdings, mgmt → management, natl → national, intl → international, assn → association;</item>
/// <item>a leading "the" is dropped;</item>
/// <item>from the end, repeatedly: legal forms (<see cref="LegalForms"/>: incorporated, corporation, limited, llc, llp, lp,
/// lllp, pc, pllc, pa, plc), generic words (<see cref="GenericWords"/>), a dangling "and"/"of", and "of america" when
/// two words or more remain ("Bank of America" stays itself);</item>
/// <item>generic words anywhere after the first word: company, companies, insurance, group, services, administrators,
/// holdings.</item>
/// </list>
/// The first word is never dropped, so a name never normalises to nothing. Words that tell insurers apart — Mutual,
/// Fund, Casualty, Indemnity, Fire, Life, a state or a place — are kept on purpose: "Golden State" and "Golden State
/// Mutual" may be different companies, so they are <see cref="NameMatch.Similar"/>, not the same.
/// </remarks>
public static class OrganizationName
{
    /// <summary>Legal forms, dropped only at the end of a name ("PA" or "LP" inside a name may be a word).</summary>
    public static readonly IReadOnlySet<string> LegalForms = new HashSet<string>(StringComparer.Ordinal)
    {
        "incorporated", "corporation", "limited", "llc", "llp", "lp", "lllp", "pc", "pllc", "pa", "plc",
    };

    /// <summary>Words common to insurers and administrators that never distinguish one from another.</summary>
    public static readonly IReadOnlySet<string> GenericWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "company", "companies", "insurance", "group", "services", "administrators", "holdings",
    };

    private static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
    {
        ["co"] = "company",
        ["cos"] = "companies",
        ["corp"] = "corporation",
        ["inc"] = "incorporated",
        ["ins"] = "insurance",
        ["ltd"] = "limited",
        ["svc"] = "services",
        ["svcs"] = "services",
        ["service"] = "services",
        ["admin"] = "administrators",
        ["administrator"] = "administrators",
        ["administration"] = "administrators",
        ["grp"] = "group",
        ["hldgs"] = "holdings",
        ["holding"] = "holdings",
        ["mgmt"] = "management",
        ["natl"] = "national",
        ["intl"] = "international",
        ["assn"] = "association",
    };

    /// <summary>Words that join other words; they do not count when comparing the sets of words of two names.</summary>
    private static readonly HashSet<string> Joiners = new(StringComparer.Ordinal) { "and", "of", "the", "for" };

    /// <summary>The name with the documented variations folded away; equal results are the same organisation.</summary>
    public static string Normalize(string? name) => string.Join(' ', Words(name));

    /// <summary>
    /// <see cref="NameMatch.Same"/> when the names normalise equal; <see cref="NameMatch.Similar"/> when, normalised,
    /// one name's words are all in the other's (or the same words in another order, "and", "of", "the", "for" aside), or
    /// they differ by one typing slip (one letter added, left out, changed, or two swapped; names of 6 characters or
    /// more only, so "Acme" and "Acne" stay different). "Golden Gate Mutual" and "Golden State Mutual" differ by two
    /// letters and stay different.
    /// </summary>
    public static NameMatch Compare(string? a, string? b) => CompareNormalized(Normalize(a), Normalize(b));

    /// <summary>As <see cref="Compare(string?, string?)"/> for names already passed through <see cref="Normalize"/>.</summary>
    public static NameMatch CompareNormalized(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0) return NameMatch.Different;
        if (a == b) return NameMatch.Same;
        var wordsA = a.Split(' ').Where(w => !Joiners.Contains(w)).ToHashSet(StringComparer.Ordinal);
        var wordsB = b.Split(' ').Where(w => !Joiners.Contains(w)).ToHashSet(StringComparer.Ordinal);
        if (wordsA.Count > 0 && wordsB.Count > 0 && (wordsA.IsSubsetOf(wordsB) || wordsB.IsSubsetOf(wordsA))) return NameMatch.Similar;
        if (Math.Min(a.Length, b.Length) >= 6 && OneSlipApart(a, b)) return NameMatch.Similar;
        return NameMatch.Different;
    }

    private static List<string> Words(string? name)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        void End()
        {
            if (word.Length == 0) return;
            var w = word.ToString();
            word.Clear();
            words.Add(Abbreviations.GetValueOrDefault(w, w));
        }

        foreach (var ch in (name ?? "").Normalize(NormalizationForm.FormKD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            if (ch is '.' or '\'' or '\u2019' or '`') continue;
            if (char.IsLetterOrDigit(ch))
            {
                word.Append(char.ToLowerInvariant(ch));
                continue;
            }

            End();
            if (ch == '&') words.Add("and");
        }

        End();
        if (words.Count > 1 && words[0] == "the") words.RemoveAt(0);
        var changed = true;
        while (changed && words.Count > 1)
        {
            changed = false;
            var last = words[^1];
            if (LegalForms.Contains(last) || GenericWords.Contains(last) || last is "and" or "of")
            {
                words.RemoveAt(words.Count - 1);
                changed = true;
            }
            else if (words.Count > 3 && last == "america" && words[^2] == "of") // "Bank of America" stays itself
            {
                words.RemoveRange(words.Count - 2, 2);
                changed = true;
            }
        }

        for (var i = words.Count - 1; i >= 1; i--)
        {
            if (GenericWords.Contains(words[i])) words.RemoveAt(i);
        }

        return words;
    }

    /// <summary>Optimal string alignment distance is exactly one: one insertion, deletion, substitution or swap of neighbours.</summary>
    private static bool OneSlipApart(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 1) return false;
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        if (a.Length == b.Length)
        {
            // substitution, or a swap of neighbours
            return a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i + 1))
                || (i + 1 < a.Length && a[i] == b[i + 1] && a[i + 1] == b[i] && a.AsSpan(i + 2).SequenceEqual(b.AsSpan(i + 2)));
        }

        var (shorter, longer) = a.Length < b.Length ? (a, b) : (b, a);
        return shorter.AsSpan(i).SequenceEqual(longer.AsSpan(i + 1));
    }
}
