using Azure;
using Azure.Data.Tables;
using Imr.Domain.Deadlines;
using Imr.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

public sealed record SweepReport(int EntriesRead, int AtRisk, int Overdue, int EscalationsSent);

/// <summary>The scheduled sweep: reads the due part of the deadline index, classifies, and escalates each case at most once per level.</summary>
public sealed class DeadlineSweeper(DeadlineIndex index, StorageClients storage, Outbox outbox, IOptions<ImrOptions> options, TimeProvider time, ILogger<DeadlineSweeper> logger)
{
    /// <summary>Overdue cases stay in the index until they close; a year back is far beyond any open case.</summary>
    private static readonly TimeSpan Lookback = TimeSpan.FromDays(366);

    public async Task<SweepReport> SweepAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var sweep = new DeadlineSweep(options.Value.DeadlinePolicy.Scale(options.Value.AtRiskWindow));
        var (entries, read) = await index.ReadDueAsync(now - Lookback, now + sweep.AtRiskWindow, ct);
        var findings = sweep.Classify(entries, now);
        var sent = 0;
        foreach (var f in findings)
        {
            if (await RecordOnceAsync(f, ct))
            {
                await outbox.EnqueueAsync(new Notification($"sweep-{f.Risk}", f.CaseNumber, options.Value.MedicalDirectorEmail, $"IMR case {f.CaseNumber}: {f.Risk}", $"Time left: {f.TimeLeft}."), ct);
                sent++;
            }
        }

        var report = new SweepReport(read, findings.Count(f => f.Risk == DeadlineRisk.AtRisk), findings.Count(f => f.Risk == DeadlineRisk.Overdue), sent);
        logger.LogInformation("Deadline sweep read {Read} entries: {AtRisk} at risk, {Overdue} overdue, {Sent} escalations sent", report.EntriesRead, report.AtRisk, report.Overdue, report.EscalationsSent);
        return report;
    }

    private async Task<bool> RecordOnceAsync(SweepFinding f, CancellationToken ct)
    {
        try
        {
            await storage.Table(StorageNames.AuditTable).AddEntityAsync(new TableEntity(f.CaseNumber, $"sweep-escalation-{f.Risk}") { ["At"] = time.GetUtcNow() }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }
}
