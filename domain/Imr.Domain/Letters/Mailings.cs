using System.Globalization;
using Imr.Domain.Cases;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;
using PdfSharp.UniversalAccessibility;

namespace Imr.Domain.Letters;

/// <summary>One document mailed to one party without e-mail: who, where, what, and the day it is filed for the mail room.</summary>
public sealed record Mailing(string CaseNumber, string NotificationId, string Role, string RecipientName, PostalAddress? Address, string DocumentTitle, DateOnly MailingDay);

/// <summary>
/// A mailing as a PDF: an address sheet laid out for a #10 double-window envelope — the IMRO's return address in the
/// upper window, the recipient's name and address in the lower window, its first line 1" from the left edge and 2" from
/// the top (<see cref="WindowLeft"/>, <see cref="WindowTop"/>) — then the document's own pages (the letter's PDF as
/// issued, or a notice's text set on pages). The PDF's title and subject name the case, role and recipient, so the
/// print batch can list the mailing from the file alone. Tagged as the letter is (PDFsharp's universal accessibility):
/// language, title shown, a structure tree with the address sheet (H1 "Mailing", P blocks) and a notice's text as P
/// paragraphs. A mailing that encloses the letter's PDF imports its pages as issued and is not tagged (PDFsharp's
/// accessibility support refuses imported pages); the letter itself is tagged in its own blob. The print batch, made of
/// imported pages, is a print job and is not tagged either.
/// </summary>
public static class MailingPdfRenderer
{
    /// <summary>Left edge of the recipient block: 1 inch.</summary>
    public const double WindowLeft = 72;
    /// <summary>Top of the recipient block's first line: 2 inches.</summary>
    public const double WindowTop = 144;
    public const string NoAddress = "POSTAL ADDRESS NOT ON FILE: the mail room must obtain it before mailing";
    private const double Margin = 72;
    private const double Size = 10;
    private const double LineHeight = Size * 1.35;

    public static byte[] Render(Mailing mailing, string organizationName, IReadOnlyList<string> returnAddress, byte[]? documentPdf, string? documentText)
    {
        EmbeddedFontResolver.EnsureRegistered();
        var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
        var font = new XFont(EmbeddedFontResolver.Family, Size, XFontStyleEx.Regular, options);
        var bold = new XFont(EmbeddedFontResolver.Family, Size, XFontStyleEx.Bold, options);

        using var document = new PdfDocument();
        document.Info.Title = Title(mailing);
        document.Info.Subject = LetterText.Flow(mailing.RecipientName);
        if (mailing.Address is null) document.Info.Keywords = "no-address"; // the print batch flags it on its cover sheet
        var day = mailing.MailingDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        document.Info.CreationDate = day;
        document.Info.ModificationDate = day;
        // PDFsharp's accessibility support refuses imported pages ("Cannot handle page import"): a mailing that encloses
        // the letter's PDF (itself tagged, in its own blob) stays untagged; a notice mailing, drawn here, is tagged.
        var structure = documentPdf is null ? Tagged(document) : null;

        var sheet = document.AddPage();
        sheet.Size = PdfSharp.PageSize.Letter;
        using (var gfx = XGraphics.FromPdfPage(sheet))
        {
            // Return address in the upper window (about 1/2" from the top). The sheet's heading for assistive technology.
            var y = 36.0;
            structure?.BeginElement(PdfBlockLevelElementTag.Heading1);
            gfx.DrawString(LetterText.Flow(organizationName), font, XBrushes.Black, new XRect(Margin / 2 + 18, y, 300, LineHeight), XStringFormats.TopLeft);
            structure?.End();
            y += LineHeight;
            structure?.BeginElement(PdfBlockLevelElementTag.Paragraph);
            foreach (var line in returnAddress)
            {
                gfx.DrawString(LetterText.Flow(line), font, XBrushes.Black, new XRect(Margin / 2 + 18, y, 300, LineHeight), XStringFormats.TopLeft);
                y += LineHeight;
            }

            structure?.End();

            // The recipient block in the lower window.
            y = WindowTop;
            string[] recipient = mailing.Address is { } address ? [LetterText.Flow(mailing.RecipientName), .. address.Lines()] : [LetterText.Flow(mailing.RecipientName), NoAddress];
            structure?.BeginElement(PdfBlockLevelElementTag.Paragraph);
            foreach (var line in recipient)
            {
                gfx.DrawString(line, line == recipient[0] ? bold : font, XBrushes.Black, new XRect(WindowLeft, y, 4.5 * 72 - 18, LineHeight), XStringFormats.TopLeft);
                y += LineHeight;
            }

            structure?.End();

            // Below the fold: what is enclosed, for the recipient and the mail room.
            y = 4 * 72;
            foreach (var line in new[] { $"IMR Case Number: {mailing.CaseNumber}", $"Enclosed: {mailing.DocumentTitle}", $"Served by mail on: {LetterText.Date(mailing.MailingDay)}" })
            {
                structure?.BeginElement(PdfBlockLevelElementTag.Paragraph);
                gfx.DrawString(line, font, XBrushes.Black, new XRect(Margin, y, sheet.Width.Point - 2 * Margin, LineHeight), XStringFormats.TopLeft);
                structure?.End();
                y += LineHeight;
            }
        }

        if (documentPdf is not null)
        {
            using var imported = PdfReader.Open(new MemoryStream(documentPdf), PdfDocumentOpenMode.Import);
            foreach (var page in imported.Pages) document.AddPage(page);
        }
        else
        {
            TextPages(document, documentText ?? "", font, structure);
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>"Mailing CM13-0012345 Claims administrator": the title the print batch reads back.</summary>
    public static string Title(Mailing mailing) => $"Mailing {mailing.CaseNumber} {mailing.Role}";

    /// <summary>The document made tagged (language, title shown); its structure builder.</summary>
    internal static StructureBuilder Tagged(PdfDocument document)
    {
        var ua = UAManager.ForDocument(document);
        ua.SetDocumentLanguage(LetterPdfRenderer.Language);
        document.ViewerPreferences.DisplayDocTitle = true;
        return ua.StructureBuilder;
    }

    /// <summary>Plain text (a notice) set on letter pages, lines wrapped at spaces; each line of the text is a P element.</summary>
    internal static void TextPages(PdfDocument document, string text, XFont font, StructureBuilder? structure)
    {
        PdfPage? page = null;
        XGraphics? gfx = null;
        var y = 0.0;
        try
        {
            foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
            {
                foreach (var line in WrapLine(paragraph, font))
                {
                    if (gfx is null || y + LineHeight > page!.Height.Point - Margin)
                    {
                        gfx?.Dispose();
                        page = document.AddPage();
                        page.Size = PdfSharp.PageSize.Letter;
                        gfx = XGraphics.FromPdfPage(page);
                        y = Margin;
                    }

                    if (line.Length > 0)
                    {
                        // One element per line: a paragraph's lines may fall on two pages, and an element stays on one.
                        structure?.BeginElement(PdfBlockLevelElementTag.Paragraph);
                        gfx.DrawString(line, font, XBrushes.Black, new XRect(Margin, y, page.Width.Point - 2 * Margin, LineHeight), XStringFormats.TopLeft);
                        structure?.End();
                    }

                    y += LineHeight;
                }
            }
        }
        finally
        {
            gfx?.Dispose();
        }
    }

    private static IEnumerable<string> WrapLine(string paragraph, XFont font)
    {
        const double width = 8.5 * 72 - 2 * Margin;
        if (paragraph.Length == 0)
        {
            yield return "";
            yield break;
        }

        var line = "";
        foreach (var word in paragraph.Split(' '))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && Measure(candidate, font) > width)
            {
                yield return line;
                line = word;
            }
            else
            {
                line = candidate;
            }
        }

        yield return line;
    }

    private static double Measure(string text, XFont font)
    {
        // Measured without a page: PDFsharp measures with the font's metrics.
        return XGraphics.CreateMeasureContext(new XSize(612, 792), XGraphicsUnit.Point, XPageDirection.Downwards).MeasureString(text, font).Width;
    }
}

/// <summary>What the print batch's cover sheet lists for one mailing.</summary>
public sealed record MailingEntry(string Title, string Recipient, int Pages, bool AddressOnFile);

/// <summary>
/// The mail room's daily print batch: one PDF, a cover sheet listing every mailing of the day (case, party, recipient,
/// pages, whether the address is on file), then the mailings in that order, each starting on a new sheet.
/// </summary>
public static class PrintBatchRenderer
{
    public const string Heading = "MAIL ROOM PRINT BATCH";
    private const double Margin = 54;
    private const double LineHeight = 10 * 1.35;

    public static byte[] Render(DateOnly day, IReadOnlyList<byte[]> mailings)
    {
        EmbeddedFontResolver.EnsureRegistered();
        var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
        var font = new XFont(EmbeddedFontResolver.Family, 9, XFontStyleEx.Regular, options);
        var bold = new XFont(EmbeddedFontResolver.Family, 12, XFontStyleEx.Bold, options);
        var opened = mailings.Select(m => PdfReader.Open(new MemoryStream(m), PdfDocumentOpenMode.Import)).ToList();
        try
        {
            var entries = opened.Select(d => new MailingEntry(d.Info.Title, d.Info.Subject, d.PageCount, !ContainsNoAddress(d))).ToList();
            using var batch = new PdfDocument();
            batch.Info.Title = $"{Heading} {day:yyyy-MM-dd}";
            var stamp = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            batch.Info.CreationDate = stamp;
            batch.Info.ModificationDate = stamp;
            var lines = new List<string>
            {
                $"Mailings of {day.ToString("dddd, MMMM d, yyyy", CultureInfo.InvariantCulture)}: {entries.Count}, {entries.Sum(e => e.Pages)} pages after this cover sheet.",
                "",
            };
            lines.AddRange(entries.Select((e, i) => $"{i + 1}. {e.Title} — {e.Recipient} — {e.Pages} page(s){(e.AddressOnFile ? "" : " — ADDRESS NOT ON FILE")}"));

            PdfPage? page = null;
            XGraphics? gfx = null;
            var y = 0.0;
            try
            {
                foreach (var line in lines)
                {
                    if (gfx is null || y + LineHeight > page!.Height.Point - Margin)
                    {
                        gfx?.Dispose();
                        page = batch.AddPage();
                        page.Size = PdfSharp.PageSize.Letter;
                        gfx = XGraphics.FromPdfPage(page);
                        gfx.DrawString($"{Heading} — {day:yyyy-MM-dd}", bold, XBrushes.Black, new XRect(Margin, Margin, page.Width.Point - 2 * Margin, 16), XStringFormats.TopLeft);
                        y = Margin + 24;
                    }

                    gfx.DrawString(line, font, XBrushes.Black, new XRect(Margin, y, page.Width.Point - 2 * Margin, LineHeight), XStringFormats.TopLeft);
                    y += LineHeight;
                }
            }
            finally
            {
                gfx?.Dispose();
            }

            foreach (var mailing in opened)
            {
                foreach (var p in mailing.Pages) batch.AddPage(p);
            }

            using var output = new MemoryStream();
            batch.Save(output, closeStream: false);
            return output.ToArray();
        }
        finally
        {
            foreach (var d in opened) d.Dispose();
        }
    }

    // The address sheet says so in words; the batch flags it on the cover so the mail room sees it before printing.
    private static bool ContainsNoAddress(PdfDocument mailing) =>
        mailing.Info.Elements.GetString("/Keywords").Contains("no-address", StringComparison.Ordinal);
}
