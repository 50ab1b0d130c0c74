using System.Text;

namespace Imr.Domain.Letters;

/// <summary>The letter as an HTML fragment for the status page; the same blocks, so the same words as the text and the PDF.</summary>
public static class LetterHtmlRenderer
{
    public static string Render(FinalDeterminationLetter letter, WordingTemplates? wording = null)
    {
        var html = new StringBuilder("<article class=\"final-determination-letter\">\n");
        var inHeader = false;
        foreach (var block in LetterTextRenderer.Blocks(letter, wording))
        {
            var text = Encode(block.Text);
            if (block.Kind == LetterBlockKind.Field && !inHeader)
            {
                html.Append("<dl class=\"letter-header\">\n");
                inHeader = true;
            }
            else if (block.Kind != LetterBlockKind.Field && inHeader)
            {
                html.Append("</dl>\n");
                inHeader = false;
            }

            html.Append(block.Kind switch
            {
                LetterBlockKind.Title => $"<h1>{text}</h1>\n",
                LetterBlockKind.Field => $"<dd>{text}</dd>\n",
                LetterBlockKind.Heading => $"<h2>{text}</h2>\n",
                LetterBlockKind.ItemHeading => $"<h3>{text}</h3>\n",
                LetterBlockKind.Paragraph => $"<p>{text}</p>\n",
                _ => "",
            });
        }

        if (inHeader) html.Append("</dl>\n");
        return html.Append("</article>\n").ToString();
    }

    /// <summary>Escapes markup only; the page is UTF-8, so names stay readable in the source.</summary>
    private static string Encode(string s) =>
        s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
         .Replace("\"", "&quot;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);
}
