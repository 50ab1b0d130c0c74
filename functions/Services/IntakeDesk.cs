using System.Text.Json;
using System.Text.RegularExpressions;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Services;

/// <summary>A package intake set aside: where it is kept (its files in the quarantine container) and why.</summary>
public sealed record QuarantinedPackage(string Partition, string RejectionId, string Kind, DateTimeOffset RejectedAt, IReadOnlyList<string> Files, IReadOnlyList<string> Reasons)
{
    /// <summary>The case the package was for, or null when its folder named none.</summary>
    public string? CaseNumber => Partition == CaseIntake.UnnamedPartition ? null : Partition;

    /// <summary>Corrected files staff added (the latest of each name): the release delivers them instead of the quarantined ones.</summary>
    public IReadOnlyList<QuarantineCorrection> Corrections { get; init; } = [];

    /// <summary>Why the last release failed, if it did.</summary>
    public string? ReleaseProblem { get; init; }
}

/// <summary>A case deferred at screening: the eligibility question (screening's reasons) staff must decide.</summary>
public sealed record EligibilityQuestion(string CaseNumber, DateTimeOffset ReceivedAt, IReadOnlyList<string> Reasons);

/// <summary>
/// The intake desk's view: the quarantined packages nobody has handled yet, oldest first, how many were handled, and the
/// eligibility questions awaiting a decision, oldest first.
/// </summary>
public sealed record IntakeDeskView(DateTimeOffset GeneratedAt, IReadOnlyList<QuarantinedPackage> Open, int Handled, IReadOnlyList<EligibilityQuestion> Questions);

/// <summary>What marking a package handled came to.</summary>
public sealed record IntakeDeskResult(bool Accepted, string Message);

/// <summary>
/// The intake desk: quarantined packages (<see cref="IntakeQuarantine"/> keeps each with its reasons and a row in the
/// Rejections table) and "mark handled". Handled is an audit row with a deterministic step id in the package's
/// partition, so marking twice records once and the rejection row itself (intake's record) is never rewritten.
/// </summary>
public sealed partial class IntakeDesk(IntakeStore store, AuditLog audit, EligibilityResolutions resolutions, QuarantineRelease release, TimeProvider time)
{
    /// <summary>The audit's name for the step.</summary>
    public const string HandledWhat = "Quarantined package marked handled";

    public static string HandledStepId(string rejectionId) => $"intake-handled-{rejectionId}";

    public async Task<IntakeDeskView> BuildAsync(CancellationToken ct = default)
    {
        var open = new List<QuarantinedPackage>();
        var handled = 0;
        foreach (var r in await store.AllRejectionsAsync(ct))
        {
            // Marked handled, or released to intake after correction: off the open list.
            if (await audit.DetailsOfAsync(r.PartitionKey, HandledStepId(r.RowKey), ct) is not null || await release.ReleasedAsync(r.PartitionKey, r.RowKey, ct) is not null)
            {
                handled++;
                continue;
            }

            open.Add(new QuarantinedPackage(r.PartitionKey, r.RowKey, r.Kind, r.RejectedAt, ReadList(r.QuarantinedBlobs), ReadList(r.Reasons))
            {
                Corrections = await release.CorrectionsAsync(r.PartitionKey, r.RowKey, ct),
                ReleaseProblem = await release.LastProblemAsync(r.PartitionKey, r.RowKey, ct),
            });
        }

        var questions = (await store.DeferredAsync(ct)).Select(i => new EligibilityQuestion(i.PartitionKey, i.ReceivedAt, ReadList(i.EligibilityReasons ?? "[]")))
            .OrderBy(q => q.ReceivedAt).ThenBy(q => q.CaseNumber, StringComparer.Ordinal).ToList();
        return new IntakeDeskView(time.GetUtcNow(), [.. open.OrderBy(p => p.RejectedAt).ThenBy(p => p.RejectionId, StringComparer.Ordinal)], handled, questions);
    }

    /// <summary>Records that <paramref name="auditName"/> handled the package; a second mark changes nothing.</summary>
    public async Task<IntakeDeskResult> MarkHandledAsync(string partition, string rejectionId, string auditName, CancellationToken ct = default)
    {
        // Keys come from the URL: only the shapes intake writes reach the table.
        if (!PartitionShape().IsMatch(partition) || !RejectionIdShape().IsMatch(rejectionId) || await store.GetRejectionAsync(partition, rejectionId, ct) is null)
        {
            return new(false, "There is no such quarantined package. Nothing was changed.");
        }

        var step = HandledStepId(rejectionId);
        if (await audit.DetailsOfAsync(partition, step, ct) is { } earlier)
        {
            return new(true, $"Package {rejectionId} was already marked handled: {earlier}");
        }

        await audit.RecordAsync(partition, step, HandledWhat, $"Rejection {rejectionId} marked handled by {auditName}", ct);
        return new(true, $"Package {rejectionId} marked handled.");
    }

    /// <summary>The audit's name for who resolved an eligibility question at the desk.</summary>
    public const string ResolvedWhat = "Eligibility resolved at the intake desk";

    /// <summary>
    /// Resolves a deferred case through <see cref="EligibilityResolutions"/> (the rules' one home), then records who did it
    /// beside the stored reason (step id from the reason's id: recorded once).
    /// </summary>
    public async Task<IntakeDeskResult> ResolveEligibilityAsync(string caseNumberText, string? outcome, string? reason, string auditName, DurableTaskClient durable, CancellationToken ct = default)
    {
        if (!CaseNumber.TryParse(caseNumberText, out var caseNumber)) return new(false, "Not a case number. Nothing was recorded.");
        if (outcome is not ("Eligible" or "Ineligible")) return new(false, "Choose Eligible or Ineligible. Nothing was recorded.");
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 2000) return new(false, "Give the reason for the decision (up to 2000 characters). Nothing was recorded.");
        var sent = await resolutions.ResolveAsync(caseNumber, outcome, reason, durable, ct);
        if (sent.ReasonId is null) return new(false, sent.Message);
        await audit.RecordAsync(caseNumber.Value, $"{sent.ReasonId}-by", ResolvedWhat, $"{outcome} by {auditName}", ct);
        return new(true, $"Case {caseNumber}: {outcome}, the case goes on.");
    }

    private static List<string> ReadList(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [json]; // shown as it is rather than hidden
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex PartitionShape();

    [GeneratedRegex("^[0-9]{19}-[0-9a-f]{10}$", RegexOptions.CultureInvariant)]
    private static partial Regex RejectionIdShape();
}
