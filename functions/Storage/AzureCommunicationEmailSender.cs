using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Imr.Functions.Storage;

/// <summary>
/// Sends outbox messages through Azure Communication Services Email over its REST API
/// (<c>POST {endpoint}/emails:send?api-version=2023-03-31</c>): the client package Azure.Communication.Email is not
/// served by this project's feed, and the API is one request. Authentication is a Microsoft Entra bearer token for
/// <c>https://communication.azure.com/.default</c> from the app's managed identity (the storage connection's
/// credential); the identity needs a role on the Communication Services resource (infra/modules/communication.bicep).
/// The <c>Operation-Id</c> header is the notification's stable id, so a repeated send is one operation for the service.
/// A 202 means accepted for delivery; anything else throws, so the issuing activity fails and is retried.
/// </summary>
public sealed class AzureCommunicationEmailSender(HttpClient http, TokenCredential credential, IOptions<NotificationOptions> options, ILogger<AzureCommunicationEmailSender> logger) : INotificationSender
{
    public const string ApiVersion = "2023-03-31";
    public const string Scope = "https://communication.azure.com/.default";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public async Task SendAsync(MimeMessage message, Guid operationId, CancellationToken ct)
    {
        var endpoint = options.Value.AcsEndpoint is { Length: > 0 } e
            ? e.TrimEnd('/')
            : throw new InvalidOperationException("Notifications__AcsEndpoint is required when Notifications__Delivery is AzureCommunicationEmail.");
        var token = await credential.GetTokenAsync(new TokenRequestContext([Scope]), ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{endpoint}/emails:send?api-version={ApiVersion}")
        {
            Content = new StringContent(JsonSerializer.Serialize(ToEmailMessage(message, options.Value.FromAddress), Json), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        request.Headers.Add("Operation-Id", operationId.ToString());
        request.Headers.Add("x-ms-client-request-id", Guid.NewGuid().ToString());
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
        {
            // The error body names the problem (e.g. an unverified sender domain); it carries no message content.
            var error = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException($"Communication Services e-mail send (operation {operationId}) failed: {(int)response.StatusCode} {error}", null, response.StatusCode);
        }

        // Ids only: the recipients and the subject can identify a worker.
        logger.LogInformation("E-mail operation {OperationId} accepted by Communication Services", operationId);
    }

    /// <summary>The REST API's EmailMessage from a stored outbox message: subject, plain text and HTML, To, attachments.</summary>
    public static EmailMessage ToEmailMessage(MimeMessage message, string senderAddress)
    {
        var text = message.TextBody ?? "";
        var attachments = message.Attachments.OfType<MimePart>().Select(part =>
        {
            using var bytes = new MemoryStream();
            part.Content?.DecodeTo(bytes);
            return new EmailAttachment(part.FileName ?? "attachment", part.ContentType.MimeType, Convert.ToBase64String(bytes.ToArray()));
        }).ToList();
        return new EmailMessage(
            senderAddress,
            new EmailContent(message.Subject ?? "", text, message.HtmlBody ?? HtmlOf(text)),
            new EmailRecipients(message.To.Mailboxes.Select(m => new EmailAddress(m.Address, string.IsNullOrEmpty(m.Name) ? null : m.Name)).ToList()),
            attachments.Count == 0 ? null : attachments);
    }

    /// <summary>The plain text as simple HTML: paragraphs at blank lines, line breaks kept, everything encoded.</summary>
    public static string HtmlOf(string text)
    {
        var html = new StringBuilder("<!doctype html><html lang=\"en\"><body>");
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            html.Append("<p>").Append(string.Join("<br>", paragraph.Split('\n').Select(HtmlEncoder.Default.Encode))).Append("</p>");
        }

        return html.Append("</body></html>").ToString();
    }

    public sealed record EmailMessage(string SenderAddress, EmailContent Content, EmailRecipients Recipients, IReadOnlyList<EmailAttachment>? Attachments);

    public sealed record EmailContent(string Subject, string PlainText, string Html);

    public sealed record EmailRecipients(IReadOnlyList<EmailAddress> To);

    public sealed record EmailAddress(string Address, string? DisplayName);

    public sealed record EmailAttachment(string Name, string ContentType, string ContentInBase64);
}
