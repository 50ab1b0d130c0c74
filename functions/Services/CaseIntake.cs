using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Grpc.Core;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Services;

public enum IntakeResult
{
    Started,
    AlreadyStarted,
    Quarantined,
    DocumentOnly,
}

/// <summary>A blob landed in the intake container: a case manifest starts the case's orchestration; a bad one is quarantined with its reasons.</summary>
public sealed class CaseIntake(StorageClients storage, ILogger<CaseIntake> logger)
{
    public const string ManifestFileName = "manifest.json";

    public async Task<IntakeResult> AcceptAsync(BlobClient blob, DurableTaskClient durable, CancellationToken ct = default)
    {
        var name = blob.Name;
        if (!name.EndsWith("/" + ManifestFileName, StringComparison.Ordinal))
        {
            // Documents travel beside the manifest; the manifest, written last, is what starts a case.
            return IntakeResult.DocumentOnly;
        }

        var folder = name[..^(ManifestFileName.Length + 1)];
        var properties = await blob.GetPropertiesAsync(cancellationToken: ct);
        if (properties.Value.ContentLength > DocumentStore.MaxManifestBytes)
        {
            return await QuarantineAsync(blob, [$"The manifest is larger than {DocumentStore.MaxManifestBytes} bytes."], ct);
        }

        var content = (await blob.DownloadContentAsync(ct)).Value.Content;
        var parsed = CasePackage.Parse(content.ToMemory().Span);
        if (!parsed.IsAccepted)
        {
            return await QuarantineAsync(blob, parsed.Reasons, ct);
        }

        var caseNumber = CaseNumber.Parse(parsed.Package!.CaseNumber);
        if (!string.Equals(folder, caseNumber.Value, StringComparison.OrdinalIgnoreCase))
        {
            return await QuarantineAsync(blob, [$"The manifest is in folder '{folder}' but names case '{caseNumber}'; a case's files go under its case number."], ct);
        }

        var instanceId = caseNumber.OrchestrationInstanceId;
        if (await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is not null)
        {
            logger.LogInformation("Case {CaseNumber} already started; delivery ignored", caseNumber);
            return IntakeResult.AlreadyStarted;
        }

        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(CaseOrchestrator), new CaseWorkflowInput(caseNumber.Value, name), new Microsoft.DurableTask.StartOrchestrationOptions(instanceId), ct);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.AlreadyExists or StatusCode.FailedPrecondition)
        {
            // Two deliveries raced; the other one started the case.
            return IntakeResult.AlreadyStarted;
        }

        logger.LogInformation("Case {CaseNumber} started", caseNumber);
        return IntakeResult.Started;
    }

    /// <summary>Copy, then delete: a rejected package is never lost; its reasons are stored beside it.</summary>
    private async Task<IntakeResult> QuarantineAsync(BlobClient blob, IReadOnlyList<string> reasons, CancellationToken ct)
    {
        var quarantine = storage.Container(StorageNames.QuarantineContainer);
        var target = quarantine.GetBlobClient(blob.Name);
        var content = (await blob.DownloadContentAsync(ct)).Value.Content;
        await target.UploadAsync(content, overwrite: true, ct);
        var report = JsonSerializer.Serialize(new { blob = blob.Name, rejectedAt = DateTimeOffset.UtcNow, reasons }, CasePackage.JsonOptions);
        await quarantine.GetBlobClient(blob.Name + ".rejection.json").UploadAsync(BinaryData.FromBytes(Encoding.UTF8.GetBytes(report)), overwrite: true, ct);
        await blob.DeleteIfExistsAsync(cancellationToken: ct);
        logger.LogWarning("Intake blob quarantined with {ReasonCount} reasons", reasons.Count);
        return IntakeResult.Quarantined;
    }
}
