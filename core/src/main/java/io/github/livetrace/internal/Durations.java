package io.github.livetrace.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as Go writes them ({@code 500ms}, {@code 1.5s}, {@code 1m30s}), for values
 * that people type: the servlet's {@code chunk-interval} init-parameter and the CLI's options.
 *
 * <p>A duration is one or more number-unit pairs; numbers may have a fraction ({@code .5s},
 * {@code 1.5s}); a leading {@code +} is allowed, and a bare {@code 0} is zero. Units: {@code ns},
 * {@code us} (or {@code µs}, with the micro sign or the Greek mu), {@code ms}, {@code s}, {@code
 * m}, {@code h}. Negative durations are refused: intervals and latency bounds cannot be negative.
 */
public final class Durations {
  /** What a duration looks like, for error messages. */
  public static final String ACCEPTED =
      "a number with a unit (ns, us or µs, ms, s, m, h), such as 500ms, 1.5s or 1m30s";

  private static final Map<String, Long> NANOS_PER_UNIT =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "\u00b5s", 1_000L, // the micro sign
          "\u03bcs", 1_000L, // Greek mu, which some keyboards produce instead of the micro sign
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)([a-z\u00b5\u03bc]+)");

  private Durations() {}

  /**
   * Parses a non-negative duration such as {@code 100ms}, {@code 1.5s}, {@code 2m} or {@code
   * 1m30s}; fractions of a nanosecond are rounded to the nearest.
   *
   * @throws IllegalArgumentException quoting the text and saying what is accepted
   */
  public static Duration parse(String text) {
    return Duration.ofNanos(parseNanos(text));
  }

  /**
   * {@link #parse}, in nanoseconds.
   *
   * @throws IllegalArgumentException quoting the text and saying what is accepted
   */
  public static long parseNanos(String text) {
    String s = text == null ? "" : text.trim();
    if (s.startsWith("-")) {
      throw new IllegalArgumentException(quoted(text) + " is negative; want " + ACCEPTED);
    }
    if (s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException(quoted(text) + " is not a duration; want " + ACCEPTED);
    }
    Matcher m = PART.matcher(s);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(quoted(text) + " is not a duration; want " + ACCEPTED);
      }
      Long unit = NANOS_PER_UNIT.get(m.group(2));
      if (unit == null) {
        throw new IllegalArgumentException(
            quoted(text) + " has an unknown unit '" + m.group(2) + "'; want " + ACCEPTED);
      }
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
      at = m.end();
    }
    try {
      return nanos.setScale(0, RoundingMode.HALF_UP).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(quoted(text) + " is too long a duration (at most about 292 years)");
    }
  }

  private static String quoted(String text) {
    return "'" + (text == null ? "" : text) + "'";
  }

  /** {@link #format(long)} of the duration's nanoseconds. */
  public static String format(Duration duration) {
    return format(duration.toNanos());
  }

  /**
   * Formats nanoseconds for people, with about three significant digits: {@code 850ns}, {@code
   * 12.3us}, {@code 50.2ms}, {@code 1.5s}, {@code 2m3.5s}, {@code 1h2m3s}. ASCII {@code us}
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
    String secondsText = hours > 0
        ? Long.toString((long) restSeconds)
        : trimZeros(String.format(Locale.ROOT, "%.1f", restSeconds));
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
    return trimZeros(text);
  }

  private static String trimZeros(String decimal) {
    if (decimal.indexOf('.') < 0) {
      return decimal;
    }
    String s = decimal.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
