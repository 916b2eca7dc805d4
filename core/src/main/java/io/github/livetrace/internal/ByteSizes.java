package io.github.livetrace.internal;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes written as people type them in configuration: {@code 10MB}, {@code 512KB}, {@code
 * 1048576}. The units are binary and spelt as Spring's {@code DataSize} spells them ({@code KB} is
 * 1024 bytes), so that the servlet's init-parameters and the Spring properties read alike.
 */
public final class ByteSizes {
  /** What a size looks like, for error messages. */
  public static final String ACCEPTED = "a whole number of bytes, or with a unit B, KB, MB or GB (1 KB = 1024 B), such as 10MB";

  private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([KMG]?B)?");
  private static final Map<String, Long> BYTES_PER_UNIT = Map.of("B", 1L, "KB", 1L << 10, "MB", 1L << 20, "GB", 1L << 30);

  private ByteSizes() {}

  /**
   * Parses a size such as {@code 10MB} or {@code 1048576}.
   *
   * @throws IllegalArgumentException quoting the text and saying what is accepted
   */
  public static long parse(String text) {
    String s = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
    Matcher m = SIZE.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + (text == null ? "" : text) + "' is not a size; want " + ACCEPTED);
    }
    try {
      long unit = m.group(2) == null ? 1 : BYTES_PER_UNIT.get(m.group(2));
      return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large a size");
    }
  }

  /** Formats bytes for people, in the largest unit that divides them: {@code 10MB}, {@code 1536KB}, {@code 100B}. */
  public static String format(long bytes) {
    for (String unit : new String[] {"GB", "MB", "KB"}) {
      long per = BYTES_PER_UNIT.get(unit);
      if (bytes != 0 && bytes % per == 0) {
        return bytes / per + unit;
      }
    }
    return bytes + "B";
  }
}
