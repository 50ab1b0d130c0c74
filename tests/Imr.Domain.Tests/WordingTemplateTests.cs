using System.Text.RegularExpressions;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Eligibility;
using Imr.Domain.Letters;

namespace Imr.Domain.Tests;

/// <summary>The wording templates: every program ships all of them, staff overrides take effect, values stay text.</summary>
public class WordingTemplateTests
{
    private static readonly IssuingOrganization Maximus = new("MAXIMUS Federal Services", "MAXIMUS");

    private static string Flat(string s) => Regex.Replace(s, @"\s+", " ");

    private static FinalDeterminationLetter Letter(ReviewProgram program, DecisionOutcome outcome = DecisionOutcome.Overturned) =>
        LetterComposer.Compose(Maximus, SampleData.Package() with { Program = program }, SampleData.Determination(outcome), SampleData.Reviewer("r"), new DateOnly(2024, 1, 2));

    [Fact]
    public void Every_review_program_ships_every_template_and_each_parses()
    {
        foreach (var program in Enum.GetNames<ReviewProgram>())
        {
            foreach (var name in TemplateNames.All)
            {
                var source = WordingTemplates.Shipped.Source(program, name);
                Assert.True(source is not null, $"{program}/{name}.liquid is missing");
                Assert.Null(WordingTemplates.ParseError(source!));
            }
        }
    }

    [Fact]
    public void The_DMHC_program_ships_its_own_wording()
    {
        foreach (var name in TemplateNames.All)
        {
            Assert.NotNull(WordingTemplates.Shipped.Source("CaliforniaDmhc", name));
        }

        var dmhc = WordingTemplates.Shipped.Render("CaliforniaDmhc", TemplateNames.LetterMeaning, new Dictionary<string, object?>
        {
            ["numbered"] = false,
            ["items"] = new List<Dictionary<string, object?>> { new() { ["number"] = 1, ["description"] = "Proton beam therapy", ["outcome"] = "Overturned", ["overturned"] = true } },
        });
        Assert.Contains("within 5 working days (Health and Safety Code section 1374.34(a))", Flat(dmhc));
    }

    [Fact]
    public void Each_program_letter_uses_its_own_wording()
    {
        var workersComp = Flat(LetterTextRenderer.Render(Letter(ReviewProgram.CaliforniaWorkersCompensation)));
        var aca = Flat(LetterTextRenderer.Render(Letter(ReviewProgram.AcaExternalReview)));

        Assert.Contains("Workers' Compensation Appeals Board", workersComp);
        Assert.DoesNotContain("Workers' Compensation Appeals Board", aca);
        Assert.DoesNotContain("claims administrator must", aca);
        Assert.Contains("the plan must immediately provide coverage or payment for this service, including payment for a service already provided (45 CFR 147.136(d))", aca);
        Assert.Contains("binding on you and on the health plan, except to the extent that other remedies are available under State or Federal law", aca);
    }

    [Fact]
    public void Staff_change_the_wording_without_a_build_and_the_letter_still_parses()
    {
        var wording = WordingTemplates.Shipped.WithOverrides(new Dictionary<string, string>
        {
            ["CaliforniaWorkersCompensation/letter-appeal.liquid"] = "You may appeal case {{ caseNumber }} to the WCAB within 30 days (Labor Code section 4610.6(h)).",
        });
        var letter = Letter(ReviewProgram.CaliforniaWorkersCompensation);

        var text = LetterTextRenderer.Render(letter, wording);

        Assert.Contains("\nYou may appeal case CM13-0012345 to the WCAB within 30 days (Labor Code section 4610.6(h)).\n", text);
        Assert.DoesNotContain("Where to file", text);
        Assert.Contains("You may appeal case CM13-0012345", LetterHtmlRenderer.Render(letter, wording));
        Assert.Contains("You may appeal case CM13-0012345", LetterRenderingTests.PdfText(LetterPdfRenderer.Render(letter, wording)));
        Assert.Empty(LetterTextParser.Parse(text).Problems);
        Assert.Contains("Where to file", LetterTextRenderer.Render(letter)); // the shipped set is unchanged
    }

    [Fact]
    public void A_broken_override_is_refused_with_its_error_not_at_letter_time()
    {
        var error = Assert.Throws<InvalidDataException>(() => WordingTemplates.Shipped.WithOverrides(new Dictionary<string, string> { ["CaliforniaWorkersCompensation/letter-appeal"] = "{% if %}" }));

        Assert.Contains("CaliforniaWorkersCompensation/letter-appeal", error.Message);
    }

    [Fact]
    public void A_program_without_a_template_is_an_error_naming_it()
    {
        var letter = Letter(ReviewProgram.CaliforniaWorkersCompensation) with { Program = "NoSuchProgram" };

        var error = Assert.Throws<InvalidOperationException>(() => LetterTextRenderer.Render(letter));

        Assert.Contains("'NoSuchProgram' has no wording template 'letter-meaning'", error.Message);
    }

    [Fact]
    public void Values_are_text_a_description_with_markup_is_encoded_in_html_and_printed_as_is_in_the_pdf()
    {
        var package = SampleData.Package(items => items[0] = items[0] with { Description = "Brace <L0637> & {{ caseNumber }} pads" });
        var letter = LetterComposer.Compose(Maximus, package, SampleData.Determination(DecisionOutcome.Overturned), SampleData.Reviewer("r"), new DateOnly(2024, 1, 2));

        var html = LetterHtmlRenderer.Render(letter);

        Assert.Contains("Brace &lt;L0637&gt; &amp; {{ caseNumber }} pads: Overturned.", html); // a value is never evaluated as a template
        Assert.DoesNotContain("<L0637>", html);
        Assert.Contains("Brace <L0637> & {{ caseNumber }} pads: Overturned.", LetterRenderingTests.PdfText(LetterPdfRenderer.Render(letter)));
    }
}

/// <summary>The notices' content and parties (8 CCR 9792.10.3, 9792.10.4(b)).</summary>
public class NoticeContentTests
{
    private static readonly string[] Address = ["Independent Medical Review", "1 Example Plaza, Suite 100", "Sacramento, CA 95814"];

    private static NoticeOfAssignment Notice(CasePackage package) =>
        new("Example IMR Organization", package.CaseNumber, new DateTimeOffset(2026, 1, 15, 17, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 30, 17, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(15),
            RecordsDeliveryBasis.MailedNotice, ["medical-records.pdf"], "send them to the address above or upload them through the secure document upload of the IMR organization.", AddresseeRoles.ClaimsAdministrator, null)
        {
            Facts = NoticeOfAssignmentFacts.Of(package),
            OrganizationAddress = Address,
        };

    [Fact]
    public void The_notice_of_assignment_states_what_9792_10_4_b_requires()
    {
        var package = SampleData.Package() with
        {
            ClaimNumber = "SCS-2011-004417",
            UtilizationReview = SampleData.Package().UtilizationReview with { RequestForAuthorizationDate = new DateOnly(2013, 5, 28) },
        };

        var text = NoticeOfAssignmentRenderer.Render(Notice(package));

        Assert.Contains("Independent Medical Review organization:\n  Independent Medical Review\n  1 Example Plaza, Suite 100\n  Sacramento, CA 95814\n", text);
        Assert.Contains("Application received: 06/20/2013\n", text);
        Assert.Contains("Utilization review decision: 06/03/2013\n", text);
        Assert.Contains("Request for Authorization: 05/28/2013\n", text);
        Assert.Contains("Requesting physician: Dr. Alex Example\n", text);
        Assert.Contains("Disputed treatment:\n- 12 Physical Therapy sessions for the lumbar spine\n", text);
        Assert.Contains("Claim Number: SCS-2011-004417\n", text);
        Assert.Contains("(8 CCR 9792.10.4(b), 9792.10.5)", text);
        Assert.DoesNotContain("Sample Worker", text); // the parties know the claim by its numbers
        Assert.DoesNotContain("\n\n\n", text);
    }

    [Fact]
    public void The_notice_of_assignment_says_how_records_reach_the_IMRO_not_a_storage_container()
    {
        var text = NoticeOfAssignmentRenderer.Render(Notice(SampleData.Package()));

        Assert.Contains("How to send the records: send them to the address above or upload them through the secure document upload of the IMR organization. Mark each document with IMR case number CM13-0012345", text);
        Assert.DoesNotContain("container", text);
        Assert.DoesNotContain("'intake'", text);
        Assert.Contains("Request for Authorization: date not given in the application\n", text);
    }

    [Fact]
    public void The_notice_of_assignment_goes_to_the_worker_and_the_attorney_9792_10_4_b()
    {
        var parties = ServedParties.OfNoticeOfAssignment(SampleData.Package() with { EmployeeAttorney = "Jane Counsel, Esq." });

        Assert.Equal([AddresseeRoles.ClaimsAdministrator, AddresseeRoles.InjuredWorker, AddresseeRoles.EmployeeAttorney, AddresseeRoles.RequestingPhysician], parties.Select(p => p.Role));
    }

    [Fact]
    public void The_ineligibility_notice_goes_to_every_party_with_appeal_rights_9792_10_3()
    {
        var package = SampleData.Package() with { EmployeeAttorney = "Jane Counsel, Esq." };

        var parties = ServedParties.OfIneligibilityNotice(package);
        var text = IneligibilityNoticeRenderer.Render(new IneligibilityNotice("MAXIMUS Federal Services", "CM13-0000002", new DateOnly(2013, 6, 20), new DateOnly(2013, 6, 21), ["Untimely: x."], null)
        {
            Addressee = AddresseeRoles.RequestingPhysician,
            OrganizationAddress = Address,
        });

        Assert.Equal([AddresseeRoles.InjuredWorker, AddresseeRoles.EmployeeAttorney, AddresseeRoles.ClaimsAdministrator, AddresseeRoles.RequestingPhysician], parties.Select(p => p.Role));
        Assert.Contains("To: Requesting physician\n", text);
        Assert.Contains("Your right to appeal: any party who disagrees with this determination may appeal it by filing a petition with the Workers' Compensation Appeals Board", text);
        Assert.Contains("\nSacramento, CA 95814\n", text);
        Assert.DoesNotContain("\n\n\n", text);
    }

    [Fact]
    public void The_ACA_ineligibility_notice_has_its_own_rights()
    {
        var text = IneligibilityNoticeRenderer.Render(new IneligibilityNotice("Example IRO", "EXT-1", new DateOnly(2024, 6, 20), new DateOnly(2024, 6, 21), ["Untimely: x."], null) { Program = nameof(ReviewProgram.AcaExternalReview) });

        Assert.Contains("not eligible for review", text);
        Assert.Contains("Employee Benefits Security Administration", text);
        Assert.DoesNotContain("Workers' Compensation Appeals Board", text);
    }
}
