using Azure.Storage.Blobs;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>
/// A blob in the intake container. In Azure it arrives through Event Grid (Flex Consumption) or a container scan, chosen by
/// the build property IntakeBlobTriggerSource (see <see cref="BlobTriggerSources"/>); the local runtime polls either way.
/// </summary>
public sealed class IntakeTrigger(CaseIntake intake)
{
    [Function(nameof(IntakeFromBlob))]
    public Task IntakeFromBlob(
        [BlobTrigger(StorageNames.IntakeContainer + "/{name}", Connection = StorageNames.Connection, Source = BlobTriggerSources.Intake)] BlobClient blob,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        intake.AcceptAsync(blob, durable, cancellationToken);
}
