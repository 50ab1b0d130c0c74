using System.Collections.Concurrent;
using Fluid;

namespace Imr.Domain.Letters;

/// <summary>The wording templates every program must ship (file names without ".liquid").</summary>
public static class TemplateNames
{
    /// <summary>The letter's "WHAT THIS DECISION MEANS" section, one paragraph per disputed item.</summary>
    public const string LetterMeaning = "letter-meaning";
    /// <summary>The letter's appeal section.</summary>
    public const string LetterAppeal = "letter-appeal";
    public const string NoticeOfAssignment = "notice-of-assignment";
    public const string IneligibilityNotice = "ineligibility-notice";
    /// <summary>The notice that the review ended because the disputed treatment was authorised.</summary>
    public const string ReviewEnded = "review-ended";
    /// <summary>The notice to the parties that a regular review was converted to an expedited one.</summary>
    public const string ReviewExpedited = "review-expedited";

    public static IReadOnlyList<string> All { get; } = [LetterMeaning, LetterAppeal, NoticeOfAssignment, IneligibilityNotice, ReviewEnded, ReviewExpedited];
}

/// <summary>
/// The wording of letters and notices as Liquid templates (Fluid), one set per review program, so staff change the words
/// without a build. The shipped set is embedded from Letters/Templates/&lt;program&gt;/&lt;name&gt;.liquid; the host may
/// lay overrides over it (a blob container, see docs/letters.md). A template renders plain text: values are inserted
/// as they are and the renderers encode them for HTML and draw them in the PDF, so a value can never become markup.
/// Structural wording the letter parser reads back (headings, the qualifications paragraph, the issue labels) stays in
/// code: the seed letter must keep rendering word for word.
/// </summary>
public sealed class WordingTemplates
{
    private const string ResourcePrefix = "Imr.Domain.Letters.Templates.";
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly IReadOnlyDictionary<string, string> sources;
    private readonly ConcurrentDictionary<string, IFluidTemplate> parsed = new(StringComparer.Ordinal);

    private WordingTemplates(IReadOnlyDictionary<string, string> sources) => this.sources = sources;

    /// <summary>The templates shipped with the app.</summary>
    public static WordingTemplates Shipped { get; } = LoadShipped();

    /// <summary>The keys ("program/name") of every template in this set.</summary>
    public IEnumerable<string> Keys => sources.Keys.Order(StringComparer.Ordinal);

    /// <summary>The source of one template, or null when the program has none by that name.</summary>
    public string? Source(string program, string name) => sources.GetValueOrDefault(Key(program, name));

    /// <summary>
    /// This set with some templates replaced or added, keyed "program/name" (".liquid" optional). Each override is parsed
    /// here, so a broken template is refused with its error instead of failing a letter later.
    /// </summary>
    public WordingTemplates WithOverrides(IReadOnlyDictionary<string, string> overrides)
    {
        var merged = new Dictionary<string, string>(sources, StringComparer.Ordinal);
        foreach (var (key, text) in overrides)
        {
            var normalised = Normalise(key);
            if (!Parser.TryParse(text, out _, out var error))
            {
                throw new InvalidDataException($"The wording template '{normalised}' does not parse: {error}");
            }

            merged[normalised] = text;
        }

        return new WordingTemplates(merged);
    }

    /// <summary>Whether a template parses; the error when it does not (for the override loader and tests).</summary>
    public static string? ParseError(string text) => Parser.TryParse(text, out _, out var error) ? null : error;

    /// <summary>
    /// Renders a program's template with the given values (strings, numbers, booleans, lists and dictionaries of them).
    /// A program without the template is an error naming it: a program must ship all its wording.
    /// </summary>
    public string Render(string program, string name, IReadOnlyDictionary<string, object?> values)
    {
        var key = Key(program, name);
        var template = parsed.GetOrAdd(key, k =>
        {
            var text = sources.GetValueOrDefault(k) ?? throw new InvalidOperationException($"The review program '{program}' has no wording template '{name}' (Letters/Templates/{k}.liquid).");
            return Parser.TryParse(text, out var t, out var error) ? t : throw new InvalidDataException($"The wording template '{k}' does not parse: {error}");
        });
        var context = new TemplateContext(Options);
        foreach (var (k, v) in values)
        {
            context.SetValue(k, v);
        }

        // Plain text: the HTML renderer encodes, the PDF draws; no encoder here, or '&' would print as "&amp;" in the PDF.
        return template.Render(context, NullEncoder.Default).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>Splits rendered text into paragraphs at blank lines; each paragraph flowed to one line.</summary>
    public static IReadOnlyList<string> Paragraphs(string rendered) =>
        rendered.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n")
            .Select(LetterText.Flow).Where(p => p.Length > 0).ToList();

    private static string Key(string program, string name) => $"{program}/{name}";

    private static string Normalise(string key)
    {
        var k = key.Replace('\\', '/').Trim('/');
        return k.EndsWith(".liquid", StringComparison.Ordinal) ? k[..^".liquid".Length] : k;
    }

    private static WordingTemplates LoadShipped()
    {
        var assembly = typeof(WordingTemplates).Assembly;
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            sources[Normalise(resource[ResourcePrefix.Length..])] = reader.ReadToEnd();
        }

        return new WordingTemplates(sources);
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        // Values are dictionaries and lists built by the domain; no member of a domain type is reachable from a template.
        options.MemberAccessStrategy = new DefaultMemberAccessStrategy();
        return options;
    }
}
