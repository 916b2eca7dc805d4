package io.github.livetrace.cli.internal;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written and read the way Go does: {@code 100ms}, {@code 1.5s}, {@code 2m},
 * {@code 250us}, {@code 1h30m}.
 *
 * <p>Accepted units: {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m},
 * {@code h}. A duration is one or more number-unit pairs; numbers may have a fraction. A bare
 * {@code 0} is zero. Negative durations are refused: they make no sense as latency bounds.
 */
public final class Durations {
  /** Listed in error messages. */
  public static final String UNITS = "ns, us (or µs), ms, s, m, h";

  private static final Map<String, Long> UNIT_NANOS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "µs", 1_000L,
          "μs", 1_000L, // Greek mu, which some keyboards produce instead of the micro sign
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)([a-zµμ]+)");

  private Durations() {}

  /**
   * Parses a Go-style duration into nanoseconds.
   *
   * @throws IllegalArgumentException with a message that says what is wrong and which units exist
   */
  public static long parseNanos(String text) {
    String s = text == null ? "" : text.trim();
    if (s.equals("0")) {
      return 0;
    }
    if (s.startsWith("-")) {
      throw new IllegalArgumentException("'" + text + "' is negative; durations must be >= 0");
    }
    if (s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration such as 100ms or 1.5s");
    }
    Matcher m = PART.matcher(s);
    BigDecimal total = BigDecimal.ZERO;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration such as 100ms or 1.5s (units: " + UNITS + ")");
      }
      Long unit = UNIT_NANOS.get(m.group(2));
      if (unit == null) {
        throw new IllegalArgumentException(
            "'" + text + "' has unknown unit '" + m.group(2) + "' (units: " + UNITS + ")");
      }
      total = total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
      at = m.end();
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    return total.longValue();
  }

  /**
   * Formats nanoseconds for people, with about three significant digits: {@code 850ns},
   * {@code 12.3us}, {@code 50.2ms}, {@code 1.5s}, {@code 2m3.5s}, {@code 1h2m3s}. ASCII {@code us}
   * rather than {@code µs}, since terminals with a plain locale would print a question mark.
   */
  public static String format(long nanos) {
    if (nanos < 0) {
      return "-" + format(nanos == Long.MIN_VALUE ? Long.MAX_VALUE : -nanos);
    }
    if (nanos < 1_000) {
      return nanos + "ns";
    }
    // The bounds are where three significant digits would round up to 1000 of the smaller unit.
    if (nanos < 999_500) {
      return significant(nanos / 1e3) + "us";
    }
    if (nanos < 999_500_000) {
      return significant(nanos / 1e6) + "ms";
    }
    if (nanos < 60_000_000_000L) {
      return significant(nanos / 1e9) + "s";
    }
    long seconds = nanos / 1_000_000_000L;
    long hours = seconds / 3600;
    long minutes = (seconds % 3600) / 60;
    double restSeconds = (nanos - (hours * 3600 + minutes * 60) * 1_000_000_000L) / 1e9;
    String secondsText = hours > 0 ? Long.toString((long) restSeconds) : trim(String.format(Locale.ROOT, "%.1f", restSeconds));
    return (hours > 0 ? hours + "h" : "") + minutes + "m" + secondsText + "s";
  }

  private static String significant(double value) {
    String text;
    if (value < 10) {
      text = String.format(Locale.ROOT, "%.2f", value);
    } else if (value < 100) {
      text = String.format(Locale.ROOT, "%.1f", value);
    } else {
      text = String.format(Locale.ROOT, "%.0f", value);
    }
    return trim(text);
  }

  private static String trim(String decimal) {
    if (decimal.indexOf('.') < 0) {
      return decimal;
    }
    String s = decimal.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
