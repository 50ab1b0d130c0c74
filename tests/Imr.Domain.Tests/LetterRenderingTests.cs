using System.Text.Json;
using System.Text.RegularExpressions;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Letters;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Imr.Domain.Tests;

/// <summary>The letter against the sample in shared/seeds, the parser, and the PDF read back with PdfPig.</summary>
public class LetterRenderingTests
{
    private static readonly IssuingOrganization Maximus = new("MAXIMUS Federal Services", "MAXIMUS");

    public static string SeedLetter => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Assets", "seed-final-determination-letter.txt"));

    /// <summary>The reviewer's answers for the sample case (samples/sample-case/determination.json).</summary>
    private static Determination SampleDetermination()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "samples", "sample-case", "determination.json");
            if (File.Exists(path)) return JsonSerializer.Deserialize<Determination>(File.ReadAllBytes(path), CasePackage.JsonOptions)!;
        }

        throw new FileNotFoundException("samples/sample-case/determination.json");
    }

    /// <summary>
    /// White space is layout, not wording: every run becomes one space. The seed also has one typo, a doubled full stop
    /// after its page numbers ("98-99.."), which the golden comparison reads as one.
    /// </summary>
    private static string Normalize(string s) => Regex.Replace(Regex.Replace(s, @"\s+", " "), @"\.\.+", ".").Trim();

    private static string Section(string text, string heading, params string[] nextHeadings)
    {
        var start = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {heading}");
        var end = nextHeadings.Select(h => text.IndexOf(h, start, StringComparison.Ordinal)).Where(i => i > start).DefaultIfEmpty(text.Length).Min();
        return Normalize(text[start..end]);
    }

    [Fact]
    public void Golden_the_sample_case_renders_the_sections_of_the_sample_letter()
    {
        var letter = LetterComposer.Compose(Maximus, SampleData.Package(), SampleDetermination(), SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15));
        var text = LetterTextRenderer.Render(letter);
        var seed = SeedLetter;

        string[] headings = [LetterTextRenderer.HowMadeHeading, LetterTextRenderer.SummaryHeading, LetterTextRenderer.IssuesHeading, LetterTextRenderer.MeaningHeading];
        foreach (var heading in headings[..3])
        {
            Assert.Equal(Section(seed, heading, headings), Section(text, heading, headings));
        }
    }

    [Fact]
    public void The_parser_reads_the_sample_letter_exactly()
    {
        var sample = SampleDetermination();
        var decision = sample.Decisions.Single();

        var parsed = LetterTextParser.Parse(SeedLetter);

        Assert.Empty(parsed.Problems);
        var expected = new FinalDeterminationLetter
        {
            Organization = Maximus,
            Reviewer = new ReviewerQualifications("Orthopedic Spine Surgery", "Texas", 5, 24),
            ClinicalCaseSummary = sample.ClinicalCaseSummary,
            Issues = [new LetterIssue("12 Physical Therapy sessions for the lumbar spine", DecisionOutcome.Upheld, decision.ClaimsAdministratorGuideline, decision.OrganizationGuideline, "98-99", decision.Rationale)],
        };
        Assert.Equal(expected, parsed.Letter);
        Assert.Equal("", parsed.Letter!.CaseNumber); // the sample is an excerpt without a header
        Assert.Null(parsed.Letter.ApplicationDate);
    }

    [Fact]
    public void The_sample_letter_parsed_and_rendered_again_says_the_same_words()
    {
        var rendered = LetterTextRenderer.Render(LetterTextParser.Parse(SeedLetter).Letter!);

        string[] headings = [LetterTextRenderer.HowMadeHeading, LetterTextRenderer.SummaryHeading, LetterTextRenderer.IssuesHeading, LetterTextRenderer.MeaningHeading];
        foreach (var heading in headings[..3])
        {
            Assert.Equal(Section(SeedLetter, heading, headings), Section(rendered, heading, headings));
        }
    }

    public static TheoryData<string> Cases => new(VariedLetters.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Render_parse_render_is_stable(string name)
    {
        var letter = VariedLetters.All[name];
        var text = LetterTextRenderer.Render(letter);

        var parsed = LetterTextParser.Parse(text);

        Assert.Empty(parsed.Problems);
        Assert.Equal(letter, parsed.Letter);
        Assert.Equal(text, LetterTextRenderer.Render(parsed.Letter!));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_pdf_read_back_with_PdfPig_says_what_the_text_rendering_says(string name)
    {
        var letter = VariedLetters.All[name];

        var first = PdfText(LetterPdfRenderer.Render(letter));
        var second = PdfText(LetterPdfRenderer.Render(letter));

        Assert.Equal(Regex.Replace(LetterTextRenderer.Render(letter), @"\s+", " ").Trim(), first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void The_same_determination_renders_identical_text_and_pdf_text()
    {
        var a = LetterComposer.Compose(Maximus, SampleData.Package(), SampleDetermination(), SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15));
        var b = LetterComposer.Compose(Maximus, SampleData.Package(), SampleDetermination(), SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15));

        Assert.Equal(LetterTextRenderer.Render(a), LetterTextRenderer.Render(b));
        Assert.Equal(PdfText(LetterPdfRenderer.Render(a)), PdfText(LetterPdfRenderer.Render(b)));
    }

    [Fact]
    public void The_organization_is_configuration()
    {
        var letter = LetterComposer.Compose(new IssuingOrganization("Golden State Review Partners", "GSRP"), SampleData.Package(), SampleData.Determination(), SampleData.Reviewer("r"), new DateOnly(2024, 1, 2));
        var text = LetterTextRenderer.Render(letter);

        Assert.StartsWith("Golden State Review Partners sent the complete case file", Section(text, LetterTextRenderer.HowMadeHeading).Replace(LetterTextRenderer.HowMadeHeading + " ", ""));
        Assert.Contains("GSRP guideline: Decision based on", text);
        Assert.DoesNotContain("MAXIMUS", text);
    }

    [Fact]
    public void The_letter_carries_case_number_dates_parties_meaning_and_appeal_right()
    {
        var letter = LetterComposer.Compose(Maximus, SampleData.Package(), SampleData.Determination(DecisionOutcome.Overturned), SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15), new DateOnly(2013, 6, 25));
        var text = LetterTextRenderer.Render(letter);

        Assert.Contains("IMR Case Number: CM13-0012345\n", text);
        Assert.Contains("Application Received: 06/20/2013\n", text);
        Assert.Contains("Medical Records Received: 06/25/2013\n", text);
        Assert.Contains("Date of Final Determination: 07/15/2013\n", text);
        Assert.Contains("  Injured worker: Sample Worker\n", text);
        Assert.Contains("  Claims administrator: Sample Claims Services\n", text);
        Assert.Contains("  Requesting physician: Dr. Alex Example\n", text);
        Assert.Contains("  Employer: Sample Manufacturing Co.\n", text);
        Assert.Contains("  Administrative Director: Administrative Director, Division of Workers' Compensation\n", text);
        Assert.Contains("12 Physical Therapy sessions for the lumbar spine: Overturned. The claims administrator must authorize this treatment within 5 working days", text);
        Assert.Contains("verified petition with the Workers' Compensation Appeals Board within 30 days of the service of this letter", text);
        Assert.DoesNotContain("Dr. rev-002", text);
    }

    [Fact]
    public void A_represented_worker_is_served_and_the_attorney_too_LC_4610_6()
    {
        var package = SampleData.Package() with { EmployeeAttorney = "Jane Counsel, Esq." };

        var addressees = LetterComposer.AddresseesOf(package);

        // The attorney's copy is beside the worker's, not instead of it (issue #15).
        Assert.Equal(new Addressee(AddresseeRoles.InjuredWorker, "Sample Worker"), addressees[0]);
        Assert.Equal(new Addressee(AddresseeRoles.EmployeeAttorney, "Jane Counsel, Esq."), addressees[1]);
        Assert.Equal(6, addressees.Count);
    }

    [Fact]
    public void The_html_rendering_has_the_same_sections_and_escapes_text()
    {
        var letter = VariedLetters.All["non-ASCII names"] with { ClinicalCaseSummary = "Pain <8/10> & worse." };

        var html = LetterHtmlRenderer.Render(letter);

        Assert.Contains("<h2>HOW THE IMR FINAL DETERMINATION WAS MADE</h2>", html);
        Assert.Contains("<p>Pain &lt;8/10&gt; &amp; worse.</p>", html);
        Assert.Contains("José Ñúñez-Øster", html);
    }

    [Fact]
    public void The_quality_check_names_what_is_missing_and_refuses_a_letter_that_names_the_reviewer()
    {
        var good = VariedLetters.All["one item upheld"];
        Assert.Empty(LetterQualityCheck.Check(good, "Dr. Taylor Spine"));

        var named = good with { Issues = [good.Issues[0] with { Rationale = "I, Taylor Spine, find the request not necessary." }] };
        var unqualified = good with { Reviewer = new ReviewerQualifications("", "Texas", 3, 0) };
        var empty = good with { ClinicalCaseSummary = " ", Issues = [good.Issues[0] with { OrganizationGuideline = ".", Rationale = "" }] };

        Assert.Equal(["The letter must not name the expert reviewer: remove your name from the summary and rationales."], LetterQualityCheck.Check(named, "Dr. Taylor Spine"));
        Assert.Equal(3, LetterQualityCheck.Check(unqualified).Count);
        Assert.Equal(3, LetterQualityCheck.Check(empty).Count);
    }

    [Fact]
    public void A_text_that_is_not_a_letter_gets_clear_reasons()
    {
        var parsed = LetterTextParser.Parse("Dear worker, your case was decided.");

        Assert.Null(parsed.Letter);
        Assert.Contains("The section 'HOW THE IMR FINAL DETERMINATION WAS MADE' is missing.", parsed.Problems);
    }

    [Fact]
    public void An_item_without_its_rationale_is_reported()
    {
        var text = LetterTextRenderer.Render(VariedLetters.All["one item upheld"]);
        var broken = text[..text.IndexOf(LetterTextRenderer.RationaleLabel, StringComparison.Ordinal)];

        var parsed = LetterTextParser.Parse(broken);

        Assert.Null(parsed.Letter);
        Assert.Contains(parsed.Problems, p => p.Contains("is incomplete", StringComparison.Ordinal));
    }

    /// <summary>All pages' text in content order, white space collapsed (line breaks of wrapped paragraphs become spaces).</summary>
    /// <summary>The PDF's text without its running footer (an artifact, see <see cref="LetterPdfRenderer.Footer"/>), white space as one space.</summary>
    public static string PdfText(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        var pages = document.GetPages().Select(p => ContentOrderTextExtractor.GetText(p));
        var text = Regex.Replace(string.Join("\n", pages), @"(IMR Case Number \S+ — )?Page \d+ of \d+", " ");
        return Regex.Replace(text, @"\s+", " ").Trim();
    }

    [Fact]
    public void The_PDFsharp_document_types_whose_invoke_stubs_are_kept_are_all_found() =>
        Assert.Equal(8, EmbeddedFontResolver.KeptTypeCount);
}

/// <summary>The kind of evidence relied on: kept in the determination, cited in every rendering, read back by the parser.</summary>
public class EvidenceBasisTests
{
    private static readonly IssuingOrganization Maximus = new("MAXIMUS Federal Services", "MAXIMUS");

    private static Determination WithEvidence(EvidenceBasis basis, string source, string pages)
    {
        var sample = SampleData.Determination(DecisionOutcome.Overturned);
        return sample with { Decisions = [sample.Decisions[0] with { Evidence = basis, OrganizationGuideline = source, Pages = pages }] };
    }

    [Fact]
    public void Non_MTUS_evidence_is_cited_with_its_level_in_text_html_and_pdf()
    {
        var letter = LetterComposer.Compose(Maximus, SampleData.Package(), WithEvidence(EvidenceBasis.PeerReviewed, "Smith J, et al. Spine. 2019;44(3):1-9", "4"), SampleData.Reviewer("rev-002"), new DateOnly(2024, 3, 1));
        const string line = "MAXIMUS guideline: Decision based on Non-MTUS Citation, peer-reviewed scientific and medical evidence: Smith J, et al. Spine. 2019;44(3):1-9 Page(s): 4.";

        Assert.Equal(EvidenceBasis.PeerReviewed, Assert.Single(letter.Issues).Evidence);
        Assert.Contains(line, LetterTextRenderer.Render(letter).Split('\n'));
        Assert.Contains($"<p>{line}</p>", LetterHtmlRenderer.Render(letter));
        Assert.Contains(line, LetterRenderingTests.PdfText(LetterPdfRenderer.Render(letter)));
        Assert.Equal(letter.Issues, LetterTextParser.Parse(LetterTextRenderer.Render(letter)).Letter!.Issues); // (the years of practice are read back rounded)
    }

    [Fact]
    public void MTUS_is_cited_as_typed_and_is_the_default()
    {
        var letter = LetterComposer.Compose(Maximus, SampleData.Package(), SampleData.Determination(), SampleData.Reviewer("rev-002"), new DateOnly(2024, 3, 1));

        Assert.Equal(EvidenceBasis.Mtus, Assert.Single(letter.Issues).Evidence);
        Assert.Contains("MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Physical Medicine Page(s): 98-99.", LetterTextRenderer.Render(letter).Split('\n'));
    }

    [Theory]
    [InlineData(EvidenceBasis.NationalStandards, "nationally recognized professional standards")]
    [InlineData(EvidenceBasis.ExpertOpinion, "expert opinion")]
    [InlineData(EvidenceBasis.GenerallyAccepted, "generally accepted standards of medical practice")]
    [InlineData(EvidenceBasis.NoOtherTreatment, "treatment likely to benefit where other treatments are not clinically efficacious")]
    public void Each_lower_level_is_named_and_read_back(EvidenceBasis basis, string wording)
    {
        var cited = EvidenceBases.Cite(basis, "ACOEM Practice Guidelines, Chapter 12");

        Assert.Equal($"Non-MTUS Citation, {wording}: ACOEM Practice Guidelines, Chapter 12", cited);
        Assert.Equal((basis, "ACOEM Practice Guidelines, Chapter 12"), EvidenceBases.ReadCitation(cited));
    }

    [Fact]
    public void A_historical_non_MTUS_citation_without_a_level_is_kept_as_written()
    {
        Assert.Equal((EvidenceBasis.Mtus, "Non-MTUS Citation Official Disability Guidelines (ODG), Low Back"), EvidenceBases.ReadCitation("Non-MTUS Citation Official Disability Guidelines (ODG), Low Back"));
    }

    [Fact]
    public void The_stored_determination_keeps_the_evidence_and_an_older_one_without_it_reads_as_MTUS()
    {
        var json = JsonSerializer.Serialize(WithEvidence(EvidenceBasis.ExpertOpinion, "Opinion of the AAOS panel", ""), CasePackage.JsonOptions);

        Assert.Contains("\"evidence\": \"ExpertOpinion\"", json);
        Assert.Equal(EvidenceBasis.ExpertOpinion, JsonSerializer.Deserialize<Determination>(json, CasePackage.JsonOptions)!.Decisions[0].Evidence);
        var older = json.Replace("\"evidence\": \"ExpertOpinion\",", "", StringComparison.Ordinal);
        Assert.Equal(EvidenceBasis.Mtus, JsonSerializer.Deserialize<Determination>(older, CasePackage.JsonOptions)!.Decisions[0].Evidence);
    }
}

/// <remarks>DejaVu Sans has Latin, Greek, Cyrillic and Vietnamese but no CJK glyphs: CJK names would not survive the PDF.</remarks>
/// <summary>Letters built to exercise the renderers and the parser: sizes, outcomes, long texts, non-ASCII names, a correction.</summary>
public static class VariedLetters
{
    private static LetterIssue Issue(int n, DecisionOutcome outcome, string? rationale = null) => new(
        $"{n} sessions of acupuncture for the cervical spine (request {n})",
        outcome,
        "MTUS Acupuncture Medical Treatment Guidelines",
        "ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 8",
        n % 3 == 0 ? "" : $"{170 + n}-{171 + n}",
        rationale ?? $"The records document {n} prior visits with functional improvement; further treatment is {(outcome == DecisionOutcome.Overturned ? "supported" : "not supported")}.");

    private static FinalDeterminationLetter Letter(IReadOnlyList<LetterIssue> issues, Func<FinalDeterminationLetter, FinalDeterminationLetter>? change = null)
    {
        var letter = new FinalDeterminationLetter
        {
            Organization = new IssuingOrganization("MAXIMUS Federal Services", "MAXIMUS"),
            CaseNumber = "CM24-0000042",
            ApplicationDate = new DateOnly(2024, 2, 1),
            RecordsReceivedDate = new DateOnly(2024, 2, 9),
            DeterminationDate = new DateOnly(2024, 3, 1),
            AddressedTo =
            [
                new Addressee(AddresseeRoles.InjuredWorker, "Pat Worker"),
                new Addressee(AddresseeRoles.ClaimsAdministrator, "Example Claims Services"),
                new Addressee(AddresseeRoles.RequestingPhysician, "Dr. Sam Requester"),
                new Addressee(AddresseeRoles.Employer, "Example Logistics LLC"),
                new Addressee(AddresseeRoles.AdministrativeDirector, LetterComposer.AdministrativeDirector),
            ],
            Reviewer = new ReviewerQualifications("Physical Medicine and Rehabilitation", "California", 15, 30),
            ClinicalCaseSummary = "The injured worker is a 41-year-old female who reported an injury on 01/02/2020 while lifting boxes.",
            Issues = issues,
        };
        return change is null ? letter : change(letter);
    }

    public static readonly IReadOnlyDictionary<string, FinalDeterminationLetter> All = new Dictionary<string, FinalDeterminationLetter>
    {
        ["one item upheld"] = Letter([Issue(1, DecisionOutcome.Upheld)]),
        ["one item overturned"] = Letter([Issue(1, DecisionOutcome.Overturned)]),
        ["twenty items, both outcomes"] = Letter(Enumerable.Range(1, 20).Select(n => Issue(n, n % 2 == 0 ? DecisionOutcome.Overturned : DecisionOutcome.Upheld)).ToList()),
        ["long rationales"] = Letter(
        [
            Issue(1, DecisionOutcome.Upheld, string.Join(' ', Enumerable.Repeat("The guideline recommends a trial of six visits with documented objective functional improvement before more are authorized; none is documented here.", 40))),
            Issue(2, DecisionOutcome.Overturned, string.Join(' ', Enumerable.Repeat("The records show a clear, measurable gain in range of motion: Upheld and Overturned are words, not decisions, inside a rationale.", 30))),
        ], l => l with { ClinicalCaseSummary = string.Join(' ', Enumerable.Repeat("The worker was evaluated repeatedly; the findings were stable.", 60)) }),
        ["non-ASCII names"] = Letter([Issue(1, DecisionOutcome.Overturned)], l => l with
        {
            AddressedTo = [new Addressee(AddresseeRoles.EmployeeAttorney, "José Ñúñez-Øster, Esq."), new Addressee(AddresseeRoles.ClaimsAdministrator, "Zoë Łukasiewicz Claims Ltd."), new Addressee(AddresseeRoles.Employer, "Ελληνική Example — Café Crème")],
            ClinicalCaseSummary = "Ms. Nguyễn Thị Minh Khai, 52, reported pain ≥ 7/10 after a fall; the Ω-shaped scar is noted.",
        }),
        ["a correction, version 2"] = Letter([Issue(1, DecisionOutcome.Upheld)], l => l with { Version = 2, CorrectionReason = "The requesting physician's name was misspelled." }),
        ["every level of the evidence hierarchy"] = Letter(Enum.GetValues<EvidenceBasis>()
            .Select((basis, n) => Issue(n + 1, n % 2 == 0 ? DecisionOutcome.Upheld : DecisionOutcome.Overturned) with
            {
                Evidence = basis,
                OrganizationGuideline = basis == EvidenceBasis.Mtus ? "MTUS Acupuncture Medical Treatment Guidelines" : $"Source of level {basis}: Smith J, et al. Spine. 2019;44(3):1-9",
            }).ToList()),
    };
}
