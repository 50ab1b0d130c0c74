using System.Text;

namespace Imr.Functions.Storage;

/// <summary>A message for a person outside the system (reviewer, parties, medical director).</summary>
public sealed record Notification(string NotificationId, string CaseNumber, string To, string Subject, string Body);

/// <summary>Notifications are written to the outbox container; a sender delivers them. One blob per notification id, so a retry sends nothing twice.</summary>
public sealed class Outbox(DocumentStore documents)
{
    public Task<bool> EnqueueAsync(Notification n, CancellationToken ct = default)
    {
        var text = $"To: {n.To}\nSubject: {n.Subject}\nX-Imr-Case: {n.CaseNumber}\n\n{n.Body}\n";
        return documents.CreateOnceAsync(StorageNames.OutboxContainer, BlobName(n.CaseNumber, n.NotificationId), BinaryData.FromBytes(Encoding.UTF8.GetBytes(text)), "text/plain; charset=utf-8", ct);
    }

    public static string BlobName(string caseNumber, string notificationId) => $"{caseNumber}/{notificationId}.txt";
}
