using PdfSharp.Pdf;

namespace Imr.Domain.Tests;

/// <summary>Reads a tagged PDF's structure tree back: the structure types in document order (e.g. /Document, /H1, /P).</summary>
internal static class PdfStructure
{
    public static List<string> Tags(PdfDictionary catalog)
    {
        var tags = new List<string>();
        Walk(catalog.Elements.GetDictionary("/StructTreeRoot")!, tags);
        return tags;
    }

    private static void Walk(PdfDictionary element, List<string> tags)
    {
        if (element.Elements.GetName("/S") is { Length: > 0 } tag) tags.Add(tag);
        var kids = element.Elements["/K"];
        IEnumerable<PdfItem> items = kids switch
        {
            PdfArray array => array.Elements,
            null => [],
            _ => [kids],
        };
        foreach (var kid in items)
        {
            var dictionary = kid switch
            {
                PdfDictionary d => d,
                PdfSharp.Pdf.Advanced.PdfReference r => r.Value as PdfDictionary,
                _ => null, // a marked-content id: the leaf
            };
            if (dictionary is not null && dictionary.Elements.ContainsKey("/S")) Walk(dictionary, tags);
        }
    }
}
