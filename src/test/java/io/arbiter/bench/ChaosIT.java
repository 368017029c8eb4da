package io.arbiter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Short versions of every chaos scenario ({@code bench/chaos.sh} runs the long ones): the fat jar under load against
 * a real PostgreSQL, a fault, and then every accepted task finished, none lost, none doubled.
 */
@DisplayName("Chaos: faults under load lose no accepted task and double none")
class ChaosIT {

  /** When the class was loaded, just before its first scenario: each progress line says how long it has run. */
  private static final long CLASS_STARTED = System.nanoTime();

  private static final Chaos.Settings SHORT = new Chaos.Settings(
      Path.of(System.getProperty("arbiter.jar", "target/arbiter.jar")), 30, Duration.ofSeconds(8),
      Duration.ofSeconds(2), Duration.ofSeconds(3), 2);

  @ParameterizedTest(name = "{0}")
  @EnumSource(Chaos.Scenario.class)
  @DisplayName("every accepted task ends finished, 0 lost, 0 doubled")
  void survives(Chaos.Scenario scenario) throws Exception {
    long started = System.nanoTime();
    progress("%s: started (%s)", scenario.label(), scenario.description);
    Chaos.Report report;
    try {
      report = Chaos.run(scenario, SHORT);
    } catch (Exception | AssertionError e) {
      progress("%s: failed after %.0f s: %s", scenario.label(), seconds(started), e);
      throw e;
    }
    progress("%s: finished in %.0f s%n%s%n%s", scenario.label(), seconds(started), Chaos.Report.header(),
        report.row());

    assertThat(report.accepted()).as("tasks accepted under load").isGreaterThan(60);
    assertThat(report.lost()).as("lost").isZero();
    assertThat(report.doubled()).as("doubled").isZero();
    assertThat(report.unfinished()).as("accepted tasks not finished").isZero();
    assertThat(report.completed() + report.dead()).isEqualTo(report.accepted());
    assertThat(report.recoverySeconds()).as("recovered").isFinite();
    assertThat(report.agentsMoved()).as("the bridge agent of a killed node moved to the surviving one").isTrue();
    switch (scenario) {
      case POSTGRES_STOP, POSTGRES_STOP_CLUSTERED, POOL_EXHAUSTION, SIGKILL -> {
        assertThat(report.buffered()).as("submissions answered from the outage journal").isPositive();
        assertThat(report.replayed()).as("journal items replayed").isGreaterThanOrEqualTo(
            scenario == Chaos.Scenario.SIGKILL ? 1 : report.buffered());
      }
      default -> { }
    }
  }

  /**
   * One line on stdout with the seconds since the class started. Failsafe shows it on the console as it comes
   * ({@code redirectTestOutputToFile} is off for the integration tests), so a long run says where it is.
   */
  private static void progress(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[chaos %4.0f s] %s%n", seconds(CLASS_STARTED),
        String.format(Locale.ROOT, format, args));
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
