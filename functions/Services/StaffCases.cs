using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Storage;
using Imr.Functions.Web.Staff;

namespace Imr.Functions.Services;

/// <summary>What staff search cases by; every field optional.</summary>
public sealed record CaseSearch(
    string? CaseNumber = null,
    string? Status = null,
    string? Program = null,
    bool? Expedited = null,
    string? ReviewerId = null,
    int? DueWithinDays = null,
    bool OverdueOnly = false,
    int Page = 1)
{
    public const int PageSize = 25;
}

/// <summary>One row of the case list.</summary>
public sealed record CaseListRow(string CaseNumber, string Status, string Program, bool Expedited, string? ReviewerId, DateTimeOffset? CaseDueAt, TimeSpan? TimeLeft, bool Overdue, DateTimeOffset? ClosedAt);

/// <summary>A page of the case list: open cases by time left first, then cases without a review clock, then closed ones.</summary>
public sealed record CaseListView(CaseSearch Search, IReadOnlyList<CaseListRow> Rows, int Total, DateTimeOffset Now)
{
    public int Pages => Math.Max(1, (Total + CaseSearch.PageSize - 1) / CaseSearch.PageSize);
}

/// <summary>A short-lived read-only link to a stored document, letter or notice.</summary>
public sealed record StaffLink(string Name, string Kind, Uri Link);

/// <summary>One assignment of the case, oldest first, with the matcher's verdict on every candidate of its round.</summary>
public sealed record AssignmentHistoryRow(string AssignmentId, int Round, string ReviewerId, string Status, DateTimeOffset OfferedAt, DateTimeOffset? AcceptedAt, string? EndedReason, string? DeclineReason, string? AssignedBy, IReadOnlyList<CandidateVerdict> Verdicts);

/// <summary>The staff case page: the status page's content, the case's parties and disputed items, assignment history and links.</summary>
public sealed record StaffCaseView(CaseStatusPageView Page, CasePackage? Package, IReadOnlyList<AssignmentHistoryRow> Assignments, IReadOnlyList<StaffLink> Links, TimeSpan LinkLifetime, DateTimeOffset Now)
{
    /// <summary>Outcome per disputed item, from the latest letter ("ITEM=Upheld; ITEM=Overturned").</summary>
    public IReadOnlyDictionary<string, string> Outcomes { get; } = (Page.Status.Outcomes ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
}

/// <summary>
/// The staff console's case list and case page. Every read of a case is written to the case's audit trail with the
/// reader's identity (who read what, when); the list shows case numbers, states and dates only.
/// </summary>
public sealed class StaffCases(StorageClients storage, CaseStore cases, CaseStatusQuery query, AuditLog audit, DocumentStore documents, DocumentLinks links, TimeProvider time)
{
    /// <summary>How long the page's document links work: long enough to open them, short enough not to be kept.</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(15);

    public async Task<CaseListView> SearchAsync(CaseSearch search, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        // The exact-match filters go to the table service; the rest (prefix, windows) are checked here.
        var filter = TableClient.CreateQueryFilter($"RowKey eq {CaseEntity.Row}");
        if (!string.IsNullOrWhiteSpace(search.Status)) filter += " and " + TableClient.CreateQueryFilter($"Status eq {search.Status}");
        if (!string.IsNullOrWhiteSpace(search.Program)) filter += " and " + TableClient.CreateQueryFilter($"Program eq {search.Program}");
        if (search.Expedited is { } expedited) filter += " and " + TableClient.CreateQueryFilter($"Expedited eq {expedited}");
        if (!string.IsNullOrWhiteSpace(search.ReviewerId)) filter += " and " + TableClient.CreateQueryFilter($"CurrentReviewerId eq {search.ReviewerId.Trim()}");
        var prefix = search.CaseNumber?.Trim().ToUpperInvariant();
        if (!string.IsNullOrEmpty(prefix)) filter += " and " + TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}");

        var rows = new List<CaseListRow>();
        await foreach (var c in storage.Table(StorageNames.CasesTable).QueryAsync<CaseEntity>(filter, cancellationToken: ct))
        {
            var registered = CaseEntity.IsRegistered(c);
            var closed = c.Status == nameof(CaseStatus.Closed);
            TimeSpan? left = registered && !closed ? c.CaseDueAt - now : null;
            var overdue = left < TimeSpan.Zero || (c.Overdue && !closed);
            if (search.OverdueOnly && !overdue) continue;
            if (search.DueWithinDays is { } days && (left is null || left > TimeSpan.FromDays(days))) continue;
            rows.Add(new CaseListRow(c.PartitionKey, c.Status, c.Program, c.Expedited, c.CurrentReviewerId, registered ? c.CaseDueAt : null, left, overdue, c.ClosedAt));
        }

        var sorted = rows
            .OrderBy(r => r.TimeLeft is null ? 1 : 0).ThenBy(r => r.TimeLeft)
            .ThenBy(r => r.ClosedAt is null ? 0 : 1).ThenByDescending(r => r.ClosedAt).ThenBy(r => r.CaseNumber, StringComparer.Ordinal)
            .ToList();
        var page = Math.Clamp(search.Page, 1, Math.Max(1, (sorted.Count + CaseSearch.PageSize - 1) / CaseSearch.PageSize));
        return new CaseListView(search with { Page = page }, sorted.Skip((page - 1) * CaseSearch.PageSize).Take(CaseSearch.PageSize).ToList(), sorted.Count, now);
    }

    /// <summary>The case page's content, or null for no such case; the read is audited with <paramref name="reader"/> first.</summary>
    public async Task<StaffCaseView?> ReadAsync(string caseNumber, StaffUser reader, CancellationToken ct = default)
    {
        if (!CaseNumber.TryParse(caseNumber, out var parsed)) return null;
        caseNumber = parsed.Value;
        var status = await query.GetAsync(caseNumber, ct);
        if (status is null) return null;

        // Recorded before anything is shown: a read that fails half way is still a read.
        var now = time.GetUtcNow();
        await audit.RecordAsync(caseNumber, $"read-{now.UtcTicks:D19}-{Guid.NewGuid():N}", "Case read", $"by {reader.AuditName}", ct);
        var page = (await query.GetPageAsync(caseNumber, ct))!;

        var entity = await cases.GetAsync(caseNumber, ct);
        CasePackage? package = null;
        if (entity is not null && CaseEntity.IsRegistered(entity))
        {
            try
            {
                package = await documents.ReadAcceptedPackageAsync(entity, ct);
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or InvalidOperationException or JsonException)
            {
                package = null; // the page still shows status, trail and letters
            }
        }

        var history = new List<AssignmentHistoryRow>();
        foreach (var a in (await cases.ListAssignmentsAsync(caseNumber, ct)).OrderBy(a => a.Round).ThenBy(a => a.OfferedAt))
        {
            var verdicts = JsonSerializer.Deserialize<List<CandidateVerdict>>(a.MatchingVerdicts, CasePackage.JsonOptions) ?? [];
            history.Add(new AssignmentHistoryRow(a.RowKey, a.Round, a.ReviewerId, a.Status, a.OfferedAt, a.AcceptedAt, a.EndedReason, a.DeclineReason, a.AssignedBy, verdicts));
        }

        var found = new List<StaffLink>();
        foreach (var d in package?.Documents ?? [])
        {
            found.Add(new StaffLink(d.FileName, "Document", await links.ReadOnlyAsync(StorageNames.CaseFilesContainer, CaseIntake.DocumentBlobName(caseNumber, d.FileName), LinkLifetime, ct)));
        }

        foreach (var l in page.Letters.OrderByDescending(l => l.Version))
        {
            var v = l.Version.ToString(CultureInfo.InvariantCulture);
            if (l.PdfBlobName.Length > 0) found.Add(new StaffLink($"Letter version {v} (PDF)", "Letter", await links.ReadOnlyAsync(StorageNames.DeterminationsContainer, l.PdfBlobName, LinkLifetime, ct)));
            if (l.HtmlBlobName.Length > 0) found.Add(new StaffLink($"Letter version {v} (HTML)", "Letter", await links.ReadOnlyAsync(StorageNames.DeterminationsContainer, l.HtmlBlobName, LinkLifetime, ct)));
        }

        if (status.Intake?.NoticeBlobName is { Length: > 0 } notice && await documents.ExistsAsync(StorageNames.DeterminationsContainer, notice, ct))
        {
            found.Add(new StaffLink(Path.GetFileName(notice), "Notice", await links.ReadOnlyAsync(StorageNames.DeterminationsContainer, notice, LinkLifetime, ct)));
        }

        // Every notice the case sent, except mails to a reviewer: those carry the reviewer's signed link, which would let
        // a reader act as the reviewer.
        var reviewerMail = CaseNames.AssignmentId(caseNumber, 0)[..^1];
        await foreach (var b in storage.Container(StorageNames.OutboxContainer).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, caseNumber + "/", ct))
        {
            var id = Path.GetFileNameWithoutExtension(b.Name);
            if (id.StartsWith(reviewerMail, StringComparison.Ordinal)) continue;
            found.Add(new StaffLink(id, "Notice", await links.ReadOnlyAsync(StorageNames.OutboxContainer, b.Name, LinkLifetime, ct)));
        }

        return new StaffCaseView(page, package, history, found, LinkLifetime, now);
    }
}
