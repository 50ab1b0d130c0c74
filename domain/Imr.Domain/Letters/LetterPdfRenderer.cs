using System.Reflection;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Imr.Domain.Letters;

/// <summary>
/// The letter as a PDF (PDFsharp, MIT) set in DejaVu Sans, which the project carries as embedded resources, so the output
/// never depends on the machine's fonts. The PDF draws the same blocks as the text rendering, wrapping paragraphs at
/// spaces only, so its extracted text equals the text rendering up to white space. Bytes differ between runs
/// (PDFsharp writes a random document id): compare extracted text, never bytes.
/// </summary>
public static class LetterPdfRenderer
{
    private const double Margin = 72;
    private const double BodySize = 10;
    private const double LineHeight = BodySize * 1.35;

    public static byte[] Render(FinalDeterminationLetter letter)
    {
        EmbeddedFontResolver.EnsureRegistered();
        var unicode = new XPdfFontOptions(PdfFontEncoding.Unicode); // names and text beyond WinAnsi
        var body = new XFont(EmbeddedFontResolver.Family, BodySize, XFontStyleEx.Regular, unicode);
        var bold = new XFont(EmbeddedFontResolver.Family, BodySize, XFontStyleEx.Bold, unicode);
        var heading = new XFont(EmbeddedFontResolver.Family, 11, XFontStyleEx.Bold, unicode);
        var title = new XFont(EmbeddedFontResolver.Family, 12, XFontStyleEx.Bold, unicode);

        using var document = new PdfDocument();
        document.Info.Title = $"Final Determination Letter {letter.CaseNumber}".Trim();
        document.Info.Creator = letter.Organization.Name;
        // Fixed dates: the same letter gives the same document information.
        var issued = letter.DeterminationDate?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) ?? new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        document.Info.CreationDate = issued;
        document.Info.ModificationDate = issued;

        PdfPage page = null!;
        XGraphics gfx = null!;
        double y = 0, width = 0, bottom = 0;
        void NewPage()
        {
            gfx?.Dispose();
            page = document.AddPage();
            page.Size = PdfSharp.PageSize.Letter;
            gfx = XGraphics.FromPdfPage(page);
            width = page.Width.Point - 2 * Margin;
            bottom = page.Height.Point - Margin;
            y = Margin;
        }

        NewPage();
        try
        {
            foreach (var block in LetterTextRenderer.Blocks(letter))
            {
                var (font, spaceBefore) = block.Kind switch
                {
                    LetterBlockKind.Title => (title, 0.0),
                    LetterBlockKind.Heading => (heading, 2.0),
                    LetterBlockKind.ItemHeading => (bold, 0.0),
                    _ => (body, 0.0),
                };
                if (block.Kind == LetterBlockKind.Blank)
                {
                    y += LineHeight / 2;
                    continue;
                }

                var lines = Wrap(gfx, block.Text, font, width);
                // Keep a heading with the first lines that follow it.
                if (block.Kind is LetterBlockKind.Heading or LetterBlockKind.ItemHeading && y + 3 * LineHeight > bottom) NewPage();
                y += spaceBefore;
                foreach (var line in lines)
                {
                    if (y + LineHeight > bottom) NewPage();
                    gfx.DrawString(line, font, XBrushes.Black, new XRect(Margin, y, width, LineHeight), XStringFormats.TopLeft);
                    y += LineHeight;
                }
            }
        }
        finally
        {
            gfx.Dispose();
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
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
