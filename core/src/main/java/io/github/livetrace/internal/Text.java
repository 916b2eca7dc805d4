package io.github.livetrace.internal;

/**
 * Bounds the strings that go into events. A trace must not grow by megabytes because one call
 * passed a huge string, and the bound must never split a surrogate pair.
 */
public final class Text {
  /** Longest task type, region type or log category kept, in chars. */
  public static final int MAX_NAME = 128;

  /** Longest log message kept, in chars. */
  public static final int MAX_MESSAGE = 8192;

  private static final char ELLIPSIS = '\u2026';

  private Text() {}

  /** A type or category: null becomes empty, longer than {@link #MAX_NAME} is cut. */
  public static String name(String s) {
    return bound(s, MAX_NAME);
  }

  /** A log message: null becomes empty, longer than {@link #MAX_MESSAGE} is cut. */
  public static String message(String s) {
    return bound(s, MAX_MESSAGE);
  }

  static String bound(String s, int max) {
    if (s == null) {
      return "";
    }
    if (s.length() <= max) {
      return s;
    }
    int end = max - 1;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + ELLIPSIS;
  }
}
