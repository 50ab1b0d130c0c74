using Imr.Domain.Determinations;
using Imr.Domain.Figures;
using Imr.Functions.Storage;

namespace Imr.Functions.Services;

/// <summary>
/// Gathers what <see cref="ProgramFigures"/> needs for a period and computes it: the cases received in the period (audit
/// rows <c>Received</c>) and the cases with a letter issued in it (the letter register), then each such case's trail, its
/// letters and its disputed items' treatment categories (the case record). Read-only; outcomes and ids only, no PHI.
/// </summary>
public sealed class FiguresReport(AuditLog audit, LetterRegister letters, CaseStore cases, CaseRecordStore records)
{
    public async Task<ProgramFigures> BuildAsync(ReportingPeriod period, CancellationToken ct = default)
    {
        var received = await audit.CasesWithStepAsync(ProgramFigures.Steps.Received, period.Start, period.End, ct);
        var lettersByCase = (await letters.IssuedBeforeAsync(period.End, ct)).GroupBy(l => l.PartitionKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var withLetter = lettersByCase.Where(kv => kv.Value.Any(l => period.Contains(l.IssuedAt))).Select(kv => kv.Key);

        var histories = new List<CaseHistory>();
        foreach (var caseNumber in received.Union(withLetter).Order(StringComparer.Ordinal))
        {
            var trail = (await audit.ForCaseAsync(caseNumber, ct)).Select(r => new TrailEvent(r.At, r.What, r.Details)).ToList();
            IReadOnlyList<IssuedLetterVersion> issued = [];
            if (lettersByCase.TryGetValue(caseNumber, out var rows))
            {
                var categories = await CategoriesAsync(caseNumber, ct);
                issued = rows.Select(l => new IssuedLetterVersion(l.Version, l.IssuedAt, Decisions(l.Outcomes, categories))).ToList();
            }

            histories.Add(new CaseHistory(caseNumber, trail, issued));
        }

        return ProgramFigures.Compute(period, histories);
    }

    private async Task<IReadOnlyDictionary<string, string>> CategoriesAsync(string caseNumber, CancellationToken ct)
    {
        var row = await cases.GetAsync(caseNumber, ct);
        if (row is null) return new Dictionary<string, string>();
        var record = await records.ReadAsync(row, ct);
        return record.Package.DisputedItems.GroupBy(i => i.ItemId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Category, StringComparer.Ordinal);
    }

    /// <summary>Parses the register's "ITEM=Outcome; ITEM2=Outcome" (LetterIssuer); an item without a known outcome is left out.</summary>
    public static IReadOnlyList<DecidedItem> Decisions(string outcomes, IReadOnlyDictionary<string, string> categories) =>
        outcomes.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => (Item: p[..Math.Max(0, p.LastIndexOf('='))], Outcome: p[(p.LastIndexOf('=') + 1)..]))
            .Where(p => p.Item.Length > 0 && Enum.TryParse<DecisionOutcome>(p.Outcome, out _))
            .Select(p => new DecidedItem(p.Item, categories.GetValueOrDefault(p.Item) ?? "Unknown", Enum.Parse<DecisionOutcome>(p.Outcome)))
            .ToList();
}
