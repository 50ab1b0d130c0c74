using Imr.LocalRuntime;

namespace Imr.Functions.UnitTests;

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
            "AcceptAssignment:Http", "AddQuarantineCorrection:Http", "ApplyReviewChange:Activity",
            "AssignFromWorkQueue:Http", "AssignManually:Activity", "AssignReviewerByHand:Http",
            "BuildDailyPrintBatch:Timer", "BuildPrintBatch:Http", "CaseOrchestrator:Orchestration",
            "CheckRecords:Activity", "CloseAtIntake:Activity", "CloseCase:Activity", "CombineApplication:Activity",
            "ConvertToExpedited:Http", "ConvertToExpeditedByStaff:Http", "CorrectLetterFromConsole:Http",
            "DeadlineSweep:Timer", "DeclineAssignment:Http", "DevSignIn:Http", "EndAssignment:Activity",
            "EndOffer:Activity", "EscalateForManualAssignment:Activity", "EscalateMissedReviewerDue:Activity",
            "ExportProgramFigures:Http", "GetAtRiskReport:Http", "GetCaseStatus:Http", "Health:Http",
            "ImportRoster:Http", "IntakeFromBlob:Blob", "IntakeSweep:Timer", "IssueDetermination:Activity",
            "IssueIneligibilityNotice:Activity", "IssueLetterCorrection:Http", "ListCases:Http", "MarkOverdue:Activity",
            "MarkPackageHandled:Http", "OfferAssignment:Activity", "OpenCase:Activity",
            "ReassignOverdueFromWorkQueue:Http", "RecordAcceptance:Activity", "RecordNeedsAttention:Activity",
            "RecordWorkflowVersion:Activity", "RegisterCase:Activity", "ReleaseQuarantinedPackage:Http",
            "RemindReviewer:Activity", "ReportTreatmentAuthorised:Http", "ReportTreatmentAuthorisedByStaff:Http",
            "RequestRecords:Activity", "ResolveEligibility:Activity", "ResolveEligibilityAtDesk:Http", "RetryCase:Http",
            "RetryCaseFromConsole:Http", "RosterFromBlob:Blob", "ScheduleReview:Activity", "ScreenEligibility:Activity",
            "ShowAssignmentOffer:Http", "ShowAtRiskDashboard:Http", "ShowAtRiskReport:Http", "ShowCase:Http",
            "ShowCaseStatus:Http", "ShowDeterminationForm:Http", "ShowDevSignIn:Http", "ShowIntakeDesk:Http",
            "ShowLetterCorrection:Http", "ShowProgramFigures:Http", "ShowWorkQueue:Http", "StaffSignOut:Http",
            "StaffSignedOut:Http", "SubmitDetermination:Http", "SubmitEligibilityResolution:Http",
        ], found);
    }

    [Fact]
    public void No_http_route_or_function_name_uses_the_hosts_reserved_admin_prefix()
    {
        var catalog = new FunctionCatalog(typeof(ImrServiceCollectionExtensions).Assembly);

        var reserved = catalog.OfKind(TriggerKind.Http).Where(f => HttpRoutes.ConflictsWithHostRoutes(f.Http.Route ?? f.Name)).Select(f => f.Name).ToList();

        Assert.Empty(reserved);
        Assert.True(HttpRoutes.ConflictsWithHostRoutes("admin/roster"));
        Assert.False(HttpRoutes.ConflictsWithHostRoutes("manage/roster"));
    }
}
