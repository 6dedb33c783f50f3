package dev.tollgate.deploy.kafka;

import dev.tollgate.schemas.SuppressForbidden;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory in the system's temporary directory that is gone when its owner is done with it:
 * deleted with everything in it on {@link #close()}, and when the JVM exits for an owner that never
 * closes it (a suite-wide test harness, a run cut short). It is created owner-only ({@code
 * rwx------}) where the filesystem has POSIX permissions, so key files written into it are never
 * readable by other users of a shared machine.
 *
 * <p>This is the one audited place that creates entries in the shared temporary directory (the
 * project's forbidden-apis list bans {@code Files.createTempDirectory/createTempFile} without a
 * parent and {@code File.createTempFile} everywhere else): a test uses JUnit's {@code @TempDir}; a
 * broker or harness that outlives one test uses this. It lives beside {@link EmbeddedKafka}, whose
 * temporary broker needs it, because every module that runs such harnesses already depends on this
 * one in its tests.
 */
public final class TemporaryDirectory implements AutoCloseable {

  private final Path path;
  private final Thread atExit;
  private final List<AutoCloseable> closeFirstAtExit = new ArrayList<>();
  private boolean closed;

  private TemporaryDirectory(Path path) {
    this.path = path;
    this.atExit = new Thread(this::deleteAtExit, "delete-" + path.getFileName());
  }

  /**
   * Creates a new owner-only directory named {@code prefix} and a random suffix in the system's
   * temporary directory, deleted on close or at JVM exit, whichever comes first.
   */
  @SuppressForbidden("the one audited creator of temporary directories; see the class javadoc")
  public static TemporaryDirectory create(String prefix) {
    try {
      TemporaryDirectory dir =
          new TemporaryDirectory(Files.createTempDirectory(prefix, ownerOnly()));
      Runtime.getRuntime().addShutdownHook(dir.atExit);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temporary directory " + prefix, e);
    }
  }

  /** The directory. */
  public Path path() {
    return path;
  }

  /**
   * Has {@code user} (a broker or process writing into this directory) closed at JVM exit before
   * the directory is deleted, so it does not find its files gone while still running.
   */
  public synchronized TemporaryDirectory closeFirstAtExit(AutoCloseable user) {
    closeFirstAtExit.add(user);
    return this;
  }

  /**
   * Deletes the directory and everything in it; closing again does nothing.
   *
   * @throws UncheckedIOException if something in it could not be deleted; the JVM exit then tries
   *     again
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    deleteRecursively(path);
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(atExit);
    } catch (IllegalStateException exiting) {
      // closed from a shutdown hook: this directory's own hook finds nothing left to delete
    }
  }

  @Override
  public String toString() {
    return "TemporaryDirectory[" + path + "]";
  }

  // Per-user guard in a JVM shutdown hook: AutoCloseable.close() declares Exception, and one user
  // that fails to stop must not keep the others from stopping or the directory from being deleted.
  @SuppressWarnings("checkstyle:IllegalCatch")
  private void deleteAtExit() {
    List<AutoCloseable> users;
    synchronized (this) {
      users = List.copyOf(closeFirstAtExit);
    }
    for (AutoCloseable user : users) {
      try {
        user.close();
      } catch (Exception e) {
        // Whatever stopping it threw, the JVM is exiting: deleting the directory is what is left.
      }
    }
    try {
      close();
    } catch (UncheckedIOException e) {
      // nothing more can be done while the JVM exits
    }
  }

  private static FileAttribute<?>[] ownerOnly() {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
      };
    }
    return new FileAttribute<?>[0];
  }

  /** Retries a few times: a process that was just stopped may still be removing its own files. */
  private static void deleteRecursively(Path dir) {
    for (int attempt = 1; ; attempt++) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
        return;
      } catch (NoSuchFileException gone) {
        if (!Files.exists(dir)) {
          return;
        }
        failAfter(attempt, dir, gone);
      } catch (IOException e) {
        failAfter(attempt, dir, e);
      } catch (UncheckedIOException e) {
        failAfter(attempt, dir, e.getCause());
      }
    }
  }

  private static void failAfter(int attempt, Path dir, IOException e) {
    if (attempt >= 3) {
      throw new UncheckedIOException("could not delete the temporary directory " + dir, e);
    }
  }
}
