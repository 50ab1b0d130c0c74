using System.Diagnostics.Metrics;

namespace Imr.Domain.Cases;

/// <summary>The domain's own measurements (Meter <c>Imr.Domain</c>), read by tests and by whatever exports the app's metrics.</summary>
public static class DomainMetrics
{
    public const string MeterName = "Imr.Domain";
    public const string CasePackageParses = "imr.case_package.parses";
    /// <summary>The case number of an accepted manifest (not PHI: no names, no dates); a rejected one has none.</summary>
    public const string CaseNumberTag = "imr.case_number";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Parses = Meter.CreateCounter<long>(CasePackageParses, unit: "{parse}", description: "Case manifests parsed and validated.");

    internal static void CountParse(string? caseNumber)
    {
        if (caseNumber is not null && CaseNumber.TryParse(caseNumber, out var n))
        {
            Parses.Add(1, new KeyValuePair<string, object?>(CaseNumberTag, n.Value));
        }
        else
        {
            Parses.Add(1);
        }
    }
}
