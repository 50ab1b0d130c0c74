using Imr.Domain.Cases;
using Imr.Functions.Storage;

namespace Imr.Functions.UnitTests;

/// <summary>When the case row alone can judge a reviewer's link of its current assignment, and when it must not.</summary>
public sealed class CaseRowLinkFactsTests
{
    private static readonly DateTimeOffset OfferedAt = new(2026, 12, 1, 17, 0, 0, TimeSpan.Zero);

    private static CaseEntity Row(AssignmentStatus? state = AssignmentStatus.Offered) => new()
    {
        PartitionKey = "CM13-0000001",
        CurrentAssignmentId = "CM13-0000001-A1",
        CurrentReviewerId = "rev-002",
        CurrentAssignmentState = state,
        CurrentOfferedAt = OfferedAt,
        CurrentDeterminationRevision = 1,
    };

    [Fact]
    public void The_current_assignment_is_described_from_the_row()
    {
        var facts = Row().CurrentAssignmentLink("CM13-0000001-A1");
        Assert.Equal(new AssignmentLinkFacts("CM13-0000001-A1", "rev-002", false, OfferedAt, 1), facts);
    }

    [Theory]
    [InlineData(AssignmentStatus.Declined)]
    [InlineData(AssignmentStatus.TimedOut)]
    [InlineData(AssignmentStatus.Withdrawn)]
    public void An_ended_current_assignment_is_described_as_ended(AssignmentStatus state) =>
        Assert.True(Row(state).CurrentAssignmentLink("CM13-0000001-A1")!.HasEnded);

    [Fact]
    public void A_determination_returned_for_correction_is_an_assignment_that_has_not_ended()
    {
        var row = Row();
        row.AssignmentStatus = CaseEntity.ReturnedForCorrection;
        Assert.False(row.CurrentAssignmentLink("CM13-0000001-A1")!.HasEnded);
    }

    [Fact]
    public void Another_assignment_or_a_row_without_the_mirror_is_left_to_the_assignment_row()
    {
        Assert.Null(Row().CurrentAssignmentLink("CM13-0000001-A2"));
        var older = Row();
        older.CurrentOfferedAt = null;
        Assert.Null(older.CurrentAssignmentLink("CM13-0000001-A1"));
        var unknown = Row();
        unknown.AssignmentStatus = "SomethingElse";
        Assert.Null(unknown.CurrentAssignmentLink("CM13-0000001-A1"));
    }
}
