package dev.tollgate.schemas.signing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Signs and verifies Tollgate events on Kafka (CloudEvents binary mode). Two extension attributes
 * carry the signature: {@code ce_tollgatesigner}, the signing key's id (lowercase hex SHA-256 of
 * the raw Ed25519 public key), and {@code ce_tollgatesignature}, the base64 Ed25519 signature.
 *
 * <p>The signed bytes are the RFC 8785 canonical JSON of one object whose members are the event's
 * context attributes as its headers carry them ({@code specversion}, {@code id}, {@code type},
 * {@code source}, and where present {@code subject}, {@code time} and {@code datacontenttype} from
 * the {@code content-type} header), {@code tollgatesigner}, and {@code datadigest}: {@code
 * "sha256:"} and the lowercase hex SHA-256 of the exact record value bytes. So the signature binds
 * the id, the type, the source and every byte of the data; a third party rebuilds the object with
 * any RFC 8785 tool and checks it with {@code openssl pkeyutl -verify -rawin}.
 *
 * <p>Every attribute that is signed must occur once: a record with two {@code ce_id} headers (which
 * consumers might read differently) never verifies.
 */
public final class EventSignatures {

  public static final String SIGNER = "ce_tollgatesigner";
  public static final String SIGNATURE = "ce_tollgatesignature";

  /** Header name and the member it becomes in the signed object; order is irrelevant (RFC 8785). */
  private static final List<String[]> SIGNED_HEADERS =
      List.of(
          new String[] {KafkaCloudEvents.SPEC_VERSION, "specversion"},
          new String[] {KafkaCloudEvents.ID, "id"},
          new String[] {KafkaCloudEvents.TYPE, "type"},
          new String[] {KafkaCloudEvents.SOURCE, "source"},
          new String[] {KafkaCloudEvents.SUBJECT, "subject"},
          new String[] {KafkaCloudEvents.TIME, "time"},
          new String[] {KafkaCloudEvents.CONTENT_TYPE, "datacontenttype"});

  private static final List<String> REQUIRED =
      List.of(
          KafkaCloudEvents.SPEC_VERSION,
          KafkaCloudEvents.ID,
          KafkaCloudEvents.TYPE,
          KafkaCloudEvents.SOURCE);

  private EventSignatures() {}

  /** What checking an event's signature found. */
  public sealed interface Verification {
    /** Whether the event verified under a trusted key. */
    default boolean verified() {
      return this instanceof Verified;
    }
  }

  /** Signed by the trusted key with this id. */
  public record Verified(String keyId) implements Verification {}

  /** Carries no signature at all. */
  public record Unsigned() implements Verification {}

  /** Signed by a key that is not trusted for this kind of event. */
  public record UnknownKey(String keyId) implements Verification {}

  /** Malformed, or the signature does not verify: altered or forged. */
  public record Invalid(String keyId, String why) implements Verification {}

  /**
   * Adds the signature headers for an event whose context attributes are already in {@code headers}
   * and whose record value is {@code data}. Replaces signature headers already there.
   */
  public static void sign(Headers headers, byte[] data, EventSigningKey key) {
    headers.remove(SIGNER);
    headers.remove(SIGNATURE);
    byte[] signed;
    try {
      signed = signedBytes(headers, key.keyId(), data);
    } catch (MalformedEventException e) {
      throw new IllegalArgumentException(
          "cannot sign an event without its attributes: " + e.getMessage(), e);
    }
    headers.add(SIGNER, key.keyId().getBytes(StandardCharsets.US_ASCII));
    headers.add(SIGNATURE, Base64.getEncoder().encode(key.sign(signed)));
  }

  /** Checks the signature of an event against the keys trusted for it. */
  public static Verification verify(Headers headers, byte[] data, EventKeyRing trusted) {
    Header signerHeader;
    Header signatureHeader;
    try {
      signerHeader = single(headers, SIGNER);
      signatureHeader = single(headers, SIGNATURE);
    } catch (MalformedEventException e) {
      return new Invalid(null, e.getMessage());
    }
    if (signerHeader == null && signatureHeader == null) {
      return new Unsigned();
    }
    if (signerHeader == null
        || signatureHeader == null
        || signerHeader.value() == null
        || signatureHeader.value() == null) {
      return new Invalid(null, "an event carries both " + SIGNER + " and " + SIGNATURE);
    }
    String keyId = new String(signerHeader.value(), StandardCharsets.US_ASCII);
    if (!keyId.matches("[0-9a-f]{64}")) {
      return new Invalid(null, SIGNER + " is not a key id");
    }
    EventPublicKey key = trusted.key(keyId).orElse(null);
    if (key == null) {
      return new UnknownKey(keyId);
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(signatureHeader.value());
    } catch (IllegalArgumentException e) {
      return new Invalid(keyId, SIGNATURE + " is not base64");
    }
    if (!Base64.getEncoder()
        .encodeToString(signature)
        .equals(new String(signatureHeader.value(), StandardCharsets.US_ASCII))) {
      return new Invalid(keyId, SIGNATURE + " is not canonical base64");
    }
    byte[] signed;
    try {
      signed = signedBytes(headers, keyId, data);
    } catch (MalformedEventException e) {
      return new Invalid(keyId, e.getMessage());
    }
    return key.verifies(signed, signature)
        ? new Verified(keyId)
        : new Invalid(keyId, "the signature does not verify: the event was altered or forged");
  }

  /** The bytes that are signed; public so the format document's example can be checked. */
  public static byte[] signedBytes(Headers headers, String keyId, byte[] data)
      throws MalformedEventException {
    ObjectNode signed = Json.mapper().createObjectNode();
    for (String[] attribute : SIGNED_HEADERS) {
      Header header = single(headers, attribute[0]);
      if (header == null || header.value() == null) {
        if (REQUIRED.contains(attribute[0])) {
          throw new MalformedEventException("the event has no " + attribute[0] + " header");
        }
        continue;
      }
      signed.put(attribute[1], utf8(header.value(), attribute[0]));
    }
    signed.put("tollgatesigner", keyId);
    signed.put("datadigest", Sha256.digest(data == null ? new byte[0] : data));
    return CanonicalJson.bytes(signed);
  }

  private static Header single(Headers headers, String name) throws MalformedEventException {
    Iterator<Header> all = headers.headers(name).iterator();
    if (!all.hasNext()) {
      return null;
    }
    Header first = all.next();
    if (all.hasNext()) {
      throw new MalformedEventException("the event carries " + name + " more than once");
    }
    return first;
  }

  private static String utf8(byte[] value, String name) throws MalformedEventException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedEventException(name + " is not UTF-8");
    }
  }

  /** An event whose headers cannot be put in signed form. */
  public static final class MalformedEventException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedEventException(String message) {
      super(message);
    }
  }
}
