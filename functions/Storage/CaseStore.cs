using System.Collections.Concurrent;
using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Telemetry;

namespace Imr.Functions.Storage;

/// <summary>The case record in Table storage: one row per case, partitioned by case number.</summary>
public sealed class CaseEntity : ITableEntity
{
    public const string Row = "case";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The stored text of <see cref="State"/> (the enum's name).</summary>
    public string Status { get; set; } = nameof(CaseStatus.Received);
    /// <summary>Where the case stands; its moves are checked by <see cref="CaseStatusTransitions"/> when the row is written.</summary>
    [IgnoreDataMember]
    public CaseStatus State { get => Enum.Parse<CaseStatus>(Status); set => Status = value.ToString(); }
    public bool Expedited { get; set; }
    /// <summary>The case package's review program: selects the deadline policy (reminders are scheduled with it).</summary>
    public string Program { get; set; } = nameof(ReviewProgram.CaliforniaWorkersCompensation);
    public string ManifestBlobName { get; set; } = "";
    public string ManifestSha256 { get; set; } = "";
    /// <summary>The latest version of the case's record (CaseRecordStore); 0 until a change after intake (then version 1 is the latest).</summary>
    public int RecordVersion { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset CaseDueAt { get; set; }
    public DateTimeOffset ReviewerDueAt { get; set; }
    public string? CurrentAssignmentId { get; set; }
    public string? CurrentReviewerId { get; set; }
    /// <summary>The stored text of the current assignment's <see cref="Imr.Domain.Cases.AssignmentStatus"/> (or <see cref="ReturnedForCorrection"/>, set by letter issuance).</summary>
    public string? AssignmentStatus { get; set; }
    /// <summary>The current assignment's state; null when none, or for a text that is not an assignment state.</summary>
    [IgnoreDataMember]
    public AssignmentStatus? CurrentAssignmentState
    {
        get => Enum.TryParse<AssignmentStatus>(AssignmentStatus, out var s) ? s : null;
        set => AssignmentStatus = value?.ToString();
    }
    /// <summary>
    /// The current assignment's offer time and determination revision, kept beside its id so a reviewer's link of the
    /// current assignment is judged from this row alone (<see cref="CurrentAssignmentLink"/>). Null when not known: rows
    /// written before these existed, or a step that made another assignment current without its row in hand.
    /// </summary>
    public DateTimeOffset? CurrentOfferedAt { get; set; }
    public int? CurrentDeterminationRevision { get; set; }

    /// <summary>What a reviewer's link of <paramref name="assignmentId"/> needs of it, from this row; null when this row cannot say (not the current assignment, or not mirrored): then the assignment's row is read.</summary>
    public AssignmentLinkFacts? CurrentAssignmentLink(string assignmentId)
    {
        if (CurrentAssignmentId != assignmentId || CurrentReviewerId is null || CurrentOfferedAt is not { } offeredAt || CurrentDeterminationRevision is not { } revision) return null;
        // "ReturnedForCorrection" (letter issuance) is an accepted assignment whose determination is due again: not ended.
        bool? ended = CurrentAssignmentState is { } state ? AssignmentStatusTransitions.HasEnded(state) : AssignmentStatus == ReturnedForCorrection ? false : null;
        return ended is { } hasEnded ? new AssignmentLinkFacts(assignmentId, CurrentReviewerId, hasEnded, offeredAt, revision) : null;
    }

    /// <summary>The text <see cref="AssignmentStatus"/> holds while a determination is back with its reviewer for correction.</summary>
    public const string ReturnedForCorrection = nameof(ReturnedForCorrection);

    public bool Overdue { get; set; }
    public string? LetterBlobName { get; set; }
    public string? LetterSha256 { get; set; }
    public string? Outcomes { get; set; }
    /// <summary>The latest issued letter version (LetterBlobName/LetterSha256 are its text rendering); all versions are in LetterRegister.</summary>
    public int LetterVersion { get; set; }
    public string? LetterPdfBlobName { get; set; }
    public string? LetterPdfSha256 { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    /// <summary>The manual-assignment round the orchestration waits for (0: none yet); the admin route answers this round once.</summary>
    public int ManualAssignmentRound { get; set; }
    /// <summary>Why a case closed without a determination after review began, e.g. "TreatmentAuthorised" (8 CCR 9792.10.6(a)); null otherwise.</summary>
    public string? EndedReason { get; set; }
    /// <summary>The case orchestration's version (Workflow/CaseWorkflowVersions); null for cases started before version 2.</summary>
    public string? WorkflowVersion { get; set; }

    /// <summary>Why the case needs attention (a step failed for good): the step and the kind of failure, never clinical text.</summary>
    public string? AttentionReason { get; set; }
    public DateTimeOffset? AttentionSince { get; set; }
    /// <summary>How often the case needed attention: each time is its own escalation to the medical director.</summary>
    public int AttentionCount { get; set; }
    /// <summary>The failure was transient (retries exhausted): reconciliation restarts the case without an operator.</summary>
    public bool AttentionTransient { get; set; }
    /// <summary>The status before <see cref="CaseStatus.NeedsAttention"/>, given back when an operator retries the case.</summary>
    public string? StatusBeforeAttention { get; set; }

    /// <summary>
    /// Whether the review clock is set (RegisterCase ran). The row exists from the orchestration's first step as
    /// <see cref="CaseStatus.Received"/> without dates, so a case whose workflow fails during intake is still on record.
    /// </summary>
    public static bool IsRegistered(CaseEntity c) => c.CaseDueAt != default;

    /// <summary>A copy of the row as read (a refused change must not leak into what the caller is given back).</summary>
    internal CaseEntity Clone() => (CaseEntity)MemberwiseClone();
}

/// <summary>A case on the list of cases needing attention (partition <see cref="Partition"/> of the Cases table, one row per case).</summary>
public sealed class AttentionEntity : ITableEntity
{
    public const string Partition = "!attention";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = ""; // case number
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Reason { get; set; } = "";
    public DateTimeOffset Since { get; set; }
}

/// <summary>One offer of a case to a reviewer, with why other candidates were skipped.</summary>
public sealed class AssignmentEntity : ITableEntity
{
    public string PartitionKey { get; set; } = ""; // case number
    public string RowKey { get; set; } = "";       // assignment id
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ReviewerId { get; set; } = "";
    public int Round { get; set; }
    /// <summary>The stored text of <see cref="State"/> (the enum's name).</summary>
    public string Status { get; set; } = nameof(AssignmentStatus.Offered);
    /// <summary>Where the offer stands; its moves are checked by <see cref="AssignmentStatusTransitions"/> when the row is written.</summary>
    [IgnoreDataMember]
    public AssignmentStatus State { get => Enum.Parse<AssignmentStatus>(Status); set => Status = value.ToString(); }
    /// <summary>Declined, timed out or withdrawn: the assignment's links lead to the "superseded" page.</summary>
    [IgnoreDataMember]
    public bool HasEnded => AssignmentStatusTransitions.HasEnded(State);
    public DateTimeOffset OfferedAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public string? EndedReason { get; set; }
    public string MatchingVerdicts { get; set; } = "[]";
    /// <summary>How often the determination was sent back for correction; a submission of revision n is its own single-use action.</summary>
    public int DeterminationRevision { get; set; }
    /// <summary>Set when the reviewer declines: the reason as typed, and a declared conflict (kind and party).</summary>
    public string? DeclineReason { get; set; }
    public string? DeclaredConflictKind { get; set; }
    public string? DeclaredConflictParty { get; set; }
    /// <summary>Who assigned the case by hand (medical director), when it was not matched.</summary>
    public string? AssignedBy { get; set; }

    internal AssignmentEntity Clone() => (AssignmentEntity)MemberwiseClone();

    public AssignmentLinkFacts LinkFacts() => new(RowKey, ReviewerId, HasEnded, OfferedAt, DeterminationRevision);
}

/// <summary>What a reviewer's link needs to know of its assignment: whose it is, whether it ended, when it was offered, which determination revision is due.</summary>
public sealed record AssignmentLinkFacts(string AssignmentId, string ReviewerId, bool HasEnded, DateTimeOffset OfferedAt, int DeterminationRevision);

/// <summary>
/// The Cases and Assignments tables. Every row this process read or wrote last is remembered with its ETag, and a change
/// of a row by its key (<see cref="UpdateAsync"/>, <see cref="UpdateAssignmentAsync(string, string, Action{AssignmentEntity}, CancellationToken)"/>)
/// starts from that copy: its write is conditional on the ETag, so a copy that is no longer current costs a 412 and the read
/// it saved, never a lost update. On one instance a case's steps then write its row without reading it first; a move the
/// copy would refuse is decided again on the stored row. Reads for their own sake (<see cref="GetAsync"/>) always read.
/// </summary>
public sealed class CaseStore(StorageClients storage)
{
    // Bounded only to keep a long-running worker's memory flat: a cleared entry costs one read.
    private const int MaxRemembered = 20_000;
    private readonly ConcurrentDictionary<string, CaseEntity> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Case, string Assignment), AssignmentEntity> _assignments = new();

    private TableClient Cases => storage.Table(StorageNames.CasesTable);
    private TableClient Assignments => storage.Table(StorageNames.AssignmentsTable);

    public async Task<CaseEntity?> GetAsync(string caseNumber, CancellationToken ct = default)
    {
        var response = await Cases.GetEntityIfExistsAsync<CaseEntity>(caseNumber, CaseEntity.Row, cancellationToken: ct);
        return response.HasValue ? Remember(response.Value!) : null;
    }

    private CaseEntity Remember(CaseEntity c)
    {
        if (c.ETag != default)
        {
            if (_cases.Count >= MaxRemembered) _cases.Clear();
            _cases[c.PartitionKey] = c.Clone();
        }

        return c;
    }

    private AssignmentEntity Remember(AssignmentEntity a)
    {
        if (a.ETag != default)
        {
            if (_assignments.Count >= MaxRemembered) _assignments.Clear();
            _assignments[(a.PartitionKey, a.RowKey)] = a.Clone();
        }

        return a;
    }

    private CaseEntity? Remembered(string caseNumber) => _cases.TryGetValue(caseNumber, out var c) ? c.Clone() : null;

    private AssignmentEntity? Remembered(string caseNumber, string assignmentId) => _assignments.TryGetValue((caseNumber, assignmentId), out var a) ? a.Clone() : null;

    /// <summary>Inserts the case once; a retried activity finds it and returns the stored record.</summary>
    public async Task<CaseEntity> AddOnceAsync(CaseEntity entity, CancellationToken ct = default)
    {
        try
        {
            var added = await Cases.AddEntityAsync(entity, ct);
            entity.ETag = added.Headers.ETag ?? default; // the new row can be changed without reading it
            CaseTelemetry.StatusChanged(entity.PartitionKey, null, entity, DateTimeOffset.UtcNow);
            return Remember(entity);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetAsync(entity.PartitionKey, ct))!;
        }
    }

    /// <summary>
    /// Applies a change to the case record with optimistic concurrency (ETag-conditional replace, re-read on 412). A change
    /// that would move the status in a way <see cref="CaseStatusTransitions"/> does not allow (e.g. a closed case back to
    /// review) is a late or repeated step: nothing is written and the stored record is returned.
    /// </summary>
    public async Task<CaseEntity> UpdateAsync(string caseNumber, Action<CaseEntity> change, CancellationToken ct = default) =>
        (await ChangeAsync(caseNumber, change, ct)).Case;

    /// <summary>As <see cref="UpdateAsync"/>; <c>Applied</c> is false when the change was refused as a move backwards.</summary>
    public async Task<(CaseEntity Case, bool Applied)> ChangeAsync(string caseNumber, Action<CaseEntity> change, CancellationToken ct = default)
    {
        if (Remembered(caseNumber) is { } copy)
        {
            var (entity, applied) = await ChangeAsync(caseNumber, copy, change, ct);
            // Refused on the remembered copy: decide again on the stored row (it may have moved where the change is allowed).
            if (applied) return (entity, true);
        }

        return await ChangeAsync(caseNumber, null, change, ct);
    }

    /// <summary>
    /// As <see cref="ChangeAsync(string, Action{CaseEntity}, CancellationToken)"/>, starting from the row the caller read
    /// (its ETag makes the write conditional): a step that read the case once writes it without reading it again; only a
    /// concurrent write (412) costs a fresh read.
    /// </summary>
    public Task<(CaseEntity Case, bool Applied)> ChangeAsync(CaseEntity read, Action<CaseEntity> change, CancellationToken ct = default) =>
        ChangeAsync(read.PartitionKey, read, change, ct);

    private async Task<(CaseEntity Case, bool Applied)> ChangeAsync(string caseNumber, CaseEntity? read, Action<CaseEntity> change, CancellationToken ct)
    {
        var before = read is null ? null : Copy(read);
        string? from = null; // the status the applied change started from (the last attempt's)
        var (entity, applied) = await ChangeRowAsync(Cases, read, () => GetAsync(caseNumber, ct), $"Case {caseNumber}", e => e.Status, CaseStatusTransitions.Allows, e => { from = e.Status; change(e); }, ct);
        if (applied)
        {
            CaseTelemetry.StatusChanged(caseNumber, from, entity, DateTimeOffset.UtcNow);
            return (Remember(entity), true);
        }

        // The refused change touched the copy in hand: give back the row as stored (the caller's copy when it was current).
        return (ReferenceEquals(entity, read) && before is not null ? before : (await GetAsync(caseNumber, ct))!, false);
    }

    private static CaseEntity Copy(CaseEntity c) => c.Clone();

    /// <summary>
    /// One row changed with optimistic concurrency: read, change, and replace only if the row is unchanged (re-read and
    /// decide again on 412); a status move the transition table refuses writes nothing.
    /// </summary>
    /// <param name="inHand">The row as the caller read it (tried first, without a read), or null to read it.</param>
    private static async Task<(T Entity, bool Applied)> ChangeRowAsync<T>(TableClient table, T? inHand, Func<Task<T?>> read, string what, Func<T, string> statusOf,
        Func<string?, string?, bool> allows, Action<T> change, CancellationToken ct) where T : class, ITableEntity
    {
        for (var attempt = 0; ; attempt++)
        {
            var entity = (attempt == 0 && inHand?.ETag != default ? inHand : null) ?? await read() ?? throw new InvalidOperationException($"{what} is not recorded.");
            var before = statusOf(entity);
            change(entity);
            if (!allows(before, statusOf(entity))) return (entity, false);
            try
            {
                var response = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                entity.ETag = response.Headers.ETag ?? default; // a later conditional write of the same copy needs no read
                return (entity, true);
            }
            catch (RequestFailedException ex) when ((ex.Status == 412 || (ex.Status == 404 && attempt == 0 && ReferenceEquals(entity, inHand))) && attempt < 10)
            {
                // Written meanwhile (or the copy in hand names a row no longer there): decide again on the stored state.
            }
        }
    }

    /// <summary>Puts the case on the attention list (or refreshes its reason there).</summary>
    public Task MarkNeedsAttentionAsync(string caseNumber, string reason, DateTimeOffset since, CancellationToken ct = default) =>
        Cases.UpsertEntityAsync(new AttentionEntity { RowKey = caseNumber, Reason = reason, Since = since }, TableUpdateMode.Replace, ct);

    public async Task ClearNeedsAttentionAsync(string caseNumber, CancellationToken ct = default)
    {
        try
        {
            await Cases.DeleteEntityAsync(AttentionEntity.Partition, caseNumber, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>Every case needing attention (one small partition), oldest first.</summary>
    public async Task<IReadOnlyList<AttentionEntity>> NeedingAttentionAsync(CancellationToken ct = default)
    {
        var list = new List<AttentionEntity>();
        await foreach (var a in Cases.QueryAsync<AttentionEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {AttentionEntity.Partition}"), cancellationToken: ct))
        {
            list.Add(a);
        }

        return list.OrderBy(a => a.Since).ToList();
    }

    /// <summary>
    /// Every case not closed, three columns each (a scan of the case rows, for the at-risk dashboard's counts by state):
    /// case number, status, and the case's due date (default while the case is still in intake).
    /// </summary>
    public async Task<IReadOnlyList<(string CaseNumber, string Status, DateTimeOffset CaseDueAt)>> ReadNotClosedAsync(CancellationToken ct = default)
    {
        var list = new List<(string, string, DateTimeOffset)>();
        var filter = TableClient.CreateQueryFilter($"RowKey eq {CaseEntity.Row} and Status ne {nameof(CaseStatus.Closed)}");
        await foreach (var e in Cases.QueryAsync<TableEntity>(filter, select: [nameof(CaseEntity.PartitionKey), nameof(CaseEntity.Status), nameof(CaseEntity.CaseDueAt)], cancellationToken: ct))
        {
            list.Add((e.PartitionKey, e.GetString(nameof(CaseEntity.Status)) ?? "", e.GetDateTimeOffset(nameof(CaseEntity.CaseDueAt)) ?? default));
        }

        return list;
    }

    public async Task<AssignmentEntity?> GetAssignmentAsync(string caseNumber, string assignmentId, CancellationToken ct = default)
    {
        var response = await Assignments.GetEntityIfExistsAsync<AssignmentEntity>(caseNumber, assignmentId, cancellationToken: ct);
        return response.HasValue ? Remember(response.Value!) : null;
    }

    /// <summary>The case's assignment rows (one partition: the case's own, never a scan of other cases).</summary>
    public async Task<IReadOnlyList<AssignmentEntity>> ListAssignmentsAsync(string caseNumber, CancellationToken ct = default)
    {
        var list = new List<AssignmentEntity>();
        await foreach (var a in Assignments.QueryAsync<AssignmentEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {caseNumber}"), cancellationToken: ct))
        {
            list.Add(a);
        }

        return list;
    }

    public async Task<AssignmentEntity> AddAssignmentOnceAsync(AssignmentEntity entity, CancellationToken ct = default)
    {
        try
        {
            var added = await Assignments.AddEntityAsync(entity, ct);
            entity.ETag = added.Headers.ETag ?? default; // the new row can be changed without reading it
            return Remember(entity);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetAssignmentAsync(entity.PartitionKey, entity.RowKey, ct))!;
        }
    }

    /// <summary>
    /// Applies a change to an assignment row, ETag-conditional with a re-read on 412. A change that would move its status
    /// in a way <see cref="AssignmentStatusTransitions"/> does not allow (e.g. a completed assignment back to accepted) is
    /// a late or repeated step: nothing is written and false is returned.
    /// </summary>
    public async Task<bool> UpdateAssignmentAsync(string caseNumber, string assignmentId, Action<AssignmentEntity> change, CancellationToken ct = default)
    {
        // From the remembered copy first (a write without a read); refused there, decided again on the stored row.
        if (Remembered(caseNumber, assignmentId) is { } copy && await UpdateAssignmentAsync(copy, change, ct))
        {
            return true;
        }

        var (entity, applied) = await ChangeRowAsync(Assignments, null, () => GetAssignmentAsync(caseNumber, assignmentId, ct), $"Assignment {assignmentId}", e => e.Status, AssignmentStatusTransitions.Allows, change, ct);
        if (applied) Remember(entity);
        return applied;
    }

    /// <summary>As <see cref="UpdateAssignmentAsync(string, string, Action{AssignmentEntity}, CancellationToken)"/>, from the row the caller read (re-read only on 412).</summary>
    public async Task<bool> UpdateAssignmentAsync(AssignmentEntity read, Action<AssignmentEntity> change, CancellationToken ct = default)
    {
        var (entity, applied) = await ChangeRowAsync(Assignments, read, () => GetAssignmentAsync(read.PartitionKey, read.RowKey, ct), $"Assignment {read.RowKey}", e => e.Status, AssignmentStatusTransitions.Allows, change, ct);
        if (applied) Remember(entity);
        return applied;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, CasePackage.JsonOptions);

    /// <summary>A table string property holds at most 64 KiB (32K UTF-16 characters); this leaves room for the rest of the row.</summary>
    public const int MaxStoredText = 30_000;

    /// <summary>
    /// The matching's verdicts as stored on the assignment, within a table property's limit: over a roster of a few hundred
    /// reviewers the full list is larger than a property may be (the offer failed with 400). The selected reviewer, the
    /// other eligible and the held-back ones are kept first, then the skipped ones in roster order while they fit.
    /// </summary>
    public static string SerializeVerdicts(IReadOnlyList<CandidateVerdict> verdicts, string selectedReviewerId)
    {
        var all = Serialize(verdicts);
        if (all.Length <= MaxStoredText) return all;
        var kept = new List<CandidateVerdict>();
        var length = 2;
        foreach (var v in verdicts.OrderBy(v => v.ReviewerId == selectedReviewerId ? 0 : v.Verdict == MatchVerdict.Eligible ? 1 : v.Verdict == MatchVerdict.PossibleConflict ? 2 : 3))
        {
            var one = Serialize(v).Length + 1;
            if (length + one > MaxStoredText) break;
            kept.Add(v);
            length += one;
        }

        // The list's own formatting adds to the items' lengths: drop from the end until it fits.
        var json = Serialize(kept);
        while (json.Length > MaxStoredText && kept.Count > 1)
        {
            kept.RemoveAt(kept.Count - 1);
            json = Serialize(kept);
        }

        return json;
    }
}
