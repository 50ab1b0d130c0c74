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
    /// <summary>The blob's name is taken from the path, not from the client: a client's name has "." and ".." segments resolved.</summary>
    [Function(nameof(IntakeFromBlob))]
    public Task IntakeFromBlob(
        [BlobTrigger(StorageNames.IntakeContainer + "/{name}", Connection = StorageNames.Connection, Source = BlobTriggerSources.Intake)] BlobClient blob,
        string name,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        intake.AcceptAsync(string.IsNullOrEmpty(name) ? blob.Name : name, durable, cancellationToken);

    /// <summary>
    /// Blob events are delivered once or a few times; a blob left behind (a crash, a poisoned delivery, a document whose
    /// manifest never came) gets no other. A timer of its own rather than the deadline sweep: intake owns its container.
    /// Its schedule is the setting <c>IntakeSweepSchedule</c> (every ten minutes in Azure and locally: one listing of a
    /// container that is normally empty).
    /// </summary>
    [Function(nameof(IntakeSweep))]
    public Task IntakeSweep([TimerTrigger("%IntakeSweepSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        intake.SweepAsync(durable, cancellationToken);
}
