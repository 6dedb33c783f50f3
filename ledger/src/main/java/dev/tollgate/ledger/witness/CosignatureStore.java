package dev.tollgate.ledger.witness;

import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.SignedNote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Where the writer keeps its checkpoints' cosignatures: for each cosigned checkpoint, the
 * checkpoint's signed note exactly as the ledger record holds it, followed by one cosignature/v1
 * line per witness that cosigned it (the concatenation tlog-witness suggests, and a valid C2SP
 * signed note: a verifier that knows only the ledger key ignores the other lines). With a data
 * directory each note is the file {@code <data-dir>/cosignatures/<size>.checkpoint}, written
 * atomically, so an operator or auditor can copy the directory into an export ({@code
 * tollgate-auditor export --cosignatures DIR}); the latest {@value #IN_MEMORY} are also kept in
 * memory, which is all there is without a data directory.
 *
 * <p>Only cosignatures the caller verified are added; the store checks nothing but the shape.
 */
public final class CosignatureStore {

  /** The subdirectory of the data directory that holds the cosigned notes. */
  public static final String DIRECTORY = "cosignatures";

  /** File name suffix of a cosigned note. */
  public static final String SUFFIX = ".checkpoint";

  static final int IN_MEMORY = 256;

  private static final Logger LOG = Logger.getLogger(CosignatureStore.class);
  private static final Pattern FILE = Pattern.compile("(0|[1-9][0-9]{0,18})\\.checkpoint");

  private final Optional<Path> directory;
  private final NavigableMap<Long, String> notes = new TreeMap<>();

  private CosignatureStore(Optional<Path> directory) {
    this.directory = directory;
  }

  /** A store in memory only. */
  public static CosignatureStore inMemory() {
    return new CosignatureStore(Optional.empty());
  }

  /** A store in {@code <dataDir>/cosignatures}, created when missing, its latest notes loaded. */
  public static CosignatureStore in(Path dataDir) throws IOException {
    Path directory = Files.createDirectories(dataDir.resolve(DIRECTORY));
    CosignatureStore store = new CosignatureStore(Optional.of(directory));
    List<Long> sizes = sizes(directory);
    for (long size : sizes.subList(Math.max(0, sizes.size() - IN_MEMORY), sizes.size())) {
      store.notes.put(size, Files.readString(file(directory, size), StandardCharsets.UTF_8));
    }
    return store;
  }

  /** The sizes of the cosigned notes in a directory, ascending. */
  public static List<Long> sizes(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(name -> FILE.matcher(name).matches())
          .map(name -> Long.parseLong(name.substring(0, name.length() - SUFFIX.length())))
          .sorted()
          .toList();
    }
  }

  /** The file of the cosigned note of {@code size} in a directory. */
  public static Path file(Path directory, long size) {
    return directory.resolve(size + SUFFIX);
  }

  /**
   * Adds a verified cosignature of {@code checkpoint}: its line replaces an older one by the same
   * witness key; a note kept for the same size with another text (a ledger rebuilt differently) is
   * replaced. Returns the cosigned note.
   */
  public synchronized String add(Checkpoint checkpoint, Cosignature cosignature)
      throws IOException {
    SignedNote base = parse(checkpoint.note());
    List<SignedNote.Signature> lines = new ArrayList<>(base.signatures());
    String kept = note(checkpoint.size()).orElse(null);
    if (kept != null) {
      SignedNote old = parse(kept);
      if (old.text().equals(base.text())) {
        lines = new ArrayList<>(old.signatures());
      } else {
        LOG.warnf(
            "the cosignatures kept for size %d are of another checkpoint than %s; replaced",
            checkpoint.size(), checkpoint);
      }
    }
    SignedNote.Signature line = cosignature.line();
    lines.removeIf(l -> l.name().equals(line.name()) && Arrays.equals(l.keyId(), line.keyId()));
    lines.add(line);
    if (lines.size() > SignedNote.MAX_SIGNATURES) {
      throw new IllegalStateException("more cosignatures than a signed note may carry");
    }
    String note = new SignedNote(base.text(), lines).format();
    if (directory.isPresent()) {
      Path target = file(directory.get(), checkpoint.size());
      Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
      Files.writeString(temporary, note, StandardCharsets.UTF_8);
      Files.move(
          temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    notes.put(checkpoint.size(), note);
    while (notes.size() > IN_MEMORY) {
      notes.pollFirstEntry();
    }
    return note;
  }

  /** The cosigned note of the checkpoint of {@code size}, if any witness cosigned it. */
  public synchronized Optional<String> note(long size) {
    String note = notes.get(size);
    if (note != null || directory.isEmpty()) {
      return Optional.ofNullable(note);
    }
    Path file = file(directory.get(), size);
    try {
      return Files.isRegularFile(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8))
          : Optional.empty();
    } catch (IOException e) {
      LOG.warnf("cannot read %s (%s)", file, e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  /**
   * The largest checkpoint kept in memory that carries the quorum's cosignatures and is no larger
   * than {@code maxSize}, as its cosigned note.
   */
  public synchronized Optional<String> latest(WitnessQuorum quorum, long maxSize) {
    for (Map.Entry<Long, String> entry : notes.headMap(maxSize, true).descendingMap().entrySet()) {
      try {
        quorum.verify(entry.getValue());
        return Optional.of(entry.getValue());
      } catch (WitnessException | CheckpointException e) {
        // Not (yet) cosigned by enough witnesses: an older one may be.
      }
    }
    return Optional.empty();
  }

  private static SignedNote parse(String note) {
    try {
      return SignedNote.parse(note);
    } catch (CheckpointException e) {
      throw new IllegalArgumentException("not a signed note: " + e.getMessage(), e);
    }
  }
}
