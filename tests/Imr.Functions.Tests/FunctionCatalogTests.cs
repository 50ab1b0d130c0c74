using Imr.LocalRuntime;

namespace Imr.Functions.Tests;

/// <summary>The local runtime finds every function of the app with the trigger it has in Azure, so none silently disappears.</summary>
public class FunctionCatalogTests
{
    [Fact]
    public void Every_function_is_found_with_its_trigger()
    {
        var catalog = new FunctionCatalog(typeof(ImrServiceCollectionExtensions).Assembly);

        var found = catalog.Functions.Select(f => $"{f.Name}:{f.Kind}").ToList();

        Assert.Equal(
        [
            "AcceptAssignment:Http", "AssignManually:Activity", "AssignReviewerByHand:Http", "CaseOrchestrator:Orchestration", "CloseCase:Activity",
            "CompleteAssignment:Activity", "DeadlineSweep:Timer", "DeclineAssignment:Http", "EndOffer:Activity", "EscalateCase:Activity",
            "EscalateForManualAssignment:Activity", "GetCaseStatus:Http", "ImportRoster:Http", "IntakeFromBlob:Blob", "IssueDetermination:Activity",
            "IssueLetterCorrection:Http", "MarkOverdue:Activity", "OfferAssignment:Activity", "RecordAcceptance:Activity", "RegisterCase:Activity", "RosterFromBlob:Blob",
            "ShowAssignmentOffer:Http", "ShowDeterminationForm:Http", "SubmitDetermination:Http",
        ], found);
    }
}
