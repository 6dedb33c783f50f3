package dev.tollgate.ledger.trust;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import dev.tollgate.schemas.ledger.LedgerRecord.Authentication;
import dev.tollgate.schemas.ledger.LedgerRecord.Authentication.Result;
import dev.tollgate.schemas.signing.EventPublicKey;
import dev.tollgate.schemas.signing.EventSignatures;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * What the ledger states about a source event's signature: verified only under a key trusted for
 * the event's own topic, on exactly the bytes consumed; and the statement carries what a third
 * party needs to check it with the signer's public key alone.
 */
class SourceTrustTest {

  private final SourceTrust trust = EventKeys.trust();
  private final SourceEvent trigger = Chains.trigger("t-1", 0);

  @Test
  void authenticate_triggerSignedByTheGateway_verifiedWithKeyId() {
    Authentication auth = trust.authenticate(EventKeys.signed(trigger, EventKeys.gateway()));

    assertThat(auth.result()).isEqualTo(Result.VERIFIED);
    assertThat(auth.signer()).isEqualTo("gateway");
    assertThat(auth.keyId()).isEqualTo(EventKeys.gateway().keyId());
    assertThat(auth.why()).isNull();
  }

  @Test
  void authenticate_verifiedEvent_thirdPartyChecksSignedObjectWithThePublicKeyAlone()
      throws Exception {
    Authentication auth = trust.authenticate(EventKeys.signed(trigger, EventKeys.gateway()));

    EventPublicKey gateway = EventPublicKey.read(EventKeys.file("gateway", true));
    byte[] signed = CanonicalJson.bytes(auth.signed());
    assertThat(gateway.verifies(signed, Base64.getDecoder().decode(auth.signature()))).isTrue();
    assertThat(auth.signed().get("id").asText()).isEqualTo("t-1");
    assertThat(auth.signed().get("tollgatesigner").asText()).isEqualTo(auth.keyId());
    assertThat(auth.signed().get("datadigest").asText()).isEqualTo(Sha256.digest(trigger.data()));
  }

  @Test
  void authenticate_noSignatureHeaders_unsigned() {
    Authentication auth = trust.authenticate(EventKeys.unsigned(trigger));

    assertThat(auth.result()).isEqualTo(Result.UNSIGNED);
    assertThat(auth.keyId()).isNull();
    assertThat(auth.signed()).isNull();
    assertThat(auth.why()).contains(EventSignatures.SIGNATURE);
  }

  @Test
  void authenticate_signedByAKeyNobodyTrusts_unknownKeyNamingIt() {
    Authentication auth = trust.authenticate(EventKeys.signed(trigger, EventKeys.forger()));

    assertThat(auth.result()).isEqualTo(Result.UNKNOWN_KEY);
    assertThat(auth.keyId()).isEqualTo(EventKeys.forger().keyId());
    assertThat(auth.why()).contains(EventKeys.forger().keyId()).contains("gateway");
  }

  @Test
  void authenticate_triggerSignedByTheVerifiersKey_unknownKey() {
    // The verifier's key is trusted, but for decisions only: it cannot vouch for a trigger.
    Authentication auth = trust.authenticate(EventKeys.signed(trigger, EventKeys.verifier()));

    assertThat(auth.result()).isEqualTo(Result.UNKNOWN_KEY);
  }

  @Test
  void authenticate_dataAlteredAfterSigning_invalid() {
    SourceEvent signed = EventKeys.signed(trigger, EventKeys.gateway());
    byte[] altered = Chains.triggerData("github:someone-else");
    SourceEvent tampered =
        new SourceEvent(
            signed.kind(),
            signed.eventId(),
            signed.eventType(),
            signed.source(),
            altered,
            signed.headers());

    Authentication auth = trust.authenticate(tampered);

    assertThat(auth.result()).isEqualTo(Result.INVALID);
    assertThat(auth.keyId()).isEqualTo(EventKeys.gateway().keyId());
    assertThat(auth.why()).contains("does not verify");
  }

  @Test
  void authenticate_garbageSignerHeaderAndNoCloudEventHeaders_invalidWithoutKeyId() {
    Headers headers = new RecordHeaders();
    headers.add(EventSignatures.SIGNER, new byte[] {(byte) 0xff, 0, 1});
    headers.add(EventSignatures.SIGNATURE, "x".getBytes(StandardCharsets.US_ASCII));
    SourceEvent garbage =
        new SourceEvent(
            LedgerRecord.Kind.DECISION,
            "tollgate.decisions.v1-0@3",
            null,
            new LedgerRecord.SourcePosition("tollgate.decisions.v1", 0, 3),
            new byte[] {1, 2, 3},
            headers);

    Authentication auth = trust.authenticate(garbage);

    assertThat(auth.result()).isEqualTo(Result.INVALID);
    assertThat(auth.signer()).isEqualTo("verifier");
    assertThat(auth.keyId()).isNull();
    assertThat(auth.signed()).isNull();
    assertThat(auth.signature()).isNull();
  }

  @Test
  void authenticate_noKeysTrusted_signedEventIsUnknownKey() {
    Authentication auth =
        SourceTrust.none().authenticate(EventKeys.signed(trigger, EventKeys.gateway()));

    assertThat(auth.result()).isEqualTo(Result.UNKNOWN_KEY);
  }
}
