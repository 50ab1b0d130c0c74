using Imr.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>
/// Escalations to the medical director. The outbox notification id is <c>escalation-{level}</c> and the outbox writes
/// each id once per case, so the orchestration's timer, the sweep, a retried activity and a restarted case together
/// send each level at most once. Every escalation ends with a link to the console page that resolves it
/// (<see cref="ConsoleLinks.ForEscalation"/>), so the medical director never has to know a route.
/// </summary>
public sealed class Escalations(Outbox outbox, ConsoleLinks links, IOptions<ImrOptions> options, ILogger<Escalations> logger)
{
    public static string NotificationId(string level) => $"escalation-{level}";

    /// <summary>True when this call sent the escalation; false when it had been sent before.</summary>
    public async Task<bool> SendOnceAsync(string caseNumber, string level, string subject, string body, CancellationToken ct = default)
    {
        var sent = await outbox.EnqueueAsync(new Notification(NotificationId(level), caseNumber, options.Value.MedicalDirectorEmail, subject, WithLink(body, caseNumber, level)), ct);
        if (sent)
        {
            logger.LogWarning("Case {CaseNumber} escalated: {Level}", caseNumber, level);
        }

        return sent;
    }

    /// <summary>The mail's text with the console page that resolves the escalation on its own last line.</summary>
    public string WithLink(string body, string caseNumber, string level) =>
        $"{body.TrimEnd()}\n\nAct on it in the staff console: {links.ForEscalation(caseNumber, level)}\n";
}
