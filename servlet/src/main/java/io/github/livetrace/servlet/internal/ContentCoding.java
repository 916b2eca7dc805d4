package io.github.livetrace.servlet.internal;

import java.util.Locale;

/**
 * The {@code Content-Encoding} of an answer, chosen from the request's {@code Accept-Encoding}
 * (RFC 9110, 12.5.3): a coding is acceptable when it is listed, or {@code *} is, with a q-value
 * above 0; unlisted codings are not.
 *
 * <p>JFR downloads (traces, windows, snapshots, raw profiles) prefer zstd: every JFR chunk repeats
 * its metadata (~100 KB), which gzip's 32 KB window cannot see again and zstd's can, so a 5 s trace
 * is a seventh of its size with zstd and a third with gzip. The client's q-values rank first (a
 * client that says {@code gzip;q=1, zstd;q=0.5} gets gzip); on a tie, as from curl's {@code
 * --compressed} and browsers, zstd. Text answers are small and stay gzip.
 */
public enum ContentCoding {
  IDENTITY(null),
  GZIP("gzip"),
  ZSTD("zstd");

  private final String token;

  ContentCoding(String token) {
    this.token = token;
  }

  /** The {@code Content-Encoding} value; null for identity. */
  String token() {
    return token;
  }

  /** For a JFR download: zstd or gzip, whichever the client prefers (zstd on a tie) and can be sent. */
  static ContentCoding forJfr(String acceptEncoding) {
    double gzip = q(acceptEncoding, "gzip", "x-gzip");
    double zstd = q(acceptEncoding, "zstd", null);
    if (zstd > 0 && zstd >= gzip && ZstdBody.available()) {
      return ZSTD;
    }
    return gzip > 0 ? GZIP : IDENTITY;
  }

  /** For a text answer: gzip when accepted. */
  static ContentCoding forText(String acceptEncoding) {
    return q(acceptEncoding, "gzip", "x-gzip") > 0 ? GZIP : IDENTITY;
  }

  /**
   * The q-value that {@code header} gives {@code coding} (or its {@code alias}): its own entry's,
   * else {@code *}'s, else 0. A q-value that is not a number counts as 0.
   */
  static double q(String header, String coding, String alias) {
    if (header == null) {
      return 0;
    }
    double star = 0;
    for (String part : header.split(",")) {
      String[] params = part.split(";");
      String name = params[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < params.length; i++) {
        String p = params[i].trim();
        if (p.startsWith("q=") || p.startsWith("Q=")) {
          try {
            q = Double.parseDouble(p.substring(2).trim());
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (Double.isNaN(q)) {
        q = 0;
      }
      if (name.equals(coding) || name.equals(alias)) {
        return q;
      }
      if (name.equals("*")) {
        star = q;
      }
    }
    return star;
  }
}
