using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc;

namespace Imr.Functions.Web;

/// <summary>Server-rendered pages: plain HTML forms that work without JavaScript; every value is encoded.</summary>
public static class Html
{
    public static string E(string? s) => HtmlEncoder.Default.Encode(s ?? "");

    public static ContentResult Page(string title, string body, int status = 200) => new()
    {
        StatusCode = status,
        ContentType = "text/html; charset=utf-8",
        Content = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\"><title>").Append(E(title)).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}label{display:block;font-weight:600;margin-top:1rem}textarea,input,select{width:100%;font:inherit}button{margin-top:1rem;font:inherit;padding:.5rem 1rem}fieldset{margin-top:1rem}</style>")
            .Append("</head><body><main><h1>").Append(E(title)).Append("</h1>")
            .Append(body)
            .Append("</main></body></html>")
            .ToString(),
    };

    public static ContentResult Message(string title, string message, int status = 200) => Page(title, $"<p role=\"status\">{E(message)}</p>", status);
}
