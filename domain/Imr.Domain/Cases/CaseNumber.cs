using System.Text.RegularExpressions;

namespace Imr.Domain.Cases;

/// <summary>An IMR case number such as <c>CM13-0012345</c>; also the key of the case's orchestration.</summary>
public readonly partial record struct CaseNumber
{
    public string Value { get; }

    private CaseNumber(string value) => Value = value;

    public static bool TryParse(string? text, out CaseNumber caseNumber)
    {
        caseNumber = default;
        if (text is null || !Pattern().IsMatch(text))
        {
            return false;
        }

        caseNumber = new CaseNumber(text.ToUpperInvariant());
        return true;
    }

    public static CaseNumber Parse(string text) =>
        TryParse(text, out var n) ? n : throw new FormatException("A case number is 2-40 letters, digits or hyphens, starting with a letter or digit.");

    /// <summary>One orchestration per case: the instance id is derived from the case number, so a second delivery starts nothing new.</summary>
    public string OrchestrationInstanceId => $"case-{Value}";

    public override string ToString() => Value;

    // Letters, digits and hyphens only: the value is used in blob names, table keys and URLs.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{1,39}$")]
    private static partial Regex Pattern();
}
