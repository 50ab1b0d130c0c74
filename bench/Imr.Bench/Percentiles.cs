namespace Imr.Bench;

public sealed record Percentiles(double P50, double P95, double P99, double Max, int Count)
{
    /// <summary>Nearest-rank percentiles of durations in milliseconds.</summary>
    public static Percentiles Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return new(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new(Rank(0.50), Rank(0.95), Rank(0.99), sorted[^1], sorted.Length);
    }
}
