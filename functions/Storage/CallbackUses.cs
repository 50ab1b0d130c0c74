using Azure;
using Azure.Data.Tables;

namespace Imr.Functions.Storage;

/// <summary>How far a recorded answer has got on its way to the case's orchestration.</summary>
public static class AnswerStates
{
    /// <summary>Stored (with everything needed to deliver it); the event is not raised yet.</summary>
    public const string Recorded = nameof(Recorded);
    /// <summary>The event was raised and the answer acknowledged; the case has not yet moved past it.</summary>
    public const string Raised = nameof(Raised);
    /// <summary>The case moved past the answer (the orchestration acted on it, or it no longer applies).</summary>
    public const string Delivered = nameof(Delivered);
}

/// <summary>What an answer is; selects the event that carries it.</summary>
public static class AnswerKinds
{
    public const string Accepted = nameof(Accepted);
    public const string Declined = nameof(Declined);
    public const string Determination = nameof(Determination);
    public const string ManualAssignment = nameof(ManualAssignment);
}

/// <summary>
/// The single-use claim of a state-changing link (or of the medical director's manual-assignment round), which is also
/// the durable record of the answer: it carries everything needed to raise the event again (ids, the blob name, the
/// decline reason), so an answer recorded before a crash is delivered by the reviewer's retry or by the sweep.
/// Partition: the assignment id (or round id); row: the use. A row without <see cref="State"/> was written before answers
/// had a state: it was acknowledged, so it counts as <see cref="AnswerStates.Raised"/>.
/// </summary>
public sealed class AnswerRecord : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>What the first use showed (or, for a manual assignment, the choice as JSON); a repeated use shows it again.</summary>
    public string Result { get; set; } = "";
    public string? State { get; set; }
    public string? CaseNumber { get; set; }
    public string? Answer { get; set; }
    public string? SubmissionBlobName { get; set; }
    public int Revision { get; set; }
    public int Round { get; set; }
    /// <summary>A decline's reason and declared conflict, copied to the assignment before the event is raised.</summary>
    public string? DeclineReason { get; set; }
    public string? DeclaredConflictKind { get; set; }
    public string? DeclaredConflictParty { get; set; }
    public DateTimeOffset? RecordedAt { get; set; }
    /// <summary>Until then the request that recorded the answer is raising it; after it, anyone may take the delivery over.</summary>
    public DateTimeOffset? DeliverBy { get; set; }
    public DateTimeOffset? RaisedAt { get; set; }
    public int Raises { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }

    public string EffectiveState => State ?? AnswerStates.Raised;
}

/// <summary>A row of the pending-answers index: an answer that may not have reached its orchestration yet.</summary>
public sealed record PendingAnswer(string Key, string Use, string CaseNumber, DateTimeOffset Since);

/// <summary>
/// Single use of state-changing callback links: the first use records the answer; a repeat finds it and sees the first
/// result. Answers not yet delivered are also listed in one small partition (<see cref="PendingPartition"/>), written
/// before the answer and removed once the case has moved past it, so the sweep finds them without reading any case.
/// </summary>
public sealed class CallbackUses(StorageClients storage)
{
    /// <summary>Partition of the pending-answers index (assignment ids never take this form).</summary>
    public const string PendingPartition = "~pending-answers";

    private TableClient Table => storage.Table(StorageNames.CallbackUsesTable);

    private static string PendingRow(string key, string use) => $"{key}|{use}";

    /// <summary>
    /// Records the answer unless the use was recorded already. The index row is written first: a crash between the two
    /// leaves an index row without an answer, which the sweep removes; never an answer the sweep cannot find.
    /// </summary>
    /// <returns>The stored record, and whether it is this call's.</returns>
    public async Task<(AnswerRecord Record, bool First)> RecordAsync(AnswerRecord answer, DateTimeOffset now, CancellationToken ct = default)
    {
        answer.State = AnswerStates.Recorded;
        answer.RecordedAt = now;
        await Table.UpsertEntityAsync(new TableEntity(PendingPartition, PendingRow(answer.PartitionKey, answer.RowKey)) { ["CaseNumber"] = answer.CaseNumber, ["Since"] = now }, TableUpdateMode.Replace, ct);
        try
        {
            var added = await Table.AddEntityAsync(answer, ct);
            answer.ETag = added.Headers.ETag ?? default;
            return (answer, true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await GetAsync(answer.PartitionKey, answer.RowKey, ct))!;
            if (existing.EffectiveState == AnswerStates.Delivered) await RemovePendingAsync(existing.PartitionKey, existing.RowKey, ct);
            return (existing, false);
        }
    }

    /// <summary>A bare claim as written before answers were recorded with a state (no event data; counts as raised). Kept for tests of that data.</summary>
    /// <returns>null when this is the first use; otherwise the result recorded by the first use.</returns>
    public async Task<string?> TryClaimAsync(string key, string use, string result, CancellationToken ct = default)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(key, use) { ["Result"] = result }, ct);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await FirstResultAsync(key, use, ct);
        }
    }

    public async Task<AnswerRecord?> GetAsync(string key, string use, CancellationToken ct = default)
    {
        var row = await Table.GetEntityIfExistsAsync<AnswerRecord>(key, use, cancellationToken: ct);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>The result of the first use, or null when the link was not used yet (read-only: GET pages call it).</summary>
    public async Task<string?> FirstResultAsync(string assignmentId, string action, CancellationToken ct = default) =>
        (await GetAsync(assignmentId, action, ct))?.Result;

    /// <summary>Takes over the delivery of an answer whose recording request did not finish (conditional on the row not having changed).</summary>
    public async Task<bool> TryTakeOverAsync(AnswerRecord answer, DateTimeOffset deliverBy, CancellationToken ct = default)
    {
        answer.DeliverBy = deliverBy;
        try
        {
            var updated = await Table.UpdateEntityAsync(answer, answer.ETag, TableUpdateMode.Replace, ct);
            answer.ETag = updated.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>The event was raised (again). Never moves a delivered answer back.</summary>
    public Task MarkRaisedAsync(string key, string use, DateTimeOffset now, CancellationToken ct = default) =>
        ChangeAsync(key, use, a => Raised(a, now), ct);

    /// <summary>
    /// As <see cref="MarkRaisedAsync(string, string, DateTimeOffset, CancellationToken)"/> for the answer in hand: written
    /// conditionally on its ETag without a read; only when the row changed meanwhile (412) is it read and decided again.
    /// </summary>
    public async Task MarkRaisedAsync(AnswerRecord answer, DateTimeOffset now, CancellationToken ct = default)
    {
        if (answer.ETag != default && Raised(answer, now))
        {
            try
            {
                var updated = await Table.UpdateEntityAsync(answer, answer.ETag, TableUpdateMode.Replace, ct);
                answer.ETag = updated.Headers.ETag ?? default;
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed meanwhile (another raise, or delivered): decide on the stored row.
            }
        }

        await MarkRaisedAsync(answer.PartitionKey, answer.RowKey, now, ct);
    }

    private static bool Raised(AnswerRecord a, DateTimeOffset now)
    {
        if (a.EffectiveState == AnswerStates.Delivered) return false;
        a.State = AnswerStates.Raised;
        a.RaisedAt = now;
        a.Raises++;
        return true;
    }

    /// <summary>The case moved past the answer: nothing more to deliver, and it leaves the pending index.</summary>
    public async Task MarkDeliveredAsync(string key, string use, DateTimeOffset now, CancellationToken ct = default)
    {
        await ChangeAsync(key, use, a =>
        {
            if (a.EffectiveState == AnswerStates.Delivered) return false;
            a.State = AnswerStates.Delivered;
            a.DeliveredAt = now;
            return true;
        }, ct);
        await RemovePendingAsync(key, use, ct);
    }

    /// <summary>The pending-answers index: one partition, small (answers leave it once their case moved past them).</summary>
    public async Task<IReadOnlyList<PendingAnswer>> ListPendingAsync(CancellationToken ct = default)
    {
        var list = new List<PendingAnswer>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {PendingPartition}"), cancellationToken: ct))
        {
            var split = e.RowKey.LastIndexOf('|');
            list.Add(new PendingAnswer(e.RowKey[..split], e.RowKey[(split + 1)..], e.GetString("CaseNumber") ?? "", e.GetDateTimeOffset("Since") ?? DateTimeOffset.MinValue));
        }

        return list;
    }

    public async Task RemovePendingAsync(string key, string use, CancellationToken ct = default)
    {
        try
        {
            await Table.DeleteEntityAsync(PendingPartition, PendingRow(key, use), ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    private async Task ChangeAsync(string key, string use, Func<AnswerRecord, bool> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var row = await GetAsync(key, use, ct);
            if (row is null || !change(row)) return;
            try
            {
                await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
            }
        }
    }
}
