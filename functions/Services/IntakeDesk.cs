using System.Text.Json;
using System.Text.RegularExpressions;
using Imr.Functions.Storage;

namespace Imr.Functions.Services;

/// <summary>A package intake set aside: where it is kept (its files in the quarantine container) and why.</summary>
public sealed record QuarantinedPackage(string Partition, string RejectionId, string Kind, DateTimeOffset RejectedAt, IReadOnlyList<string> Files, IReadOnlyList<string> Reasons)
{
    /// <summary>The case the package was for, or null when its folder named none.</summary>
    public string? CaseNumber => Partition == CaseIntake.UnnamedPartition ? null : Partition;
}

/// <summary>The intake desk's view: the quarantined packages nobody has handled yet, oldest first, and how many were handled.</summary>
public sealed record IntakeDeskView(DateTimeOffset GeneratedAt, IReadOnlyList<QuarantinedPackage> Open, int Handled);

/// <summary>What marking a package handled came to.</summary>
public sealed record IntakeDeskResult(bool Accepted, string Message);

/// <summary>
/// The intake desk: quarantined packages (<see cref="IntakeQuarantine"/> keeps each with its reasons and a row in the
/// Rejections table) and "mark handled". Handled is an audit row with a deterministic step id in the package's
/// partition, so marking twice records once and the rejection row itself (intake's record) is never rewritten.
/// </summary>
public sealed partial class IntakeDesk(IntakeStore store, AuditLog audit, TimeProvider time)
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
            if (await audit.DetailsOfAsync(r.PartitionKey, HandledStepId(r.RowKey), ct) is not null)
            {
                handled++;
                continue;
            }

            open.Add(new QuarantinedPackage(r.PartitionKey, r.RowKey, r.Kind, r.RejectedAt, ReadList(r.QuarantinedBlobs), ReadList(r.Reasons)));
        }

        return new IntakeDeskView(time.GetUtcNow(), [.. open.OrderBy(p => p.RejectedAt).ThenBy(p => p.RejectionId, StringComparer.Ordinal)], handled);
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
