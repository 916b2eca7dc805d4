package io.github.livetrace.internal;

import io.github.livetrace.FlightRecorder.Snapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory of flight recorder snapshots, bounded in count and total size, the oldest removed
 * first.
 *
 * <p>A snapshot's name says when it was taken and why, and is all there is to know about it, so
 * that a listing needs no index and survives restarts: {@code
 * 20261130T141205.337Z_slow_order_1234_52ms.jfr} (a task of type {@code order}, id 1234, that
 * took 52 ms) or {@code 20261130T141205.337Z_health-check-failed.jfr} (the application's reason).
 * Types and reasons keep letters, digits, {@code .} and {@code -} (anything else becomes {@code -},
 * and {@code _} separates the parts), so that a name never needs quoting in a URL or a shell.
 *
 * <p>Names from outside (an HTTP request) are only matched against {@link #NAME}, never used as
 * paths: a name that does not match is refused, and one that does is resolved in the directory
 * and checked to stay there and to be a regular file, not a link.
 *
 * <p>Snapshots are written to a hidden temporary file in the directory (owner-only permissions)
 * and moved into place atomically, so a listing never shows half a snapshot. The directory is
 * created owner-only; one that is a symbolic link or belongs to another user is refused, since
 * snapshots hold what the application was doing.
 */
public final class SnapshotStore {
  /** What a snapshot name looks like, for error messages. */
  public static final String NAME_EXAMPLE = "20261130T141205.337Z_slow_order_1234_52ms.jfr";

  /** What a snapshot name is, for error messages. */
  public static final String NAME_FORMAT =
      "names are the UTC time, '_', the reason (slow_TASKTYPE_TASKID_DURATIONms for a slow task) and .jfr, such as "
          + NAME_EXAMPLE + " or 20261130T141205.337Z_health-check.jfr";

  private static final String LABEL = "[A-Za-z0-9.-]{1,64}";

  /** Every name the store writes, and the only names it reads. */
  public static final Pattern NAME =
      Pattern.compile("(\\d{8}T\\d{6}\\.\\d{3}Z)_(?:slow_(" + LABEL + ")_(\\d{1,19})_(\\d{1,19})ms|(" + LABEL + "))\\.jfr");

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final String TEMP_PREFIX = ".livetrace-";
  private static final String TEMP_SUFFIX = ".tmp";
  /** A temporary file this old was left by a process that died while writing it. */
  private static final Duration ABANDONED = Duration.ofMinutes(10);

  private final Path directory;
  private final int maxCount;
  private final long maxBytes;

  /** What a snapshot's content comes from. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * @param directory where the snapshots are; created when the first is written
   * @param maxCount most snapshots kept
   * @param maxBytes most bytes of snapshots kept; the newest snapshot is kept whatever its size
   */
  public SnapshotStore(Path directory, int maxCount, long maxBytes) {
    this.directory = directory.toAbsolutePath().normalize();
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
  }

  public Path directory() {
    return directory;
  }

  /** The part of a name for a task that was slow. */
  public static String slowTaskLabel(String taskType, long taskId, long durationNanos) {
    return "slow_" + sanitize(taskType, "task") + "_" + taskId + "_" + Duration.ofNanos(durationNanos).toMillis() + "ms";
  }

  /** The part of a name for the application's reason. */
  public static String reasonLabel(String reason) {
    return sanitize(reason, "snapshot");
  }

  private static String sanitize(String text, String whenEmpty) {
    String s = (text == null ? "" : text).replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("-{2,}", "-");
    s = s.replaceAll("^[.-]+|[.-]+$", "");
    if (s.length() > 64) {
      s = s.substring(0, 64).replaceAll("[.-]+$", "");
    }
    return s.isEmpty() ? whenEmpty : s;
  }

  /** Whether {@code name} is a snapshot name: the only check a name from outside gets before use. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** The entry a valid name describes, with the given size. */
  private static Snapshot entry(String name, long size) {
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      throw new IllegalArgumentException(name);
    }
    Instant time = TIME.parse(m.group(1), Instant::from);
    String reason =
        m.group(2) != null
            ? "slow task " + m.group(2) + " (id " + m.group(3) + ") took " + m.group(4) + " ms"
            : m.group(5);
    return new Snapshot(name, size, time, reason);
  }

  /** The snapshots, newest first; empty when the directory does not exist. */
  public List<Snapshot> list() throws IOException {
    List<Snapshot> entries = new ArrayList<>();
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      return entries;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (!isValidName(name)) {
          continue;
        }
        try {
          BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (a.isRegularFile()) {
            entries.add(entry(name, a.size()));
          }
        } catch (IOException | DateTimeParseException e) {
          // Removed meanwhile, or a name with an impossible date: not a snapshot to show.
        }
      }
    }
    entries.sort(Comparator.comparing(Snapshot::name).reversed());
    return entries;
  }

  /**
   * The file of the snapshot called {@code name}, if the store has it.
   *
   * @throws IllegalArgumentException when {@code name} is not a snapshot name
   */
  public Optional<Path> find(String name) {
    if (!isValidName(name)) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a snapshot name; " + NAME_FORMAT);
    }
    Path file = directory.resolve(name).normalize();
    if (!directory.equals(file.getParent()) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(file);
  }

  /**
   * Writes a snapshot atomically and then removes the oldest ones beyond the limits.
   *
   * @param time when the snapshot was taken: the first part of its name (made unique by a
   *     millisecond when the store already has one of that name)
   * @param label {@link #slowTaskLabel} or {@link #reasonLabel}
   * @return the snapshot as listed
   * @throws IOException when the directory is unusable or writing failed; nothing is left then
   */
  public Snapshot write(Instant time, String label, Content content) throws IOException {
    prepareDirectory();
    Path temp = Files.createTempFile(directory, TEMP_PREFIX, TEMP_SUFFIX); // owner-only on POSIX
    try {
      checkOwner(temp);
      long size;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 64 * 1024)) {
        content.writeTo(out);
      }
      size = Files.size(temp);
      Instant at = time;
      while (true) {
        String name = TIME.format(at) + "_" + label + ".jfr";
        try {
          Files.move(temp, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE);
          enforceLimits();
          return entry(name, size);
        } catch (FileAlreadyExistsException e) {
          at = at.plusMillis(1);
        }
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private void prepareDirectory() throws IOException {
    if (Files.isSymbolicLink(directory)) {
      throw new IOException("the snapshot directory " + directory + " is a symbolic link; set a real directory");
    }
    if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(directory.getParent());
      try {
        if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectory(directory);
        }
      } catch (FileAlreadyExistsException e) {
        // Created meanwhile; checked below like any existing directory.
      }
    }
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("the snapshot directory " + directory + " is not a directory");
    }
    removeAbandonedTempFiles();
  }

  /** A directory another user made (in a shared temp directory, say) could be read by them. */
  private void checkOwner(Path ours) throws IOException {
    if (!directory.getFileSystem().supportedFileAttributeViews().contains("owner")) {
      return;
    }
    var owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS);
    var self = Files.getOwner(ours, LinkOption.NOFOLLOW_LINKS);
    if (!owner.equals(self)) {
      throw new IOException(
          "the snapshot directory " + directory + " belongs to " + owner.getName() + ", not to " + self.getName()
              + ", the user of this process; set a directory of its own");
    }
  }

  private void removeAbandonedTempFiles() throws IOException {
    FileTime before = FileTime.from(Instant.now().minus(ABANDONED));
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
      for (Path f : files) {
        try {
          if (Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).compareTo(before) < 0) {
            Files.deleteIfExists(f);
          }
        } catch (IOException e) {
          // Someone else's cleanup was faster.
        }
      }
    }
  }

  /** Removes the oldest snapshots until at most {@code maxCount} and {@code maxBytes} remain. */
  public void enforceLimits() throws IOException {
    int count = 0;
    long bytes = 0;
    for (Snapshot e : list()) {
      count++;
      bytes += e.size();
      if (count > 1 && (count > maxCount || bytes > maxBytes)) {
        Files.deleteIfExists(directory.resolve(e.name()));
      }
    }
  }
}
