using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Eligibility;

namespace Imr.Domain.Tests;

public class CombinedApplicationsTests
{
    private static CaseDocument Doc(string name) => new() { FileName = name, MediaType = "text/plain", Size = 10, Sha256 = new string('a', 64) };

    private static CasePackage Target() => SampleData.Package() with { Documents = [Doc("medical-records.txt"), Doc("ur-decision.txt")] };

    private static CombinedApplication Application(string caseNumber, params string[] itemIds) =>
        new(caseNumber, SampleData.Package(items => { items.Clear(); items.AddRange(itemIds.Select(id => new DisputedItem { ItemId = id, Description = $"{id} treatment", Category = "Acupuncture", BodyPart = "lumbar spine" })); })
            with
        { CaseNumber = caseNumber, Documents = [Doc("medical-records.txt")] });

    [Fact]
    public void Combined_items_and_documents_join_the_case_with_ids_prefixed_by_their_application()
    {
        var merged = CombinedApplications.Merge(Target(), [Application("CM13-2", "PT-LUMBAR-12", "ACU-6"), Application("CM13-3", "ACU-6")]);

        Assert.Equal(["PT-LUMBAR-12", "CM13-2-PT-LUMBAR-12", "CM13-2-ACU-6", "CM13-3-ACU-6"], merged.DisputedItems.Select(i => i.ItemId));
        Assert.Equal("ACU-6 treatment", merged.DisputedItems[2].Description);
        Assert.Equal(["medical-records.txt", "ur-decision.txt", "CM13-2-medical-records.txt", "CM13-3-medical-records.txt"], merged.Documents.Select(d => d.FileName));
        Assert.Equal(Target().CaseNumber, merged.CaseNumber); // the case keeps its own number, parties and UR decision
        Assert.Equal(Target().UtilizationReview, merged.UtilizationReview);
    }

    [Fact]
    public void Merging_is_deterministic_and_ids_stay_unique_even_against_a_clashing_target_id()
    {
        var target = SampleData.Package(items => items.Add(new DisputedItem { ItemId = "CM13-2-ACU-6", Description = "x", Category = "Acupuncture", BodyPart = "neck" }));
        var combined = new[] { Application("CM13-2", "ACU-6") };

        var once = CombinedApplications.Merge(target, combined);
        var again = CombinedApplications.Merge(target, combined);

        Assert.Equal(["PT-LUMBAR-12", "CM13-2-ACU-6", "CM13-2-ACU-6-2"], once.DisputedItems.Select(i => i.ItemId));
        Assert.Equal(once.DisputedItems, again.DisputedItems);
        Assert.Equal(once.DisputedItems.Count, once.DisputedItems.Select(i => i.ItemId).Distinct().Count());
    }

    [Fact]
    public void Without_combined_applications_the_package_is_unchanged_and_a_case_never_merges_itself()
    {
        var target = Target();
        Assert.Same(target, CombinedApplications.Merge(target, []));
        Assert.Same(target, CombinedApplications.Merge(target, [new CombinedApplication(target.CaseNumber, target)]));
    }

    [Fact]
    public void The_quality_check_of_a_combined_case_requires_a_decision_for_the_added_items()
    {
        var merged = CombinedApplications.Merge(SampleData.Package(), [Application("CM13-2", "ACU-6")]);
        var onlyFirst = SampleData.Determination();

        Assert.Contains("No decision for disputed item 'CM13-2-ACU-6'.", onlyFirst.Check(merged));
        var both = onlyFirst with { Decisions = [.. onlyFirst.Decisions, onlyFirst.Decisions[0] with { ItemId = "CM13-2-ACU-6", Outcome = DecisionOutcome.Overturned }] };
        Assert.Empty(both.Check(merged));
    }

    [Fact]
    public void Document_names_tell_where_each_combined_document_sits_in_the_case()
    {
        var names = CombinedApplications.DocumentNames(Target(), [Application("CM13-2", "ACU-6")]);

        Assert.Equal([("CM13-2", "medical-records.txt", "CM13-2-medical-records.txt")], names);
    }

    [Fact]
    public void Supplementary_records_attached_to_the_case_are_added_once_after_the_listed_documents()
    {
        var package = SupplementaryRecords.AddTo(Target(), [Doc("MEDICAL-RECORDS.txt"), Doc("ur-decision.txt"), Doc("follow-up-note.pdf")]);

        Assert.Equal(["medical-records.txt", "ur-decision.txt", "follow-up-note.pdf"], package.Documents.Select(d => d.FileName));
    }
}

public class NoticeOfAssignmentTests
{
    private static NoticeOfAssignment Notice(bool expedited, NoticeMethod method, IReadOnlyList<string> required, TimeSpan allowed) =>
        new("Example IMR Organization", "CM13-0012345", new DateTimeOffset(2026, 1, 15, 17, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 15, 17, 0, 0, TimeSpan.Zero) + allowed, allowed,
            NoticeOfAssignment.BasisOf(expedited, method), required, "the 'intake' container under the folder 'CM13-0012345/'", "Claims administrator", null);

    [Fact]
    public void A_mailed_notice_gives_the_due_time_in_pacific_time_and_names_the_missing_documents()
    {
        var text = NoticeOfAssignmentRenderer.Render(Notice(false, NoticeMethod.Mail, ["medical-records.pdf"], TimeSpan.FromDays(15)));

        Assert.Contains("IMR Case Number: CM13-0012345", text);
        Assert.Contains("- medical-records.pdf", text);
        Assert.Contains("Records due: Friday, January 30, 2026 at 9:00 AM PST (Pacific time) (2026-01-30T17:00:00Z)", text);
        Assert.Contains("Counted as: notice of assignment sent by mail, 15 days from this notice.", text);
        Assert.Contains("You, as the claims administrator,", text);
    }

    [Fact]
    public void Electronic_and_expedited_notices_count_their_own_periods_and_summer_times_are_daylight_time()
    {
        var electronic = NoticeOfAssignmentRenderer.Render(Notice(false, NoticeMethod.Electronic, ["a.pdf"], TimeSpan.FromDays(12)));
        var expedited = NoticeOfAssignmentRenderer.Render(Notice(true, NoticeMethod.Mail, [], TimeSpan.FromHours(24)) with { SentAt = new DateTimeOffset(2026, 7, 1, 19, 30, 0, TimeSpan.Zero), RecordsDueAt = new DateTimeOffset(2026, 7, 2, 19, 30, 0, TimeSpan.Zero) });

        Assert.Contains("Counted as: notice of assignment sent electronically, 12 days from this notice.", electronic);
        Assert.Contains("Counted as: expedited review, 24 hours from this notice.", expedited);
        Assert.Contains("Records due: Thursday, July 2, 2026 at 12:30 PM PDT (Pacific time)", expedited);
        Assert.Contains("no further documents are required", expedited);
    }
}
