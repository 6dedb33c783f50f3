package dev.tollgate.ledger.privacy;

import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sealed store: a directory with one file {@code <hex>.json} per commitment ({@code
 * sha256:<hex>}), holding the {@link SealedPart} as RFC 8785 JSON. Written before the record that
 * commits to it (to a temporary file, forced to disk, then renamed), read by the auditor, and
 * emptied by an erasure. The ledger's own chain never depends on it.
 */
public final class SealedStore {

  private final Path dir;

  /** The store in {@code dir}, created when it does not exist. */
  public SealedStore(Path dir) {
    this.dir = dir;
  }

  /** Its directory. */
  public Path dir() {
    return dir;
  }

  /**
   * Keeps a part durably before its record is built.
   *
   * @throws UncheckedIOException when it cannot: the record is then not built (nothing is recorded
   *     without its sealed content kept)
   */
  public void put(SealedPart part) {
    try {
      Files.createDirectories(dir);
      Path target = file(part.commitment());
      Path temporary = dir.resolve(target.getFileName() + ".tmp");
      try (FileChannel channel =
          FileChannel.open(
              temporary,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(CanonicalJson.bytes(Json.toTree(part)));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot keep sealed part " + part.commitment() + " in " + dir, e);
    }
  }

  /**
   * The part kept for this commitment, or empty when there is none (erased, or never kept).
   *
   * @throws SealedStoreException when a file is there but cannot be read as a sealed part
   */
  public Optional<SealedPart> get(String commitment) throws SealedStoreException {
    Path file = file(commitment);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new SealedStoreException("cannot read " + file + ": " + e.getMessage());
    }
    try {
      return Optional.of(Json.read(bytes, SealedPart.class));
    } catch (MalformedJsonException | IllegalArgumentException e) {
      throw new SealedStoreException(file + " is not a sealed part: " + e.getMessage());
    }
  }

  /** Erases the part of this commitment; false when there was none. */
  public boolean erase(String commitment) throws IOException {
    return Files.deleteIfExists(file(commitment));
  }

  /**
   * Erases every part of this event (those of records and those a rolled back batch left),
   * returning their commitments.
   */
  public List<String> eraseEvent(String eventId) throws IOException, SealedStoreException {
    List<String> erased = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return erased;
    }
    List<String> commitments = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        commitments.add(Sha256.PREFIX + name.substring(0, name.length() - ".json".length()));
      }
    }
    for (String commitment : commitments) {
      if (!Sha256.isDigest(commitment)) {
        continue;
      }
      Optional<SealedPart> part = get(commitment);
      if (part.isPresent() && part.get().eventId().equals(eventId) && erase(commitment)) {
        erased.add(commitment);
      }
    }
    return erased;
  }

  private Path file(String commitment) {
    Sha256.requireDigest(commitment, "commitment");
    return dir.resolve(commitment.substring(Sha256.PREFIX.length()) + ".json");
  }

  @Override
  public String toString() {
    return "SealedStore[" + dir + "]";
  }
}
