using Imr.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>
/// Escalations to the medical director. The outbox notification id is <c>escalation-{level}</c> and the outbox writes
/// each id once per case, so the orchestration's timer, the sweep, a retried activity and a restarted case together
/// send each level at most once.
/// </summary>
public sealed class Escalations(Outbox outbox, IOptions<ImrOptions> options, ILogger<Escalations> logger)
{
    public static string NotificationId(string level) => $"escalation-{level}";

    /// <summary>True when this call sent the escalation; false when it had been sent before.</summary>
    public async Task<bool> SendOnceAsync(string caseNumber, string level, string subject, string body, CancellationToken ct = default)
    {
        var sent = await outbox.EnqueueAsync(new Notification(NotificationId(level), caseNumber, options.Value.MedicalDirectorEmail, subject, body), ct);
        if (sent)
        {
            logger.LogWarning("Case {CaseNumber} escalated: {Level}", caseNumber, level);
        }

        return sent;
    }
}
