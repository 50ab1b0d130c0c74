using Azure;
using Azure.Storage.Blobs.Models;
using Imr.Domain.Eligibility;
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

    /// <summary>A notification whose subject and body the domain rendered (see <see cref="NoticeText"/>).</summary>
    public Notification(string notificationId, string caseNumber, string to, NoticeText text) : this(notificationId, caseNumber, to, text.Subject, text.Body)
    {
    }
}

/// <summary>Settings under <c>Notifications</c>.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>Sender of every notice; with Communication Services e-mail, an address of a domain linked to the resource.</summary>
    public string FromAddress { get; set; } = "imr-notices@imr.example";
    /// <summary><c>Outbox</c> (default): the .eml files in the outbox container are the delivery. See <see cref="NotificationDelivery"/>.</summary>
    public string Delivery { get; set; } = NotificationDelivery.Outbox;
    /// <summary>Where the Administrative Director (DWC) is served with every Final Determination Letter.</summary>
    public string AdministrativeDirectorEmail { get; set; } = "administrative-director@dwc.example";
    /// <summary>Communication Services endpoint (<c>https://&lt;name&gt;.communication.azure.com</c>) when Delivery is <c>AzureCommunicationEmail</c>.</summary>
    public string? AcsEndpoint { get; set; }

    /// <summary>What is wrong with these settings, each naming its setting; checked when the app starts.</summary>
    public IEnumerable<string> Problems()
    {
        if (!OptionChecks.IsEmailAddress(FromAddress)) yield return $"Notifications:FromAddress must be an e-mail address; it is '{FromAddress}'.";
        if (!OptionChecks.IsEmailAddress(AdministrativeDirectorEmail)) yield return $"Notifications:AdministrativeDirectorEmail must be an e-mail address; it is '{AdministrativeDirectorEmail}'.";
        if (Delivery is not (null or "" or NotificationDelivery.Outbox or NotificationDelivery.AzureCommunicationEmail))
        {
            yield return $"Unknown Notifications:Delivery '{Delivery}': use {NotificationDelivery.Outbox} or {NotificationDelivery.AzureCommunicationEmail}.";
        }
        else if (Delivery == NotificationDelivery.AzureCommunicationEmail && !Uri.TryCreate(AcsEndpoint, UriKind.Absolute, out _))
        {
            yield return "Notifications:Delivery=AzureCommunicationEmail needs Notifications:AcsEndpoint (https://<name>.communication.azure.com).";
        }
    }
}

public static class NotificationDelivery
{
    /// <summary>The .eml files are the delivery (locally; or another system picks them up).</summary>
    public const string Outbox = "Outbox";
    /// <summary>Each .eml is also sent through Azure Communication Services Email (see <see cref="AzureCommunicationEmailSender"/>).</summary>
    public const string AzureCommunicationEmail = "AzureCommunicationEmail";
}

/// <summary>Hands a notification already recorded in the outbox to an e-mail service.</summary>
public interface INotificationSender
{
    /// <param name="operationId">Stable per notification: the service treats a repeated send with the same id as one.</param>
    Task SendAsync(MimeMessage message, Guid operationId, CancellationToken ct);
}

/// <summary>
/// Every notification is written to the outbox container as an RFC 5322 message (<c>outbox/{case}/{notificationId}.eml</c>,
/// MimeKit) with its attachments, create-only: one blob per notification id, so a retried activity writes nothing twice.
/// Locally the outbox is the delivery (open the .eml files in any mail client). With a sender configured, the stored
/// message is then handed to it unless the blob already records its send (metadata <c>imrsent</c>): a retry after a
/// failed or interrupted send sends it, a retry after a recorded send does not, and the send in between (sent, not yet
/// recorded) is deduplicated by the service through the notification's stable operation id. Per notification that is one
/// create-once write; with a sender, the write this call made is sent and recorded without reading it back (its content and
/// ETag are known), and only a notification written earlier is read first to see whether its send is recorded.
/// </summary>
public sealed class Outbox(DocumentStore documents, StorageClients storage, IOptions<NotificationOptions> options, IOptions<ImrOptions> imr, TimeProvider time, INotificationSender? sender = null)
{
    public const string DeliveryHeader = "X-Imr-Delivery";
    public const string CaseHeader = "X-Imr-Case";
    /// <summary>Blob metadata recording the send: when (ISO 8601) and with which operation id.</summary>
    public const string SentMetadata = "imrsent";
    public const string OperationMetadata = "imroperationid";

    public async Task<bool> EnqueueAsync(Notification n, CancellationToken ct = default)
    {
        var message = ToMime(n);
        using var buffer = new MemoryStream();
        await message.WriteToAsync(buffer, ct);
        var eml = BinaryData.FromBytes(buffer.ToArray());
        if (sender is null)
        {
            return await documents.CreateOnceAsync(StorageNames.OutboxContainer, BlobName(n.CaseNumber, n.NotificationId), eml, "message/rfc822", ct);
        }

        var created = await CreateOnceAsync(BlobName(n.CaseNumber, n.NotificationId), eml, ct);
        if (message.Headers[DeliveryHeader] != "post")
        {
            if (created is { } etag)
            {
                await SendAndRecordAsync(n.CaseNumber, n.NotificationId, Read(eml), new Dictionary<string, string>(), etag, ct); // just written: no send recorded
            }
            else
            {
                await DeliverAsync(n.CaseNumber, n.NotificationId, ct);
            }
        }

        return created is not null;
    }

    /// <summary>The create-once write of a stored message, with its ETag; null when an earlier attempt wrote it.</summary>
    private async Task<ETag?> CreateOnceAsync(string blobName, BinaryData eml, CancellationToken ct)
    {
        try
        {
            var uploaded = await storage.Container(StorageNames.OutboxContainer).GetBlobClient(blobName).UploadAsync(eml, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "message/rfc822" },
            }, ct);
            return uploaded.Value.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>Sends the stored message (what the outbox holds is what goes out) unless its send is recorded; true if this call sent it.</summary>
    public async Task<bool> DeliverAsync(string caseNumber, string notificationId, CancellationToken ct = default)
    {
        if (sender is null) return false;
        var blobName = BlobName(caseNumber, notificationId);
        var (eml, metadata, etag) = await documents.ReadWithMetadataAsync(StorageNames.OutboxContainer, blobName, ct);
        if (metadata.ContainsKey(SentMetadata)) return false;
        var message = Read(eml);
        if (message.Headers[DeliveryHeader] == "post") return false;
        await SendAndRecordAsync(caseNumber, notificationId, message, metadata, etag, ct);
        return true;
    }

    private async Task SendAndRecordAsync(string caseNumber, string notificationId, MimeMessage message, IDictionary<string, string> metadata, ETag etag, CancellationToken ct)
    {
        if (sender is null) return;
        var blobName = BlobName(caseNumber, notificationId);
        var operationId = OperationIdOf(caseNumber, notificationId);
        await sender.SendAsync(message, operationId, ct);
        var recorded = new Dictionary<string, string>(metadata)
        {
            [SentMetadata] = time.GetUtcNow().ToString("O"),
            [OperationMetadata] = operationId.ToString(),
        };
        // A concurrent delivery that recorded first wins; this send carried the same operation id, so it was one send.
        await documents.SetMetadataIfUnchangedAsync(StorageNames.OutboxContainer, blobName, recorded, etag, ct);
    }

    /// <summary>
    /// A name-based UUID (RFC 9562 version 8, from SHA-256 of the outbox blob name): the same notification always has
    /// the same operation id, different notifications (also of different cases) different ones.
    /// </summary>
    public static Guid OperationIdOf(string caseNumber, string notificationId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("imr-outbox:" + BlobName(caseNumber, notificationId)));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(bytes, bigEndian: true);
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
