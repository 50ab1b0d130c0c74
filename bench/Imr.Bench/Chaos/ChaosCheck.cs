using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Domain.Cases;
using Imr.Domain.Letters;
using Imr.Functions.Services;
using Imr.Functions.Storage;

namespace Imr.Bench.Chaos;

/// <summary>What the check found; every count must be zero for a clean run.</summary>
public sealed record ChaosCounts
{
    public int Closed { get; init; }
    /// <summary>Not closed and nothing left to finish it (no case row, orchestration failed, terminated, missing or done), or closed without a letter.</summary>
    public int Lost { get; init; }
    /// <summary>Not closed, its orchestration still running: waiting for something that will not come.</summary>
    public int Stuck { get; init; }
    public int LostAnswers { get; init; }
    public int DuplicateLetters { get; init; }
    public int DuplicateNotices { get; init; }
    public int MissingNotices { get; init; }
    public int IntakeLeftovers { get; init; }
    public int FailedOrchestrations { get; init; }

    public bool Clean => Lost == 0 && Stuck == 0 && LostAnswers == 0 && DuplicateLetters == 0 && DuplicateNotices == 0 && MissingNotices == 0 && IntakeLeftovers == 0 && FailedOrchestrations == 0;
}

/// <summary>
/// Reads the end state of every case of the run from storage (tables, blobs and the task hub's instance table) and
/// checks it: closed, exactly one letter version, one letter notice per addressee, every acknowledged answer applied,
/// nothing left in intake, no orchestration failed.
/// </summary>
public sealed class ChaosCheck(string connectionString, string taskHub, string runPrefix, IReadOnlyList<string> caseNumbers, IReadOnlyDictionary<string, string> outcomes)
{
    private static readonly string[] Live = ["Running", "Pending", "Suspended", "ContinuedAsNew"];
    private readonly BlobServiceClient _blobs = new(connectionString);
    private readonly string _low = caseNumbers.Min(StringComparer.Ordinal)!;
    private readonly string _high = caseNumbers.Max(StringComparer.Ordinal)!;

    /// <summary>Instance ids of this run's orchestrations whose status is Failed now.</summary>
    public async Task<IReadOnlyList<string>> FailedInstancesAsync(CancellationToken ct)
    {
        var statuses = await InstanceStatusesAsync(ct);
        return statuses.Where(s => s.Value == "Failed").Select(s => s.Key).ToList();
    }

    public async Task<int> ClosedCountAsync(CancellationToken ct)
    {
        var closed = 0;
        await foreach (var e in Table(StorageNames.CasesTable).QueryAsync<TableEntity>(InRange("") + $" and RowKey eq '{CaseEntity.Row}'", select: ["Status"], cancellationToken: ct))
        {
            if (e.GetString("Status") == "Closed") closed++;
        }

        return closed;
    }

    /// <param name="failedSeen">Orchestrations seen Failed during the run (a restart by the sweep erases the status).</param>
    public async Task<(ChaosCounts Counts, List<string> Problems)> RunAsync(IReadOnlyCollection<AcknowledgedAnswer> acknowledged, IReadOnlySet<string> failedSeen, CancellationToken ct)
    {
        var problems = new List<string>();
        var cases = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var e in Table(StorageNames.CasesTable).QueryAsync<TableEntity>(InRange("") + $" and RowKey eq '{CaseEntity.Row}'", cancellationToken: ct)) cases[e.PartitionKey] = e;
        var assignments = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var e in Table(StorageNames.AssignmentsTable).QueryAsync<TableEntity>(InRange(""), cancellationToken: ct)) assignments[e.RowKey] = e;
        var letters = new List<LetterRecord>();
        await foreach (var e in Table(StorageNames.LettersTable).QueryAsync<LetterRecord>(InRange(""), cancellationToken: ct)) letters.Add(e);
        var instances = await InstanceStatusesAsync(ct);
        var outbox = await ListAsync(StorageNames.OutboxContainer, ct);
        var intake = await ListAsync(StorageNames.IntakeContainer, ct);

        int closed = 0, lost = 0, stuck = 0, duplicateLetters = 0, duplicateNotices = 0, missingNotices = 0;
        foreach (var caseNumber in caseNumbers)
        {
            var row = cases.GetValueOrDefault(caseNumber);
            var status = row?.GetString("Status") ?? "no case row";
            var itsLetters = letters.Where(l => l.PartitionKey == caseNumber).ToList();
            var instance = instances.GetValueOrDefault(CaseNumber.Parse(caseNumber).OrchestrationInstanceId, "missing");
            if (status == "Closed") closed++;
            if (status != "Closed" || itsLetters.Count == 0)
            {
                var live = Live.Contains(instance);
                if (status != "Closed" && live) stuck++;
                else lost++;
                problems.Add($"{caseNumber}: {(status != "Closed" && live ? "stuck" : "lost")}: case {status}, orchestration {instance}, {itsLetters.Count} letter(s), assignment {row?.GetString("CurrentAssignmentId") ?? "none"} {row?.GetString("AssignmentStatus") ?? ""}".TrimEnd());
            }

            if (itsLetters.Count > 1)
            {
                duplicateLetters += itsLetters.Count - 1;
                problems.Add($"{caseNumber}: {itsLetters.Count} letter versions");
            }

            if (itsLetters.Count > 0)
            {
                var first = itsLetters.OrderBy(l => l.Version).First();
                var model = JsonSerializer.Deserialize<FinalDeterminationLetter>((await _blobs.GetBlobContainerClient(StorageNames.DeterminationsContainer).GetBlobClient(first.ModelBlobName).DownloadContentAsync(ct)).Value.Content.ToMemory().Span, CasePackage.JsonOptions)!;
                var expected = model.AddressedTo.Select(a => $"{caseNumber}/{LetterIssuer.NoticeId(1, a.Role)}.eml").ToHashSet(StringComparer.Ordinal);
                var notices = outbox.Where(n => n.StartsWith($"{caseNumber}/letter-v", StringComparison.Ordinal)).ToList();
                var missing = expected.Count(e => !notices.Contains(e));
                var extra = notices.Count(n => !expected.Contains(n));
                missingNotices += missing;
                duplicateNotices += extra;
                if (missing + extra > 0) problems.Add($"{caseNumber}: letter notices: {missing} missing, {extra} more than one per party");
            }
        }

        // Every answer the reviewer was told was recorded is reflected in the assignment, the submission and the letter.
        var lostAnswers = 0;
        var submissions = _blobs.GetBlobContainerClient(StorageNames.SubmissionsContainer);
        foreach (var a in acknowledged.DistinctBy(a => (a.AssignmentId, a.Kind)))
        {
            var assignment = assignments.GetValueOrDefault(a.AssignmentId);
            var assignmentStatus = assignment?.GetString("Status") ?? "missing";
            string? problem = null;
            if (a.Kind == AnswerKind.Accept)
            {
                if (assignmentStatus is not ("Accepted" or "Completed") || assignment?.GetDateTimeOffset("AcceptedAt") is null) problem = $"acceptance acknowledged{(a.Repeat ? " (\"Already received\")" : "")}, assignment {assignmentStatus}";
            }
            else
            {
                var blob = $"{a.CaseNumber}/{a.AssignmentId}.json";
                var stored = (await submissions.GetBlobClient(blob).ExistsAsync(ct)).Value;
                var letter = letters.FirstOrDefault(l => l.SubmissionBlobName == blob);
                var applied = letter is not null && outcomes.All(o => letter.Outcomes.Contains($"{o.Key}={o.Value}", StringComparison.Ordinal));
                if (assignmentStatus != "Completed" || !stored || !applied)
                {
                    problem = $"determination acknowledged{(a.Repeat ? " (\"Already received\")" : "")}, assignment {assignmentStatus}, submission {(stored ? "stored" : "missing")}, {(letter is null ? "no letter from it" : applied ? "letter from it" : "letter with other outcomes")}";
                }
            }

            if (problem is not null)
            {
                lostAnswers++;
                problems.Add($"{a.AssignmentId}: lost answer: {problem}");
            }
        }

        var failed = instances.Where(i => i.Value == "Failed").Select(i => i.Key).Union(failedSeen).ToList();
        foreach (var f in failed) problems.Add($"{f}: orchestration Failed{(instances.GetValueOrDefault(f) == "Failed" ? "" : " (seen during the run)")}");
        foreach (var i in intake) problems.Add($"intake/{i}: left in intake");

        return (new ChaosCounts
        {
            Closed = closed,
            Lost = lost,
            Stuck = stuck,
            LostAnswers = lostAnswers,
            DuplicateLetters = duplicateLetters,
            DuplicateNotices = duplicateNotices,
            MissingNotices = missingNotices,
            IntakeLeftovers = intake.Count,
            FailedOrchestrations = failed.Count,
        }, problems);
    }

    private async Task<Dictionary<string, string>> InstanceStatusesAsync(CancellationToken ct)
    {
        // The Azure Storage provider's instance table: one row per instance (PartitionKey = instance id).
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var e in Table(taskHub + "Instances").QueryAsync<TableEntity>(InRange("case-"), select: ["PartitionKey", "RuntimeStatus"], cancellationToken: ct))
        {
            result[e.PartitionKey] = e.GetString("RuntimeStatus") ?? "";
        }

        return result;
    }

    private async Task<List<string>> ListAsync(string container, CancellationToken ct)
    {
        var names = new List<string>();
        await foreach (var b in _blobs.GetBlobContainerClient(container).GetBlobsAsync(BlobTraits.None, BlobStates.None, runPrefix, ct)) names.Add(b.Name);
        return names;
    }

    // This run's case numbers share a prefix and sort together: one range query per table.
    private string InRange(string prefix) => $"PartitionKey ge '{prefix}{_low}' and PartitionKey le '{prefix}{_high}'";

    private TableClient Table(string name) => new(connectionString, name);
}
