package io.github.livetrace.cli.internal;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * A download saved as it came over the wire, still zstd- or gzip-encoded ({@code curl -H
 * 'Accept-Encoding: zstd' -o trace.jfr.zst}). The servlet flushes a block at every JFR chunk, so a
 * cut one decodes to all the chunks that were sent whole; {@link #decode} writes what decodes and
 * says where the stream ends, and {@code repair} keeps the complete chunks.
 */
public final class CompressedDownload {
  private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
  private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};

  private CompressedDownload() {}

  /** {@code zstd} or {@code gzip} when {@code header} (a file's first bytes) starts as one. */
  public static Optional<String> coding(byte[] header) {
    if (startsWith(header, ZSTD_MAGIC)) {
      return Optional.of("zstd");
    }
    if (startsWith(header, GZIP_MAGIC)) {
      return Optional.of("gzip");
    }
    return Optional.empty();
  }

  /** {@link #coding(byte[])} of a file's first bytes; empty also when it cannot be read. */
  public static Optional<String> coding(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return coding(in.readNBytes(ZSTD_MAGIC.length));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** What {@link #decode} wrote, and why the stream ended early, if it did. */
  public record Decoded(long bytes, Optional<String> cut) {}

  /** Decodes {@code file} in {@code coding} to {@code out}, as far as it decodes. */
  public static Decoded decode(Path file, String coding, OutputStream out) throws IOException {
    long written = 0;
    try (InputStream raw = Files.newInputStream(file)) {
      InputStream in = null;
      try {
        in = coding.equals("zstd") ? new ZstdInputStreamNoFinalizer(raw) : new GZIPInputStream(raw, 1 << 16);
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) >= 0; ) {
          out.write(buf, 0, n);
          written += n;
        }
        return new Decoded(written, Optional.empty());
      } catch (IOException e) {
        if (e instanceof java.nio.file.FileSystemException) {
          throw e; // the file, not its content
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new Decoded(written, Optional.of("the " + coding + " stream is cut short (" + why + ")"));
      } finally {
        if (in != null) {
          in.close();
        }
      }
    }
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }
}
