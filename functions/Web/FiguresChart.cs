using System.Globalization;
using System.Text;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>One bar: its label, its length, and the value as printed beside it.</summary>
public sealed record Bar(string Label, double Value, string ValueText);

/// <summary>
/// A horizontal bar chart as server-rendered SVG: no script, no external asset. It is an image with a title and a
/// description (role="img", aria-labelledby) and always sits beside a table of the same numbers, which is what a screen
/// reader reads; every label is HTML-encoded (categories come from packages).
/// </summary>
public static class FiguresChart
{
    private const int LabelWidth = 220;
    private const int BarArea = 320;
    private const int RowHeight = 28;

    public static string Svg(string id, string title, string description, IReadOnlyList<Bar> bars)
    {
        var max = bars.Count == 0 ? 0 : bars.Max(b => b.Value);
        var height = Math.Max(1, bars.Count) * RowHeight + 8;
        var width = LabelWidth + BarArea + 80;
        var svg = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">")
            .Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">").Append(E(title)).Append("</title>")
            .Append(CultureInfo.InvariantCulture, $"<desc id=\"{id}-desc\">").Append(E(description)).Append("</desc>");
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = i * RowHeight + 4;
            var length = max <= 0 ? 0 : Math.Round(b.Value / max * BarArea, 1);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth - 8}\" y=\"{y + 18}\" text-anchor=\"end\" font-size=\"14\" fill=\"#1b1b1b\">").Append(E(Shorten(b.Label))).Append("</text>")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{LabelWidth}\" y=\"{y + 4}\" width=\"{length}\" height=\"{RowHeight - 10}\" fill=\"#005ea2\"></rect>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + length + 6}\" y=\"{y + 18}\" font-size=\"14\" fill=\"#1b1b1b\">").Append(E(b.ValueText)).Append("</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    // A long category name would run into the bars: the table beside the chart has it in full.
    private static string Shorten(string label) => label.Length <= 28 ? label : label[..27] + "…";
}
