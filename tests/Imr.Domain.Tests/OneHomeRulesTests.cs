using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Determinations;
using Imr.Domain.Eligibility;
using Imr.Domain.Letters;

namespace Imr.Domain.Tests;

/// <summary>The rules that had several homes and now have one: quality check, served parties, records deadline, link lifetimes, notice texts.</summary>
public sealed class OneHomeRulesTests
{
    private static readonly IssuingOrganization Organization = new("MAXIMUS Federal Services", "MAXIMUS");

    [Fact]
    public void The_determination_check_and_the_letter_check_are_one_quality_check()
    {
        var package = SampleData.Package();
        var incomplete = SampleData.Determination() with { ClinicalCaseSummary = " " };

        Assert.Equal(LetterQualityCheck.Check(incomplete, package), incomplete.Check(package));
        var result = LetterQualityCheck.Compose(Organization, package, incomplete, SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15));
        Assert.Null(result.Letter);
        Assert.Equal([LetterQualityCheck.SummaryMissing], result.Reasons);

        var good = LetterQualityCheck.Compose(Organization, package, SampleData.Determination(), SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15));
        Assert.Empty(good.Reasons);
        Assert.Equal(LetterComposer.Compose(Organization, package, SampleData.Determination(), SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15)), good.Letter);
    }

    [Fact]
    public void A_decision_without_a_valid_outcome_is_named_before_any_letter_is_made()
    {
        var package = SampleData.Package();
        var determination = SampleData.Determination();
        var broken = determination with { Decisions = [determination.Decisions[0] with { Outcome = (DecisionOutcome)7 }, .. determination.Decisions.Skip(1)] };

        var result = LetterQualityCheck.Compose(Organization, package, broken, SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15));

        Assert.Null(result.Letter);
        Assert.Equal([$"Disputed item '{determination.Decisions[0].ItemId}' needs a decision: Upheld or Overturned."], result.Reasons);
    }

    [Fact]
    public void The_letter_check_names_the_reviewer_qualifications_the_composed_letter_lacks()
    {
        var result = LetterQualityCheck.Compose(Organization, SampleData.Package(), SampleData.Determination(), SampleData.Reviewer("r") with { BoardCertifications = [] }, new DateOnly(2013, 7, 15));

        Assert.Null(result.Letter);
        Assert.Contains("The reviewer's board certification is not on file.", result.Reasons);
    }

    [Fact]
    public void The_notice_of_assignment_and_the_letter_serve_the_same_worker_side()
    {
        var unrepresented = SampleData.Package();
        var represented = unrepresented with { EmployeeAttorney = "Jane  Counsel, Esq." };

        Assert.Equal(
            [AddresseeRoles.ClaimsAdministrator, AddresseeRoles.InjuredWorker, AddresseeRoles.RequestingPhysician],
            ServedParties.OfNoticeOfAssignment(unrepresented).Select(a => a.Role));
        // 9792.10.4(b), LC 4610.6: a represented worker is served too, the attorney beside (issue #15).
        Assert.Equal(new Addressee(AddresseeRoles.InjuredWorker, "Sample Worker"), ServedParties.OfNoticeOfAssignment(represented)[1]);
        Assert.Equal(new Addressee(AddresseeRoles.EmployeeAttorney, "Jane  Counsel, Esq."), ServedParties.OfNoticeOfAssignment(represented)[2]);
        // The letter prints names flowed; the notice addresses them as given.
        Assert.Equal(new Addressee(AddresseeRoles.EmployeeAttorney, "Jane Counsel, Esq."), ServedParties.OfLetter(represented)[1]);
        Assert.Equal(
            [AddresseeRoles.InjuredWorker, AddresseeRoles.ClaimsAdministrator, AddresseeRoles.RequestingPhysician, AddresseeRoles.Employer, AddresseeRoles.AdministrativeDirector],
            ServedParties.OfLetter(unrepresented).Select(a => a.Role));
        Assert.Equal(ServedParties.OfLetter(represented), LetterComposer.AddresseesOf(represented));
    }

    [Theory]
    [InlineData(false, NoticeMethod.Mail, 15 * 24)]
    [InlineData(false, NoticeMethod.Electronic, 12 * 24)]
    [InlineData(true, NoticeMethod.Mail, 24)]
    public void The_records_deadline_counts_from_the_notice_and_is_compressed_like_the_review_deadlines(bool expedited, NoticeMethod notice, int hours)
    {
        var sent = new DateTimeOffset(2025, 3, 3, 17, 0, 0, TimeSpan.Zero);

        var real = RecordsDeadline.For(MedicalRecordsPolicy.CaliforniaWorkersCompensation, DeadlinePolicy.CaliforniaWorkersCompensation, sent, expedited, notice);
        var compressed = RecordsDeadline.For(MedicalRecordsPolicy.CaliforniaWorkersCompensation, DeadlinePolicy.CaliforniaWorkersCompensation with { TimeScale = 3600 }, sent, expedited, notice);

        Assert.Equal(new RecordsDeadline(sent + TimeSpan.FromHours(hours), TimeSpan.FromHours(hours)), real);
        Assert.Equal(new RecordsDeadline(sent + TimeSpan.FromSeconds(hours), TimeSpan.FromSeconds(hours)), compressed);
    }

    [Fact]
    public void Links_outlive_the_deadlines_they_serve()
    {
        var at = new DateTimeOffset(2025, 3, 3, 17, 0, 0, TimeSpan.Zero);

        Assert.Equal(at + TimeSpan.FromHours(24), LinkLifetimes.OfferExpiresAt(at, TimeSpan.FromHours(24)));
        Assert.Equal(at + TimeSpan.FromMinutes(10), LinkLifetimes.OfferExpiresAt(at, TimeSpan.FromSeconds(2)));
        Assert.Equal(at + TimeSpan.FromDays(60), LinkLifetimes.ReviewExpiresAt(at, at + TimeSpan.FromDays(30)));
        Assert.Equal(at + TimeSpan.FromSeconds(10) + TimeSpan.FromHours(1), LinkLifetimes.ReviewExpiresAt(at, at + TimeSpan.FromSeconds(10)));
        Assert.Equal(LinkLifetimes.DocumentLink, LinkLifetimes.DocumentLinkLifetime(at + TimeSpan.FromDays(1), at));
        Assert.Equal(TimeSpan.FromMinutes(5), LinkLifetimes.DocumentLinkLifetime(at + TimeSpan.FromMinutes(30), at));
    }

    [Fact]
    public void Notice_texts_keep_their_wording()
    {
        var due = new DateTimeOffset(2025, 3, 3, 17, 0, 0, TimeSpan.Zero);

        var offer = ReviewerNotices.Offer("CM13-0012345", due, "America/Los_Angeles", "https://x.test/o");
        Assert.Equal("IMR case CM13-0012345: review offered", offer.Subject);
        Assert.Contains("Please accept or decline by Monday, March 3, 2025 9:00 AM (America/Los_Angeles).", offer.Body);
        Assert.Contains("Open the offer: https://x.test/o\n", offer.Body);
        Assert.Equal("IMR case CM13-0012345: determination due 2025-03-03 17:00:00Z", ReviewerNotices.Reminder("CM13-0012345", due).Subject);
        Assert.Equal("- A\n- B\n", string.Concat(ReviewerNotices.ItemsAdded("C1", "C2", ["A", "B"]).Body.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).Select(l => l + "\n")));
        Assert.Contains("- The clinical case summary is missing.\n\nSubmit the corrected determination: https://x.test/s\n", ReviewerNotices.ReturnedForCorrection("C1", ["The clinical case summary is missing."], "https://x.test/s").Body);
        Assert.Equal(new NoticeText("IMR case C1 is overdue", "The case has passed its due date without a determination. The review continues."), MedicalDirectorNotices.Overdue("C1"));
        Assert.StartsWith("reason\n\nThe candidates, and why each may or may not review the case, are on your work queue; assign the case there: https://imr.example/api/staff/queue", MedicalDirectorNotices.NeedsReviewer("C1", "reason", "https://imr.example/api/staff/queue").Body);
        Assert.Equal("IMR case C1: corrected Final Determination Letter (version 2)", LetterNotices.Issued("C1", 2, "C1-v2.pdf").Subject);
        Assert.Contains("It replaces version 1.", LetterNotices.Issued("C1", 2, "C1-v2.pdf").Body);
    }
}
