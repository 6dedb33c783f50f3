package dev.tollgate.ledger.witness;

import dev.tollgate.ledger.checkpoint.SignedNote;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * One witness cosignature (c2sp.org/tlog-cosignature, cosignature/v1): a signed-note signature line
 * whose blob is {@code key ID (4) || timestamp (8, big-endian seconds) || Ed25519 signature (64)},
 * and which signs {@code "cosignature/v1\ntime <timestamp>\n"} followed by the checkpoint text
 * (extension lines included, log signatures excluded).
 *
 * @param name the witness's key name
 * @param keyId the 4-byte key ID of its cosignature key
 * @param timestamp when the witness cosigned, in seconds since the epoch (never 0)
 * @param signature the 64-byte Ed25519 signature
 */
public record Cosignature(String name, byte[] keyId, long timestamp, byte[] signature) {

  private static final int SIGNATURE_SIZE = 64;

  public Cosignature {
    if (keyId == null || keyId.length != 4) {
      throw new IllegalArgumentException("a cosignature has a 4-byte key ID");
    }
    if (timestamp <= 0) {
      throw new IllegalArgumentException("a cosignature's timestamp is positive");
    }
    if (signature == null || signature.length != SIGNATURE_SIZE) {
      throw new IllegalArgumentException("a cosignature carries a 64-byte Ed25519 signature");
    }
    keyId = keyId.clone();
    signature = signature.clone();
  }

  /**
   * The cosignature a signature line carries, if its blob has the cosignature/v1 shape; a line of
   * another shape (a log signature, another type) is not one.
   */
  public static Optional<Cosignature> of(SignedNote.Signature line) {
    byte[] blob = line.signature();
    if (blob.length != 8 + SIGNATURE_SIZE) {
      return Optional.empty();
    }
    long timestamp = ByteBuffer.wrap(blob, 0, 8).getLong();
    if (timestamp <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        new Cosignature(
            line.name(), line.keyId(), timestamp, Arrays.copyOfRange(blob, 8, blob.length)));
  }

  /** The bytes a witness signs for this checkpoint text at this time. */
  public static byte[] signedMessage(String checkpointText, long timestamp) {
    return ("cosignature/v1\ntime " + timestamp + "\n" + checkpointText)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Whether this cosignature is {@code key}'s over {@code checkpointText}. */
  public boolean verifies(WitnessKey key, String checkpointText) {
    return key.names(name, keyId)
        && key.publicKey().verifies(signedMessage(checkpointText, timestamp), signature);
  }

  /** When the witness cosigned. */
  public Instant time() {
    return Instant.ofEpochSecond(timestamp);
  }

  /** The signature line, as appended to the checkpoint's signed note. */
  public SignedNote.Signature line() {
    byte[] blob = ByteBuffer.allocate(8 + SIGNATURE_SIZE).putLong(timestamp).put(signature).array();
    return new SignedNote.Signature(name, keyId, blob);
  }

  @Override
  public byte[] keyId() {
    return keyId.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cosignature c
        && c.name.equals(name)
        && Arrays.equals(c.keyId, keyId)
        && c.timestamp == timestamp
        && Arrays.equals(c.signature, signature);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + Arrays.hashCode(keyId)) * 31 + Long.hashCode(timestamp);
  }

  @Override
  public String toString() {
    return "Cosignature[" + name + " at " + time() + "]";
  }
}
