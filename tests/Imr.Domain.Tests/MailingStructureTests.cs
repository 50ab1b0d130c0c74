using Imr.Domain.Cases;
using Imr.Domain.Letters;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace Imr.Domain.Tests;

/// <summary>A notice mailing PDF is tagged like the letter: structure tree, language, title shown — read back with PDFsharp.</summary>
public class MailingStructureTests
{
    private static readonly PostalAddress Address = new() { Line1 = "100 Main Street", City = "Fresno", State = "CA", PostalCode = "93721" };
    private static readonly string[] ReturnAddress = ["1 Example Plaza, Suite 100", "Sacramento, CA 95814"];

    private static Mailing Mailing(string role = AddresseeRoles.InjuredWorker) =>
        new("CM13-0012345", "notice-" + role, role, "Sample Worker", Address, "Notice of Assignment", new DateOnly(2026, 12, 2));

    private static (PdfDictionary Catalog, List<string> Tags, string? Title) ReadBack(byte[] pdf)
    {
        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Import);
        var catalog = document.Internals.Catalog;
        return (catalog, PdfStructure.Tags(catalog), document.Info.Title);
    }

    [Fact]
    public void A_notice_mailing_is_tagged_address_sheet_heading_and_every_line_of_the_notice_a_paragraph()
    {
        const string notice = "NOTICE OF ASSIGNMENT\n\nIMR Case Number: CM13-0012345\nThe records are due in 15 days.";
        var (catalog, tags, title) = ReadBack(MailingPdfRenderer.Render(Mailing(), "MAXIMUS Federal Services", ReturnAddress, null, notice));

        Assert.Equal("en-US", catalog.Elements.GetString("/Lang"));
        Assert.True(catalog.Elements.GetDictionary("/MarkInfo")!.Elements.GetBoolean("/Marked"));
        Assert.True(catalog.Elements.GetDictionary("/ViewerPreferences")!.Elements.GetBoolean("/DisplayDocTitle"));
        Assert.Equal("Mailing CM13-0012345 Injured worker", title);
        Assert.Equal("/Document", tags[0]);
        Assert.Single(tags, "/H1");
        // Sheet: return address, recipient block, three lines of what is enclosed; notice: its three non-empty lines.
        Assert.Equal(5 + 3, tags.Count(t => t == "/P"));
    }

    [Fact]
    public void A_mailing_enclosing_the_letter_pdf_imports_its_pages_untagged_the_letter_blob_is_the_tagged_one()
    {
        var letterPdf = LetterPdfRenderer.Render(VariedLetters.All["one item upheld"]);

        using var document = PdfReader.Open(new MemoryStream(MailingPdfRenderer.Render(Mailing(), "MAXIMUS Federal Services", ReturnAddress, letterPdf, null)), PdfDocumentOpenMode.Import);

        Assert.Null(document.Internals.Catalog.Elements.GetDictionary("/StructTreeRoot"));
        Assert.NotNull(ReadBack(letterPdf).Catalog.Elements.GetDictionary("/StructTreeRoot"));
    }
}
