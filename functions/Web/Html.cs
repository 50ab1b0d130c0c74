using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc;

namespace Imr.Functions.Web;

/// <summary>Server-rendered pages: plain HTML forms that work without JavaScript; every value is encoded.</summary>
public static class Html
{
    public static string E(string? s) => HtmlEncoder.Default.Encode(s ?? "");

    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}" +
        "label,legend{display:block;font-weight:600;margin-top:1rem}textarea,input[type=text],select{width:100%;font:inherit;padding:.25rem}" +
        "button{margin-top:1rem;font:inherit;padding:.5rem 1rem}fieldset{margin-top:1rem}.hint{color:#454545;margin:.25rem 0}" +
        ".error{color:#b00020;font-weight:600;margin:.25rem 0}[aria-invalid=true]{border:2px solid #b00020}" +
        ".error-summary{border:3px solid #b00020;padding:1rem;margin:1rem 0}.radio label,.check label{display:inline;font-weight:400;margin-left:.25rem}" +
        ".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}" +
        "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid #767676}" +
        ".letter{border:1px solid #767676;padding:0 1rem;margin:1rem 0}.letter dl{display:block}.letter dd{margin:0}dd{overflow-wrap:anywhere}";

    /// <param name="hasErrors">Prefixes the title with "Error:" so a screen reader announces the problem first.</param>
    public static ContentResult Page(string title, string body, int status = 200, bool hasErrors = false) => new()
    {
        StatusCode = status,
        ContentType = "text/html; charset=utf-8",
        Content = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex\"><title>").Append(hasErrors ? "Error: " : "").Append(E(title)).Append("</title>")
            .Append("<style>").Append(Style).Append("</style>")
            .Append("</head><body><main><h1>").Append(E(title)).Append("</h1>")
            .Append(body)
            .Append("</main></body></html>")
            .ToString(),
    };

    public static ContentResult Message(string title, string message, int status = 200) => Page(title, $"<p role=\"status\">{E(message)}</p>", status);
}
