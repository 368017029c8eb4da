package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The chain's first link and the hex form of hashes. */
@DisplayName("The audit chain's genesis and hex form")
class AuditChainGenesisTest {

  @Test
  @DisplayName("only 32 zero bytes are the genesis, and each call gives a fresh copy")
  void genesisIsThirtyTwoZeroBytes() {
    byte[] genesis = AuditChain.genesis();
    assertThat(genesis).hasSize(AuditChain.HASH_BYTES).containsOnly(0);
    assertThat(AuditChain.isGenesis(genesis)).isTrue();
    genesis[0] = 1;
    assertThat(AuditChain.isGenesis(genesis)).isFalse();
    assertThat(AuditChain.isGenesis(AuditChain.genesis())).as("the changed copy left the genesis alone").isTrue();
    assertThat(AuditChain.isGenesis(new byte[16])).isFalse();
  }

  @Test
  @DisplayName("hashes print as lower-case hex; none prints as null")
  void hexForm() {
    assertThat(AuditChain.hex(new byte[] {0x0a, (byte) 0xff})).isEqualTo("0aff");
    assertThat(AuditChain.hex(null)).isNull();
  }
}
