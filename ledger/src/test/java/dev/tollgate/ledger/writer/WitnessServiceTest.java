package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessKey;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The witness settings the service refuses to start with, and the labels its metrics carry. */
class WitnessServiceTest {

  @Test
  void quorum_zeroOfConfiguredWitnesses_refused() throws Exception {
    List<WitnessKey> keys = List.of(key("w.test/1"));

    assertThatThrownBy(() -> WitnessService.quorum(keys, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least 1");
  }

  @Test
  void quorum_moreThanConfigured_refusedNamingTheSetting() throws Exception {
    List<WitnessKey> keys = List.of(key("w.test/1"));

    assertThatThrownBy(() -> WitnessService.quorum(keys, 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("tollgate.ledger.witness:");
  }

  @Test
  void quorum_noWitnesses_noneRequired() {
    assertThat(WitnessService.quorum(List.of(), 0).required()).isZero();
  }

  @Test
  void reasonTag_everyReason_aDistinctLowercaseLabel() {
    List<String> tags =
        Arrays.stream(WitnessException.Reason.values()).map(WitnessService::reasonTag).toList();

    assertThat(tags).doesNotHaveDuplicates().allMatch(t -> t.matches("[a-z_]+"));
    assertThat(WitnessService.reasonTag(WitnessException.Reason.ROLLBACK)).isEqualTo("rollback");
  }

  private static WitnessKey key(String name) throws Exception {
    return WitnessKey.of(
        name,
        LedgerPublicKey.of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()));
  }
}
