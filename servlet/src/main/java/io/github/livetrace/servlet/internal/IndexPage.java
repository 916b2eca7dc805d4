package io.github.livetrace.servlet.internal;

import java.util.Set;

/** The HTML index at {@code /debug/pprof/}: what can be fetched here and how. */
public final class IndexPage {
  private IndexPage() {}

  /**
   * @param base the path the servlet is mapped at, such as {@code /debug/pprof}
   * @param maxSeconds the longest trace allowed
   * @param settings the JFR configurations a request may choose
   */
  public static String render(String base, double maxSeconds, Set<String> settings) {
    String b = escape(base);
    String max = TraceParameters.format(maxSeconds);
    StringBuilder choices = new StringBuilder();
    for (String s : settings) {
      if (choices.length() > 0) {
        choices.append(", ");
      }
      choices.append("<code>").append(escape(s)).append("</code>");
    }
    return "<!DOCTYPE html>\n"
        + "<html><head><meta charset=\"utf-8\"><title>" + b + "/</title>\n"
        + "<style>body{font-family:sans-serif;max-width:50em;margin:2em}td{padding:.3em .8em;vertical-align:top}"
        + "code{background:#f3f3f3;padding:0 .2em}</style></head><body>\n"
        + "<h1>" + b + "/</h1>\n"
        + "<p>Live diagnostics of this JVM, served by livetrace.</p>\n"
        + "<table>\n"
        + "<tr><td><a href=\"" + b + "/trace?seconds=5\">trace</a></td>"
        + "<td>A JDK Flight Recorder trace of the running JVM, with the application's tasks, regions and logs,"
        + " streamed one chunk per second while it records. <code>?seconds=N</code>: how long (default 1, at most "
        + max + "); <code>&amp;settings=</code>: the JFR configuration, one of " + choices + ".</td></tr>\n"
        + "</table>\n"
        + "<h2>Use</h2>\n"
        + "<pre>curl -o trace.jfr 'http://HOST" + b + "/trace?seconds=5'\n"
        + "jfr summary trace.jfr\n"
        + "jfr print --events 'livetrace.*' trace.jfr</pre>\n"
        + "<p>Or open <code>trace.jfr</code> in JDK Mission Control.</p>\n"
        + "</body></html>\n";
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
