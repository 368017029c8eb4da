package io.arbiter;

import io.arbiter.callback.CallbackSettings;
import io.arbiter.config.ConfigException;
import io.arbiter.config.ConfigValues;
import io.arbiter.routing.RoutingSettings;
import io.arbiter.task.Retention;

/**
 * The settings the domains map for themselves from the configuration, read once at start and handed to the verticles
 * that use them.
 */
record DomainSettings(RoutingSettings routing, CallbackSettings callbacks, Retention retention) {

  /** Maps each domain's settings; the first bad one throws a {@link ConfigException} naming its key. */
  static DomainSettings from(ConfigValues values) {
    RoutingSettings routing = RoutingSettings.from(values);
    CallbackSettings callbacks = CallbackSettings.from(values);
    return new DomainSettings(routing, callbacks, Retention.from(values));
  }
}
