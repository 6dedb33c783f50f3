package dev.tollgate.ledger.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.schemas.signing.EventKeyException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The run watch signs with a key of its own, never the ledger's record key, or does not start. */
class RunWatchKeyTest {

  private static final String LEDGER_KEY_ID = "0".repeat(64);

  @Test
  void load_keyOfItsOwn_returnsIt() throws Exception {
    assertThat(
            RunWatchKey.load(Optional.of(EventKeys.file("run-watch", false)), LEDGER_KEY_ID)
                .keyId())
        .isEqualTo(EventKeys.runWatch().keyId());
  }

  @Test
  void load_theLedgersRecordKey_refusesNamingIt() {
    String sameId = EventKeys.runWatch().keyId();

    assertThatThrownBy(
            () -> RunWatchKey.load(Optional.of(EventKeys.file("run-watch", false)), sameId))
        .isInstanceOf(EventKeyException.class)
        .hasMessageContaining("ledger's record key")
        .hasMessageContaining(sameId);
  }

  @Test
  void load_notConfigured_refuses() {
    assertThatThrownBy(() -> RunWatchKey.load(Optional.empty(), LEDGER_KEY_ID))
        .isInstanceOf(EventKeyException.class)
        .hasMessageContaining("tollgate.signing.key-file");
  }

  @Test
  void load_publicKeyFileGiven_refuses() {
    assertThatThrownBy(
            () -> RunWatchKey.load(Optional.of(EventKeys.file("run-watch", true)), LEDGER_KEY_ID))
        .isInstanceOf(EventKeyException.class);
  }
}
