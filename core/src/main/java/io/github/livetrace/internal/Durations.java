package io.github.livetrace.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as Go writes them ({@code 500ms}, {@code 1.5s}, {@code 1m30s}), for
 * configuration values and command-line options that people type.
 */
public final class Durations {
  /** Shown in error messages. */
  public static final String ACCEPTED = "a number with a unit: ns, us, ms, s, m or h, such as 500ms, 1.5s or 1m30s";

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|ms|s|m|h)");
  private static final Map<String, Long> NANOS_PER_UNIT =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "\u00b5s", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private Durations() {}

  /**
   * Parses a non-negative duration such as {@code 100ms}, {@code 1.5s}, {@code 2m} or {@code
   * 1m30s}; {@code 0} alone is accepted too.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration; want " + ACCEPTED);
    }
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(s);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("bad duration '" + text + "'; want " + ACCEPTED);
      }
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2)))));
      at = m.end();
    }
    try {
      return Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration '" + text + "' is too long");
    }
  }

  /** A short human form: {@code 850ns}, {@code 12.3us}, {@code 4.56ms}, {@code 1.23s}, {@code 2m5s}. */
  public static String format(Duration d) {
    long n = d.toNanos();
    if (n < 1_000) {
      return n + "ns";
    }
    if (n < 1_000_000) {
      return trim(n / 1e3) + "us";
    }
    if (n < 1_000_000_000) {
      return trim(n / 1e6) + "ms";
    }
    if (n < 60_000_000_000L) {
      return trim(n / 1e9) + "s";
    }
    long seconds = d.toSeconds();
    return (seconds / 60) + "m" + (seconds % 60) + "s";
  }

  private static String trim(double v) {
    String s = v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }
}
