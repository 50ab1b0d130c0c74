using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Web;

namespace Imr.Functions.Tests;

/// <summary>The determination form's mapping to the domain (no storage involved).</summary>
public sealed class ReviewerFormsTests
{
    private static readonly CasePackage Package = CasePackage.Parse(TestEnvironment.SampleManifest("CM13-0012345")).Package!;

    private static FormState Form(string evidence, string pages) => new(new Dictionary<string, string>
    {
        [ReviewerForms.Summary] = "The injured worker is a 54-year-old male with ongoing low back pain.",
        [ReviewerForms.Outcome("PT-LUMBAR-12")] = "Overturned",
        [ReviewerForms.CaGuideline("PT-LUMBAR-12")] = "MTUS Chronic Pain Treatment Guidelines",
        [ReviewerForms.Evidence("PT-LUMBAR-12")] = evidence,
        [ReviewerForms.OrgGuideline("PT-LUMBAR-12")] = "Smith J, et al. Spine. 2019;44(3):1-9",
        [ReviewerForms.Pages("PT-LUMBAR-12")] = pages,
        [ReviewerForms.Rationale("PT-LUMBAR-12")] = "The evidence supports a further course of therapy.",
    });

    [Fact]
    public void The_chosen_evidence_is_kept_in_the_determination_and_in_what_was_received()
    {
        var form = Form("PeerReviewed", "");

        var determination = ReviewerForms.ReadDetermination(form, Package);

        Assert.True(form.IsValid, string.Join("; ", form.Errors));
        Assert.Equal(EvidenceBasis.PeerReviewed, Assert.Single(determination!.Decisions).Evidence); // no pages needed outside MTUS
        Assert.Equal(
            "12 Physical Therapy sessions for the lumbar spine: Overturned. Evidence relied on: Peer-reviewed scientific and medical evidence — Smith J, et al. Spine. 2019;44(3):1-9.",
            Assert.Single(ReviewerForms.Received(determination, Package)));
    }

    [Fact]
    public void MTUS_needs_its_pages_and_an_unknown_level_is_refused()
    {
        var mtus = Form("MTUS", "");
        Assert.Null(ReviewerForms.ReadDetermination(mtus, Package));
        Assert.NotNull(mtus.ErrorFor(ReviewerForms.Pages("PT-LUMBAR-12")));

        var unknown = Form("Hearsay", "12");
        Assert.Null(ReviewerForms.ReadDetermination(unknown, Package));
        Assert.Equal("Choose the kind of evidence relied on.", unknown.ErrorFor(ReviewerForms.Evidence("PT-LUMBAR-12")));

        var withPages = Form("MTUS", "98-99");
        Assert.Equal(EvidenceBasis.Mtus, ReviewerForms.ReadDetermination(withPages, Package)!.Decisions[0].Evidence);
        Assert.EndsWith("Evidence relied on: MTUS — Medical Treatment Utilization Schedule — Smith J, et al. Spine. 2019;44(3):1-9, page(s) 98-99.",
            ReviewerForms.Received(ReviewerForms.ReadDetermination(Form("MTUS", "98-99"), Package)!, Package).Single());
    }
}
