package io.github.livetrace.servlet.internal;

import java.util.List;

/** The HTML index at {@code /debug/pprof/}, built from the table of endpoints as Go's is. */
public final class IndexPage {
  private IndexPage() {}

  /**
   * @param base the path the servlet is mapped at, such as {@code /debug/pprof}
   * @param endpoints the table, in the order to list them
   */
  public static String render(String base, List<Endpoint> endpoints) {
    String b = escape(base);
    StringBuilder rows = new StringBuilder();
    for (Endpoint e : endpoints) {
      rows.append("<tr><td><a href=\"").append(b).append('/').append(escape(e.example())).append("\">")
          .append(escape(e.name())).append("</a></td><td>").append(escape(e.description()));
      links(rows, b, e.indexLinks());
      rows.append("</td></tr>\n");
    }
    return "<!DOCTYPE html>\n"
        + "<html><head><meta charset=\"utf-8\"><title>" + b + "/</title>\n"
        + "<style>body{font-family:sans-serif;max-width:50em;margin:2em}td{padding:.3em .8em;vertical-align:top}"
        + "code{background:#f3f3f3;padding:0 .2em}</style></head><body>\n"
        + "<h1>" + b + "/</h1>\n"
        + "<p>Live diagnostics of this JVM, served by livetrace.</p>\n"
        + "<table>\n"
        + rows
        + "</table>\n"
        + "<h2>Use</h2>\n"
        + "<pre>curl -o trace.jfr 'http://HOST" + b + "/trace?seconds=5'\n"
        + "jfr summary trace.jfr\n"
        + "jfr print --events 'livetrace.*' trace.jfr</pre>\n"
        + "<p>Or open <code>trace.jfr</code> in JDK Mission Control.</p>\n"
        + "<pre>go tool pprof -top 'http://HOST" + b + "/profile?seconds=30'\n"
        + "go tool pprof -http=: 'http://HOST" + b + "/allocs?seconds=30'\n"
        + "curl -o cpu.html 'http://HOST" + b + "/profile?seconds=30&amp;format=html'</pre>\n"
        + "</body></html>\n";
  }

  private static void links(StringBuilder rows, String base, List<Endpoint.IndexLink> links) {
    if (links.isEmpty()) {
      return;
    }
    rows.append("<ul>");
    for (Endpoint.IndexLink l : links) {
      rows.append("<li><a href=\"").append(base).append('/').append(escape(l.path())).append("\">")
          .append(escape(l.text())).append("</a></li>");
    }
    rows.append("</ul>");
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<': out.append("&lt;"); break;
        case '>': out.append("&gt;"); break;
        case '&': out.append("&amp;"); break;
        case '"': out.append("&quot;"); break;
        case '\'': out.append("&#39;"); break;
        default: out.append(c);
      }
    }
    return out.toString();
  }
}
