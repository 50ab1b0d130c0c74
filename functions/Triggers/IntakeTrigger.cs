using Azure.Storage.Blobs;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>A blob in the intake container. In Azure (Flex Consumption) it arrives through Event Grid; the local runtime polls.</summary>
public sealed class IntakeTrigger(CaseIntake intake)
{
    [Function(nameof(IntakeFromBlob))]
    public Task IntakeFromBlob(
        [BlobTrigger(StorageNames.IntakeContainer + "/{name}", Connection = StorageNames.Connection, Source = BlobTriggerSource.EventGrid)] BlobClient blob,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        intake.AcceptAsync(blob, durable, cancellationToken);
}
