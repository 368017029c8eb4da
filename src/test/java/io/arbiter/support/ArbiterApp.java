package io.arbiter.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Boots one real Arbiter ({@link TestApp#start(java.util.Map)}: a fresh database, a free port, a temporary data
 * directory) for the annotated test class, before its {@code @BeforeAll} methods, and closes it after its
 * {@code @AfterAll} methods. Every test of the class shares that app.
 *
 * <pre>{@code
 * @ArbiterApp({"routing.pollIntervalMs=100", "tasks.claimPollMs=200"})
 * class SomethingTest {
 *
 *   @ArbiterApp.Inject private static TestApp app;
 *   @ArbiterApp.Inject private static Http http;
 *
 *   @BeforeAll
 *   static void agents() { ... app.tokens().admin("acme") ... }
 *
 *   @Test
 *   void works(Tokens tokens) { ... }
 * }
 * }</pre>
 *
 * <p>Settings, above {@link TestApp#defaults()}:
 * <ul>
 *   <li>{@link #value()}: {@code "path=value"} pairs, split at the first {@code =}; the value stays a string, which
 *       every setting parses as it parses an environment variable ({@code "tasks.leaseMs=600000"},
 *       {@code "retention.tenantDays=keeper=60"});
 *   <li>a static, parameterless method of the class annotated {@link Settings}, returning a
 *       {@code Map<String, ?>}: for settings computed in code (numbers from constants, paths, ports). It runs once,
 *       before the app starts; its entries win over {@link #value()}.
 * </ul>
 *
 * <p>What {@link ArbiterAppExtension} injects, by declared type ({@link TestApp}, {@link Http}, {@link Tokens}):
 * <ul>
 *   <li>fields annotated {@link Inject}: static ones before the class's {@code @BeforeAll} methods run, instance ones
 *       into each test instance;
 *   <li>parameters of any lifecycle or test method ({@code @BeforeAll}, {@code @BeforeEach}, {@code @Test},
 *       {@code @AfterAll}...).
 * </ul>
 * {@code @Nested} classes share their enclosing class's app.
 *
 * <p>Tests whose boot is not one app per class (several nodes, a restart on one data directory, a database taken
 * down under the app, a conf file rewritten during the test, logs captured across the app's whole life) start
 * {@link TestApp} themselves.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(ArbiterAppExtension.class)
public @interface ArbiterApp {

  /** Settings as {@code "path=value"} pairs, above {@link TestApp#defaults()}. */
  String[] value() default {};

  /** Marks the static method whose {@code Map<String, ?>} adds settings computed in code (see {@link ArbiterApp}). */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @interface Settings {}

  /** Marks a field of type {@link TestApp}, {@link Http} or {@link Tokens} to be set to the class's app (or its part). */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  @interface Inject {}
}
