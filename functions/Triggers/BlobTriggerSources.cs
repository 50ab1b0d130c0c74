using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>
/// The source of the intake and roster blob triggers, chosen at build time by the MSBuild property
/// <c>IntakeBlobTriggerSource</c> (functions/Imr.Functions.csproj): attribute arguments must be constants.
/// </summary>
public static class BlobTriggerSources
{
#if INTAKE_BLOB_TRIGGER_SCAN
    /// <summary>Premium/Dedicated plans: the host scans the container and its logs; no Event Grid subscription.</summary>
    public const BlobTriggerSource Intake = BlobTriggerSource.LogsAndContainerScan;
#else
    /// <summary>Flex Consumption (default): blob-created events arrive through the Event Grid subscription infra/ creates.</summary>
    public const BlobTriggerSource Intake = BlobTriggerSource.EventGrid;
#endif
}
