using Microsoft.Extensions.Options;
using MimeKit;

namespace Imr.Functions.Storage;

/// <summary>A file sent with a notification, e.g. the letter's PDF.</summary>
public sealed record NotificationAttachment(string FileName, string MediaType, BinaryData Content);

/// <summary>
/// A message for a person outside the system (reviewer, parties, medical director). <see cref="To"/> is an e-mail
/// address, or, for a party with no address on file, the party's name: that notice is marked for service by post.
/// </summary>
public sealed record Notification(string NotificationId, string CaseNumber, string To, string Subject, string Body)
{
    /// <summary>Display name of the recipient, e.g. the party's name.</summary>
    public string? ToName { get; init; }
    public IReadOnlyList<NotificationAttachment> Attachments { get; init; } = [];
}

/// <summary>Settings under <c>Notifications</c>.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    public string FromAddress { get; set; } = "imr-notices@imr.example";
    /// <summary><c>Outbox</c> (default): the .eml files in the outbox container are the delivery. See <see cref="NotificationDelivery"/>.</summary>
    public string Delivery { get; set; } = NotificationDelivery.Outbox;
    /// <summary>Where the Administrative Director (DWC) is served with every Final Determination Letter.</summary>
    public string AdministrativeDirectorEmail { get; set; } = "administrative-director@dwc.example";
}

public static class NotificationDelivery
{
    public const string Outbox = "Outbox";
    public const string AzureCommunicationEmail = "AzureCommunicationEmail";
}

/// <summary>Hands a notification already recorded in the outbox to an e-mail service.</summary>
public interface INotificationSender
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>
/// Every notification is written to the outbox container as an RFC 5322 message (<c>outbox/{case}/{notificationId}.eml</c>,
/// MimeKit) with its attachments, create-only: one blob per notification id, so a retried activity sends nothing twice.
/// Locally the outbox is the delivery (open the .eml files in any mail client). With a sender configured, a message is
/// handed to it only by the write that created it.
/// </summary>
public sealed class Outbox(DocumentStore documents, IOptions<NotificationOptions> options, IOptions<ImrOptions> imr, INotificationSender? sender = null)
{
    public const string DeliveryHeader = "X-Imr-Delivery";
    public const string CaseHeader = "X-Imr-Case";

    public async Task<bool> EnqueueAsync(Notification n, CancellationToken ct = default)
    {
        var message = ToMime(n);
        using var buffer = new MemoryStream();
        await message.WriteToAsync(buffer, ct);
        var created = await documents.CreateOnceAsync(StorageNames.OutboxContainer, BlobName(n.CaseNumber, n.NotificationId), BinaryData.FromBytes(buffer.ToArray()), "message/rfc822", ct);
        if (created && sender is not null && message.Headers[DeliveryHeader] != "post")
        {
            await sender.SendAsync(message, ct);
        }

        return created;
    }

    public MimeMessage ToMime(Notification n)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(imr.Value.OrganizationName, options.Value.FromAddress));
        if (n.To.Contains('@', StringComparison.Ordinal) && MailboxAddress.TryParse(n.To, out var mailbox))
        {
            message.To.Add(new MailboxAddress(n.ToName ?? mailbox.Name, mailbox.Address));
        }
        else
        {
            // No e-mail address on file: an empty group names the party, and the notice goes by post.
            message.To.Add(new GroupAddress(n.ToName ?? n.To));
            message.Headers.Add(DeliveryHeader, "post");
        }

        message.Subject = n.Subject;
        message.MessageId = $"{n.NotificationId}.{n.CaseNumber}@imr.local";
        message.Headers.Add(CaseHeader, n.CaseNumber);
        var body = new BodyBuilder { TextBody = n.Body };
        foreach (var a in n.Attachments)
        {
            body.Attachments.Add(a.FileName, a.Content.ToArray(), ContentType.Parse(a.MediaType));
        }

        message.Body = body.ToMessageBody();
        return message;
    }

    public static string BlobName(string caseNumber, string notificationId) => $"{caseNumber}/{notificationId}.eml";

    public static MimeMessage Read(BinaryData eml)
    {
        using var stream = eml.ToStream();
        return MimeMessage.Load(stream);
    }

    /// <summary>The decoded plain-text body of a stored notification (links are found here, not in the raw MIME).</summary>
    public static string TextBody(BinaryData eml) => Read(eml).TextBody ?? "";
}

/// <summary>
/// Placeholder for delivery through Azure Communication Services Email. Its client package (Azure.Communication.Email)
/// is not served by this project's package feed, so the switch exists but selecting it stops the app at start-up with
/// this explanation rather than pretending to deliver.
/// </summary>
public static class AzureCommunicationEmail
{
    public const string NotAvailable =
        "Notifications__Delivery=AzureCommunicationEmail is not available in this build: the Azure.Communication.Email package is not on the project's package feed. " +
        "Keep Notifications__Delivery=Outbox and deliver the .eml files in the outbox container, or add the package and an INotificationSender that calls EmailClient.SendAsync.";
}
