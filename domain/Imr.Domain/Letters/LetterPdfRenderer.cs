using System.Reflection;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using PdfSharp.UniversalAccessibility;

namespace Imr.Domain.Letters;

/// <summary>
/// The letter as a PDF (PDFsharp, MIT) set in DejaVu Sans, which the project carries as embedded resources, so the output
/// never depends on the machine's fonts. The PDF draws the same blocks as the text rendering, wrapping paragraphs at
/// spaces only, so its extracted text equals the text rendering up to white space and the running footer. It is a
/// TAGGED PDF (PDFsharp's universal accessibility): a structure tree (Document, H1 title, H2 headings, H3 disputed
/// items, P paragraphs and header fields), the document language and its title shown by viewers; the footer, "IMR Case
/// Number … — Page n of m" on every page, is an artifact, so a screen reader reads the letter once, not the footer per page.
/// Bytes differ between runs (PDFsharp writes a random document id): compare extracted text, never bytes.
/// </summary>
public static class LetterPdfRenderer
{
    /// <summary>The language the letter is written in, declared for screen readers.</summary>
    public const string Language = "en-US";
    private const double Margin = 72;
    private const double BodySize = 10;
    private const double LineHeight = BodySize * 1.35;
    private const double FooterSize = 8;

    /// <summary>The footer on every page: the case number (when the letter has one) and "Page n of m".</summary>
    public static string Footer(string caseNumber, int page, int pages) =>
        (caseNumber.Length > 0 ? $"IMR Case Number {caseNumber} — " : "") + $"Page {page} of {pages}";

    private sealed record PlacedLine(LetterBlockKind Kind, int Block, string Text, double Y);

    public static byte[] Render(FinalDeterminationLetter letter, WordingTemplates? wording = null)
    {
        EmbeddedFontResolver.EnsureRegistered();
        var unicode = new XPdfFontOptions(PdfFontEncoding.Unicode); // names and text beyond WinAnsi
        var body = new XFont(EmbeddedFontResolver.Family, BodySize, XFontStyleEx.Regular, unicode);
        var bold = new XFont(EmbeddedFontResolver.Family, BodySize, XFontStyleEx.Bold, unicode);
        var heading = new XFont(EmbeddedFontResolver.Family, 11, XFontStyleEx.Bold, unicode);
        var title = new XFont(EmbeddedFontResolver.Family, 12, XFontStyleEx.Bold, unicode);
        var footer = new XFont(EmbeddedFontResolver.Family, FooterSize, XFontStyleEx.Regular, unicode);
        XFont FontOf(LetterBlockKind kind) => kind switch
        {
            LetterBlockKind.Title => title,
            LetterBlockKind.Heading => heading,
            LetterBlockKind.ItemHeading => bold,
            _ => body,
        };

        // Pass 1 lays the lines out on pages (measured on a scratch page), so the footer of every page knows the page count.
        var pages = Layout(LetterTextRenderer.Blocks(letter, wording), FontOf);

        using var document = new PdfDocument();
        document.Info.Title = $"Final Determination Letter {letter.CaseNumber}".Trim();
        document.Info.Creator = letter.Organization.Name;
        // Fixed dates: the same letter gives the same document information.
        var issued = letter.DeterminationDate?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) ?? new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        document.Info.CreationDate = issued;
        document.Info.ModificationDate = issued;
        var ua = UAManager.ForDocument(document);
        ua.SetDocumentLanguage(Language);
        document.ViewerPreferences.DisplayDocTitle = true;
        var structure = ua.StructureBuilder;

        for (var p = 0; p < pages.Count; p++)
        {
            var page = document.AddPage();
            page.Size = PdfSharp.PageSize.Letter;
            using var gfx = XGraphics.FromPdfPage(page);
            var width = page.Width.Point - 2 * Margin;
            // One structure element per block and page: a paragraph that runs onto the next page continues in a second element.
            foreach (var run in pages[p].GroupBy(l => l.Block))
            {
                var kind = run.First().Kind;
                structure.BeginElement(kind switch
                {
                    LetterBlockKind.Title => PdfBlockLevelElementTag.Heading1,
                    LetterBlockKind.Heading => PdfBlockLevelElementTag.Heading2,
                    LetterBlockKind.ItemHeading => PdfBlockLevelElementTag.Heading3,
                    _ => PdfBlockLevelElementTag.Paragraph,
                });
                foreach (var line in run)
                {
                    gfx.DrawString(line.Text, FontOf(kind), XBrushes.Black, new XRect(Margin, line.Y, width, LineHeight), XStringFormats.TopLeft);
                }

                structure.End();
            }

            structure.BeginArtifact();
            gfx.DrawString(Footer(LetterText.Flow(letter.CaseNumber), p + 1, pages.Count), footer, XBrushes.Black,
                new XRect(Margin, page.Height.Point - Margin / 2 - FooterSize, width, FooterSize * 1.5), XStringFormats.TopCenter);
            structure.End();
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>The lines of every page, in order: wrapped, kept with a following heading, blank blocks as half a line.</summary>
    private static List<List<PlacedLine>> Layout(IReadOnlyList<LetterBlock> blocks, Func<LetterBlockKind, XFont> fontOf)
    {
        using var scratch = new PdfDocument();
        var scratchPage = scratch.AddPage();
        scratchPage.Size = PdfSharp.PageSize.Letter;
        using var gfx = XGraphics.FromPdfPage(scratchPage);
        var width = scratchPage.Width.Point - 2 * Margin;
        var bottom = scratchPage.Height.Point - Margin;
        var pages = new List<List<PlacedLine>> { new() };
        var y = Margin;
        void NewPage()
        {
            pages.Add([]);
            y = Margin;
        }

        for (var b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            if (block.Kind == LetterBlockKind.Blank)
            {
                y += LineHeight / 2;
                continue;
            }

            var lines = Wrap(gfx, block.Text, fontOf(block.Kind), width);
            // Keep a heading with the first lines that follow it.
            if (block.Kind is LetterBlockKind.Heading or LetterBlockKind.ItemHeading && y + 3 * LineHeight > bottom) NewPage();
            y += block.Kind == LetterBlockKind.Heading ? 2.0 : 0.0;
            foreach (var line in lines)
            {
                if (y + LineHeight > bottom) NewPage();
                pages[^1].Add(new PlacedLine(block.Kind, b, line, y));
                y += LineHeight;
            }
        }

        if (pages.Count > 1 && pages[^1].Count == 0) pages.RemoveAt(pages.Count - 1);
        return pages;
    }

    /// <summary>Greedy wrapping at spaces; a word wider than the line is split by characters.</summary>
    private static List<string> Wrap(XGraphics gfx, string text, XFont font, double width)
    {
        var lines = new List<string>();
        var indent = text.Length - text.TrimStart(' ').Length;
        var line = text[..indent];
        foreach (var word in text[indent..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Trim().Length == 0 ? line + word : line + " " + word;
            if (gfx.MeasureString(candidate, font).Width <= width)
            {
                line = candidate;
                continue;
            }

            if (line.Trim().Length > 0) lines.Add(line);
            line = word;
            while (gfx.MeasureString(line, font).Width > width && line.Length > 1)
            {
                var cut = line.Length - 1;
                while (cut > 1 && gfx.MeasureString(line[..cut], font).Width > width) cut--;
                lines.Add(line[..cut]);
                line = line[cut..];
            }
        }

        if (line.Length > 0 || lines.Count == 0) lines.Add(line);
        return lines;
    }
}

/// <summary>Serves DejaVu Sans (regular, bold) from the domain assembly's resources to PDFsharp.</summary>
public sealed class EmbeddedFontResolver : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";
    private static readonly Lock Gate = new();

    // PDFsharp creates its document objects (pages, catalog, resources…) through ConstructorInfo.Invoke. The runtime keeps
    // a type's reflection cache, and with it each constructor's emitted invoke stub, only while something references it,
    // so under a busy process's garbage collections new documents emitted those stubs again and the finalizer thread freed
    // them (a 300-case burst: ~38 stubs a second). Holding the constructors keeps one stub per type for the process's life
    // (measured: the re-emission gone; the burst's throughput within its run-to-run spread).
    private static readonly ConstructorInfo[] KeptConstructors = PdfSharpDocumentTypes();

    private static ConstructorInfo[] PdfSharpDocumentTypes()
    {
        var assembly = typeof(PdfDocument).Assembly;
        string[] names =
        [
            "PdfSharp.Pdf.PdfPages", "PdfSharp.Pdf.Advanced.PdfResources", "PdfSharp.Pdf.Advanced.PdfResourceMap",
            "PdfSharp.Pdf.PdfArray", "PdfSharp.Pdf.Advanced.PdfCatalog", "PdfSharp.Pdf.PdfDocumentInformation",
            "PdfSharp.Pdf.PdfViewerPreferences", "PdfSharp.Pdf.PdfDictionary",
        ];
        return [.. names.Select(assembly.GetType).OfType<Type>()
            .SelectMany(t => t.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))];
    }

    /// <summary>The PDFsharp types whose constructors are held; a test checks each was found (a PDFsharp upgrade may move one).</summary>
    public static int KeptTypeCount => KeptConstructors.Select(c => c.DeclaringType).Distinct().Count();

    /// <summary>PDFsharp has one process-wide resolver, and it cannot change once used: register ours once.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is EmbeddedFontResolver) return;
            if (GlobalFontSettings.FontResolver is not null)
            {
                throw new InvalidOperationException("Another PDFsharp font resolver is registered; letters must be set in the embedded DejaVu fonts.");
            }

            GlobalFontSettings.FontResolver = new EmbeddedFontResolver();
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        string.Equals(familyName, Family, StringComparison.OrdinalIgnoreCase)
            // No italic face is carried: PDFsharp simulates it.
            ? new FontResolverInfo(bold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: italic)
            : null;

    public byte[]? GetFont(string faceName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Imr.Domain.Letters.Fonts.{faceName}.ttf");
        if (stream is null) return null;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
