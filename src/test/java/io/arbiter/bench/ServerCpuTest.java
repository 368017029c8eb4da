package io.arbiter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerCpuTest {

  @Test
  void processCpuGrowsWhileTheProcessComputesAndIncludesItsCompilerThreads() {
    ServerCpu cpu = ServerCpu.of(ProcessHandle.current().pid());
    assertThat(cpu).as("this JVM's threads under /proc").isNotNull();
    ServerCpu.Sample before = cpu.sample();
    long deadline = System.nanoTime() + 10_000_000_000L;
    long sink = 0;
    ServerCpu.Sample after = before;
    while (after.nanos() - before.nanos() < 50_000_000L && System.nanoTime() < deadline) {
      for (int i = 0; i < 1_000_000; i++) {
        sink += Long.rotateLeft(sink ^ i, 7);
      }
      after = cpu.sample();
    }
    assertThat(after.nanos() - before.nanos()).as("CPU nanoseconds spent computing (sink %d)", sink)
        .isGreaterThanOrEqualTo(50_000_000L);
    // a JVM that has run this test has compiled its loop
    assertThat(after.compilerNanos()).isPositive().isLessThanOrEqualTo(after.nanos());
    assertThat(ServerCpu.between(before, after)).matches("\\d+\\.\\d\\d cores, of them the JIT compiler \\d+\\.\\d\\d");
    assertThat(ServerCpu.compilerCores(before, after)).isBetween(0.0, 2.0 * Runtime.getRuntime().availableProcessors());
  }

  @Test
  void aProcessThatDoesNotExistIsNotMeasured() {
    assertThat(ServerCpu.of(Long.MAX_VALUE)).isNull();
    assertThat(ServerCpu.between(null, null)).isEqualTo("not measured");
    assertThat(ServerCpu.compilerCores(null, null)).isNaN();
  }
}
