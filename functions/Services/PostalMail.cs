using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Letters;
using Imr.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>What the day's print batch came to.</summary>
public sealed record PrintBatchResult(DateOnly Day, string? BlobName, int Mailings, bool AlreadyBuilt);

/// <summary>
/// Postal copies for parties without e-mail (issue #15): each notice or letter served by post is filed as a mailing PDF
/// (address sheet for a window envelope, then the document) under the day of its notice, and once a day the mail room
/// gets one print batch of that day's mailings. The day is the notice's own time in California (the orchestration's or
/// the register's time), never the clock at the attempt, so a retried step files the same mailing under the same name.
/// </summary>
public sealed class PostalMail(MailRoomStore store, IOptions<ImrOptions> imr, TimeProvider time, ILogger<PostalMail> logger)
{
    /// <summary>The mailing day of a notice: its date in the program's time zone (Pacific).</summary>
    public static DateOnly MailingDay(DateTimeOffset at) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(ReviewCalendar.CaliforniaTimeZoneId)).DateTime);

    /// <summary>Files one mailing (create-once): the document as a PDF, or a notice's text set on pages.</summary>
    public async Task FileAsync(string caseNumber, string notificationId, string role, string recipientName, PostalAddress? address, DateTimeOffset at,
        string documentTitle, byte[]? documentPdf, string? documentText, CancellationToken ct = default)
    {
        // A mailing filed after its day's batch was built (a step retried for more than a day) goes into the next day's
        // batch not yet built, never nowhere. A retry finds the mailing under whichever day it was filed and files nothing.
        var day = MailingDay(at);
        var blobName = MailRoomStore.MailingBlobName(day, caseNumber, notificationId);
        if (MailingDay(time.GetUtcNow()) > day)
        {
            // Filed after its day: only then can the day's batch be built already (the timer builds yesterday's).
            while (true)
            {
                blobName = MailRoomStore.MailingBlobName(day, caseNumber, notificationId);
                if (await store.ExistsAsync(blobName, ct)) return; // a retry: rendering again would only be thrown away
                if (!await store.ExistsAsync(MailRoomStore.BatchBlobName(day), ct)) break;
                day = day.AddDays(1);
            }
        }

        // On its own day the mailing is rendered and written create-once without looking first (one request per
        // mailing): only a retry, which is rare, renders again and then writes nothing.
        var mailing = new Mailing(caseNumber, notificationId, role, recipientName, address, documentTitle, day);
        var pdf = MailingPdfRenderer.Render(mailing, imr.Value.OrganizationName, imr.Value.OrganizationAddressLines, documentPdf, documentText);
        if (await store.CreateOnceAsync(blobName, BinaryData.FromBytes(pdf), ct))
        {
            logger.LogInformation("Case {CaseNumber}: mailing {NotificationId} filed for {Day:yyyy-MM-dd}{Missing}", caseNumber, notificationId, day, address is null ? " (no postal address on file)" : "");
            if (day != MailingDay(at))
            {
                logger.LogInformation("Case {CaseNumber}: mailing {NotificationId} filed after the print batch of {Filed:yyyy-MM-dd}; it goes in the batch of {Day:yyyy-MM-dd}", caseNumber, notificationId, MailingDay(at), day);
            }

            if (MailingDay(time.GetUtcNow()) > day && await store.ExistsAsync(MailRoomStore.BatchBlobName(day), ct))
            {
                // The batch was built between the check above and this write (a race of seconds): print it from its blob.
                logger.LogWarning("Case {CaseNumber}: mailing {Blob} was filed while the print batch of {Day:yyyy-MM-dd} was built; print it from its blob", caseNumber, blobName, day);
            }
        }
    }

    /// <summary>The day's print batch: built once (create-once under the day's name), then found as built.</summary>
    public async Task<PrintBatchResult> BuildBatchAsync(DateOnly day, CancellationToken ct = default)
    {
        var blobName = MailRoomStore.BatchBlobName(day);
        var mailings = await store.MailingsOfAsync(day, ct);
        if (await store.ExistsAsync(blobName, ct)) return new PrintBatchResult(day, blobName, mailings.Count, AlreadyBuilt: true);
        if (mailings.Count == 0)
        {
            logger.LogInformation("No mailings for {Day:yyyy-MM-dd}: no print batch", day);
            return new PrintBatchResult(day, null, 0, AlreadyBuilt: false);
        }

        var pdfs = new List<byte[]>();
        foreach (var name in mailings) pdfs.Add((await store.ReadAsync(name, ct)).ToArray());
        var created = await store.CreateOnceAsync(blobName, BinaryData.FromBytes(PrintBatchRenderer.Render(day, pdfs)), ct);
        if (created && day >= MailingDay(time.GetUtcNow()))
        {
            logger.LogWarning("Print batch {Day:yyyy-MM-dd} built before its day is over: mailings filed later that day are not in it; print them from their blobs", day);
        }

        logger.LogInformation("Print batch {Day:yyyy-MM-dd}: {Count} mailings", day, mailings.Count);
        return new PrintBatchResult(day, blobName, mailings.Count, AlreadyBuilt: !created);
    }
}
