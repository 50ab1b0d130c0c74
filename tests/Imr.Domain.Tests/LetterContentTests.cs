using System.Text.RegularExpressions;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Letters;
using PdfSharp.Pdf.IO;

namespace Imr.Domain.Tests;

/// <summary>What a real IMRO's letter must say (issue #15), each rule with its section; the PDF's tags read back.</summary>
public class LetterContentTests
{
    private static readonly IssuingOrganization Maximus = new("MAXIMUS Federal Services", "MAXIMUS");

    private static CasePackage Package(Func<CasePackage, CasePackage>? change = null)
    {
        var package = SampleData.Package() with
        {
            ClaimNumber = "SCS-2011-004417",
            Documents =
            [
                new CaseDocument { FileName = "ur-decision.pdf", Kind = DocumentKind.UtilizationReviewLetter, MediaType = "application/pdf", Size = 10, Sha256 = new string('a', 64) },
                new CaseDocument { FileName = "medical-records.pdf", Kind = DocumentKind.MedicalRecords, MediaType = "application/pdf", Size = 10, Sha256 = new string('b', 64) },
            ],
        };
        return change is null ? package : change(package);
    }

    private static FinalDeterminationLetter Compose(CasePackage package, DecisionOutcome outcome = DecisionOutcome.Upheld) =>
        LetterComposer.Compose(Maximus, package, SampleData.Determination(outcome), SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15));

    private static string Flat(string s) => Regex.Replace(s, @"\s+", " ");

    [Fact]
    public void The_header_carries_claim_number_date_of_injury_UR_decision_date_priority_and_documents_reviewed()
    {
        var text = LetterTextRenderer.Render(Compose(Package()));

        Assert.Contains("Claim Number: SCS-2011-004417\n", text);
        Assert.Contains("Date of Injury: 05/24/2011\n", text);
        Assert.Contains("UR Decision Date: 06/03/2013\n", text);
        Assert.Contains("Priority: Standard\n", text);
        Assert.Contains("Documents Reviewed: ur-decision.pdf; medical-records.pdf\n", text);
        Assert.Contains("Priority: Expedited\n", LetterTextRenderer.Render(Compose(Package(p => p with { Expedited = true }))));
    }

    [Fact]
    public void The_header_fields_survive_render_parse_render()
    {
        var letter = Compose(Package());
        var text = LetterTextRenderer.Render(letter);

        var parsed = LetterTextParser.Parse(text);

        Assert.Empty(parsed.Problems);
        // Years of practice print as "more than five years": the parser reads the multiple of five, the rest must match.
        Assert.Equal(letter, parsed.Letter! with { Reviewer = letter.Reviewer });
        Assert.Equal(text, LetterTextRenderer.Render(parsed.Letter!));
    }

    [Fact]
    public void A_multi_item_letter_numbers_its_items_and_a_single_item_letter_does_not()
    {
        var two = SampleData.Package(items => items.Add(new DisputedItem { ItemId = "MRI-1", Description = "MRI of the lumbar spine", Category = "Imaging", BodyPart = "lumbar spine" }));
        var determination = SampleData.Determination() with
        {
            Decisions = [.. SampleData.Determination().Decisions, SampleData.Determination(DecisionOutcome.Overturned).Decisions[0] with { ItemId = "MRI-1" }],
        };

        var text = LetterTextRenderer.Render(LetterComposer.Compose(Maximus, two, determination, SampleData.Reviewer("r"), new DateOnly(2013, 7, 15)));

        Assert.Contains("\n1. 12 Physical Therapy sessions for the lumbar spine:  Upheld\n", text);
        Assert.Contains("\n2. MRI of the lumbar spine:  Overturned\n", text);
        Assert.Contains("\n2. MRI of the lumbar spine: Overturned. The claims administrator must authorize", text);
        Assert.Equal(LetterTextParser.Parse(text).Letter!.Issues.Select(i => i.Description), ["12 Physical Therapy sessions for the lumbar spine", "MRI of the lumbar spine"]);
        Assert.Contains("\n12 Physical Therapy sessions for the lumbar spine:  Upheld\n", LetterTextRenderer.Render(Compose(Package())));
    }

    [Fact]
    public void An_overturned_item_is_reimbursed_within_20_days_when_already_provided_9792_10_7_a_1()
    {
        var overturned = Flat(LetterTextRenderer.Render(Compose(Package(), DecisionOutcome.Overturned)));
        var upheld = Flat(LetterTextRenderer.Render(Compose(Package())));

        Assert.Contains("If the treatment has already been provided, the claims administrator must reimburse it within 20 days of receiving this letter (8 CCR 9792.10.7(a)(1)).", overturned);
        Assert.DoesNotContain("reimburse", upheld);
    }

    [Fact]
    public void The_appeal_paragraph_gives_30_days_5_more_by_mail_the_grounds_and_where_to_file_LC_4610_6_h()
    {
        var text = Flat(LetterTextRenderer.Render(Compose(Package())));

        Assert.Contains("verified petition with the Workers' Compensation Appeals Board within 30 days of the service of this letter", text);
        Assert.Contains("When this letter was served by mail, 5 days are added to that time (35 days from the date of mailing", text);
        Assert.Contains("(Labor Code section 4610.6(h))", text);
        foreach (var ground in new[] { "without or in excess of the Administrative Director's powers", "procured by fraud", "material conflict of interest", "the result of bias on the basis of race", "plainly erroneous express or implied finding of fact" })
        {
            Assert.Contains(ground, text);
        }

        Assert.Contains("Where to file: file the verified petition with the district office of the Workers' Compensation Appeals Board that has venue", text);
        Assert.Contains("serve a copy on every other party and on the Administrative Director, Division of Workers' Compensation", text);
    }

    [Fact]
    public void The_worker_and_the_attorney_are_both_served_with_the_letter_LC_4610_6()
    {
        var letter = Compose(Package(p => p with { EmployeeAttorney = "Jane Counsel, Esq." }));
        var text = LetterTextRenderer.Render(letter);

        Assert.Contains("  Injured worker: Sample Worker\n", text);
        Assert.Contains("  Employee's attorney: Jane Counsel, Esq.\n", text);
        Assert.Equal(
            [AddresseeRoles.InjuredWorker, AddresseeRoles.EmployeeAttorney, AddresseeRoles.ClaimsAdministrator, AddresseeRoles.RequestingPhysician, AddresseeRoles.Employer, AddresseeRoles.AdministrativeDirector],
            letter.AddressedTo.Select(a => a.Role));
    }

    [Fact]
    public void Every_page_of_the_pdf_shows_the_case_number_and_page_n_of_m()
    {
        var letter = VariedLetters.All["twenty items, both outcomes"];

        using var pdf = UglyToad.PdfPig.PdfDocument.Open(LetterPdfRenderer.Render(letter));
        var pages = pdf.GetPages().ToList();

        Assert.True(pages.Count > 2, "twenty items fill several pages");
        foreach (var page in pages)
        {
            Assert.Contains($"IMR Case Number CM24-0000042 — Page {page.Number} of {pages.Count}", string.Join(" ", page.GetWords().Select(w => w.Text)));
        }
    }

    [Fact]
    public void The_pdf_is_tagged_structure_tree_language_and_title_read_back_with_PDFsharp()
    {
        var letter = VariedLetters.All["twenty items, both outcomes"];

        using var document = PdfReader.Open(new MemoryStream(LetterPdfRenderer.Render(letter)), PdfDocumentOpenMode.Import);
        var catalog = document.Internals.Catalog;

        Assert.Equal("en-US", catalog.Elements.GetString("/Lang"));
        Assert.True(catalog.Elements.GetDictionary("/MarkInfo")!.Elements.GetBoolean("/Marked"));
        Assert.True(catalog.Elements.GetDictionary("/ViewerPreferences")!.Elements.GetBoolean("/DisplayDocTitle"));
        Assert.Equal("Final Determination Letter CM24-0000042", document.Info.Title);
        var tags = PdfStructure.Tags(catalog);
        Assert.Equal("/Document", tags[0]);
        Assert.Single(tags, "/H1");
        // HOW MADE, SUMMARY, ISSUES, MEANING, APPEAL; one H3 per disputed item (a heading never splits across pages).
        Assert.Equal(5, tags.Count(t => t == "/H2"));
        Assert.Equal(20, tags.Count(t => t == "/H3"));
        Assert.True(tags.Count(t => t == "/P") >= 20 * 3, "each item's guidelines and rationale are paragraphs");
        Assert.DoesNotContain(tags, t => t is not ("/Document" or "/H1" or "/H2" or "/H3" or "/P"));
    }
}
