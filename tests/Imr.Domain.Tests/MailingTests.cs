using Imr.Domain.Cases;
using Imr.Domain.Letters;
using UglyToad.PdfPig.Content;

namespace Imr.Domain.Tests;

/// <summary>Postal copies for parties without e-mail (issue #15): window-envelope placement and the daily print batch.</summary>
public class MailingTests
{
    private static readonly PostalAddress Address = new() { Line1 = "100 Main Street", Line2 = "Suite 4", City = "Fresno", State = "CA", PostalCode = "93721" };
    private static readonly string[] ReturnAddress = ["Independent Medical Review", "1 Example Plaza, Suite 100", "Sacramento, CA 95814"];

    private static Mailing Mailing(PostalAddress? address = null, string role = AddresseeRoles.InjuredWorker) =>
        new("CM13-0012345", "letter-v1-injured-worker", role, "Sample Worker", address, "Final Determination Letter, version 1", new DateOnly(2026, 12, 2));

    [Fact]
    public void The_recipient_block_sits_in_a_number_10_window_1_inch_from_the_left_and_2_inches_from_the_top()
    {
        var letterPdf = LetterPdfRenderer.Render(VariedLetters.All["one item upheld"]);

        var pdf = MailingPdfRenderer.Render(Mailing(Address), "MAXIMUS Federal Services", ReturnAddress, letterPdf, null);

        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        var sheet = document.GetPage(1);
        var name = sheet.GetWords().First(w => w.Text == "Sample");
        var fromTop = sheet.Height - name.BoundingBox.Top;
        Assert.InRange(name.BoundingBox.Left, 70, 76);   // ~1" from the left edge
        Assert.InRange(fromTop, 144, 156);               // its first line starts 2" from the top
        var lines = Lines(sheet);
        Assert.Contains("100 Main Street", lines);
        Assert.Contains("Suite 4", lines);
        Assert.Contains("Fresno, CA 93721", lines);
        Assert.Contains("Sacramento, CA 95814", lines); // the return address
        // The document follows the address sheet, page for page.
        using var letter = UglyToad.PdfPig.PdfDocument.Open(letterPdf);
        Assert.Equal(1 + letter.NumberOfPages, document.NumberOfPages);
        Assert.Equal("Mailing CM13-0012345 Injured worker", document.Information.Title);
    }

    [Fact]
    public void A_notice_mailing_sets_the_notice_text_on_pages_and_a_missing_address_is_said_on_the_sheet()
    {
        var pdf = MailingPdfRenderer.Render(Mailing(), "MAXIMUS Federal Services", ReturnAddress, null, "NOTICE OF ASSIGNMENT\nIMR Case Number: CM13-0012345\n\n" + string.Join(' ', Enumerable.Repeat("words", 400)));

        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        Assert.Contains(MailingPdfRenderer.NoAddress, string.Join(" ", document.GetPage(1).GetWords().Select(w => w.Text)));
        Assert.Contains("NOTICE OF ASSIGNMENT", document.GetPage(2).Text);
    }

    [Fact]
    public void The_print_batch_is_one_pdf_with_a_cover_sheet_listing_every_mailing_then_the_mailings()
    {
        var letterPdf = LetterPdfRenderer.Render(VariedLetters.All["one item upheld"]);
        var first = MailingPdfRenderer.Render(Mailing(Address), "MAXIMUS Federal Services", ReturnAddress, letterPdf, null);
        var second = MailingPdfRenderer.Render(Mailing(null, AddresseeRoles.Employer) with { RecipientName = "Sample Manufacturing Co." }, "MAXIMUS Federal Services", ReturnAddress, null, "NOTICE");

        var batch = PrintBatchRenderer.Render(new DateOnly(2026, 12, 2), [first, second]);

        using var document = UglyToad.PdfPig.PdfDocument.Open(batch);
        using var a = UglyToad.PdfPig.PdfDocument.Open(first);
        using var b = UglyToad.PdfPig.PdfDocument.Open(second);
        Assert.Equal(1 + a.NumberOfPages + b.NumberOfPages, document.NumberOfPages);
        var cover = string.Join(" ", document.GetPage(1).GetWords().Select(w => w.Text));
        Assert.Contains("MAIL ROOM PRINT BATCH — 2026-12-02", cover);
        Assert.Contains($"Mailings of Wednesday, December 2, 2026: 2, {a.NumberOfPages + b.NumberOfPages} pages", cover);
        Assert.Contains($"1. Mailing CM13-0012345 Injured worker — Sample Worker — {a.NumberOfPages} page(s)", cover);
        Assert.Contains($"2. Mailing CM13-0012345 Employer — Sample Manufacturing Co. — {b.NumberOfPages} page(s) — ADDRESS NOT ON FILE", cover);
        Assert.Contains("Sample Worker", string.Join(" ", document.GetPage(2).GetWords().Select(w => w.Text))); // the first mailing's address sheet
    }

    private static List<string> Lines(Page page) =>
        page.GetWords().GroupBy(w => Math.Round(w.BoundingBox.Bottom)).Select(g => string.Join(" ", g.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text))).ToList();
}
