using System.Text.Json;
using Json.Schema;

namespace Imr.Domain.Cases;

/// <summary>The JSON Schema of the case package (docs/case-package.schema.json, compiled in) and its reasons in plain words.</summary>
public static class CasePackageSchema
{
    private const string ResourceName = "Imr.Domain.Cases.case-package.schema.json";

    private static readonly Lazy<JsonSchema> Schema = new(Load);

    // What a rule on some fields means, added to the validator's generic message so a submitter knows what to fix.
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["fileName"] = "a plain file name (letters, digits, '.', '_', '-', ' '), no folders, no '..'",
        ["sha256"] = "64 lower-case hex digits",
        ["caseNumber"] = "2-40 letters, digits or hyphens",
        ["itemId"] = "1-40 letters, digits, '-' or '_'",
        ["size"] = $"1 to {CasePackage.MaxDocumentBytes} bytes",
        ["worker"] = "the date of birth or the age is required",
        ["disputedItems"] = "at least one disputed item is required, each with the fields of the contract",
    };

    public static string Text()
    {
        using var stream = typeof(CasePackageSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded schema {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Every violation as "location: what is wrong", in document order.</summary>
    public static IReadOnlyList<string> Validate(JsonElement manifest)
    {
        var result = Schema.Value.Evaluate(manifest, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true });
        if (result.IsValid)
        {
            return [];
        }

        var reasons = new List<string>();
        Collect(result, reasons);
        return reasons.Count > 0 ? reasons : ["(manifest): does not match the case package schema."];
    }

    // Walks only the failing branches: a passing anyOf keeps the errors of its other branches, which are not reasons.
    private static void Collect(EvaluationResults node, List<string> reasons)
    {
        if (node.IsValid)
        {
            return;
        }

        if (node.Errors is { Count: > 0 } errors)
        {
            var location = node.InstanceLocation.ToString();
            var where = string.IsNullOrEmpty(location) || location == "/" ? "(manifest)" : location;
            var property = location.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(s => !s.All(char.IsDigit));
            var hint = property is not null && Hints.TryGetValue(property, out var h) ? $" (expected: {h})" : "";
            foreach (var (keyword, message) in errors)
            {
                var reason = $"{where}: {message} [{keyword}]{hint}";
                if (!reasons.Contains(reason))
                {
                    reasons.Add(reason);
                }
            }
        }

        foreach (var child in node.Details ?? [])
        {
            Collect(child, reasons);
        }
    }

    private static JsonSchema Load() => JsonSchema.FromText(Text(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
}
